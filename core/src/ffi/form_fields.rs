//! The phones' forms, one set of field names and rules for every shell: a form is a map of field
//! names to the text as typed (the same map the shell keeps as the form's draft), filled by the
//! core from a stored record and read by the core into the fields the store takes. Refusals name
//! the field.
//!
//! Field names (composition rows, seized items and location are numbered or keyed sub-fields):
//! - inspection: `container`, `allow_invalid_check_digit` (`"true"` or absent), `seals`,
//!   `size_type`, `declaration`, `bill_of_lading`, `hs_code`, `description`, `quantity_kg`,
//!   `consignor`, `consignee`, `origin`, `destination`, `transit`, `selection_reason`, `notes`,
//!   plus `location.lat`, `location.lon`, `location.accuracy_m` (from the phone's position,
//!   `.`-decimal);
//! - finding: [`FINDING_FORM_FIELDS`], plus `composition.N.component` / `composition.N.pct` for
//!   N = 0, 1, ... and `composition.rows` (how many rows the form shows);
//! - seizure: `action`, `case_ref`, `legal_basis`, `modus_operandi`, `storage_location` (action
//!   and modus operandi as written on the command line: `seized`, `false-declaration`, ...), plus
//!   `item.<finding id>.kg` / `item.<finding id>.cylinders`;
//! - custody hand-over: `from`, `to`, `location`, `note`, `at` (RFC 3339, the hand-over's time:
//!   kept by a correction; empty or absent on a new entry, which is stamped now).
//!
//! Reading: a field the map does not hold is left as it is; a text field present is written as
//! typed (trimmed; empty clears it); an empty number leaves the number as it is. Lists (seals,
//! transit) are separated by commas, semicolons or new lines; `modus_operandi` by commas.

use std::collections::{BTreeMap, HashMap};

use super::{
    ApiError, ApiResult, CustodyFields, CustodyRecord, CylinderType, DeclarationFields,
    FindingFields, FindingRecord, GeoPoint, InspectionFields, InspectionRecord, ModusOperandi,
    SeizedItem, SeizureAction, SeizureFields, decimal_char,
};
use crate::error::{Error, Rule};
use crate::model::{edits, quantity};

/// The names of a finding form's fields (composition rows aside).
pub const FINDING_FORM_FIELDS: &[&str] = &[
    "declared",
    "identified",
    "identified_other",
    "content_pct",
    "instrument",
    "reading",
    "purity_pct",
    "hs_code",
    "cylinders",
    "kg_per_cylinder",
    "net_mass_kg",
    "cylinder_type",
    "labels",
    "concealment",
    "notes",
];

/// The error of `field`, with the field named.
fn at<T>(field: &str, result: Result<T, Error>) -> ApiResult<T> {
    result.map_err(|e| match ApiError::from(e) {
        ApiError::Invalid { message, user, .. } => ApiError::Invalid {
            message,
            user,
            field: Some(field.to_string()),
        },
        other => other,
    })
}

/// A workflow rule broken at `field`.
fn broken<T>(field: &str, rule: Rule, detail: &str) -> ApiResult<T> {
    at(field, Err(Error::Rule(rule, detail.to_string())))
}

/// A form as typed, read field by field.
struct Typed<'a> {
    form: &'a HashMap<String, String>,
    decimal: char,
}

impl Typed<'_> {
    /// The field trimmed; `None` when the form does not hold it.
    fn text(&self, key: &str) -> Option<String> {
        self.form.get(key).map(|v| v.trim().to_string())
    }

    /// The field trimmed, `None` when absent or empty.
    fn given(&self, key: &str) -> Option<String> {
        self.text(key).filter(|v| !v.is_empty())
    }

    /// A quantity as typed with the device's separator; `None` when absent or empty.
    fn number(&self, key: &str) -> ApiResult<Option<f64>> {
        self.given(key)
            .map(|v| at(key, quantity::parse(&v, self.decimal).map_err(Into::into)))
            .transpose()
    }

    /// A percentage (0 to 100) as typed.
    fn percent(&self, key: &str, what: &str) -> ApiResult<Option<f64>> {
        let value = self.number(key)?;
        if let Some(v) = value {
            at(key, edits::check_percent(what, v))?;
        }
        Ok(value)
    }

    /// A count as typed; `None` when absent or empty.
    fn count(&self, key: &str) -> ApiResult<Option<u32>> {
        at(
            key,
            quantity::parse_count(&self.text(key).unwrap_or_default()).map_err(Into::into),
        )
    }

    /// A list of values separated by commas, semicolons or new lines.
    fn list(&self, key: &str) -> Option<Vec<String>> {
        self.text(key).map(|v| {
            v.split([',', ';', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
    }

    /// A number the phone wrote itself (a position), always with `.`.
    fn raw_number(&self, key: &str) -> ApiResult<Option<f64>> {
        self.given(key)
            .map(|v| {
                let parsed = v.parse::<f64>();
                at(
                    key,
                    parsed.map_err(|_| Error::Invalid(format!("{key} {v:?} is not a number"))),
                )
            })
            .transpose()
    }
}

/// A form being filled from a record.
struct Filled {
    form: HashMap<String, String>,
    decimal: char,
}

impl Filled {
    fn new(decimal_separator: &str) -> Self {
        Self {
            form: HashMap::new(),
            decimal: decimal_char(decimal_separator),
        }
    }

    fn text(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        self.form
            .insert(key.to_string(), value.unwrap_or_default().to_string());
        self
    }

    fn number(&mut self, key: &str, value: Option<f64>) -> &mut Self {
        let shown = value.map(|v| quantity::format(v, self.decimal));
        self.text(key, shown.as_deref())
    }

    fn count(&mut self, key: &str, value: Option<u32>) -> &mut Self {
        self.text(key, value.map(|v| v.to_string()).as_deref())
    }

    fn list(&mut self, key: &str, values: &[String]) -> &mut Self {
        self.text(key, Some(&values.join(", ")))
    }

    fn done(&mut self) -> HashMap<String, String> {
        std::mem::take(&mut self.form)
    }
}

/// Reads an inspection form. The container number is required when the form holds it; the
/// position is read from `location.*` when both coordinates are there.
#[uniffi::export]
pub fn inspection_fields_from_form(
    form: HashMap<String, String>,
    decimal_separator: String,
) -> ApiResult<InspectionFields> {
    let f = Typed {
        form: &form,
        decimal: decimal_char(&decimal_separator),
    };
    let container = f.text("container");
    if container.as_deref() == Some("") {
        return broken(
            "container",
            Rule::ContainerRequired,
            "the container number is required",
        );
    }
    let location = match (f.raw_number("location.lat")?, f.raw_number("location.lon")?) {
        (Some(lat), Some(lon)) => Some(GeoPoint {
            lat,
            lon,
            accuracy_m: f.raw_number("location.accuracy_m")?,
        }),
        _ => None,
    };
    Ok(InspectionFields {
        container_number: container,
        allow_invalid_check_digit: f.given("allow_invalid_check_digit").as_deref() == Some("true"),
        seals: f.list("seals"),
        size_type: f.text("size_type"),
        station: None,
        declaration: Some(DeclarationFields {
            number: f.text("declaration"),
            bill_of_lading: f.text("bill_of_lading"),
            hs_code: f.text("hs_code"),
            description: f.text("description"),
            quantity_kg: f.number("quantity_kg")?,
            consignor: f.text("consignor"),
            consignee: f.text("consignee"),
            origin: f.text("origin"),
            destination: f.text("destination"),
            transit: f.list("transit"),
        }),
        location,
        selection_reason: f.text("selection_reason"),
        notes: f.text("notes"),
    })
}

/// The inspection form showing `record` as stored.
#[uniffi::export]
pub fn inspection_form(
    record: InspectionRecord,
    decimal_separator: String,
) -> HashMap<String, String> {
    let d = &record.declaration;
    let mut form = Filled::new(&decimal_separator);
    form.text("container", Some(&record.container.number))
        .list("seals", &record.container.seals)
        .text("size_type", record.container.size_type.as_deref())
        .text("declaration", d.number.as_deref())
        .text("bill_of_lading", d.bill_of_lading.as_deref())
        .text("hs_code", d.hs_code.as_deref())
        .text("description", d.description.as_deref())
        .number("quantity_kg", d.quantity_kg)
        .text("consignor", d.consignor.as_deref())
        .text("consignee", d.consignee.as_deref())
        .text("origin", d.origin.as_deref())
        .text("destination", d.destination.as_deref())
        .list("transit", &d.transit)
        .text("selection_reason", record.selection_reason.as_deref())
        .text("notes", Some(&record.notes));
    if let Some(at) = record.location {
        form.text("location.lat", Some(&at.lat.to_string()))
            .text("location.lon", Some(&at.lon.to_string()));
        if let Some(accuracy) = at.accuracy_m {
            form.text("location.accuracy_m", Some(&accuracy.to_string()));
        }
    }
    form.done()
}

/// Reads a finding form. The net mass is the one rule of [`super::net_mass`]; the composition is
/// read row by row as by [`super::composition_shares`] (present rows replace the composition;
/// all blank clears it). Purity and content are percentages; a substance both from the
/// reference and outside it is refused at `identified_other`.
#[uniffi::export]
pub fn finding_fields_from_form(
    form: HashMap<String, String>,
    decimal_separator: String,
) -> ApiResult<FindingFields> {
    let f = Typed {
        form: &form,
        decimal: decimal_char(&decimal_separator),
    };
    if f.given("identified").is_some() && f.given("identified_other").is_some() {
        return broken(
            "identified_other",
            Rule::IdentifiedTwice,
            "record either an identified substance from the reference or one outside it, not both",
        );
    }
    let cylinders = f.text("cylinders").unwrap_or_default();
    let per = f.text("kg_per_cylinder").unwrap_or_default();
    let typed = f.text("net_mass_kg").unwrap_or_default();
    let net_mass = quantity::net_mass(&typed, &cylinders, &per, f.decimal).map_err(Error::from);
    let net_mass_field = if !typed.is_empty() {
        "net_mass_kg"
    } else if quantity::parse_count(&cylinders).is_err() {
        "cylinders"
    } else {
        "kg_per_cylinder"
    };
    let mut rows: BTreeMap<usize, (String, String)> = BTreeMap::new();
    for (key, value) in &form {
        let Some((index, part)) = key
            .strip_prefix("composition.")
            .and_then(|rest| rest.split_once('.'))
        else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        let row = rows.entry(index).or_default();
        match part {
            "component" => row.0 = value.clone(),
            "pct" => row.1 = value.clone(),
            _ => {}
        }
    }
    let composition = if rows.is_empty() {
        None
    } else {
        let pairs: Vec<(String, String)> = rows.into_values().collect();
        Some(
            at(
                "composition",
                edits::composition_from_rows(&pairs, f.decimal),
            )?
            .into_iter()
            .map(|(component, pct)| super::ComponentShare { component, pct })
            .collect(),
        )
    };
    let cylinder_type = f
        .given("cylinder_type")
        .map(|v| {
            at(
                "cylinder_type",
                CylinderType::parse(&v).map_err(api_invalid),
            )
        })
        .transpose()?;
    Ok(FindingFields {
        declared_substance: f.text("declared"),
        identified_substance: f.text("identified"),
        identified_other: f.text("identified_other"),
        composition,
        content_pct: f.percent("content_pct", "the controlled content")?,
        instrument: f.text("instrument"),
        reading_result: f.text("reading"),
        purity_pct: f.percent("purity_pct", "purity")?,
        hs_code_observed: f.text("hs_code"),
        cylinders: f.count("cylinders")?,
        cylinder_type,
        net_mass_kg: at(net_mass_field, net_mass)?,
        labels: f.text("labels"),
        concealment: f.text("concealment"),
        notes: f.text("notes"),
    })
}

/// An [`ApiError`] from parsing an exported enum, back as an internal error so [`at`] can name
/// the field.
fn api_invalid(e: ApiError) -> Error {
    Error::Invalid(e.to_string())
}

/// The finding form showing `record` as stored (its net mass as typed, not split per cylinder).
#[uniffi::export]
pub fn finding_form(record: FindingRecord, decimal_separator: String) -> HashMap<String, String> {
    let reading = record.identifier_reading.as_ref();
    let mut form = Filled::new(&decimal_separator);
    form.text("declared", record.declared_substance.as_deref())
        .text("identified", record.identified_substance.as_deref())
        .text("identified_other", record.identified_other.as_deref())
        .number("content_pct", record.content_pct)
        .text("instrument", reading.and_then(|r| r.instrument.as_deref()))
        .text("reading", reading.and_then(|r| r.result.as_deref()))
        .number("purity_pct", reading.and_then(|r| r.purity_pct))
        .text("hs_code", record.hs_code_observed.as_deref())
        .count("cylinders", record.cylinders)
        .text("kg_per_cylinder", None)
        .number("net_mass_kg", record.net_mass_kg)
        .text("cylinder_type", record.cylinder_type.map(|t| t.as_str()))
        .text("labels", record.labels.as_deref())
        .text("concealment", record.concealment.as_deref())
        .text("notes", record.notes.as_deref())
        .count("composition.rows", Some(record.composition.len() as u32));
    for (i, share) in record.composition.iter().enumerate() {
        form.text(
            &format!("composition.{i}.component"),
            Some(&share.component),
        )
        .number(&format!("composition.{i}.pct"), Some(share.pct));
    }
    form.done()
}

/// Reads a seizure form. The seized items are replaced by those whose quantity is given (an
/// item with neither quantity nor cylinders is not seized; cylinders without a quantity are
/// refused at `item.<finding id>.kg`).
#[uniffi::export]
pub fn seizure_fields_from_form(
    form: HashMap<String, String>,
    decimal_separator: String,
) -> ApiResult<SeizureFields> {
    let f = Typed {
        form: &form,
        decimal: decimal_char(&decimal_separator),
    };
    let action = f
        .given("action")
        .map(|v| at("action", SeizureAction::parse(&v).map_err(api_invalid)))
        .transpose()?;
    let modus_operandi = f
        .list("modus_operandi")
        .map(|names| {
            names
                .iter()
                .map(|n| {
                    at(
                        "modus_operandi",
                        ModusOperandi::parse(n).map_err(api_invalid),
                    )
                })
                .collect::<ApiResult<Vec<_>>>()
        })
        .transpose()?;
    let mut finding_ids: Vec<&str> = form
        .keys()
        .filter_map(|k| k.strip_prefix("item."))
        .filter_map(|rest| rest.rsplit_once('.').map(|(id, _)| id))
        .collect();
    finding_ids.sort_unstable();
    finding_ids.dedup();
    let mut items = Vec::new();
    for id in finding_ids {
        let kg_key = format!("item.{id}.kg");
        let cylinders = f.count(&format!("item.{id}.cylinders"))?;
        match (f.number(&kg_key)?, cylinders) {
            (Some(quantity_kg), cylinders) => items.push(SeizedItem {
                finding_id: id.to_string(),
                quantity_kg,
                cylinders,
            }),
            (None, Some(_)) => {
                return broken(
                    &kg_key,
                    Rule::SeizedQuantityNeeded,
                    "a seized finding needs its quantity in kg",
                );
            }
            (None, None) => {}
        }
    }
    Ok(SeizureFields {
        case_ref: f.text("case_ref"),
        action,
        legal_basis: f.text("legal_basis"),
        modus_operandi,
        storage_location: f.text("storage_location"),
        items: Some(items),
    })
}

/// The seizure form of `inspection`: its seizure as stored (empty when there is none) with one
/// item per finding (blank when not seized) and per seized item whose finding is gone.
#[uniffi::export]
pub fn seizure_form(
    inspection: InspectionRecord,
    decimal_separator: String,
) -> HashMap<String, String> {
    let s = inspection.seizure.as_ref();
    let mut form = Filled::new(&decimal_separator);
    let modus: Vec<String> = s
        .map(|s| {
            s.modus_operandi
                .iter()
                .map(|m| m.as_str().to_string())
                .collect()
        })
        .unwrap_or_default();
    form.text("action", s.and_then(|s| s.action).map(|a| a.as_str()))
        .text("case_ref", s.and_then(|s| s.case_ref.as_deref()))
        .text("legal_basis", s.and_then(|s| s.legal_basis.as_deref()))
        .list("modus_operandi", &modus)
        .text(
            "storage_location",
            s.and_then(|s| s.storage_location.as_deref()),
        );
    for finding in &inspection.findings {
        form.number(&format!("item.{}.kg", finding.id), None)
            .count(&format!("item.{}.cylinders", finding.id), None);
    }
    for item in s.map(|s| s.items.as_slice()).unwrap_or_default() {
        form.number(
            &format!("item.{}.kg", item.finding_id),
            Some(item.quantity_kg),
        )
        .count(
            &format!("item.{}.cylinders", item.finding_id),
            item.cylinders,
        );
    }
    form.done()
}

/// Reads a custody hand-over form (a new entry or a correction); both parties are required.
#[uniffi::export]
pub fn custody_fields_from_form(form: HashMap<String, String>) -> ApiResult<CustodyFields> {
    let f = Typed {
        form: &form,
        decimal: '.',
    };
    let (Some(from), Some(to)) = (f.given("from"), f.given("to")) else {
        let missing = if f.given("from").is_none() {
            "from"
        } else {
            "to"
        };
        return broken(
            missing,
            Rule::CustodyParties,
            "name who handed the goods over and who received them",
        );
    };
    Ok(CustodyFields {
        from,
        to,
        location: f.text("location"),
        note: f.text("note"),
        at: f.given("at"),
    })
}

/// The custody form showing entry `record`.
#[uniffi::export]
pub fn custody_form(record: CustodyRecord) -> HashMap<String, String> {
    Filled::new(".")
        .text("from", Some(&record.from))
        .text("to", Some(&record.to))
        .text("location", record.location.as_deref())
        .text("note", record.note.as_deref())
        .text("at", Some(&record.at))
        .done()
}

/// The names of a finding form's fields (composition rows aside).
#[uniffi::export]
pub fn finding_form_fields() -> Vec<String> {
    FINDING_FORM_FIELDS.iter().map(|f| f.to_string()).collect()
}
