//! Seizure data for national ozone units: the `seizure_rows` projection (one row per seized item,
//! rewritten whenever an inspection or one of its reviews is stored), who may read which rows,
//! filtered queries, aggregates by substance, month or port, and the JSON, CSV and XLSX renderings.
//!
//! Quantities are valued from the reference data when the row is written: ODP-tonnes = tonnes x
//! ODP, CO2-eq tonnes = tonnes x GWP, each row naming the source of its GWP (and ODP). A seized
//! item whose substance is unknown keeps a row as `unidentified` with zero ODP and GWP, so
//! kilogram totals stay honest. Each row also carries its whole case's totals.
//!
//! Access: an ozone analyst reads the seizures of their own country (approved ones unless asked
//! otherwise), a supervisor those of their stations, an administrator everything; officers read
//! none of it.

use std::fmt::Write as _;

use quayside_core::args;
use quayside_core::doc::{Document, inspection};
use quayside_core::model::Inspection;
use quayside_core::model::assess::{Basis, FindingFigures, Part, Quantity, assess};
use quayside_core::model::locode;
use quayside_core::reference;
use quayside_core::sql::{Arg, Row, Sql, arg_refs};
use quayside_core::store::load_document;
use quayside_core::sync::policy::{Principal, Role};
use serde::{Deserialize, Serialize};

use crate::error::{ServerError, ServerResult};

/// Every review state an inspection (and so each of its rows) can be in.
pub fn review_states() -> impl Iterator<Item = &'static str> {
    quayside_core::model::review::ReviewState::ALL
        .iter()
        .map(|s| s.as_str())
}

pub use quayside_core::model::assess::UNIDENTIFIED;

/// The `meta` key migration 004 sets when documents exist whose rows must be built.
const REBUILD_KEY: &str = "reproject_seizures";

// One module per section: the projection the sync transaction writes, the filter an analyst
// asks for, reading the rows and sums, and the JSON, CSV and XLSX renderings.
mod filter;
mod projection;
mod read;
mod render;
pub use filter::*;
pub use projection::*;
pub use read::*;
pub use render::{Rows, render, render_aggregates, render_to};
