//! Figures and flags derived from an inspection and the reference data: mass, ODP-tonnes,
//! CO2-eq tonnes and the warnings an officer or analyst must see. Computed on every read, never
//! stored, so a corrected reference value corrects every report.

use serde::Serialize;

use super::container::ContainerNumber;
use super::{CylinderType, Finding, Inspection};
use crate::reference;

/// Quantities of one substance in the reporting units.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Quantity {
    pub kg: f64,
    pub tonnes: f64,
    pub odp_tonnes: f64,
    pub co2e_tonnes: f64,
}

impl Quantity {
    /// `kg` of a substance with the given ODP and GWP.
    pub fn of(kg: f64, odp: f64, gwp: f64) -> Self {
        let tonnes = kg / 1000.0;
        Self {
            kg,
            tonnes,
            odp_tonnes: tonnes * odp,
            co2e_tonnes: tonnes * gwp,
        }
    }

    fn add(&mut self, other: &Quantity) {
        self.kg += other.kg;
        self.tonnes += other.tonnes;
        self.odp_tonnes += other.odp_tonnes;
        self.co2e_tonnes += other.co2e_tonnes;
    }
}

/// A warning shown with an inspection.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Flag {
    /// The container number's check digit is wrong (recorded anyway by the officer).
    InvalidCheckDigit { number: String, expected: u32 },
    /// The identifier found a different substance than declared (or the goods were not
    /// declared as a controlled substance at all).
    SubstanceMismatch {
        finding_id: String,
        declared: Option<String>,
        identified: String,
    },
    /// An HS code (declared or observed) that does not fit the identified substance.
    HsCodeInconsistent {
        finding_id: Option<String>,
        code: String,
        substance: String,
        expected: String,
    },
    /// Disposable (non-refillable) cylinders: banned for these substances in many jurisdictions.
    DisposableCylinders { finding_id: String },
    /// More seized from a finding than its recorded net mass.
    SeizedExceedsFound {
        finding_id: String,
        seized_kg: f64,
        found_kg: f64,
    },
}

impl Flag {
    /// One line for a person to read.
    pub fn message(&self) -> String {
        match self {
            Flag::InvalidCheckDigit { number, expected } => {
                format!("container {number}: invalid check digit (expected {expected})")
            }
            Flag::SubstanceMismatch {
                declared: Some(d),
                identified,
                ..
            } => {
                format!("declared {d}, identified {identified}")
            }
            Flag::SubstanceMismatch {
                declared: None,
                identified,
                ..
            } => {
                format!("undeclared controlled substance: identified {identified}")
            }
            Flag::HsCodeInconsistent {
                code,
                substance,
                expected,
                ..
            } => {
                format!("HS code {code} does not fit {substance} (expected {expected})")
            }
            Flag::DisposableCylinders { .. } => "disposable cylinders".to_string(),
            Flag::SeizedExceedsFound {
                finding_id,
                seized_kg,
                found_kg,
            } => {
                format!("seized {seized_kg} kg from {finding_id}, which records only {found_kg} kg")
            }
        }
    }
}

/// The computed figures for one finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingFigures {
    pub finding_id: String,
    /// The substance the figures are for: identified, else declared.
    pub substance: Option<String>,
    pub odp: Option<f64>,
    pub gwp: Option<f64>,
    pub gwp_source: Option<String>,
    /// None when the mass or the substance is unknown.
    pub quantity: Option<Quantity>,
}

/// Everything derived from an inspection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub findings: Vec<FindingFigures>,
    /// Sum over findings with a known substance and mass.
    pub total: Quantity,
    /// Sum over the seizure's items (each valued as its finding's substance).
    pub seized: Quantity,
    pub flags: Vec<Flag>,
}

/// Computes the figures and flags of an inspection.
pub fn assess(inspection: &Inspection) -> Assessment {
    let mut flags = Vec::new();
    if let Ok(number) = ContainerNumber::parse(&inspection.container.number)
        && !number.check_digit_ok()
    {
        flags.push(Flag::InvalidCheckDigit {
            number: number.as_str().to_string(),
            expected: number.expected_check_digit(),
        });
    }

    let mut findings = Vec::new();
    let mut total = Quantity::default();
    for finding in &inspection.findings {
        let figures = finding_figures(finding);
        if let Some(q) = &figures.quantity {
            total.add(q);
        }
        finding_flags(finding, &mut flags);
        findings.push(figures);
    }

    if let (Some(code), Some(_)) = (&inspection.declaration.hs_code, inspection.findings.first()) {
        // The declared code must fit every identified substance; report the first misfit.
        for finding in &inspection.findings {
            if let Some(flag) = hs_flag(None, code, finding.identified_substance.as_deref()) {
                flags.push(flag);
                break;
            }
        }
    }

    let mut seized = Quantity::default();
    if let Some(seizure) = &inspection.seizure {
        for item in &seizure.items {
            let Some(finding) = inspection.finding(&item.finding_id) else {
                continue;
            };
            if let Some(s) = figure_substance(finding) {
                seized.add(&Quantity::of(item.quantity_kg, s.odp, s.gwp));
            }
            if let Some(found) = finding.net_mass_kg
                && item.quantity_kg > found + 1e-6
            {
                flags.push(Flag::SeizedExceedsFound {
                    finding_id: item.finding_id.clone(),
                    seized_kg: item.quantity_kg,
                    found_kg: found,
                });
            }
        }
    }

    Assessment {
        findings,
        total,
        seized,
        flags,
    }
}

fn figure_substance(finding: &Finding) -> Option<&'static reference::Substance> {
    finding
        .identified_substance
        .as_deref()
        .or(finding.declared_substance.as_deref())
        .and_then(reference::substance)
}

fn finding_figures(finding: &Finding) -> FindingFigures {
    let substance = figure_substance(finding);
    FindingFigures {
        finding_id: finding.id.clone(),
        substance: substance.map(|s| s.id.clone()),
        odp: substance.map(|s| s.odp),
        gwp: substance.map(|s| s.gwp),
        gwp_source: substance.map(|s| s.gwp_source.clone()),
        quantity: substance
            .zip(finding.net_mass_kg)
            .map(|(s, kg)| Quantity::of(kg, s.odp, s.gwp)),
    }
}

fn finding_flags(finding: &Finding, flags: &mut Vec<Flag>) {
    if let Some(identified) = &finding.identified_substance
        && finding.declared_substance.as_ref() != Some(identified)
    {
        flags.push(Flag::SubstanceMismatch {
            finding_id: finding.id.clone(),
            declared: finding.declared_substance.clone(),
            identified: identified.clone(),
        });
    }
    if let Some(code) = &finding.hs_code_observed
        && let Some(flag) = hs_flag(
            Some(&finding.id),
            code,
            finding.identified_substance.as_deref(),
        )
    {
        flags.push(flag);
    }
    if finding.cylinder_type == Some(CylinderType::Disposable) {
        flags.push(Flag::DisposableCylinders {
            finding_id: finding.id.clone(),
        });
    }
}

fn hs_flag(finding_id: Option<&str>, code: &str, identified: Option<&str>) -> Option<Flag> {
    let substance = identified.and_then(reference::substance)?;
    match reference::hs_consistent(substance, code) {
        Some(false) => Some(Flag::HsCodeInconsistent {
            finding_id: finding_id.map(str::to_string),
            code: code.to_string(),
            substance: substance.id.clone(),
            expected: substance.hs_code.clone(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Container, Declaration, Seizure, SeizureItem};

    fn r22_finding() -> Finding {
        Finding {
            id: "f1".into(),
            declared_substance: Some("HFC-134a".into()),
            identified_substance: Some("HCFC-22".into()),
            hs_code_observed: Some("2903.45".into()),
            cylinders: Some(1139),
            cylinder_type: Some(CylinderType::Disposable),
            net_mass_kg: Some(1139.0 * 13.6),
            ..Default::default()
        }
    }

    #[test]
    fn published_r22_seizure_figures() {
        let inspection = Inspection {
            container: Container {
                number: "CSQU3054383".into(),
                ..Default::default()
            },
            findings: vec![r22_finding()],
            seizure: Some(Seizure {
                items: vec![SeizureItem {
                    finding_id: "f1".into(),
                    quantity_kg: 15_490.4,
                    cylinders: Some(1139),
                }],
                ..Default::default()
            }),
            ..Default::default()
        };
        let a = assess(&inspection);
        assert!((a.total.kg - 15_490.4).abs() < 1e-6);
        assert_eq!(format!("{:.3}", a.total.odp_tonnes), "0.852");
        assert_eq!(a.total.co2e_tonnes.round(), 28_038.0);
        assert_eq!(a.seized, a.total);
        let gwp_source = a.findings[0].gwp_source.as_deref().unwrap();
        assert!(gwp_source.contains("AR4"), "{gwp_source}");
        let kinds: Vec<_> = a.flags.iter().map(Flag::message).collect();
        assert_eq!(
            kinds,
            vec![
                "declared HFC-134a, identified HCFC-22".to_string(),
                "HS code 2903.45 does not fit HCFC-22 (expected 2903.71)".to_string(),
                "disposable cylinders".to_string(),
            ]
        );
    }

    #[test]
    fn blend_uses_mass_weighted_gwp_and_check_digit_is_flagged() {
        let inspection = Inspection {
            container: Container {
                number: "CSQU3054384".into(),
                ..Default::default()
            },
            declaration: Declaration {
                hs_code: Some("3827.61.00".into()),
                ..Default::default()
            },
            findings: vec![Finding {
                id: "f1".into(),
                declared_substance: Some("R-404A".into()),
                identified_substance: Some("R-404A".into()),
                net_mass_kg: Some(1000.0),
                ..Default::default()
            }],
            ..Default::default()
        };
        let a = assess(&inspection);
        assert!(
            (a.total.co2e_tonnes - 3921.6).abs() < 0.01,
            "{}",
            a.total.co2e_tonnes
        );
        assert_eq!(a.total.odp_tonnes, 0.0);
        assert_eq!(
            a.flags,
            vec![Flag::InvalidCheckDigit {
                number: "CSQU3054384".into(),
                expected: 3
            }]
        );
    }

    #[test]
    fn seizing_more_than_was_found_is_flagged() {
        let mut f = r22_finding();
        f.net_mass_kg = Some(10.0);
        let inspection = Inspection {
            findings: vec![f],
            seizure: Some(Seizure {
                items: vec![SeizureItem {
                    finding_id: "f1".into(),
                    quantity_kg: 50.0,
                    cylinders: None,
                }],
                ..Default::default()
            }),
            ..Default::default()
        };
        let a = assess(&inspection);
        assert_eq!(
            a.flags.last().unwrap().message(),
            "seized 50 kg from f1, which records only 10 kg"
        );
        assert_eq!(a.seized.kg, 50.0);
    }

    #[test]
    fn unknown_mass_gives_no_quantity_and_undeclared_is_flagged() {
        let inspection = Inspection {
            findings: vec![Finding {
                id: "f1".into(),
                identified_substance: Some("CFC-12".into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        let a = assess(&inspection);
        assert_eq!(a.findings[0].quantity, None);
        assert_eq!(a.total, Quantity::default());
        assert_eq!(
            a.flags[0].message(),
            "undeclared controlled substance: identified CFC-12"
        );
    }
}
