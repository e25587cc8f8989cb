//! Fuzzes applying raw changes from a peer to a real inspection document, then reading it back
//! (the device merges whatever the server sends).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quayside_core::doc::{Author, Document, inspection};
use quayside_core::model::edits::InspectionPatch;

fuzz_target!(|data: &[u8]| {
    let mut doc = Document::new(&[1; 16]);
    let header = inspection::Header {
        id: "i".into(),
        station: "GHTEM".into(),
        officer: "ama".into(),
        device: "d".into(),
        created_at: "2026-11-29T00:00:00.000Z".into(),
    };
    let author = Author { user: "ama".into(), device: "d".into() };
    inspection::create(&mut doc, &author, &header, &InspectionPatch::default()).unwrap();
    // Split the input into changes at 0xFF 0x00 markers.
    let changes: Vec<Vec<u8>> = data.split(|b| *b == 0xFF).map(|c| c.to_vec()).collect();
    if doc.apply_changes(&changes).is_ok() {
        let _ = inspection::read(&doc);
        let _ = doc.conflicts();
        let _ = doc.history();
    }
});
