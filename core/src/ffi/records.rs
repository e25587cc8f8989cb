//! Records and enums that cross the ffi boundary, mirrored from the internal model with `From`.
//! Inputs use `None` for "leave unchanged" and an empty string for "clear".

use serde::Serialize;

use super::messages::UserMessage;
use super::states::{Decision, ReviewState};
use crate::doc;
use crate::model::{self, assess, edits};
use crate::store::{inspections::PhotoInput, query};

/// Both `From` conversions between an exported enum and the internal one it mirrors, variant
/// by variant (also used by `states.rs`).
macro_rules! mirror_from {
    ($name:ident = $internal:path { $($variant:ident),+ }) => {
        impl From<$internal> for $name {
            fn from(v: $internal) -> Self { match v { $(<$internal>::$variant => Self::$variant),+ } }
        }
        impl From<$name> for $internal {
            fn from(v: $name) -> Self { match v { $($name::$variant => Self::$variant),+ } }
        }
    };
}
pub(super) use mirror_from;

macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident = $internal:path { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, uniffi::Enum)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($variant),+ }
        mirror_from!($name = $internal { $($variant),+ });
        impl $name {
            /// The value as written on the command line and in documents.
            pub fn as_str(self) -> &'static str { <$internal>::from(self).as_str() }
            /// Parses the value as typed (case, spaces and underscores are forgiven).
            pub fn parse(s: &str) -> Result<Self, super::ApiError> {
                Ok(s.parse::<$internal>()?.into())
            }
        }
    };
}

mirror_enum!(
    /// Whether an inspection is still being recorded or has been submitted for review.
    InspectionStatus = model::Status { Draft, Submitted }
);
mirror_enum!(
    /// Kind of cylinder or container the substance was found in.
    CylinderType = model::CylinderType { Disposable, Refillable, Drum, Isotank }
);
mirror_enum!(
    /// What was done with the goods.
    SeizureAction = model::SeizureAction { Detained, Seized, ReExported, Destroyed, Released }
);
mirror_enum!(
    /// How the illegal trade was attempted.
    ModusOperandi = model::ModusOperandi {
        Mislabelled, Concealed, FalseDeclaration, DisposableCylinders, NoLicence, OverQuota, Transshipment
    }
);

/// This device's identity.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct DeviceInfo {
    pub device_id: String,
    /// Hex of the automerge actor id every change from this device carries.
    pub actor_id: String,
    pub user: String,
    pub station: String,
    pub created_at: String,
    /// The store's schema version.
    pub schema_version: u32,
}

/// A position from the phone's location service.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, uniffi::Record)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
    #[uniffi(default = None)]
    pub accuracy_m: Option<f64>,
}

impl From<GeoPoint> for model::Location {
    fn from(g: GeoPoint) -> Self {
        Self {
            lat: g.lat,
            lon: g.lon,
            accuracy_m: g.accuracy_m,
        }
    }
}
impl From<model::Location> for GeoPoint {
    fn from(l: model::Location) -> Self {
        Self {
            lat: l.lat,
            lon: l.lon,
            accuracy_m: l.accuracy_m,
        }
    }
}

/// Declaration fields to set (`None` leaves a field, `""` clears it).
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct DeclarationFields {
    #[uniffi(default = None)]
    pub number: Option<String>,
    #[uniffi(default = None)]
    pub bill_of_lading: Option<String>,
    #[uniffi(default = None)]
    pub hs_code: Option<String>,
    #[uniffi(default = None)]
    pub description: Option<String>,
    #[uniffi(default = None)]
    pub quantity_kg: Option<f64>,
    #[uniffi(default = None)]
    pub consignor: Option<String>,
    #[uniffi(default = None)]
    pub consignee: Option<String>,
    #[uniffi(default = None)]
    pub origin: Option<String>,
    #[uniffi(default = None)]
    pub destination: Option<String>,
    #[uniffi(default = None)]
    pub transit: Option<Vec<String>>,
}

/// An inspection's own fields to set (`None` leaves a field, `""` clears it).
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct InspectionFields {
    #[uniffi(default = None)]
    pub container_number: Option<String>,
    /// Record the container number even though its check digit is wrong.
    #[uniffi(default = false)]
    pub allow_invalid_check_digit: bool,
    #[uniffi(default = None)]
    pub seals: Option<Vec<String>>,
    #[uniffi(default = None)]
    pub size_type: Option<String>,
    /// UN/LOCODE; a new inspection defaults to the device's station.
    #[uniffi(default = None)]
    pub station: Option<String>,
    #[uniffi(default = None)]
    pub declaration: Option<DeclarationFields>,
    #[uniffi(default = None)]
    pub location: Option<GeoPoint>,
    #[uniffi(default = None)]
    pub selection_reason: Option<String>,
    #[uniffi(default = None)]
    pub notes: Option<String>,
}

impl From<InspectionFields> for edits::InspectionPatch {
    fn from(f: InspectionFields) -> Self {
        let d = f.declaration.unwrap_or_default();
        Self {
            container_number: f.container_number,
            allow_invalid_check_digit: f.allow_invalid_check_digit,
            seals: f.seals,
            size_type: f.size_type,
            station: f.station,
            declaration: edits::DeclarationPatch {
                number: d.number,
                bill_of_lading: d.bill_of_lading,
                hs_code: d.hs_code,
                description: d.description,
                quantity_kg: d.quantity_kg,
                consignor: d.consignor,
                consignee: d.consignee,
                origin: d.origin,
                destination: d.destination,
                transit: d.transit,
            },
            location: f.location.map(Into::into),
            selection_reason: f.selection_reason,
            notes: f.notes,
        }
    }
}

/// One component of a composition an identifier measured (% by mass of the sample): a
/// reference name, `air`, or `unknown` for what it could not name.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct ComponentShare {
    pub component: String,
    pub pct: f64,
}

/// A finding's fields to set. Substances are given by any common name ("R-22").
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct FindingFields {
    #[uniffi(default = None)]
    pub declared_substance: Option<String>,
    /// Any reference name, or `unknown` when the identifier could not tell.
    #[uniffi(default = None)]
    pub identified_substance: Option<String>,
    /// A substance identified that the reference does not hold (`""` clears).
    #[uniffi(default = None)]
    pub identified_other: Option<String>,
    /// The composition the identifier measured; an empty list clears it.
    #[uniffi(default = None)]
    pub composition: Option<Vec<ComponentShare>>,
    /// Of a pre-blended polyol: the HCFC-141b content, % by mass.
    #[uniffi(default = None)]
    pub content_pct: Option<f64>,
    #[uniffi(default = None)]
    pub instrument: Option<String>,
    #[uniffi(default = None)]
    pub reading_result: Option<String>,
    #[uniffi(default = None)]
    pub purity_pct: Option<f64>,
    #[uniffi(default = None)]
    pub hs_code_observed: Option<String>,
    #[uniffi(default = None)]
    pub cylinders: Option<u32>,
    #[uniffi(default = None)]
    pub cylinder_type: Option<CylinderType>,
    #[uniffi(default = None)]
    pub net_mass_kg: Option<f64>,
    #[uniffi(default = None)]
    pub labels: Option<String>,
    #[uniffi(default = None)]
    pub concealment: Option<String>,
    #[uniffi(default = None)]
    pub notes: Option<String>,
}

impl From<FindingFields> for edits::FindingPatch {
    fn from(f: FindingFields) -> Self {
        Self {
            declared_substance: f.declared_substance,
            identified_substance: f.identified_substance,
            identified_other: f.identified_other,
            composition: f
                .composition
                .map(|c| c.into_iter().map(|p| (p.component, p.pct)).collect()),
            content_pct: f.content_pct,
            instrument: f.instrument,
            reading_result: f.reading_result,
            purity_pct: f.purity_pct,
            hs_code_observed: f.hs_code_observed,
            cylinders: f.cylinders,
            cylinder_type: f.cylinder_type.map(Into::into),
            net_mass_kg: f.net_mass_kg,
            labels: f.labels,
            concealment: f.concealment,
            notes: f.notes,
        }
    }
}

/// A quantity seized from one finding.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct SeizedItem {
    pub finding_id: String,
    pub quantity_kg: f64,
    #[uniffi(default = None)]
    pub cylinders: Option<u32>,
}

/// Seizure fields to set; `items`, when given, replaces the seized items.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct SeizureFields {
    #[uniffi(default = None)]
    pub case_ref: Option<String>,
    #[uniffi(default = None)]
    pub action: Option<SeizureAction>,
    #[uniffi(default = None)]
    pub legal_basis: Option<String>,
    #[uniffi(default = None)]
    pub modus_operandi: Option<Vec<ModusOperandi>>,
    #[uniffi(default = None)]
    pub storage_location: Option<String>,
    #[uniffi(default = None)]
    pub items: Option<Vec<SeizedItem>>,
}

impl From<SeizureFields> for edits::SeizurePatch {
    fn from(s: SeizureFields) -> Self {
        Self {
            case_ref: s.case_ref,
            action: s.action.map(Into::into),
            legal_basis: s.legal_basis,
            modus_operandi: s
                .modus_operandi
                .map(|m| m.into_iter().map(Into::into).collect()),
            storage_location: s.storage_location,
            items: s.items.map(|items| {
                items
                    .into_iter()
                    .map(|i| model::SeizureItem {
                        finding_id: i.finding_id,
                        quantity_kg: i.quantity_kg,
                        cylinders: i.cylinders,
                    })
                    .collect()
            }),
        }
    }
}

/// A new chain-of-custody entry.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CustodyFields {
    pub from: String,
    pub to: String,
    #[uniffi(default = None)]
    pub location: Option<String>,
    #[uniffi(default = None)]
    pub note: Option<String>,
    /// RFC 3339; now when absent.
    #[uniffi(default = None)]
    pub at: Option<String>,
}

impl From<CustodyFields> for edits::CustodyInput {
    fn from(c: CustodyFields) -> Self {
        Self {
            from: c.from,
            to: c.to,
            location: c.location,
            note: c.note,
            at: c.at,
        }
    }
}

/// A photo's fields to change (`None` leaves a field, `""` clears it).
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct PhotoEdit {
    #[uniffi(default = None)]
    pub caption: Option<String>,
    /// The finding the photo shows; `""` unlinks it.
    #[uniffi(default = None)]
    pub finding_id: Option<String>,
}

impl From<PhotoEdit> for edits::PhotoPatch {
    fn from(p: PhotoEdit) -> Self {
        Self {
            caption: p.caption,
            finding_id: p.finding_id,
        }
    }
}

/// Metadata of a photo being attached.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct PhotoFields {
    /// Sniffed from the content (JPEG, PNG, HEIC, WebP) when absent.
    #[uniffi(default = None)]
    pub mime: Option<String>,
    /// RFC 3339; now when absent.
    #[uniffi(default = None)]
    pub captured_at: Option<String>,
    #[uniffi(default = None)]
    pub lat: Option<f64>,
    #[uniffi(default = None)]
    pub lon: Option<f64>,
    #[uniffi(default = None)]
    pub caption: Option<String>,
    #[uniffi(default = None)]
    pub finding_id: Option<String>,
}

impl From<PhotoFields> for PhotoInput {
    fn from(p: PhotoFields) -> Self {
        Self {
            mime: p.mime,
            captured_at: p.captured_at,
            lat: p.lat,
            lon: p.lon,
            caption: p.caption,
            finding_id: p.finding_id,
        }
    }
}

/// Which inspections to list; every field narrows the result.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct InspectionFilter {
    #[uniffi(default = None)]
    pub status: Option<InspectionStatus>,
    #[uniffi(default = None)]
    pub station: Option<String>,
    /// Part of a container number.
    #[uniffi(default = None)]
    pub container: Option<String>,
    /// Any reference name of a declared or identified substance.
    #[uniffi(default = None)]
    pub substance: Option<String>,
    /// Created on or after (`2026-11-01` or RFC 3339).
    #[uniffi(default = None)]
    pub from: Option<String>,
    /// Created on or before (`2026-11-30` or RFC 3339).
    #[uniffi(default = None)]
    pub to: Option<String>,
    /// At most this many (default 100).
    #[uniffi(default = None)]
    pub limit: Option<u32>,
    #[uniffi(default = None)]
    pub offset: Option<u32>,
    /// Only these review states; empty for all.
    #[uniffi(default = [])]
    pub review_states: Vec<ReviewState>,
}

impl From<InspectionFilter> for query::Filter {
    fn from(f: InspectionFilter) -> Self {
        Self {
            status: f.status.map(Into::into),
            station: f.station,
            container: f.container,
            substance: f.substance,
            from: f.from,
            to: f.to,
            limit: f.limit,
            offset: f.offset,
            review_states: f
                .review_states
                .into_iter()
                .map(|r| model::review::ReviewState::from(r).as_str().to_string())
                .collect(),
        }
    }
}

/// One row of an inspection list, answered without loading documents.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct InspectionSummary {
    pub id: String,
    pub container_number: String,
    pub station: String,
    pub officer: String,
    pub status: InspectionStatus,
    pub created_at: String,
    pub updated_at: String,
    pub finding_count: u32,
    pub photo_count: u32,
    pub total_kg: f64,
    pub odp_tonnes: f64,
    pub co2e_tonnes: f64,
    /// Kilograms whose ODP (GWP) is not known, left out of `odp_tonnes` (`co2e_tonnes`): show
    /// "at least" or "unknown", never a plain zero.
    pub odp_unknown_kg: f64,
    pub gwp_unknown_kg: f64,
    pub flag_count: u32,
    pub conflict_count: u32,
    pub seizure_action: Option<SeizureAction>,
    pub substances: Vec<String>,
    pub review_state: ReviewState,
    /// Changes the server has not confirmed yet.
    pub pending_sync: bool,
}

impl From<query::Summary> for InspectionSummary {
    fn from(s: query::Summary) -> Self {
        Self {
            id: s.id,
            container_number: s.container_number,
            station: s.station,
            officer: s.officer,
            status: s.status.into(),
            created_at: s.created_at,
            updated_at: s.updated_at,
            finding_count: s.finding_count,
            photo_count: s.photo_count,
            total_kg: s.total_kg,
            odp_tonnes: s.odp_tonnes,
            co2e_tonnes: s.co2e_tonnes,
            odp_unknown_kg: s.odp_unknown_kg,
            gwp_unknown_kg: s.gwp_unknown_kg,
            flag_count: s.flag_count,
            conflict_count: s.conflict_count,
            seizure_action: s.seizure_action.map(Into::into),
            substances: s.substances,
            review_state: s.review_state.into(),
            pending_sync: s.pending_sync,
        }
    }
}

/// The container inspected.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct ContainerRecord {
    pub number: String,
    pub seals: Vec<String>,
    pub size_type: Option<String>,
}

/// What was declared.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct DeclarationRecord {
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

/// A refrigerant identifier's reading.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct IdentifierReadingRecord {
    pub instrument: Option<String>,
    pub result: Option<String>,
    pub purity_pct: Option<f64>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct FindingRecord {
    pub id: String,
    pub declared_substance: Option<String>,
    /// A reference id, or `unknown`.
    pub identified_substance: Option<String>,
    /// A substance identified that the reference does not hold.
    pub identified_other: Option<String>,
    /// The composition the identifier measured, if any.
    pub composition: Vec<ComponentShare>,
    /// Of a pre-blended polyol: the HCFC-141b content, % by mass.
    pub content_pct: Option<f64>,
    pub identifier_reading: Option<IdentifierReadingRecord>,
    pub hs_code_observed: Option<String>,
    pub cylinders: Option<u32>,
    pub cylinder_type: Option<CylinderType>,
    pub net_mass_kg: Option<f64>,
    pub labels: Option<String>,
    pub concealment: Option<String>,
    pub notes: Option<String>,
    /// How the finding reads as a title, in parts to join with the locale's list separator:
    /// what was found, measured, a polyol's content, what was declared. (Presentation only: left
    /// out of the JSON, which is the recorded data.)
    #[serde(skip)]
    pub title: Vec<UserMessage>,
    /// A short name for chips and lead-ins.
    #[serde(skip)]
    pub name: UserMessage,
}

/// An evidence photo.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct PhotoRecord {
    pub sha256: String,
    pub bytes: u64,
    pub mime: String,
    pub captured_at: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub caption: Option<String>,
    pub finding_id: Option<String>,
}

impl From<model::Photo> for PhotoRecord {
    fn from(p: model::Photo) -> Self {
        Self {
            sha256: p.sha256,
            bytes: p.bytes,
            mime: p.mime,
            captured_at: p.captured_at,
            lat: p.lat,
            lon: p.lon,
            caption: p.caption,
            finding_id: p.finding_id,
        }
    }
}

/// One hand-over in the chain of custody.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct CustodyRecord {
    /// `c-<uuid>` (empty for entries recorded before entries had ids).
    pub id: String,
    pub at: String,
    pub from: String,
    pub to: String,
    pub location: Option<String>,
    pub note: Option<String>,
}

/// The seizure.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct SeizureRecord {
    pub case_ref: Option<String>,
    pub action: Option<SeizureAction>,
    pub legal_basis: Option<String>,
    pub modus_operandi: Vec<ModusOperandi>,
    pub items: Vec<SeizedItem>,
    pub storage_location: Option<String>,
    pub custody: Vec<CustodyRecord>,
}

/// A whole inspection.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct InspectionRecord {
    pub id: String,
    pub station: String,
    pub officer: String,
    pub device: String,
    pub created_at: String,
    pub container: ContainerRecord,
    pub declaration: DeclarationRecord,
    pub location: Option<GeoPoint>,
    pub selection_reason: Option<String>,
    pub findings: Vec<FindingRecord>,
    pub photos: Vec<PhotoRecord>,
    pub seizure: Option<SeizureRecord>,
    pub notes: String,
    pub status: InspectionStatus,
    pub submitted_at: Option<String>,
}

impl From<model::Inspection> for InspectionRecord {
    fn from(i: model::Inspection) -> Self {
        let d = i.declaration;
        Self {
            id: i.id,
            station: i.station,
            officer: i.officer,
            device: i.device,
            created_at: i.created_at,
            container: ContainerRecord {
                number: i.container.number,
                seals: i.container.seals,
                size_type: i.container.size_type,
            },
            declaration: DeclarationRecord {
                number: d.number,
                bill_of_lading: d.bill_of_lading,
                hs_code: d.hs_code,
                description: d.description,
                quantity_kg: d.quantity_kg,
                consignor: d.consignor,
                consignee: d.consignee,
                origin: d.origin,
                destination: d.destination,
                transit: d.transit,
            },
            location: i.location.map(Into::into),
            selection_reason: i.selection_reason,
            findings: i
                .findings
                .into_iter()
                .map(|f| FindingRecord {
                    title: super::wording::finding_title(&f),
                    name: super::wording::finding_name(&f),
                    id: f.id,
                    declared_substance: f.declared_substance,
                    identified_substance: f.identified_substance,
                    identified_other: f.identified_other,
                    composition: f
                        .composition
                        .into_iter()
                        .map(|c| ComponentShare {
                            component: c.component,
                            pct: c.pct,
                        })
                        .collect(),
                    content_pct: f.content_pct,
                    identifier_reading: f.identifier_reading.map(|r| IdentifierReadingRecord {
                        instrument: r.instrument,
                        result: r.result,
                        purity_pct: r.purity_pct,
                    }),
                    hs_code_observed: f.hs_code_observed,
                    cylinders: f.cylinders,
                    cylinder_type: f.cylinder_type.map(Into::into),
                    net_mass_kg: f.net_mass_kg,
                    labels: f.labels,
                    concealment: f.concealment,
                    notes: f.notes,
                })
                .collect(),
            photos: i.photos.into_iter().map(Into::into).collect(),
            seizure: i.seizure.map(|s| SeizureRecord {
                case_ref: s.case_ref,
                action: s.action.map(Into::into),
                legal_basis: s.legal_basis,
                modus_operandi: s.modus_operandi.into_iter().map(Into::into).collect(),
                items: s
                    .items
                    .into_iter()
                    .map(|i| SeizedItem {
                        finding_id: i.finding_id,
                        quantity_kg: i.quantity_kg,
                        cylinders: i.cylinders,
                    })
                    .collect(),
                storage_location: s.storage_location,
                custody: s
                    .custody
                    .into_iter()
                    .map(|c| CustodyRecord {
                        id: c.id,
                        at: c.at,
                        from: c.from,
                        to: c.to,
                        location: c.location,
                        note: c.note,
                    })
                    .collect(),
            }),
            notes: i.notes,
            status: i.status.into(),
            submitted_at: i.submitted_at,
        }
    }
}

/// Mass in the reporting units. ODP- and CO2-eq tonnes cover only the kilograms whose ODP and
/// GWP are known; the rest is counted in `odp_unknown_kg` and `gwp_unknown_kg` (show the figure
/// as unknown, or as "at least", never as zero).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, uniffi::Record)]
pub struct QuantityRecord {
    pub kg: f64,
    pub tonnes: f64,
    pub odp_tonnes: f64,
    pub co2e_tonnes: f64,
    pub odp_unknown_kg: f64,
    pub gwp_unknown_kg: f64,
}

impl From<assess::Quantity> for QuantityRecord {
    fn from(q: assess::Quantity) -> Self {
        Self {
            kg: q.kg,
            tonnes: q.tonnes,
            odp_tonnes: q.odp_tonnes,
            co2e_tonnes: q.co2e_tonnes,
            odp_unknown_kg: q.odp_unknown_kg,
            gwp_unknown_kg: q.gwp_unknown_kg,
        }
    }
}

/// What a finding's figures rest on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum FigureBasis {
    /// The composition the identifier measured.
    Measured,
    /// The substance identified, from the reference.
    Identified,
    /// Nothing identified: the declared substance.
    Declared,
    /// Identified as unknown or outside the reference: laboratory analysis.
    NotIdentified,
    /// No substance recorded: counted in kg only.
    NotRecorded,
}

impl From<assess::Basis> for FigureBasis {
    fn from(b: assess::Basis) -> Self {
        match b {
            assess::Basis::Measured => Self::Measured,
            assess::Basis::Identified => Self::Identified,
            assess::Basis::Declared => Self::Declared,
            assess::Basis::NotIdentified => Self::NotIdentified,
            assess::Basis::NotRecorded => Self::NotRecorded,
        }
    }
}

/// One substance a finding is made of (a blend's component, a measured component, a
/// polyol's controlled content), per kilogram of the finding.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct PartRecord {
    pub substance: String,
    pub annex_group: Option<String>,
    /// Share of the finding's mass (0-1).
    pub fraction: f64,
    pub odp: Option<f64>,
    pub gwp: Option<f64>,
}

/// Figures computed for one finding.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct FindingFiguresRecord {
    pub finding_id: String,
    pub substance: Option<String>,
    pub basis: FigureBasis,
    pub odp: Option<f64>,
    pub gwp: Option<f64>,
    pub gwp_source: Option<String>,
    pub parts: Vec<PartRecord>,
    pub quantity: Option<QuantityRecord>,
}

/// What a flag is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    InvalidCheckDigit,
    SubstanceMismatch,
    HsCodeInconsistent,
    DisposableCylinders,
    SeizedExceedsFound,
    LabAnalysis,
    NoSubstance,
}

/// A warning about what was recorded, for the officer and the supervisor.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct FlagRecord {
    pub kind: FlagKind,
    pub finding_id: Option<String>,
    /// What to show, for the shell's resources.
    pub message: UserMessage,
    /// The same in English (the command line, exports, logs).
    pub text: String,
}

impl From<assess::Flag> for FlagRecord {
    fn from(f: assess::Flag) -> Self {
        use super::messages::MessageKey as K;
        let text = f.message();
        let (kind, finding_id, message) = match f {
            assess::Flag::InvalidCheckDigit { number, expected } => (
                FlagKind::InvalidCheckDigit,
                None,
                UserMessage::new(K::FlagInvalidCheckDigit, [number, expected.to_string()]),
            ),
            assess::Flag::SubstanceMismatch {
                finding_id,
                declared,
                identified,
                controlled,
            } => (
                FlagKind::SubstanceMismatch,
                Some(finding_id),
                match (declared, controlled) {
                    (Some(d), _) => UserMessage::new(K::FlagDeclaredOther, [d, identified]),
                    (None, true) => UserMessage::new(K::FlagUndeclaredControlled, [identified]),
                    (None, false) => UserMessage::new(K::FlagUndeclared, [identified]),
                },
            ),
            assess::Flag::HsCodeInconsistent {
                finding_id,
                code,
                substance,
                expected,
            } => (
                FlagKind::HsCodeInconsistent,
                Some(finding_id),
                UserMessage::new(K::FlagHsCodeInconsistent, [code, substance, expected]),
            ),
            assess::Flag::DisposableCylinders { finding_id } => (
                FlagKind::DisposableCylinders,
                Some(finding_id),
                UserMessage::plain(K::FlagDisposableCylinders),
            ),
            assess::Flag::SeizedExceedsFound {
                finding_id,
                seized_kg,
                found_kg,
            } => (
                FlagKind::SeizedExceedsFound,
                Some(finding_id),
                UserMessage::new(
                    K::FlagSeizedExceedsFound,
                    [seized_kg.to_string(), found_kg.to_string()],
                ),
            ),
            assess::Flag::LabAnalysis { finding_id, reason } => (
                FlagKind::LabAnalysis,
                Some(finding_id),
                UserMessage::plain(match reason {
                    assess::LabReason::NotIdentified => K::FlagLabNotIdentified,
                    assess::LabReason::UnknownPart => K::FlagLabUnknownPart,
                    assess::LabReason::PolyolContent => K::FlagPolyolContent,
                }),
            ),
            assess::Flag::NoSubstance { finding_id } => (
                FlagKind::NoSubstance,
                Some(finding_id),
                UserMessage::plain(K::FlagNoSubstance),
            ),
        };
        Self {
            kind,
            finding_id,
            message,
            text,
        }
    }
}

/// Everything computed from an inspection (never stored).
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct AssessmentRecord {
    pub findings: Vec<FindingFiguresRecord>,
    pub total: QuantityRecord,
    pub seized: QuantityRecord,
    pub flags: Vec<FlagRecord>,
}

impl From<assess::Assessment> for AssessmentRecord {
    fn from(a: assess::Assessment) -> Self {
        Self {
            findings: a
                .findings
                .into_iter()
                .map(|f| FindingFiguresRecord {
                    finding_id: f.finding_id,
                    substance: f.substance,
                    basis: f.basis.into(),
                    odp: f.odp,
                    gwp: f.gwp,
                    gwp_source: f.gwp_source,
                    parts: f
                        .parts
                        .into_iter()
                        .map(|p| PartRecord {
                            substance: p.substance,
                            annex_group: p.annex_group,
                            fraction: p.fraction,
                            odp: p.odp,
                            gwp: p.gwp,
                        })
                        .collect(),
                    quantity: f.quantity.map(Into::into),
                })
                .collect(),
            total: a.total.into(),
            seized: a.seized.into(),
            flags: a.flags.into_iter().map(Into::into).collect(),
        }
    }
}

/// One value of a conflicted field, with who wrote it and when.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct ConflictValueRecord {
    pub value: String,
    pub user: Option<String>,
    pub device: Option<String>,
    pub at: Option<String>,
}

/// What kind of disagreement a conflict is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// Concurrent edits left more than one value for one field; setting it again settles it.
    Values,
    /// An element was removed on one device while another edited it (or attached something to
    /// it). It is kept, hidden, with every edit: restore it, or remove it again to confirm.
    RemovedWhileEdited,
}

impl From<doc::ConflictKind> for ConflictKind {
    fn from(k: doc::ConflictKind) -> Self {
        match k {
            doc::ConflictKind::Values => ConflictKind::Values,
            doc::ConflictKind::RemovedWhileEdited => ConflictKind::RemovedWhileEdited,
        }
    }
}

/// The lists of an inspection whose elements can be removed and restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum ElementList {
    Findings,
    Photos,
    SeizureItems,
    Custody,
}

impl From<ElementList> for model::ElementList {
    fn from(l: ElementList) -> Self {
        match l {
            ElementList::Findings => Self::Findings,
            ElementList::Photos => Self::Photos,
            ElementList::SeizureItems => Self::SeizureItems,
            ElementList::Custody => Self::Custody,
        }
    }
}

impl From<model::ElementList> for ElementList {
    fn from(l: model::ElementList) -> Self {
        match l {
            model::ElementList::Findings => Self::Findings,
            model::ElementList::Photos => Self::Photos,
            model::ElementList::SeizureItems => Self::SeizureItems,
            model::ElementList::Custody => Self::Custody,
        }
    }
}

/// A field where concurrent edits left more than one value, or an element removed while a
/// colleague edited it.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct ConflictRecord {
    /// The field (`notes`, `findings[f-..].net_mass_kg`) or element (`seizure.items[f-..]`).
    pub path: String,
    pub kind: ConflictKind,
    /// For a removed element: its list and id (what `restore_element` takes).
    pub list: Option<ElementList>,
    pub element_id: Option<String>,
    /// The value shown by default first; for a removed element, each removal (`removed`) and
    /// then each edit that no removal saw.
    pub values: Vec<ConflictValueRecord>,
    /// What happened, in a sentence.
    pub message: UserMessage,
    /// What the officer can do about it.
    pub hint: UserMessage,
}

impl From<doc::Conflict> for ConflictRecord {
    fn from(c: doc::Conflict) -> Self {
        let list: Option<ElementList> = c
            .list
            .as_deref()
            .and_then(model::ElementList::from_path)
            .map(Into::into);
        let (message, hint) = super::wording::conflict(&c, list);
        Self {
            message,
            hint,
            path: c.path,
            kind: c.kind.into(),
            list,
            element_id: c.element_id,
            values: c
                .values
                .into_iter()
                .map(|v| ConflictValueRecord {
                    value: v.value,
                    user: v.user,
                    device: v.device,
                    at: v.at,
                })
                .collect(),
        }
    }
}

/// An inspection with its computed figures and any conflicts, read from one version of it.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct InspectionView {
    pub inspection: InspectionRecord,
    pub assessment: AssessmentRecord,
    pub conflicts: Vec<ConflictRecord>,
    pub review_state: ReviewState,
    /// Whether the officer's submission signature holds (None: not submitted).
    pub submission_verified: Option<bool>,
    /// Whether that signature covers exactly the version shown (false once anything changed
    /// after the submission: the officer must submit again before it can be approved).
    pub submission_covers_shown: bool,
    /// The heads of the version shown (hex, sorted): what `approve` and `return_inspection`
    /// take, so a decision covers exactly what the supervisor read.
    pub heads: Vec<String>,
    /// The supervisors' decisions, oldest first.
    pub reviews: Vec<ReviewRecord>,
    /// Elements removed from its lists, which `restore_element` brings back.
    pub removed: Vec<RemovedRecord>,
}

impl InspectionView {
    /// The view of one version of an inspection (`snap`) with its reviews, each with whether
    /// its signature holds; the device store and the server's console show the same thing.
    pub fn build(
        snap: crate::store::projection::Snapshot,
        reviews: Vec<(crate::model::review::Review, bool)>,
    ) -> InspectionView {
        let ins = snap.inspection;
        let submission_verified = ins
            .submission
            .as_ref()
            .map(|s| s.verify(&ins.id, &ins.officer).is_ok());
        let covers = snap
            .submitted
            .as_deref()
            .is_some_and(|v| crate::model::review::same_heads(v, &snap.heads));
        let verified: Vec<_> = reviews
            .iter()
            .filter(|(_, ok)| *ok)
            .map(|(r, _)| r.clone())
            .collect();
        let review_state = crate::model::review::review_state(
            &ins,
            &snap.heads,
            snap.submitted.as_deref(),
            &verified,
        );
        InspectionView {
            assessment: crate::model::assess::assess(&ins).into(),
            review_state: review_state.into(),
            submission_verified,
            submission_covers_shown: covers,
            heads: snap.heads,
            reviews: reviews
                .into_iter()
                .map(|(r, ok)| ReviewRecord::new(r, ok))
                .collect(),
            inspection: ins.into(),
            conflicts: snap.conflicts.into_iter().map(Into::into).collect(),
            removed: snap.removed.into_iter().map(Into::into).collect(),
        }
    }
}

/// An element removed from one of an inspection's lists.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct RemovedRecord {
    pub list: ElementList,
    pub id: String,
    /// When it was removed (RFC 3339).
    pub removed_at: String,
}

impl From<crate::doc::inspection::Removed> for RemovedRecord {
    fn from(r: crate::doc::inspection::Removed) -> Self {
        Self {
            list: r.list.into(),
            id: r.id,
            removed_at: r.at,
        }
    }
}

/// A supervisor's decision on an inspection.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct ReviewRecord {
    pub id: String,
    pub inspection_id: String,
    pub reviewer: String,
    pub decided_at: String,
    /// None for a review document whose decision this version does not know.
    pub decision: Option<Decision>,
    pub comment: String,
    /// The inspection heads the decision covers.
    pub reviewed_heads: Vec<String>,
    /// Whether the reviewer's signature over exactly this decision holds.
    pub signature_verified: bool,
}

impl ReviewRecord {
    /// From a review and whether its signature verified.
    pub fn new(r: crate::model::review::Review, verified: bool) -> Self {
        Self {
            id: r.id,
            inspection_id: r.inspection_id,
            reviewer: r.reviewer,
            decided_at: r.decided_at,
            decision: r.decision.map(Into::into),
            comment: r.comment,
            reviewed_heads: r.reviewed_heads,
            signature_verified: verified,
        }
    }
}

/// One change in a record's history.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct HistoryRecord {
    pub hash: String,
    pub actor: String,
    pub user: Option<String>,
    pub device: Option<String>,
    pub at: String,
    /// The summary the change recorded (English, kept as recorded).
    pub summary: String,
    /// What the change did, to show in the officer's language: parts joined with ", ".
    pub what: Vec<UserMessage>,
}

impl From<doc::HistoryEntry> for HistoryRecord {
    fn from(h: doc::HistoryEntry) -> Self {
        Self {
            hash: h.hash,
            actor: h.actor,
            user: h.user,
            device: h.device,
            at: h.at,
            what: super::wording::history_message(&h.summary),
            summary: h.summary,
        }
    }
}

/// A new finding's id and the inspection after adding it.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct FindingAdded {
    pub finding_id: String,
    pub view: InspectionView,
}

/// An attached photo and the inspection after attaching it.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct PhotoAdded {
    pub photo: PhotoRecord,
    pub view: InspectionView,
}

/// A component of a blend.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct ComponentRecord {
    pub substance_id: String,
    pub mass_pct: f64,
}

/// A controlled substance or blend from the shipped reference.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct SubstanceRecord {
    pub id: String,
    pub aliases: Vec<String>,
    pub chemical_name: String,
    pub formula: Option<String>,
    pub group: String,
    pub is_blend: bool,
    pub annex_group: Option<String>,
    /// Whether the Montreal Protocol controls it.
    pub controlled: bool,
    pub odp: f64,
    /// The range the Protocol gives, as `[low, high]`, where it gives one.
    pub odp_range: Option<Vec<f64>>,
    pub odp_source: String,
    /// None where no 100-year GWP is published in the source used.
    pub gwp: Option<f64>,
    pub gwp_source: String,
    pub components: Vec<ComponentRecord>,
    pub hs_code: String,
    pub hs_source: String,
}

impl From<&crate::reference::Substance> for SubstanceRecord {
    fn from(s: &crate::reference::Substance) -> Self {
        Self {
            id: s.id.clone(),
            aliases: s.aliases.clone(),
            chemical_name: s.chemical_name.clone(),
            formula: s.formula.clone(),
            group: s.group.clone(),
            is_blend: s.kind == crate::reference::SubstanceKind::Blend,
            annex_group: s.annex_group.clone(),
            controlled: s.controlled(),
            odp: s.odp,
            odp_range: s.odp_range.map(|(l, h)| vec![l, h]),
            odp_source: s.odp_source.clone(),
            gwp: s.gwp,
            gwp_source: s.gwp_source.clone(),
            components: s
                .components
                .iter()
                .map(|c| ComponentRecord {
                    substance_id: c.substance_id.clone(),
                    mass_pct: c.mass_pct,
                })
                .collect(),
            hs_code: s.hs_code.clone(),
            hs_source: s.hs_source.clone(),
        }
    }
}

/// An HS 2022 subheading or a Basel Convention code.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct CodeRecord {
    pub code: String,
    /// `HS 2022`, or the Basel list (`Annex VIII (List A)`, ...).
    pub list: String,
    pub description: String,
    pub source: String,
    pub note: Option<String>,
}

/// One result of a reference lookup.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Enum)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReferenceEntry {
    Substance { substance: SubstanceRecord },
    HsCode { code: CodeRecord },
    BaselCode { code: CodeRecord },
}

impl From<crate::reference::ReferenceHit> for ReferenceEntry {
    fn from(hit: crate::reference::ReferenceHit) -> Self {
        use crate::reference::ReferenceHit;
        match hit {
            ReferenceHit::Substance(s) => ReferenceEntry::Substance {
                substance: s.into(),
            },
            ReferenceHit::Hs(h) => ReferenceEntry::HsCode {
                code: CodeRecord {
                    code: h.code.clone(),
                    list: "HS 2022".into(),
                    description: h.description.clone(),
                    source: h.source.clone(),
                    note: h.note.clone(),
                },
            },
            ReferenceHit::Basel(b) => ReferenceEntry::BaselCode {
                code: CodeRecord {
                    code: b.code.clone(),
                    list: b.list.clone(),
                    description: b.description.clone(),
                    source: b.source.clone(),
                    note: None,
                },
            },
        }
    }
}
