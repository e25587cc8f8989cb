//! Command-line arguments (clap), mapped onto the core's input records.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use quayside_core::{
    ComponentShare, CustodyFields, CylinderType, DeclarationFields, ElementList, FindingFields,
    GeoPoint, InspectionFields, InspectionFilter, InspectionStatus, ModusOperandi, SeizureAction,
};

use crate::{CliError, CliResult};

/// Quayside field client: record inspections of ODS/HFC shipments offline.
#[derive(Debug, Parser)]
#[command(name = "quayside", version, about, long_about = None)]
pub struct Cli {
    /// The device store directory.
    #[arg(long, global = true, env = "QUAYSIDE_STORE", value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// The file holding the store's key (64 hexadecimal digits). Default: `DIR.key` beside the
    /// store directory, which `init` creates. `QUAYSIDE_STORE_KEY` (the digits themselves) wins
    /// over both.
    #[arg(long, global = true, env = "QUAYSIDE_KEY_FILE", value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Print JSON for scripts instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new device store for an officer at a station.
    Init {
        #[arg(long)]
        user: String,
        /// UN/LOCODE of the station, e.g. GHTEM.
        #[arg(long)]
        station: String,
    },
    /// Show this device's identity.
    Whoami,
    /// Re-encrypt the store under a new key, written to the key file (the old key no longer
    /// opens it). Interrupted, the next command finishes it.
    Rekey,
    /// Start or edit an inspection.
    #[command(subcommand)]
    Inspection(InspectionCommand),
    /// Add, edit or remove findings.
    #[command(subcommand)]
    Finding(FindingCommand),
    /// Attach or read evidence photos.
    #[command(subcommand)]
    Photo(PhotoCommand),
    /// Record or change the seizure of an inspection.
    #[command(subcommand)]
    Seizure(SeizureCommand),
    /// Append to the chain of custody.
    #[command(subcommand)]
    Custody(CustodyCommand),
    /// Remove a finding, photo, seized item or custody entry. It is kept (hidden): a removal
    /// that raced a colleague's edit shows as a conflict in `show`. Removing it again confirms.
    Remove {
        id: String,
        list: Parsed<ElementList>,
        element_id: String,
    },
    /// Bring back a removed finding, photo, seized item or custody entry, with every edit.
    Restore {
        id: String,
        list: Parsed<ElementList>,
        element_id: String,
    },
    /// Submit an inspection for review (again after it was returned or changed).
    Submit { id: String },
    /// List and search inspections.
    List(ListArgs),
    /// Show one inspection in full, with figures, flags and conflicts.
    Show { id: String },
    /// Who changed what, when.
    History { id: String },
    /// Look up substances, blends, HS codes and Basel codes.
    Reference { query: Vec<String> },
    /// Enrol this device with the agency server using a one-time code.
    Enroll {
        /// The server's URL, e.g. http://127.0.0.1:8080.
        #[arg(long)]
        server: String,
        #[arg(long)]
        code: String,
        /// A name for this device, shown to administrators.
        #[arg(long, default_value = "quayside CLI")]
        name: String,
        /// The agency's own CA certificate (PEM file), trusted beside the system's roots for an
        /// https:// server the public CAs do not vouch for.
        #[arg(long, value_name = "PEM")]
        ca_file: Option<std::path::PathBuf>,
        /// Accept only a server with this public key: SHA-256 of its SubjectPublicKeyInfo, hex or
        /// base64 (`openssl x509 -pubkey -noout -in cert.pem | openssl pkey -pubin -outform der |
        /// sha256sum`).
        #[arg(long, value_name = "SHA256")]
        pin: Option<String>,
    },
    /// Sync with the server: push what was recorded, pull colleagues' changes, upload photos.
    Sync {
        /// Attempts before giving up after network failures (backoff with jitter between).
        #[arg(long, default_value_t = 5)]
        attempts: u32,
    },
    /// What is not yet on the server, and what the server refused.
    Status,
    /// Ozone-unit analysts: pull seizure data from the server (API token, no device store).
    #[command(subcommand)]
    Export(ExportCommand),
    /// Supervisors: the review queue, approvals and returns.
    #[command(subcommand)]
    Review(ReviewCommand),
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per run; boxing would only obscure clap's fields
pub enum ExportCommand {
    /// Check the approval signature of every row of a seizure export (CSV).
    Verify { file: PathBuf },
    /// Seizures with kg, ODP-tonnes and CO2-eq tonnes, as CSV, JSON or XLSX; or aggregates.
    Seizures {
        /// The server's URL.
        #[arg(long, env = "QUAYSIDE_SERVER")]
        server: String,
        /// An API token (`quayside-server admin token USER`).
        #[arg(long, env = "QUAYSIDE_TOKEN", hide_env_values = true)]
        token: String,
        /// csv, json or xlsx.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Sums instead of rows, by substance, annex-group, origin, port, month or year, or the
        /// annual summary (annual); in the --format asked for.
        #[arg(long)]
        group: Option<String>,
        /// First day (2026-01-01).
        #[arg(long)]
        from: Option<String>,
        /// Last day (2026-12-31).
        #[arg(long)]
        to: Option<String>,
        /// Station (port) UN/LOCODE.
        #[arg(long)]
        station: Option<String>,
        #[arg(long)]
        substance: Option<String>,
        /// Review state (default approved), or `all`.
        #[arg(long)]
        state: Option<String>,
        /// Country (administrators).
        #[arg(long)]
        country: Option<String>,
        /// Write to this file (required for xlsx); stdout otherwise.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Submitted inspections of your stations waiting for a decision.
    List,
    /// Approve exactly the version `show` printed (signed; refused if it has changed since).
    Approve {
        id: String,
        /// The version you read, as `quayside show` prints it.
        #[arg(long)]
        version: String,
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Return the version `show` printed to its officer with what to change.
    Return {
        id: String,
        /// The version you read, as `quayside show` prints it.
        #[arg(long)]
        version: String,
        #[arg(long)]
        comment: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SeizureCommand {
    /// Set seizure fields (only those given change).
    Set {
        id: String,
        #[arg(long)]
        case_ref: Option<String>,
        /// detained, seized, re-exported, destroyed or released.
        #[arg(long)]
        action: Option<Parsed<SeizureAction>>,
        #[arg(long)]
        legal_basis: Option<String>,
        /// Repeatable: mislabelled, concealed, false-declaration, disposable-cylinders,
        /// no-licence, over-quota, transshipment (replaces the list).
        #[arg(long = "modus")]
        modus: Vec<Parsed<ModusOperandi>>,
        /// Where the seized goods are kept.
        #[arg(long)]
        storage: Option<String>,
        /// Repeatable: FINDING_ID=KG or FINDING_ID=KG:CYLINDERS (replaces the seized items).
        #[arg(long = "item")]
        items: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CustodyCommand {
    /// Record a hand-over of the seized goods.
    Add {
        id: String,
        #[command(flatten)]
        entry: CustodyArgs,
    },
    /// Correct a custody entry (what it said before stays in the history).
    Correct {
        id: String,
        entry_id: String,
        #[command(flatten)]
        entry: CustodyArgs,
    },
}

/// A chain-of-custody entry as typed.
#[derive(Debug, Args)]
pub struct CustodyArgs {
    /// Who handed over.
    #[arg(long)]
    pub from: String,
    /// Who received.
    #[arg(long)]
    pub to: String,
    #[arg(long)]
    pub location: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
    /// RFC 3339 time; now when omitted.
    #[arg(long)]
    pub at: Option<String>,
}

impl CustodyArgs {
    pub fn into_fields(self) -> CustodyFields {
        CustodyFields {
            from: self.from,
            to: self.to,
            location: self.location,
            note: self.note,
            at: self.at,
        }
    }
}

/// A value parsed by the core's own parser (so messages match the apps').
#[derive(Debug, Clone)]
pub struct Parsed<T>(pub T);

macro_rules! parsed {
    ($t:ty) => {
        impl std::str::FromStr for Parsed<$t> {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                <$t>::parse(s).map(Parsed).map_err(|e| e.to_string())
            }
        }
    };
}
parsed!(SeizureAction);
parsed!(ModusOperandi);
parsed!(CylinderType);
parsed!(InspectionStatus);

impl std::str::FromStr for Parsed<ElementList> {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "finding" | "findings" => Ok(Parsed(ElementList::Findings)),
            "photo" | "photos" => Ok(Parsed(ElementList::Photos)),
            "item" | "items" | "seizure-item" | "seizure-items" | "seized-item" => {
                Ok(Parsed(ElementList::SeizureItems))
            }
            "custody" | "custody-entry" => Ok(Parsed(ElementList::Custody)),
            _ => Err(format!(
                "unknown list {s:?}; expected findings, photos, seizure-items or custody"
            )),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum InspectionCommand {
    /// Start an inspection of a container.
    New(InspectionArgs),
    /// Change fields of an inspection.
    Set {
        id: String,
        #[command(flatten)]
        fields: InspectionArgs,
    },
}

#[derive(Debug, Args)]
pub struct InspectionArgs {
    /// ISO 6346 container number, e.g. CSQU3054383.
    #[arg(long)]
    pub container: Option<String>,
    /// Record the container number even if its check digit is wrong.
    #[arg(long)]
    pub allow_invalid_check_digit: bool,
    /// Seal number (repeatable; replaces the seal list).
    #[arg(long = "seal")]
    pub seals: Vec<String>,
    /// ISO size/type code, e.g. 22G1.
    #[arg(long)]
    pub size_type: Option<String>,
    /// UN/LOCODE; defaults to the device's station.
    #[arg(long)]
    pub station: Option<String>,
    #[arg(long)]
    pub declaration_number: Option<String>,
    #[arg(long = "bl")]
    pub bill_of_lading: Option<String>,
    /// Declared HS code.
    #[arg(long)]
    pub declared_hs: Option<String>,
    /// Declared description of goods.
    #[arg(long)]
    pub description: Option<String>,
    /// Declared quantity in kg.
    #[arg(long, allow_hyphen_values = true)]
    pub declared_kg: Option<f64>,
    #[arg(long)]
    pub consignor: Option<String>,
    #[arg(long)]
    pub consignee: Option<String>,
    #[arg(long)]
    pub origin: Option<String>,
    #[arg(long)]
    pub destination: Option<String>,
    /// Transit country or port (repeatable, in route order; replaces the list).
    #[arg(long = "transit")]
    pub transit: Vec<String>,
    #[arg(long, requires = "lon", allow_hyphen_values = true)]
    pub lat: Option<f64>,
    #[arg(long, requires = "lat", allow_hyphen_values = true)]
    pub lon: Option<f64>,
    #[arg(long, requires = "lat", allow_hyphen_values = true)]
    pub accuracy_m: Option<f64>,
    /// Why the container was selected (risk profile, tip-off, random).
    #[arg(long)]
    pub reason: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
}

fn non_empty(v: Vec<String>) -> Option<Vec<String>> {
    (!v.is_empty()).then_some(v)
}

impl InspectionArgs {
    pub fn into_fields(self) -> InspectionFields {
        let declaration = DeclarationFields {
            number: self.declaration_number,
            bill_of_lading: self.bill_of_lading,
            hs_code: self.declared_hs,
            description: self.description,
            quantity_kg: self.declared_kg,
            consignor: self.consignor,
            consignee: self.consignee,
            origin: self.origin,
            destination: self.destination,
            transit: non_empty(self.transit),
        };
        InspectionFields {
            container_number: self.container,
            allow_invalid_check_digit: self.allow_invalid_check_digit,
            seals: non_empty(self.seals),
            size_type: self.size_type,
            station: self.station,
            declaration: (declaration != DeclarationFields::default()).then_some(declaration),
            location: self.lat.zip(self.lon).map(|(lat, lon)| GeoPoint {
                lat,
                lon,
                accuracy_m: self.accuracy_m,
            }),
            selection_reason: self.reason,
            notes: self.notes,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum FindingCommand {
    /// Add a finding to an inspection.
    Add {
        id: String,
        #[command(flatten)]
        fields: FindingArgs,
    },
    /// Change a finding.
    Set {
        id: String,
        finding_id: String,
        #[command(flatten)]
        fields: FindingArgs,
    },
    /// Remove a finding nothing refers to.
    Remove { id: String, finding_id: String },
}

#[derive(Debug, Args)]
pub struct FindingArgs {
    /// What the goods were declared as (any common name: R-134a, HFC-134a ...).
    #[arg(long)]
    pub declared: Option<String>,
    /// What the refrigerant identifier found (R-22, chlorodifluoromethane ...), or `unknown`
    /// when it could not tell.
    #[arg(long)]
    pub identified: Option<String>,
    /// A substance the identifier named that the reference does not hold (recorded as given;
    /// the finding is flagged for laboratory analysis).
    #[arg(long, conflicts_with = "identified")]
    pub identified_other: Option<String>,
    /// The composition the identifier measured, % by mass: `R-22=60,R-290=38,air=2` (name the
    /// rest `unknown`); `--composition ""` clears it.
    #[arg(long)]
    pub composition: Option<String>,
    /// Of a pre-blended polyol: its HCFC-141b content, % by mass.
    #[arg(long, allow_hyphen_values = true)]
    pub content_pct: Option<f64>,
    /// Identifier model.
    #[arg(long)]
    pub instrument: Option<String>,
    /// The identifier's reading as displayed.
    #[arg(long)]
    pub reading: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    pub purity: Option<f64>,
    /// HS code seen on the goods or documents.
    #[arg(long)]
    pub hs_observed: Option<String>,
    #[arg(long)]
    pub cylinders: Option<u32>,
    /// Net kg per cylinder: sets the net mass to cylinders x this.
    #[arg(
        long,
        requires = "cylinders",
        conflicts_with = "net_kg",
        allow_hyphen_values = true
    )]
    pub kg_per_cylinder: Option<f64>,
    /// disposable, refillable, drum or isotank.
    #[arg(long)]
    pub cylinder_type: Option<Parsed<CylinderType>>,
    /// Total net mass in kg.
    #[arg(long, allow_hyphen_values = true)]
    pub net_kg: Option<f64>,
    #[arg(long)]
    pub labels: Option<String>,
    #[arg(long)]
    pub concealment: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
}

impl FindingArgs {
    pub fn into_fields(self) -> CliResult<FindingFields> {
        let net_mass_kg = match (self.kg_per_cylinder, self.cylinders) {
            (Some(per), Some(n)) => {
                if !(per.is_finite() && per >= 0.0) {
                    return Err(CliError::Usage(format!(
                        "--kg-per-cylinder must be a non-negative number, got {per}"
                    )));
                }
                // Round to grams: 1139 x 13.6 is 15490.4 kg, not 15490.399999999998.
                Some((f64::from(n) * per * 1000.0).round() / 1000.0)
            }
            _ => self.net_kg,
        };
        let composition = match self.composition {
            None => None,
            Some(text) => Some(parse_composition(&text)?),
        };
        Ok(FindingFields {
            declared_substance: self.declared,
            identified_substance: self.identified,
            identified_other: self.identified_other,
            composition,
            content_pct: self.content_pct,
            instrument: self.instrument,
            reading_result: self.reading,
            purity_pct: self.purity,
            hs_code_observed: self.hs_observed,
            cylinders: self.cylinders,
            cylinder_type: self.cylinder_type.map(|c| c.0),
            net_mass_kg,
            labels: self.labels,
            concealment: self.concealment,
            notes: self.notes,
        })
    }
}

/// Parses `R-22=60,R-290=38,air=2` (also `R-22:60`, separated by commas or semicolons).
fn parse_composition(text: &str) -> CliResult<Vec<ComponentShare>> {
    text.split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (name, pct) = p.rsplit_once(['=', ':']).ok_or_else(|| {
                CliError::Usage(format!(
                    "malformed --composition part {p:?}: expected NAME=PERCENT, e.g. R-22=60"
                ))
            })?;
            let pct = pct.trim().trim_end_matches('%').trim();
            Ok(ComponentShare {
                component: name.trim().to_string(),
                pct: pct.parse().map_err(|_| {
                    CliError::Usage(format!("malformed --composition share {pct:?} in {p:?}"))
                })?,
            })
        })
        .collect()
}

#[derive(Debug, Subcommand)]
pub enum PhotoCommand {
    /// Attach a photo file as evidence.
    Add {
        id: String,
        file: PathBuf,
        #[arg(long)]
        caption: Option<String>,
        /// The finding the photo shows.
        #[arg(long)]
        finding: Option<String>,
        /// MIME type, when it cannot be recognised from the content.
        #[arg(long)]
        mime: Option<String>,
        #[arg(long, requires = "lon", allow_hyphen_values = true)]
        lat: Option<f64>,
        #[arg(long, requires = "lat", allow_hyphen_values = true)]
        lon: Option<f64>,
        /// RFC 3339 time the photo was taken; now when omitted.
        #[arg(long)]
        captured_at: Option<String>,
    },
    /// Change a photo's caption or the finding it shows (`--finding ""` unlinks it).
    Set {
        id: String,
        sha256: String,
        #[arg(long)]
        caption: Option<String>,
        #[arg(long)]
        finding: Option<String>,
    },
    /// Write a stored photo (verified against its hash) to a file.
    Get {
        sha256: String,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// draft or submitted.
    #[arg(long)]
    pub status: Option<Parsed<InspectionStatus>>,
    #[arg(long)]
    pub station: Option<String>,
    /// Part of a container number.
    #[arg(long)]
    pub container: Option<String>,
    /// Declared or identified substance, any common name.
    #[arg(long)]
    pub substance: Option<String>,
    /// Created on or after (2026-11-01 or RFC 3339).
    #[arg(long)]
    pub from: Option<String>,
    /// Created on or before (2026-11-30 or RFC 3339).
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    /// Review state (repeatable): draft, awaiting_review, changed_since_submission, returned,
    /// approved, changed_since_approval.
    #[arg(long, value_parser = parse_review_state)]
    pub review_state: Vec<quayside_core::ReviewState>,
}

fn parse_review_state(s: &str) -> Result<quayside_core::ReviewState, String> {
    let wanted = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    quayside_core::model::review::ReviewState::parse(&wanted)
        .map(Into::into)
        .ok_or_else(|| {
            format!(
                "unknown review state {s:?}; expected one of: {}",
                quayside_core::model::review::ReviewState::ALL
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

impl ListArgs {
    pub fn into_filter(self) -> InspectionFilter {
        InspectionFilter {
            status: self.status.map(|s| s.0),
            station: self.station,
            container: self.container,
            substance: self.substance,
            from: self.from,
            to: self.to,
            limit: Some(self.limit),
            offset: None,
            review_states: self.review_state,
        }
    }
}
