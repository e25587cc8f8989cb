//! Plain domain types of an inspection and their validation; no storage, no automerge.
//!
//! These are what the document layer reads out of an automerge document and what the computed
//! [`assess`] figures are derived from. Field names match the document's keys.

pub mod assess;
pub mod container;
pub mod edits;
pub mod locode;
pub mod quantity;
pub mod review;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The document schema version written into every inspection.
pub const INSPECTION_SCHEMA: i64 = 1;

/// Lifecycle of an inspection on the officer's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Draft,
    Submitted,
}

/// Kind of cylinder or container the substance was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CylinderType {
    Disposable,
    Refillable,
    Drum,
    Isotank,
}

/// What was done with the goods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeizureAction {
    Detained,
    Seized,
    ReExported,
    Destroyed,
    Released,
}

/// How the illegal trade was attempted (Ozone Secretariat illegal-trade categories).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum ModusOperandi {
    Mislabelled,
    Concealed,
    FalseDeclaration,
    DisposableCylinders,
    NoLicence,
    OverQuota,
    Transshipment,
}

macro_rules! text_enum {
    ($ty:ty, $what:literal, [$($variant:ident = $text:literal),+ $(,)?]) => {
        impl $ty {
            /// The value as written in documents and on the command line.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
            /// Every accepted value.
            pub const ALL: &'static [$ty] = &[$(Self::$variant),+];
        }
        impl std::str::FromStr for $ty {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                let wanted = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
                match wanted.as_str() {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(Error::Invalid(format!(
                        concat!("unknown ", $what, " {:?}; expected one of: {}"),
                        s,
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(Status, "status", [Draft = "draft", Submitted = "submitted"]);
text_enum!(
    CylinderType,
    "cylinder type",
    [
        Disposable = "disposable",
        Refillable = "refillable",
        Drum = "drum",
        Isotank = "isotank",
    ]
);
text_enum!(
    SeizureAction,
    "seizure action",
    [
        Detained = "detained",
        Seized = "seized",
        ReExported = "re-exported",
        Destroyed = "destroyed",
        Released = "released",
    ]
);
text_enum!(
    ModusOperandi,
    "modus operandi",
    [
        Mislabelled = "mislabelled",
        Concealed = "concealed",
        FalseDeclaration = "false-declaration",
        DisposableCylinders = "disposable-cylinders",
        NoLicence = "no-licence",
        OverQuota = "over-quota",
        Transshipment = "transshipment",
    ]
);

/// The container inspected.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Container {
    pub number: String,
    pub seals: Vec<String>,
    pub size_type: Option<String>,
}

/// What the trader declared to customs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Declaration {
    pub number: Option<String>,
    pub bill_of_lading: Option<String>,
    pub hs_code: Option<String>,
    pub description: Option<String>,
    pub quantity_kg: Option<f64>,
    pub consignor: Option<String>,
    pub consignee: Option<String>,
    pub origin: Option<String>,
    pub destination: Option<String>,
    pub transit: Vec<String>,
}

/// Where the inspection took place.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<f64>,
}

/// A refrigerant identifier's reading.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentifierReading {
    pub instrument: Option<String>,
    pub result: Option<String>,
    pub purity_pct: Option<f64>,
}

/// What an identifier reports when it cannot tell what the gas is.
pub const UNKNOWN: &str = "unknown";
/// Non-condensable gas in a measured composition (counts for nothing).
pub const AIR: &str = "air";

/// One component of a composition an identifier measured, as % by mass of the sample.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MeasuredComponent {
    /// A reference id, [`AIR`] or [`UNKNOWN`] (the fraction the identifier could not name).
    pub component: String,
    pub pct: f64,
}

/// One thing found in the container.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Finding {
    pub id: String,
    /// Canonical reference id of the substance the goods were declared as, if any.
    pub declared_substance: Option<String>,
    /// Canonical reference id of the substance the identifier found, [`UNKNOWN`] when it could
    /// not tell, or None.
    pub identified_substance: Option<String>,
    /// A substance identified that the shipped reference does not hold, as recorded.
    pub identified_other: Option<String>,
    /// The composition the identifier measured (a contaminated or mixed charge), if it gave one.
    pub composition: Vec<MeasuredComponent>,
    /// Of a pre-blended polyol: the controlled (HCFC-141b) content, % by mass.
    pub content_pct: Option<f64>,
    pub identifier_reading: Option<IdentifierReading>,
    pub hs_code_observed: Option<String>,
    pub cylinders: Option<u32>,
    pub cylinder_type: Option<CylinderType>,
    pub net_mass_kg: Option<f64>,
    pub labels: Option<String>,
    pub concealment: Option<String>,
    pub notes: Option<String>,
}

/// An evidence photo, stored content-addressed by its SHA-256.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Photo {
    pub sha256: String,
    pub bytes: u64,
    pub mime: String,
    pub captured_at: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub caption: Option<String>,
    pub finding_id: Option<String>,
}

/// A quantity seized, tied to a finding.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SeizureItem {
    pub finding_id: String,
    pub quantity_kg: f64,
    pub cylinders: Option<u32>,
}

/// One hand-over in the chain of custody.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CustodyEntry {
    /// `c-<uuid>`; empty for entries recorded before entries had ids.
    pub id: String,
    pub at: String,
    pub from: String,
    pub to: String,
    pub location: Option<String>,
    pub note: Option<String>,
}

/// The seizure (or other action) taken on the goods.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Seizure {
    pub case_ref: Option<String>,
    pub action: Option<SeizureAction>,
    pub legal_basis: Option<String>,
    pub modus_operandi: Vec<ModusOperandi>,
    pub items: Vec<SeizureItem>,
    pub storage_location: Option<String>,
    pub custody: Vec<CustodyEntry>,
}

/// The lists of an inspection whose elements can be removed (and restored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElementList {
    Findings,
    Photos,
    SeizureItems,
    Custody,
}

impl ElementList {
    /// The list's key in its parent map.
    pub fn key(self) -> &'static str {
        match self {
            ElementList::Findings => "findings",
            ElementList::Photos => "photos",
            ElementList::SeizureItems => "items",
            ElementList::Custody => "custody",
        }
    }

    /// The path of the list in the document, as conflicts name it.
    pub fn path(self) -> &'static str {
        match self {
            ElementList::Findings => "findings",
            ElementList::Photos => "photos",
            ElementList::SeizureItems => "seizure.items",
            ElementList::Custody => "seizure.custody",
        }
    }

    /// What one element is called.
    pub fn noun(self) -> &'static str {
        match self {
            ElementList::Findings => "finding",
            ElementList::Photos => "photo",
            ElementList::SeizureItems => "seized item",
            ElementList::Custody => "custody entry",
        }
    }

    /// The list at a conflict path such as `seizure.items`.
    pub fn from_path(path: &str) -> Option<ElementList> {
        [
            ElementList::Findings,
            ElementList::Photos,
            ElementList::SeizureItems,
            ElementList::Custody,
        ]
        .into_iter()
        .find(|l| l.path() == path)
    }
}

/// A whole inspection as read from its document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Inspection {
    pub schema: i64,
    pub id: String,
    pub station: String,
    pub officer: String,
    pub device: String,
    pub created_at: String,
    pub container: Container,
    pub declaration: Declaration,
    pub location: Option<Location>,
    pub selection_reason: Option<String>,
    pub findings: Vec<Finding>,
    pub photos: Vec<Photo>,
    pub seizure: Option<Seizure>,
    pub notes: String,
    pub status: Status,
    pub submitted_at: Option<String>,
    /// The officer's signed submission: the heads submitted and the signature over them.
    pub submission: Option<Submission>,
}

/// A signed submission for review.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Submission {
    /// The inspection heads submitted (hex).
    pub heads: Vec<String>,
    pub at: String,
    pub public_key: String,
    pub signature: String,
}

impl Submission {
    /// Checks the officer's signature over what was submitted.
    pub fn verify(&self, inspection_id: &str, officer: &str) -> Result<()> {
        let payload =
            crate::signing::submission_payload(inspection_id, &self.heads, officer, &self.at);
        crate::signing::verify(
            &crate::signing::Signed {
                public_key: self.public_key.clone(),
                signature: self.signature.clone(),
            },
            &payload,
        )
    }
}

impl Inspection {
    /// The finding with this id.
    pub fn finding(&self, id: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.id == id)
    }
}

/// Rejects a negative or non-finite quantity.
pub fn check_non_negative(what: &str, value: f64) -> Result<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(Error::Invalid(format!(
            "{what} must be a non-negative number, got {value}"
        )))
    }
}

/// Rejects a latitude/longitude outside the globe.
pub fn check_position(lat: f64, lon: f64) -> Result<()> {
    if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "position {lat}, {lon} is not on Earth"
        )))
    }
}

/// Normalises an HS code as typed (`2903.71`, `290371`, `2903.71.00`): keeps digits and dots,
/// requires at least the 4-digit heading.
pub fn check_hs_code(code: &str) -> Result<String> {
    let trimmed = code.trim();
    let digits = trimmed.chars().filter(|c| c.is_ascii_digit()).count();
    let allowed = trimmed
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ' ');
    if allowed && (4..=12).contains(&digits) {
        Ok(trimmed.replace(' ', ""))
    } else {
        Err(Error::Invalid(format!(
            "malformed HS code {code:?}: expected digits such as 2903.71 or 3827.61.00"
        )))
    }
}

/// Trims a free-text field; an empty value clears it.
pub fn clean_text(value: &str) -> Option<String> {
    let t = value.trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_parse_leniently_and_reject_unknown() {
        assert_eq!(
            "re_exported".parse::<SeizureAction>().unwrap(),
            SeizureAction::ReExported
        );
        assert_eq!(
            "False Declaration".parse::<ModusOperandi>().unwrap(),
            ModusOperandi::FalseDeclaration
        );
        let err = "stolen".parse::<SeizureAction>().unwrap_err().to_string();
        assert!(err.contains("detained, seized"), "{err}");
    }

    #[test]
    fn quantities_and_codes_are_checked() {
        assert!(check_non_negative("net mass", -1.0).is_err());
        assert!(check_non_negative("net mass", f64::NAN).is_err());
        assert_eq!(check_non_negative("net mass", 0.0).unwrap(), 0.0);
        assert_eq!(check_hs_code(" 2903.71.00 ").unwrap(), "2903.71.00");
        assert!(check_hs_code("29ab").is_err());
        assert!(check_hs_code("29").is_err());
        assert!(check_position(91.0, 0.0).is_err());
    }
}
