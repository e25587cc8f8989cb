//! Fuzzes what the server does with a sync body from the network: CBOR decoding, validation, and
//! the write policies on every document's changes or snapshot (against empty server copies).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quayside_core::doc::Document;
use quayside_core::sync::policy::{Principal, Push, Role, apply_inspection_push, apply_review_push};
use quayside_core::sync::protocol::{SyncRequest, decode};

fuzz_target!(|data: &[u8]| {
    let Ok(req) = decode::<SyncRequest>(data) else { return };
    if req.validate().is_err() {
        return;
    }
    let officer = Principal {
        user: "ama".into(),
        role: Role::Officer,
        stations: vec!["GHTEM".into()],
        countries: vec![],
        device_id: "d".into(),
        actor: "00112233445566778899aabbccddeeff".into(),
        public_key: quayside_core::signing::public_key_of(&[7; 32]),
    };
    let supervisor = Principal { role: Role::Supervisor, ..officer.clone() };
    let mut seen = std::collections::HashSet::new();
    for doc in &req.docs {
        if doc.check(&mut seen).is_err() {
            continue;
        }
        let _ = quayside_core::doc::parse_heads(&doc.shared_heads);
        let changes: Vec<Vec<u8>> = doc.changes.iter().map(|c| c.to_vec()).collect();
        let push = || match &doc.snapshot {
            Some(bytes) => Document::load(bytes, &[7; 16]).ok().map(|d| Push::Snapshot(Box::new(d))),
            None => Some(Push::Changes(&changes)),
        };
        if let Some(p) = push() {
            let _ = apply_inspection_push(&officer, &doc.id, None, p, &[7; 16]);
        }
        if let Some(p) = push() {
            let _ = apply_review_push(&supervisor, &doc.id, None, p, &[7; 16], None, &|_, _| true);
        }
    }
});
