//! Fuzzes the resync round as the server receives it: the CBOR `ResyncRequest`, the sync state a
//! device sends back, and automerge's sync message applied to a real inspection document, whose
//! new changes then go through the write policy.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quayside_core::doc::{Author, Document, SyncState, inspection};
use quayside_core::model::edits::InspectionPatch;
use quayside_core::sync::policy::{Principal, Push, Role, apply_inspection_push};
use quayside_core::sync::protocol::{ResyncRequest, decode};

fuzz_target!(|data: &[u8]| {
    let Ok(req) = decode::<ResyncRequest>(data) else { return };
    let mut doc = Document::new(&[7; 16]);
    let header = inspection::Header {
        id: "01a2278c-0f38-71a2-b484-673a87603b8c".into(),
        station: "GHTEM".into(),
        officer: "ama".into(),
        device: "d".into(),
        created_at: "2026-11-29T10:00:00.000Z".into(),
    };
    let author = Author { user: "ama".into(), device: "d".into() };
    inspection::create(&mut doc, &author, &header, &InspectionPatch::default()).unwrap();
    let mut state = req.state.as_ref().map(|s| SyncState::decode(s)).unwrap_or_default();
    let before = doc.heads();
    if let Some(message) = &req.message {
        let mut fork = doc.fork_with_actor(&[8; 16]);
        if fork.receive_sync_message(&mut state, message).is_ok()
            && let Ok(changes) = fork.changes_since(&before)
        {
            let officer = Principal {
                user: "ama".into(),
                role: Role::Officer,
                stations: vec!["GHTEM".into()],
                countries: vec![],
                device_id: "d".into(),
                actor: hex_actor(),
                public_key: String::new(),
            };
            let _ = apply_inspection_push(&officer, &header.id, Some(&mut doc), Push::Changes(&changes), &[8; 16]);
        }
    }
    let _ = doc.generate_sync_message(&mut state);
    let _ = state.encode();
});

fn hex_actor() -> String {
    "07".repeat(16)
}
