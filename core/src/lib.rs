//! Quayside's shared core: the offline record store for customs officers inspecting shipments
//! of ozone-depleting substances, HFCs, hazardous chemicals and waste.
//!
//! Phones (through uniffi) and the `quayside` CLI use one object, [`FieldStore`]:
//!
//! ```
//! use quayside_core::{FieldStore, FindingFields, InspectionFields};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = FieldStore::create(dir.path().join("store").display().to_string(), "ama".into(), "GHTEM".into())?;
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
//! assert_eq!(added.view.assessment.flags[0].message, "declared HFC-134a, identified HCFC-22");
//! # Ok::<(), quayside_core::ApiError>(())
//! ```
//!
//! Layers, each depending only on those before it: [`model`] (domain types, validation,
//! computed figures) · [`reference`] (substances, blends, HS and Basel codes) · [`doc`]
//! (automerge documents) · [`store`] (SQLite) and [`blobs`] (photo files) · [`ffi`] (the
//! exported API).

pub mod blobs;
pub mod doc;
pub mod error;
pub mod ffi;
pub mod model;
pub mod platform;
pub mod reference;
pub mod signing;
pub mod store;
pub mod sync;

pub use ffi::*;

uniffi::setup_scaffolding!();
