//! Fuzzes what the server does with a sync body from the network: CBOR decoding, validation, and
//! the write policy on every document's changes (against an empty server copy).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quayside_core::sync::policy::{Principal, Role, apply_inspection_push};
use quayside_core::sync::protocol::{SyncRequest, decode};

fuzz_target!(|data: &[u8]| {
    let Ok(req) = decode::<SyncRequest>(data) else { return };
    if req.validate().is_err() {
        return;
    }
    let who = Principal {
        user: "ama".into(),
        role: Role::Officer,
        stations: vec!["GHTEM".into()],
        countries: vec![],
        device_id: "d".into(),
        actor: "00112233445566778899aabbccddeeff".into(),
    };
    for doc in &req.docs {
        let changes: Vec<Vec<u8>> = doc.changes.iter().map(|c| c.to_vec()).collect();
        let _ = apply_inspection_push(&who, &doc.id, None, &changes, &[7; 16]);
        let _ = quayside_core::doc::parse_heads(&doc.shared_heads);
    }
});
