//! What an officer asks to change, validated before it reaches a document: substance names
//! resolved to reference ids, numbers checked, codes normalised. `None` always means "leave this
//! field as it is"; an empty string clears a text field.

use super::container::ContainerNumber;
use super::locode::parse_locode;
use super::{
    CylinderType, Location, ModusOperandi, SeizureAction, SeizureItem, check_hs_code,
    check_non_negative, check_position,
};
use crate::error::{Error, Result};
use crate::reference;

/// The declaration fields, all optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeclarationPatch {
    pub number: Option<String>,
    pub bill_of_lading: Option<String>,
    pub hs_code: Option<String>,
    pub description: Option<String>,
    pub quantity_kg: Option<f64>,
    pub consignor: Option<String>,
    pub consignee: Option<String>,
    pub origin: Option<String>,
    pub destination: Option<String>,
    pub transit: Option<Vec<String>>,
}

impl DeclarationPatch {
    fn validate(&mut self) -> Result<()> {
        if let Some(code) = &self.hs_code
            && !code.trim().is_empty()
        {
            self.hs_code = Some(check_hs_code(code)?);
        }
        if let Some(q) = self.quantity_kg {
            check_non_negative("declared quantity", q)?;
        }
        if let Some(t) = &mut self.transit {
            *t = t.iter().filter_map(|s| super::clean_text(s)).collect();
        }
        Ok(())
    }
}

/// Changes to an inspection's own fields (findings, photos and seizure have their own).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InspectionPatch {
    pub container_number: Option<String>,
    /// Record a container number even though its check digit is wrong.
    pub allow_invalid_check_digit: bool,
    pub seals: Option<Vec<String>>,
    pub size_type: Option<String>,
    pub station: Option<String>,
    pub declaration: DeclarationPatch,
    pub location: Option<Location>,
    pub selection_reason: Option<String>,
    pub notes: Option<String>,
}

impl InspectionPatch {
    /// Checks and normalises every field given.
    pub fn validate(mut self) -> Result<Self> {
        if let Some(n) = &self.container_number {
            let number = ContainerNumber::parse(n)?;
            number.require_check_digit(self.allow_invalid_check_digit)?;
            self.container_number = Some(number.as_str().to_string());
        }
        if let Some(s) = &self.station {
            self.station = Some(parse_locode(s)?);
        }
        if let Some(seals) = &mut self.seals {
            *seals = seals
                .iter()
                .filter_map(|s| super::clean_text(s).map(|s| s.to_uppercase()))
                .collect();
        }
        if let Some(loc) = &self.location {
            check_position(loc.lat, loc.lon)?;
            if let Some(a) = loc.accuracy_m {
                check_non_negative("location accuracy", a)?;
            }
        }
        self.declaration.validate()?;
        Ok(self)
    }
}

/// A new inspection: a container number is required, the rest may follow later.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewInspection {
    pub fields: InspectionPatch,
}

impl NewInspection {
    /// Validates, requiring a container number.
    pub fn validate(self) -> Result<InspectionPatch> {
        if self
            .fields
            .container_number
            .as_deref()
            .is_none_or(|n| n.trim().is_empty())
        {
            return Err(Error::Invalid("a container number is required".into()));
        }
        self.fields.validate()
    }
}

/// Fields of a finding, for adding one or changing one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingPatch {
    pub declared_substance: Option<String>,
    /// Any reference name, or `unknown` when the identifier could not tell.
    pub identified_substance: Option<String>,
    /// A substance the identifier named that the reference does not hold (`""` clears).
    pub identified_other: Option<String>,
    /// The identifier's measured composition (component name, % by mass); empty clears it.
    pub composition: Option<Vec<(String, f64)>>,
    /// Of a pre-blended polyol: the HCFC-141b content, % by mass.
    pub content_pct: Option<f64>,
    pub instrument: Option<String>,
    pub reading_result: Option<String>,
    pub purity_pct: Option<f64>,
    pub hs_code_observed: Option<String>,
    pub cylinders: Option<u32>,
    pub cylinder_type: Option<CylinderType>,
    pub net_mass_kg: Option<f64>,
    pub labels: Option<String>,
    pub concealment: Option<String>,
    pub notes: Option<String>,
}

/// Resolves a substance as typed ("R-22", "chlorodifluoromethane") to its reference id; an
/// empty name clears the field.
pub fn resolve_substance(name: &str) -> Result<String> {
    if name.trim().is_empty() {
        return Ok(String::new());
    }
    reference::substance(name)
        .map(|s| s.id.clone())
        .ok_or_else(|| Error::UnknownSubstance(name.trim().to_string()))
}

/// Resolves one component of a measured composition: a reference name, `air` or `unknown`.
fn resolve_component(name: &str) -> Result<String> {
    let word = name.trim().to_ascii_lowercase();
    if word == crate::model::AIR || word == crate::model::UNKNOWN {
        return Ok(word);
    }
    let id = resolve_substance(name)?;
    if reference::substance(&id).is_some_and(|s| s.is_polyol()) {
        return Err(CompositionError::Polyol(name.to_string()).into());
    }
    Ok(id)
}

/// Why a measured composition was not accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompositionError {
    #[error("a component of {0} % has no name")]
    Unnamed(String),
    #[error("{0}: give its share in %")]
    ShareMissing(String),
    #[error("{0}: a component's share must be more than 0 and at most 100 %")]
    ShareRange(String),
    #[error("{0} is listed twice in the composition")]
    Twice(String),
    #[error(
        "{0}: a pre-blended polyol is recorded as the substance, with its content, not as a component"
    )]
    Polyol(String),
    #[error("the composition adds up to {0} %, not 100 % (name the rest `unknown`)")]
    Total(String),
}

/// Reads a composition as typed in a form, row by row (component name, share in % as typed):
/// rows left blank are skipped; every other row needs a name and a share. Then
/// [`check_composition`].
pub fn composition_from_rows(
    rows: &[(String, String)],
    decimal: char,
) -> Result<Vec<(String, f64)>> {
    let mut parts = Vec::new();
    for (name, pct) in rows {
        let (name, pct) = (name.trim(), pct.trim());
        if name.is_empty() && pct.is_empty() {
            continue;
        }
        if name.is_empty() {
            return Err(CompositionError::Unnamed(pct.to_string()).into());
        }
        if pct.is_empty() {
            return Err(CompositionError::ShareMissing(name.to_string()).into());
        }
        parts.push((name.to_string(), super::quantity::parse(pct, decimal)?));
    }
    check_composition_shown(&parts, decimal)?;
    Ok(parts)
}

/// Checks a measured composition: known components, each once, percentages summing to 100
/// (within half a percentage point, as identifiers round).
pub fn check_composition(parts: &[(String, f64)]) -> Result<Vec<(String, f64)>> {
    check_composition_shown(parts, '.')
}

/// [`check_composition`], showing a wrong total with the officer's decimal separator.
fn check_composition_shown(parts: &[(String, f64)], decimal: char) -> Result<Vec<(String, f64)>> {
    let mut out: Vec<(String, f64)> = Vec::new();
    for (name, pct) in parts {
        let id = resolve_component(name)?;
        if !(pct.is_finite() && *pct > 0.0 && *pct <= 100.0) {
            return Err(CompositionError::ShareRange(name.clone()).into());
        }
        if out.iter().any(|(other, _)| *other == id) {
            return Err(CompositionError::Twice(id).into());
        }
        out.push((id, *pct));
    }
    let sum: f64 = out.iter().map(|(_, p)| p).sum();
    if !out.is_empty() && (sum - 100.0).abs() > 0.5 {
        return Err(CompositionError::Total(super::quantity::format(
            (sum * 100.0).round() / 100.0,
            decimal,
        ))
        .into());
    }
    Ok(out)
}

impl FindingPatch {
    /// Resolves substances and checks numbers.
    pub fn validate(mut self) -> Result<Self> {
        if let Some(name) = &mut self.declared_substance {
            *name = resolve_substance(name)?;
        }
        if let Some(name) = &mut self.identified_substance {
            *name = if name.trim().eq_ignore_ascii_case(crate::model::UNKNOWN) {
                crate::model::UNKNOWN.to_string()
            } else {
                resolve_substance(name)?
            };
        }
        if let Some(other) = &mut self.identified_other {
            *other = other.trim().to_string();
            if !other.is_empty() && reference::substance(other).is_some() {
                return Err(Error::Invalid(format!(
                    "{other} is in the reference: record it as the identified substance"
                )));
            }
        }
        let both = |v: &Option<String>| v.as_deref().is_some_and(|x| !x.is_empty());
        if both(&self.identified_substance) && both(&self.identified_other) {
            return Err(Error::Rule(
                crate::error::Rule::IdentifiedTwice,
                "record either an identified substance from the reference or one outside it, not both".into(),
            ));
        }
        if let Some(parts) = &self.composition {
            self.composition = Some(check_composition(parts)?);
        }
        if let Some(c) = self.content_pct {
            check_percent("the controlled content", c)?;
        }
        if let Some(p) = self.purity_pct {
            check_percent("purity", p)?;
        }
        if let Some(m) = self.net_mass_kg {
            check_non_negative("net mass", m)?;
        }
        if let Some(code) = &self.hs_code_observed
            && !code.trim().is_empty()
        {
            self.hs_code_observed = Some(check_hs_code(code)?);
        }
        Ok(self)
    }
}

/// Changes to the seizure record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeizurePatch {
    pub case_ref: Option<String>,
    pub action: Option<SeizureAction>,
    pub legal_basis: Option<String>,
    pub modus_operandi: Option<Vec<ModusOperandi>>,
    pub storage_location: Option<String>,
    /// Replaces the seized items.
    pub items: Option<Vec<SeizureItem>>,
}

impl SeizurePatch {
    /// Checks quantities and that every item names one of `finding_ids`.
    pub fn validate(mut self, finding_ids: &[&str]) -> Result<Self> {
        for item in self.items.iter().flatten() {
            check_non_negative("seized quantity", item.quantity_kg)?;
            if !finding_ids.contains(&item.finding_id.as_str()) {
                return Err(Error::NotFound {
                    kind: "finding",
                    id: item.finding_id.clone(),
                });
            }
        }
        if let Some(m) = &mut self.modus_operandi {
            m.sort();
            m.dedup();
        }
        Ok(self)
    }
}

/// Changes to a photo's own fields (`None` leaves a field, `Some("")` clears it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhotoPatch {
    pub caption: Option<String>,
    pub finding_id: Option<String>,
}

/// A new chain-of-custody entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustodyInput {
    pub from: String,
    pub to: String,
    pub location: Option<String>,
    pub note: Option<String>,
    /// RFC 3339; now when absent.
    pub at: Option<String>,
}

impl CustodyInput {
    /// Requires both parties and a valid time; returns the time to record.
    pub fn validate(&self) -> Result<String> {
        if self.from.trim().is_empty() || self.to.trim().is_empty() {
            return Err(Error::Invalid(
                "a custody entry needs who handed over (from) and who received (to)".into(),
            ));
        }
        match &self.at {
            None => Ok(now_rfc3339()),
            Some(at) => parse_time(at),
        }
    }
}

/// Parses an RFC 3339 time, normalised to UTC with milliseconds.
pub fn parse_time(at: &str) -> Result<String> {
    chrono::DateTime::parse_from_rfc3339(at.trim())
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        })
        .map_err(|e| {
            Error::Invalid(format!(
                "malformed time {at:?} ({e}); expected RFC 3339, e.g. 2026-11-29T14:05:00Z"
            ))
        })
}

/// The current time as RFC 3339 UTC with milliseconds.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Checks a station code, for use by callers that take one alone.
pub fn validate_station(code: &str) -> Result<String> {
    parse_locode(code)
}

/// A percentage of `what` between 0 and 100.
pub(crate) fn check_percent(what: &str, value: f64) -> Result<()> {
    if value.is_finite() && (0.0..=100.0).contains(&value) {
        Ok(())
    } else {
        Err(Error::Rule(
            crate::error::Rule::PercentRange,
            format!("{what} must be between 0 and 100 %, got {value}"),
        ))
    }
}
