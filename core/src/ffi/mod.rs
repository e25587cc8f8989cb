//! The public API of the core, exported through uniffi to Kotlin, Swift and Python and used by
//! the CLI: one [`FieldStore`] object, plain records, and [`ApiError`]. This is the only module
//! with uniffi derives; no automerge or rusqlite type appears here.

mod enrolment_link;
mod error;
mod form_fields;
mod forms;
mod messages;
mod records;
mod states;
#[cfg(feature = "client")]
mod sync;
mod wording;

use std::path::Path;
use std::sync::Arc;

pub use enrolment_link::*;
pub use error::{ApiError, ErrorCode};
pub use form_fields::*;
pub use forms::*;
pub use messages::*;
pub use records::*;
pub use states::*;
#[cfg(feature = "client")]
pub use sync::*;

use crate::model::edits::NewInspection;
use crate::store::{Store, StoreKey};

type ApiResult<T> = Result<T, ApiError>;

/// A device's offline record store: every inspection, finding, photo and seizure the officer
/// records. Every call that changes data has committed durably before it returns.
#[derive(uniffi::Object)]
pub struct FieldStore {
    pub(crate) store: Store,
    /// The HTTP client for the enrolled server, built on first sync and reused.
    #[cfg(feature = "client")]
    pub(crate) client: std::sync::Mutex<Option<crate::sync::client::HttpClient>>,
}

#[uniffi::export]
impl FieldStore {
    /// Creates a new store in the directory `path` for `user` at `station` (a UN/LOCODE such
    /// as `NLRTM`), encrypted under `key`: 32 random bytes the app keeps in the platform's
    /// keystore ([`generate_store_key`] makes them). Fails if the directory already holds a
    /// store.
    #[uniffi::constructor]
    pub fn create(
        path: String,
        key: Vec<u8>,
        user: String,
        station: String,
    ) -> ApiResult<Arc<Self>> {
        let key = StoreKey::from_bytes(&zeroize::Zeroizing::new(key))?;
        Ok(Arc::new(Self {
            store: Store::init(Path::new(&path), &key, &user, &station)?,
            #[cfg(feature = "client")]
            client: Default::default(),
        }))
    }

    /// Opens the store in the directory `path` with its `key`, upgrading an older schema. A
    /// key that does not open it is [`ApiError::WrongKey`] (nothing changed). A store from
    /// before encryption is encrypted under `key` on this first open (a kill at any moment of
    /// it leaves the old store or the new one whole).
    #[uniffi::constructor]
    pub fn open(path: String, key: Vec<u8>) -> ApiResult<Arc<Self>> {
        let key = StoreKey::from_bytes(&zeroize::Zeroizing::new(key))?;
        Ok(Arc::new(Self {
            store: Store::open(Path::new(&path), &key)?,
            #[cfg(feature = "client")]
            client: Default::default(),
        }))
    }

    /// Re-encrypts the store under `new_key` (32 bytes), for when the old key may have been
    /// exposed or by policy. Keep both keys until this returns: after a crash during it, open
    /// with the new key and, if that is [`ApiError::WrongKey`], with the old one and call this
    /// again (the database changes key at one moment; its photos follow, and an open with the
    /// new key finishes them).
    pub fn change_key(&self, new_key: Vec<u8>) -> ApiResult<()> {
        let key = StoreKey::from_bytes(&zeroize::Zeroizing::new(new_key))?;
        Ok(self.store.change_key(&key)?)
    }

    /// This device's identity.
    pub fn device_info(&self) -> DeviceInfo {
        let d = self.store.device();
        DeviceInfo {
            device_id: d.device_id.clone(),
            actor_id: hex::encode(&d.actor),
            user: d.user.clone(),
            station: d.station.clone(),
            created_at: d.created_at.clone(),
            schema_version: crate::store::migrations::latest() as u32,
        }
    }

    /// Starts an inspection. `container_number` is required; a wrong check digit is refused
    /// with [`ApiError::CheckDigit`] unless `allow_invalid_check_digit` is set.
    pub fn create_inspection(&self, fields: InspectionFields) -> ApiResult<InspectionView> {
        let ins = self.store.create_inspection(NewInspection {
            fields: fields.into(),
        })?;
        self.view_of(ins)
    }

    /// Changes an inspection's own fields. `based_on` is the `heads` of the view the form was
    /// filled from: the core writes only the fields that differ from that version, so what a
    /// colleague changed meanwhile stays, and a field both changed becomes a conflict. A form
    /// sends all its fields; it never compares them itself. Empty: the current version.
    #[uniffi::method(default(based_on = []))]
    pub fn update_inspection(
        &self,
        id: String,
        fields: InspectionFields,
        based_on: Vec<String>,
    ) -> ApiResult<InspectionView> {
        let ins = self
            .store
            .update_inspection_based_on(&id, &based_on, fields.into())?;
        self.view_of(ins)
    }

    /// Adds a finding; substances by any reference name.
    pub fn add_finding(
        &self,
        inspection_id: String,
        fields: FindingFields,
    ) -> ApiResult<FindingAdded> {
        let (finding_id, ins) = self.store.add_finding(&inspection_id, fields.into())?;
        Ok(FindingAdded {
            finding_id,
            view: self.view_of(ins)?,
        })
    }

    /// Changes a finding's fields, as edited in a form filled from the version `based_on`
    /// (see [`FieldStore::update_inspection`]).
    #[uniffi::method(default(based_on = []))]
    pub fn update_finding(
        &self,
        inspection_id: String,
        finding_id: String,
        fields: FindingFields,
        based_on: Vec<String>,
    ) -> ApiResult<InspectionView> {
        let ins = self.store.update_finding_based_on(
            &inspection_id,
            &based_on,
            &finding_id,
            fields.into(),
        )?;
        self.view_of(ins)
    }

    /// Removes a finding no photo or seized item refers to.
    pub fn remove_finding(
        &self,
        inspection_id: String,
        finding_id: String,
    ) -> ApiResult<InspectionView> {
        let ins = self.store.remove_finding(&inspection_id, &finding_id)?;
        self.view_of(ins)
    }

    /// Removes an element (a finding, photo, seized item or custody entry). It is kept, hidden:
    /// a removal that raced a colleague's edit shows as a `RemovedWhileEdited` conflict, and
    /// removing it again confirms the removal.
    pub fn remove_element(
        &self,
        inspection_id: String,
        list: ElementList,
        element_id: String,
    ) -> ApiResult<InspectionView> {
        let ins = self
            .store
            .remove_element(&inspection_id, list.into(), &element_id)?;
        self.view_of(ins)
    }

    /// Brings back a removed element with every edit made to it.
    pub fn restore_element(
        &self,
        inspection_id: String,
        list: ElementList,
        element_id: String,
    ) -> ApiResult<InspectionView> {
        let ins = self
            .store
            .restore_element(&inspection_id, list.into(), &element_id)?;
        self.view_of(ins)
    }

    /// Changes a photo's caption or the finding it shows, as edited in a form filled from the
    /// version `based_on` (see [`FieldStore::update_inspection`]).
    #[uniffi::method(default(based_on = []))]
    pub fn update_photo(
        &self,
        inspection_id: String,
        sha256: String,
        fields: PhotoEdit,
        based_on: Vec<String>,
    ) -> ApiResult<InspectionView> {
        let ins = self
            .store
            .update_photo(&inspection_id, &based_on, &sha256, fields.into())?;
        self.view_of(ins)
    }

    /// Attaches a photo from bytes (e.g. straight from the camera).
    pub fn add_photo(
        &self,
        inspection_id: String,
        bytes: Vec<u8>,
        fields: PhotoFields,
    ) -> ApiResult<PhotoAdded> {
        let (photo, ins) = self
            .store
            .add_photo_bytes(&inspection_id, &bytes, fields.into())?;
        Ok(PhotoAdded {
            photo: photo.into(),
            view: self.view_of(ins)?,
        })
    }

    /// Attaches a photo from a file, which is copied into the store.
    pub fn add_photo_file(
        &self,
        inspection_id: String,
        path: String,
        fields: PhotoFields,
    ) -> ApiResult<PhotoAdded> {
        let (photo, ins) =
            self.store
                .add_photo_file(&inspection_id, Path::new(&path), fields.into())?;
        Ok(PhotoAdded {
            photo: photo.into(),
            view: self.view_of(ins)?,
        })
    }

    /// A photo's bytes, verified against its SHA-256.
    pub fn read_photo(&self, sha256: String) -> ApiResult<Vec<u8>> {
        Ok(self.store.read_photo(&sha256)?)
    }

    /// Records or changes the seizure, as edited in a form filled from the version `based_on`
    /// (see [`FieldStore::update_inspection`]).
    #[uniffi::method(default(based_on = []))]
    pub fn set_seizure(
        &self,
        inspection_id: String,
        fields: SeizureFields,
        based_on: Vec<String>,
    ) -> ApiResult<InspectionView> {
        let ins = self
            .store
            .set_seizure_based_on(&inspection_id, &based_on, fields.into())?;
        self.view_of(ins)
    }

    /// Appends a chain-of-custody entry (its id is in the view's custody list).
    pub fn add_custody(
        &self,
        inspection_id: String,
        entry: CustodyFields,
    ) -> ApiResult<InspectionView> {
        let (_, ins) = self.store.add_custody(&inspection_id, entry.into())?;
        self.view_of(ins)
    }

    /// Corrects a chain-of-custody entry; what it said before stays in the history. `based_on`
    /// as in [`FieldStore::update_inspection`].
    #[uniffi::method(default(based_on = []))]
    pub fn correct_custody(
        &self,
        inspection_id: String,
        entry_id: String,
        entry: CustodyFields,
        based_on: Vec<String>,
    ) -> ApiResult<InspectionView> {
        let ins = self
            .store
            .correct_custody(&inspection_id, &based_on, &entry_id, entry.into())?;
        self.view_of(ins)
    }

    /// Submits the inspection for review.
    pub fn submit(&self, inspection_id: String) -> ApiResult<InspectionView> {
        let ins = self.store.submit(&inspection_id)?;
        self.view_of(ins)
    }

    /// Lists inspections, newest first, without loading documents.
    pub fn list_inspections(&self, filter: InspectionFilter) -> ApiResult<Vec<InspectionSummary>> {
        Ok(self
            .store
            .list_inspections(&filter.into())?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// One inspection in full, with computed figures, flags, conflicts and the heads of the
    /// version shown.
    pub fn get_inspection(&self, id: String) -> ApiResult<InspectionView> {
        self.view(&id)
    }

    /// Every change of an inspection, oldest first: who, from which device, when, what.
    pub fn history(&self, inspection_id: String) -> ApiResult<Vec<HistoryRecord>> {
        Ok(self
            .store
            .history(&inspection_id)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Submitted inspections of this supervisor's stations waiting for a decision: awaiting
    /// review, changed since their submission, or changed since their approval.
    pub fn review_queue(&self) -> ApiResult<Vec<InspectionSummary>> {
        use crate::model::review::ReviewState;
        let filter = crate::store::query::Filter {
            review_states: [
                ReviewState::AwaitingReview,
                ReviewState::ChangedSinceSubmission,
                ReviewState::ChangedSinceApproval,
            ]
            .iter()
            .map(|s| s.as_str().to_string())
            .collect(),
            limit: Some(10_000),
            ..Default::default()
        };
        Ok(self
            .store
            .list_inspections(&filter)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Approves exactly the version the supervisor was shown (`heads`, from the
    /// [`InspectionView`] they read), signed with this device's key. Refused, writing nothing,
    /// with [`ApiError::Stale`] when the inspection has changed since it was shown, and unless
    /// the officer's submission signature covers that version. Supervisors only; the server
    /// refuses it while a photo has not arrived.
    pub fn approve(
        &self,
        inspection_id: String,
        heads: Vec<String>,
        comment: String,
    ) -> ApiResult<ReviewRecord> {
        let r = self.store.review(
            &inspection_id,
            &heads,
            crate::model::review::Decision::Approved,
            &comment,
        )?;
        Ok(ReviewRecord::new(r, true))
    }

    /// Returns the version the supervisor was shown (`heads`) to its officer with a comment
    /// saying what to change; [`ApiError::Stale`] when it has changed since.
    pub fn return_inspection(
        &self,
        inspection_id: String,
        heads: Vec<String>,
        comment: String,
    ) -> ApiResult<ReviewRecord> {
        let r = self.store.review(
            &inspection_id,
            &heads,
            crate::model::review::Decision::Returned,
            &comment,
        )?;
        Ok(ReviewRecord::new(r, true))
    }

    /// Fields where concurrent edits left more than one value.
    pub fn conflicts(&self, inspection_id: String) -> ApiResult<Vec<ConflictRecord>> {
        Ok(self
            .store
            .conflicts(&inspection_id)?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

impl FieldStore {
    /// The view after an edit: read again with its heads and conflicts from one version (the
    /// edit's result alone has no heads).
    fn view_of(&self, ins: crate::model::Inspection) -> ApiResult<InspectionView> {
        self.view(&ins.id)
    }

    fn view(&self, id: &str) -> ApiResult<InspectionView> {
        let snap = self.store.inspection_snapshot(id)?;
        let reviews = self.store.reviews(id)?;
        Ok(InspectionView::build(snap, reviews))
    }

    /// The internal store, for code in this crate (sync, tests) and the benchmarks.
    pub fn inner(&self) -> &Store {
        &self.store
    }
}

/// Searches the shipped reference (substances, blends, HS codes, Basel codes) by name or code.
#[uniffi::export]
pub fn lookup_reference(query: String) -> Vec<ReferenceEntry> {
    crate::reference::lookup(&query)
        .into_iter()
        .map(Into::into)
        .collect()
}

/// The substance or blend with this name (any common name: "R-22", "chlorodifluoromethane").
#[uniffi::export]
pub fn substance(name: String) -> Option<SubstanceRecord> {
    crate::reference::substance(&name).map(Into::into)
}

/// Every substance and blend in the shipped reference.
#[uniffi::export]
pub fn substances() -> Vec<SubstanceRecord> {
    crate::reference::substances()
        .iter()
        .map(Into::into)
        .collect()
}

/// Checks a container number: its normalised form, or an error for a malformed number;
/// `check_digit_ok` tells whether the check digit matches.
#[uniffi::export]
pub fn check_container_number(number: String) -> ApiResult<ContainerCheck> {
    let n = crate::model::container::ContainerNumber::parse(&number)?;
    Ok(ContainerCheck {
        normalized: n.as_str().to_string(),
        check_digit_ok: n.check_digit_ok(),
        expected_check_digit: n.expected_check_digit(),
    })
}

/// Checks a supervisor's approval signature as exported (e.g. a row of a seizure export): the
/// decision `approved` on `inspection_id` at exactly `reviewed_heads`, by `reviewer` at
/// `decided_at` with `comment`, signed by the Ed25519 key `public_key` (hex).
#[uniffi::export]
pub fn verify_approval(
    inspection_id: String,
    reviewed_heads: Vec<String>,
    comment: String,
    reviewer: String,
    decided_at: String,
    public_key: String,
    signature: String,
) -> bool {
    let payload = crate::signing::review_payload(
        &inspection_id,
        &reviewed_heads,
        crate::model::review::Decision::Approved.as_str(),
        &comment,
        &reviewer,
        &decided_at,
    );
    crate::signing::verify(
        &crate::signing::Signed {
            public_key,
            signature,
        },
        &payload,
    )
    .is_ok()
}

/// Reads a quantity as the officer typed it ("1,234.5", "1.234,5", "15'490", "12 kg"), with
/// the decimal separator of the device's locale (`.` or `,`) deciding the one ambiguous case
/// ("1,234"). Refuses empty, negative and non-numeric text with a message key.
#[uniffi::export]
pub fn parse_quantity(text: String, decimal_separator: String) -> ApiResult<f64> {
    crate::model::quantity::parse(&text, decimal_char(&decimal_separator))
        .map_err(|e| crate::error::Error::from(e).into())
}

/// Shows a quantity in kg with up to three decimals and the locale's decimal separator, as
/// [`parse_quantity`] reads it back.
#[uniffi::export]
pub fn format_quantity(value: f64, decimal_separator: String) -> String {
    crate::model::quantity::format(value, decimal_char(&decimal_separator))
}

/// Reads a count as typed ("1139", "1 139"); None for an empty field.
#[uniffi::export]
pub fn parse_count(text: String) -> ApiResult<Option<u32>> {
    crate::model::quantity::parse_count(&text).map_err(|e| crate::error::Error::from(e).into())
}

/// A finding's net mass from its form, the same on every phone: the net mass as typed, else the
/// cylinders counted times the net kilograms printed on one (rounded to grams), else None.
#[uniffi::export]
pub fn net_mass(
    typed: String,
    cylinders: String,
    kg_per_cylinder: String,
    decimal_separator: String,
) -> ApiResult<Option<f64>> {
    crate::model::quantity::net_mass(
        &typed,
        &cylinders,
        &kg_per_cylinder,
        decimal_char(&decimal_separator),
    )
    .map_err(|e| crate::error::Error::from(e).into())
}

/// One row of a composition as typed in a form.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CompositionRow {
    pub component: String,
    /// The share in %, as typed.
    pub pct: String,
}

/// Reads a measured composition as typed (blank rows skipped) and checks it as the core will
/// when it is saved: named components from the reference (or `air`, `unknown`), each once,
/// shares above 0 and at most 100 %, adding up to 100 % within half a point. Refusals carry a
/// message key (`composition_*`, `quantity_*`).
#[uniffi::export]
pub fn composition_shares(
    rows: Vec<CompositionRow>,
    decimal_separator: String,
) -> ApiResult<Vec<ComponentShare>> {
    let rows: Vec<(String, String)> = rows.into_iter().map(|r| (r.component, r.pct)).collect();
    Ok(
        crate::model::edits::composition_from_rows(&rows, decimal_char(&decimal_separator))?
            .into_iter()
            .map(|(component, pct)| ComponentShare { component, pct })
            .collect(),
    )
}

fn decimal_char(s: &str) -> char {
    if s.trim() == "," { ',' } else { '.' }
}

/// The result of checking a container number.
#[derive(Debug, Clone, PartialEq, serde::Serialize, uniffi::Record)]
pub struct ContainerCheck {
    pub normalized: String,
    pub check_digit_ok: bool,
    pub expected_check_digit: u32,
}

/// A new store key: 32 random bytes from the operating system's generator, for
/// [`FieldStore::create`]. The app keeps them in the platform keystore (wrapped by an Android
/// Keystore key, in the iOS Keychain); without them the store cannot be opened.
#[uniffi::export]
pub fn generate_store_key() -> Vec<u8> {
    StoreKey::generate().bytes().to_vec()
}

/// Whether the directory `path` holds an encrypted store, which only its key opens: the app must
/// then never make a new key for it. False when there is no store yet, or when the store is from
/// before encryption (its first open with a key encrypts it under that key). A database file
/// that cannot be read counts as encrypted.
#[uniffi::export]
pub fn store_is_encrypted(path: String) -> bool {
    let file = Path::new(&path).join(crate::store::DB_FILE);
    file.exists() && !crate::store::key::is_plain(&file).unwrap_or(false)
}
