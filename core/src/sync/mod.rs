//! Sync with the agency server: the wire protocol and write policy (shared with the server) and
//! the device side: HTTP client and the engine that pushes, pulls and uploads photos.

pub mod client;
pub mod engine;
pub mod policy;
pub mod protocol;
pub mod schedule;
pub mod tls;
