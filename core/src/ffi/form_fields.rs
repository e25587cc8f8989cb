//! A finding form as the phones keep it (a map of field names to the text as typed: the same map
//! they keep as its draft) read into the fields the store takes, by one set of rules for every
//! shell. Refusals name the field.

use std::collections::HashMap;

use super::{ApiError, ApiResult, CylinderType, FindingFields, decimal_char};
use crate::error::Error;
use crate::model::{edits, quantity};

/// The names of a finding form's fields. Composition rows are `composition.N.component` and
/// `composition.N.pct` for N = 0, 1, ...
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

/// Reads a finding form. A field the map does not hold is left as it is; a text field present
/// is written as typed (trimmed; empty clears it); an empty number leaves the number as it is.
/// The net mass is the one rule of [`super::net_mass`]; the composition is read row by row as by
/// [`super::composition_shares`] (present rows replace the composition; all blank clears it).
#[uniffi::export]
pub fn finding_fields_from_form(
    form: HashMap<String, String>,
    decimal_separator: String,
) -> ApiResult<FindingFields> {
    let decimal = decimal_char(&decimal_separator);
    let text = |key: &str| form.get(key).map(|v| v.trim().to_string());
    let number = |key: &str| -> ApiResult<Option<f64>> {
        match text(key) {
            Some(v) if !v.is_empty() => at(
                key,
                quantity::parse(&v, decimal).map(Some).map_err(Into::into),
            ),
            _ => Ok(None),
        }
    };
    let cylinders = text("cylinders").unwrap_or_default();
    let per = text("kg_per_cylinder").unwrap_or_default();
    let typed = text("net_mass_kg").unwrap_or_default();
    let count = quantity::parse_count(&cylinders);
    let net_mass = quantity::net_mass(&typed, &cylinders, &per, decimal).map_err(Error::from);
    let net_mass_field = if !typed.is_empty() {
        "net_mass_kg"
    } else if count.is_err() {
        "cylinders"
    } else {
        "kg_per_cylinder"
    };
    let mut rows: Vec<(usize, String, String)> = Vec::new();
    for (key, value) in &form {
        let Some(rest) = key.strip_prefix("composition.") else {
            continue;
        };
        let Some((index, part)) = rest.split_once('.') else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        let row = match rows.iter().position(|(i, _, _)| *i == index) {
            Some(r) => r,
            None => {
                rows.push((index, String::new(), String::new()));
                rows.len() - 1
            }
        };
        match part {
            "component" => rows[row].1 = value.clone(),
            "pct" => rows[row].2 = value.clone(),
            _ => {}
        }
    }
    rows.sort_by_key(|(i, _, _)| *i);
    let composition = if rows.is_empty() {
        None
    } else {
        let pairs: Vec<(String, String)> = rows.into_iter().map(|(_, c, p)| (c, p)).collect();
        Some(
            at("composition", edits::composition_from_rows(&pairs, decimal))?
                .into_iter()
                .map(|(component, pct)| super::ComponentShare { component, pct })
                .collect(),
        )
    };
    let cylinder_type = match text("cylinder_type") {
        Some(v) if !v.is_empty() => Some(at(
            "cylinder_type",
            CylinderType::parse(&v).map_err(|e| Error::Invalid(e.to_string())),
        )?),
        _ => None,
    };
    Ok(FindingFields {
        declared_substance: text("declared"),
        identified_substance: text("identified"),
        identified_other: text("identified_other"),
        composition,
        content_pct: number("content_pct")?,
        instrument: text("instrument"),
        reading_result: text("reading"),
        purity_pct: number("purity_pct")?,
        hs_code_observed: text("hs_code"),
        cylinders: at(
            "cylinders",
            quantity::parse_count(&cylinders).map_err(Into::into),
        )?,
        cylinder_type,
        net_mass_kg: at(net_mass_field, net_mass)?,
        labels: text("labels"),
        concealment: text("concealment"),
        notes: text("notes"),
    })
}

/// The names of a finding form's fields (composition rows aside).
#[uniffi::export]
pub fn finding_form_fields() -> Vec<String> {
    FINDING_FORM_FIELDS.iter().map(|f| f.to_string()).collect()
}
