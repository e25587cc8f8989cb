//! Fuzzes the JSON enrolment body and the CBOR feed/answer types a device decodes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quayside_core::sync::protocol::{EnrollRequest, FeedResponse, SyncResponse, decode};

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<EnrollRequest>(data);
    let _ = decode::<FeedResponse>(data);
    let _ = decode::<SyncResponse>(data);
});
