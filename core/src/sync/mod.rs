//! Sync with the agency server: the wire protocol and write policy (shared with the server) and
//! the device side: HTTP client and the engine that pushes, pulls and uploads photos.

// The device's HTTP side (reqwest, the platform's certificate verifier): feature `client`; the
// server builds without it.
#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod engine;
pub mod policy;
pub mod protocol;
pub mod schedule;
#[cfg(feature = "client")]
pub mod tls;
pub mod trust;
