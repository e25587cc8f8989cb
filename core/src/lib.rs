//! Quayside's shared core: the offline record store for customs officers inspecting shipments
//! of ozone-depleting substances, HFCs, hazardous chemicals and waste.
//!
//! Phones (through uniffi) and the `quayside` CLI use one object, [`FieldStore`]:
//!
//! ```
//! use quayside_core::{FieldStore, FindingFields, InspectionFields};
//!
//! let dir = tempfile::tempdir().unwrap();
//! // 32 random bytes the app keeps in the platform keystore.
//! let key = quayside_core::generate_store_key();
//! let store = FieldStore::create(dir.path().join("store").display().to_string(), key, "ama".into(), "GHTEM".into())?;
//! let view = store.create_inspection(InspectionFields {
//!     container_number: Some("CSQU3054383".into()),
//!     ..Default::default()
//! })?;
//! let added = store.add_finding(view.inspection.id.clone(), FindingFields {
//!     declared_substance: Some("R-134a".into()),
//!     identified_substance: Some("R-22".into()),
//!     cylinders: Some(1139),
//!     net_mass_kg: Some(1139.0 * 13.6),
//!     ..Default::default()
//! })?;
//! // Figures are computed from the reference data on every read, never stored.
//! let total = added.view.assessment.total;
//! assert_eq!(format!("{:.3}", total.odp_tonnes), "0.852");
//! assert_eq!(total.co2e_tonnes.round(), 28038.0);
//! // Flags (like errors) are typed, with a message key the app shows in the officer's language.
//! let flag = &added.view.assessment.flags[0];
//! assert_eq!(flag.kind, quayside_core::FlagKind::SubstanceMismatch);
//! assert_eq!(flag.message.key, quayside_core::MessageKey::FlagDeclaredOther);
//! assert_eq!(flag.message.english(), "Declared HFC-134a, identified HCFC-22.");
//! # Ok::<(), quayside_core::ApiError>(())
//! ```
//!
//! Layers, each depending only on those before it: [`reference`](mod@reference) (substances, blends, HS and
//! Basel codes) and [`signing`] (Ed25519 payloads) · [`model`] (domain types, validation,
//! computed figures, quantities) · [`doc`] (automerge documents) · [`store`] (SQLite) and
//! [`blobs`] (photo files) · [`sync`] (protocol and policy shared with the server; the device's
//! client, engine, schedule and TLS trust) · [`ffi`] (the exported API) · [`platform`] (the JNI
//! entry Android calls).

pub mod blobs;
pub mod doc;
pub mod error;
pub mod ffi;
pub mod model;
#[cfg(feature = "client")]
pub mod platform;
pub mod reference;
pub mod signing;
pub mod sql;
pub mod store;
pub mod sync;

pub use ffi::*;

// Without the `ffi` feature, `uniffi::` names markers that compile to nothing (uniffi-off).
#[cfg(not(feature = "ffi"))]
extern crate quayside_uniffi_off as uniffi;

uniffi::setup_scaffolding!();
