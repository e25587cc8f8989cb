//! Figures and flags derived from an inspection and the reference data: mass, ODP-tonnes,
//! CO2-eq tonnes and the warnings an officer or analyst must see. Computed on every read, never
//! stored, so a corrected reference value corrects every report.

use serde::Serialize;

use super::container::ContainerNumber;
use super::{AIR, CylinderType, Finding, Inspection, UNKNOWN};
use crate::reference;

/// Quantities in the reporting units. ODP- and CO2-eq tonnes cover what has a known ODP and GWP;
/// the kilograms without one are counted apart, so an unknown is shown as such and is never a
/// silent zero.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Quantity {
    pub kg: f64,
    pub tonnes: f64,
    pub odp_tonnes: f64,
    pub co2e_tonnes: f64,
    /// Kilograms whose ODP is not known (not identified, outside the reference, an unknown
    /// fraction, a polyol's content not entered): left out of `odp_tonnes`.
    pub odp_unknown_kg: f64,
    /// Kilograms whose GWP is not known: left out of `co2e_tonnes`.
    pub gwp_unknown_kg: f64,
}

impl Quantity {
    /// `kg` of a substance with the given ODP and GWP (None: not known).
    pub fn of(kg: f64, odp: Option<f64>, gwp: Option<f64>) -> Self {
        let tonnes = kg / 1000.0;
        Self {
            kg,
            tonnes,
            odp_tonnes: odp.map_or(0.0, |o| tonnes * o),
            co2e_tonnes: gwp.map_or(0.0, |g| tonnes * g),
            odp_unknown_kg: if odp.is_some() { 0.0 } else { kg },
            gwp_unknown_kg: if gwp.is_some() { 0.0 } else { kg },
        }
    }

    /// `kg` of something made of `parts`.
    pub fn of_parts(kg: f64, parts: &[Part]) -> Self {
        let mut q = Quantity::default();
        for p in parts {
            q.add(&Quantity::of(kg * p.fraction, p.odp, p.gwp));
        }
        // The parts' kilograms add up to `kg` up to rounding; keep the mass as recorded.
        q.kg = kg;
        q.tonnes = kg / 1000.0;
        q
    }

    pub fn add(&mut self, other: &Quantity) {
        self.kg += other.kg;
        self.tonnes += other.tonnes;
        self.odp_tonnes += other.odp_tonnes;
        self.co2e_tonnes += other.co2e_tonnes;
        self.odp_unknown_kg += other.odp_unknown_kg;
        self.gwp_unknown_kg += other.gwp_unknown_kg;
    }

    /// Whether the ODP-tonnes cover every kilogram.
    pub fn odp_complete(&self) -> bool {
        self.odp_unknown_kg <= 0.0
    }

    /// Whether the CO2-eq tonnes cover every kilogram.
    pub fn gwp_complete(&self) -> bool {
        self.gwp_unknown_kg <= 0.0
    }
}

/// One substance a finding is made of, per kilogram of the finding: the substance itself, a
/// component of a blend, a component the identifier measured, the controlled content of a
/// pre-blended polyol, or what is not known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// A reference id, `air`, `unknown`, a name recorded outside the reference, or
    /// `unidentified` when nothing was recorded.
    pub substance: String,
    /// Montreal Protocol annex and group; None when not controlled or not known.
    pub annex_group: Option<String>,
    /// Share of the finding's mass (0-1).
    pub fraction: f64,
    pub odp: Option<f64>,
    pub gwp: Option<f64>,
}

/// What a finding's figures rest on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The composition the identifier measured.
    Measured,
    /// The substance the identifier named, from the reference.
    Identified,
    /// Nothing identified: the declared substance.
    Declared,
    /// Identified as unknown, or as a substance outside the reference: laboratory analysis.
    NotIdentified,
    /// No substance recorded at all: counted in kg only.
    NotRecorded,
}

/// The substance no one recorded.
pub const UNIDENTIFIED: &str = "unidentified";

/// A warning shown with an inspection.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Flag {
    /// The container number's check digit is wrong (recorded anyway by the officer).
    InvalidCheckDigit { number: String, expected: u32 },
    /// The identifier found a different substance than declared (or nothing was declared).
    SubstanceMismatch {
        finding_id: String,
        declared: Option<String>,
        identified: String,
        /// Whether what was identified is controlled by the Montreal Protocol.
        controlled: bool,
    },
    /// An HS code (declared or observed) that does not fit the identified substance.
    HsCodeInconsistent {
        finding_id: String,
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
    /// What the finding holds is not known well enough for its figures: a sample goes to a
    /// laboratory (or, for a pre-blended polyol, its controlled content is to be entered).
    LabAnalysis {
        finding_id: String,
        reason: LabReason,
    },
    /// No substance recorded for a finding: it counts in kilograms only.
    NoSubstance { finding_id: String },
}

/// Why a finding needs a laboratory (or more input) before its figures are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LabReason {
    /// Nothing in the reference matches what was found.
    NotIdentified,
    /// Part of a measured composition is unknown.
    UnknownPart,
    /// A pre-blended polyol whose HCFC-141b content is not entered.
    PolyolContent,
}

impl LabReason {
    /// One line for a person to read.
    pub fn text(self) -> &'static str {
        match self {
            LabReason::NotIdentified => {
                "not identified from the reference: send a sample for laboratory analysis; ODP and CO2-eq are unknown"
            }
            LabReason::UnknownPart => {
                "part of the measured composition is unknown: send a sample for laboratory analysis; ODP and CO2-eq cover only what was named"
            }
            LabReason::PolyolContent => {
                "enter the HCFC-141b content of the pre-blended polyol (% by mass) for its figures"
            }
        }
    }
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
                controlled: true,
                ..
            } => {
                format!("undeclared controlled substance: identified {identified}")
            }
            Flag::SubstanceMismatch {
                declared: None,
                identified,
                controlled: false,
                ..
            } => {
                format!("nothing declared: identified {identified}")
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
                seized_kg,
                found_kg,
                ..
            } => {
                format!("seized {seized_kg} kg, more than the {found_kg} kg the finding records")
            }
            Flag::LabAnalysis { reason, .. } => reason.text().to_string(),
            Flag::NoSubstance { .. } => "no substance recorded: counted in kg only".to_string(),
        }
    }
}

/// The computed figures for one finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingFigures {
    pub finding_id: String,
    /// What the figures are for: a reference id, `unknown`, a name outside the reference, a
    /// measured composition written out, or None when nothing was recorded.
    pub substance: Option<String>,
    pub basis: Basis,
    /// ODP and GWP per kilogram of the finding; None when not known.
    pub odp: Option<f64>,
    pub gwp: Option<f64>,
    pub gwp_source: Option<String>,
    /// What one kilogram of the finding is made of.
    pub parts: Vec<Part>,
    /// None when the mass is not recorded.
    pub quantity: Option<Quantity>,
}

/// Everything derived from an inspection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub findings: Vec<FindingFigures>,
    /// Sum over every finding with a recorded mass (unknown substances included, in kg).
    pub total: Quantity,
    /// Sum over the seizure's items (each valued as its finding).
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
        finding_flags(finding, &figures, &mut flags);
        // The declared code must fit what each finding is.
        if let Some(code) = &inspection.declaration.hs_code
            && let Some(flag) = hs_flag(&finding.id, code, &figures)
        {
            flags.push(flag);
        }
        findings.push(figures);
    }

    let mut seized = Quantity::default();
    if let Some(seizure) = &inspection.seizure {
        for item in &seizure.items {
            let Some(finding) = inspection.finding(&item.finding_id) else {
                continue;
            };
            let parts = findings
                .iter()
                .find(|f| f.finding_id == item.finding_id)
                .map(|f| f.parts.as_slice())
                .unwrap_or_default();
            seized.add(&Quantity::of_parts(item.quantity_kg, parts));
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

/// The parts one kilogram of a reference substance is made of (a polyol's with its content).
fn substance_parts(s: &reference::Substance, content_pct: Option<f64>) -> Vec<Part> {
    let part = |s: &reference::Substance, fraction: f64| Part {
        substance: s.id.clone(),
        annex_group: s.annex_group.clone(),
        fraction,
        odp: Some(s.odp),
        gwp: s.gwp,
    };
    if s.is_polyol() {
        // The controlled content is what counts, under the polyol's own name (ozone units report
        // HCFC-141b in pre-blended polyols apart from bulk HCFC-141b) and with the ODP and GWP
        // of HCFC-141b the reference gives it; the polyether around it is not a refrigerant.
        return match content_pct {
            Some(c) => vec![
                part(s, c / 100.0),
                Part {
                    substance: "polyol (rest)".into(),
                    annex_group: None,
                    fraction: 1.0 - c / 100.0,
                    odp: Some(0.0),
                    gwp: Some(0.0),
                },
            ],
            None => vec![Part {
                substance: s.id.clone(),
                annex_group: s.annex_group.clone(),
                fraction: 1.0,
                odp: None,
                gwp: None,
            }],
        };
    }
    if s.components.is_empty() {
        return vec![part(s, 1.0)];
    }
    s.components
        .iter()
        .filter_map(|c| {
            reference::substance(&c.substance_id).map(|cs| part(cs, c.mass_pct / 100.0))
        })
        .collect()
}

/// What the figures of a finding rest on, a label for it and its parts.
fn finding_parts(finding: &Finding) -> (Basis, Option<String>, Option<String>, Vec<Part>) {
    let unknown = |name: &str| Part {
        substance: name.to_string(),
        annex_group: None,
        fraction: 1.0,
        odp: None,
        gwp: None,
    };
    if !finding.composition.is_empty() {
        let mut parts = Vec::new();
        for c in &finding.composition {
            let fraction = c.pct / 100.0;
            match c.component.as_str() {
                AIR => parts.push(Part {
                    substance: AIR.into(),
                    annex_group: None,
                    fraction,
                    odp: Some(0.0),
                    gwp: Some(0.0),
                }),
                UNKNOWN => parts.push(Part {
                    fraction,
                    ..unknown(UNKNOWN)
                }),
                id => match reference::substance(id) {
                    Some(s) => parts.extend(substance_parts(s, None).into_iter().map(|mut p| {
                        p.fraction *= fraction;
                        p
                    })),
                    None => parts.push(Part {
                        fraction,
                        ..unknown(id)
                    }),
                },
            }
        }
        let label = finding
            .composition
            .iter()
            .map(|c| format!("{} {} %", c.component, trim_number(c.pct)))
            .collect::<Vec<_>>()
            .join(", ");
        return (
            Basis::Measured,
            Some(format!("measured: {label}")),
            Some("the measured composition, mass-weighted".into()),
            parts,
        );
    }
    let known = |name: Option<&str>| name.and_then(reference::substance);
    if let Some(s) = known(finding.identified_substance.as_deref()) {
        return (
            Basis::Identified,
            Some(s.id.clone()),
            Some(s.gwp_source.clone()),
            substance_parts(s, finding.content_pct),
        );
    }
    if let Some(other) = finding
        .identified_other
        .as_deref()
        .filter(|o| !o.is_empty())
    {
        return (
            Basis::NotIdentified,
            Some(other.into()),
            None,
            vec![unknown(other)],
        );
    }
    if finding.identified_substance.as_deref() == Some(UNKNOWN) {
        return (
            Basis::NotIdentified,
            Some(UNKNOWN.into()),
            None,
            vec![unknown(UNKNOWN)],
        );
    }
    if let Some(s) = known(finding.declared_substance.as_deref()) {
        return (
            Basis::Declared,
            Some(s.id.clone()),
            Some(s.gwp_source.clone()),
            substance_parts(s, finding.content_pct),
        );
    }
    (Basis::NotRecorded, None, None, vec![unknown(UNIDENTIFIED)])
}

/// A number as typed back (`60`, `37.5`).
fn trim_number(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn finding_figures(finding: &Finding) -> FindingFigures {
    let (basis, substance, gwp_source, parts) = finding_parts(finding);
    let weighted = |value: fn(&Part) -> Option<f64>| {
        parts
            .iter()
            .map(|p| value(p).map(|v| v * p.fraction))
            .sum::<Option<f64>>()
    };
    FindingFigures {
        finding_id: finding.id.clone(),
        substance,
        basis,
        odp: weighted(|p| p.odp),
        gwp: weighted(|p| p.gwp),
        gwp_source,
        quantity: finding.net_mass_kg.map(|kg| Quantity::of_parts(kg, &parts)),
        parts,
    }
}

/// The controlled components and their shares, air left out: what a declaration is compared
/// with.
fn make_up(parts: &[Part]) -> Vec<(String, f64)> {
    let counted: f64 = parts
        .iter()
        .filter(|p| p.substance != AIR)
        .map(|p| p.fraction)
        .sum();
    let mut out: Vec<(String, f64)> = Vec::new();
    for p in parts.iter().filter(|p| p.substance != AIR) {
        let share = if counted > 0.0 {
            p.fraction / counted
        } else {
            0.0
        };
        match out.iter_mut().find(|(s, _)| *s == p.substance) {
            Some(e) => e.1 += share,
            None => out.push((p.substance.clone(), share)),
        }
    }
    out
}

fn finding_flags(finding: &Finding, figures: &FindingFigures, flags: &mut Vec<Flag>) {
    let identified = match figures.basis {
        Basis::Measured | Basis::Identified | Basis::NotIdentified => figures.substance.clone(),
        Basis::Declared | Basis::NotRecorded => None,
    };
    if let Some(identified) = identified {
        let declared = finding
            .declared_substance
            .as_deref()
            .and_then(reference::substance);
        // A measured composition matches the declaration when every component is within five
        // percentage points of what was declared (identifiers report purity, not exact blends).
        let matches = declared.is_some_and(|d| match figures.basis {
            Basis::Measured => {
                let want = make_up(&substance_parts(d, finding.content_pct));
                let got = make_up(&figures.parts);
                want.iter().chain(&got).all(|(s, _)| {
                    let share = |v: &[(String, f64)]| {
                        v.iter().find(|(x, _)| x == s).map_or(0.0, |(_, f)| *f)
                    };
                    (share(&want) - share(&got)).abs() <= 0.05
                })
            }
            _ => Some(d.id.as_str()) == finding.identified_substance.as_deref(),
        });
        if !matches {
            let controlled = figures.parts.iter().any(|p| p.annex_group.is_some())
                || figures.basis == Basis::NotIdentified;
            flags.push(Flag::SubstanceMismatch {
                finding_id: finding.id.clone(),
                declared: finding.declared_substance.clone(),
                identified,
                controlled,
            });
        }
    }
    let reason = match figures.basis {
        Basis::NotIdentified => Some(LabReason::NotIdentified),
        Basis::Measured if figures.parts.iter().any(|p| p.substance == UNKNOWN) => {
            Some(LabReason::UnknownPart)
        }
        Basis::Identified | Basis::Declared
            if figures.parts.iter().any(|p| {
                p.odp.is_none() && reference::substance(&p.substance).is_some_and(|s| s.is_polyol())
            }) =>
        {
            Some(LabReason::PolyolContent)
        }
        _ => None,
    };
    if let Some(reason) = reason {
        flags.push(Flag::LabAnalysis {
            finding_id: finding.id.clone(),
            reason,
        });
    }
    if figures.basis == Basis::NotRecorded {
        flags.push(Flag::NoSubstance {
            finding_id: finding.id.clone(),
        });
    }
    if let Some(code) = &finding.hs_code_observed
        && let Some(flag) = hs_flag(&finding.id, code, figures)
    {
        flags.push(flag);
    }
    if finding.cylinder_type == Some(CylinderType::Disposable) {
        flags.push(Flag::DisposableCylinders {
            finding_id: finding.id.clone(),
        });
    }
}

/// The HS subheading what a finding was found to be belongs under: the identified substance's,
/// or that of the measured composition when every part of it is in the reference. None when
/// nothing was identified or the goods are not known well enough.
fn expected_hs(figures: &FindingFigures) -> Option<String> {
    match figures.basis {
        Basis::Identified => figures
            .substance
            .as_deref()
            .and_then(reference::substance)
            .map(|s| s.hs_code.clone()),
        Basis::Measured => {
            let mut parts = Vec::new();
            for p in figures.parts.iter().filter(|p| p.substance != AIR) {
                parts.push((reference::substance(&p.substance)?, p.fraction * 100.0));
            }
            Some(reference::mixture_hs_code(&parts)).filter(|c| !c.is_empty())
        }
        _ => None,
    }
}

fn hs_flag(finding_id: &str, code: &str, figures: &FindingFigures) -> Option<Flag> {
    let expected = expected_hs(figures)?;
    match reference::hs_matches(&expected, code) {
        Some(false) => Some(Flag::HsCodeInconsistent {
            finding_id: finding_id.to_string(),
            code: code.to_string(),
            substance: figures.substance.clone().unwrap_or_default(),
            expected,
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
        assert!(a.total.odp_complete() && a.total.gwp_complete());
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
            "seized 50 kg, more than the 10 kg the finding records"
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

    fn finding(declared: Option<&str>, identified: Option<&str>, kg: f64) -> Finding {
        Finding {
            id: "f1".into(),
            declared_substance: declared.map(str::to_string),
            identified_substance: identified.map(str::to_string),
            net_mass_kg: Some(kg),
            ..Default::default()
        }
    }

    fn one(f: Finding) -> Assessment {
        assess(&Inspection {
            findings: vec![f],
            ..Default::default()
        })
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn measured(parts: &[(&str, f64)]) -> Vec<crate::model::MeasuredComponent> {
        parts
            .iter()
            .map(|(c, pct)| crate::model::MeasuredComponent {
                component: c.to_string(),
                pct: *pct,
            })
            .collect()
    }

    #[test]
    fn r502_counts_each_component_under_its_own_annex_group() {
        // 100 kg of R-502: 48.8 % HCFC-22 (ODP 0.055, GWP 1810) and 51.2 % CFC-115 (0.6, 7370).
        let a = one(finding(Some("R-502"), Some("R-502"), 100.0));
        let f = &a.findings[0];
        let groups: Vec<(&str, Option<&str>, f64)> = f
            .parts
            .iter()
            .map(|p| (p.substance.as_str(), p.annex_group.as_deref(), p.fraction))
            .collect();
        assert_eq!(
            groups,
            [
                ("HCFC-22", Some("C/I"), 0.488),
                ("CFC-115", Some("A/I"), 0.512)
            ]
        );
        assert!(close(
            a.total.odp_tonnes,
            0.1 * (0.488 * 0.055 + 0.512 * 0.6)
        ));
        assert!(close(a.total.odp_tonnes, 0.033404));
        assert!(close(
            a.total.co2e_tonnes,
            0.1 * (0.488 * 1810.0 + 0.512 * 7370.0)
        ));
        assert!(a.flags.is_empty(), "{:?}", a.flags);
    }

    #[test]
    fn hfo_blend_by_hand() {
        // 200 kg of R-513A: 56 % HFO-1234yf (GWP 4) + 44 % HFC-134a (1430) = 631.44 per kg.
        let a = one(finding(Some("R-513A"), Some("R-513A"), 200.0));
        assert!(
            close(a.total.co2e_tonnes, 0.2 * 631.44),
            "{}",
            a.total.co2e_tonnes
        );
        assert_eq!(a.total.odp_tonnes, 0.0);
        assert!(a.total.odp_complete() && a.total.gwp_complete());
        let hfo = &a.findings[0].parts[0];
        assert_eq!(
            (hfo.substance.as_str(), hfo.annex_group.as_deref()),
            ("HFO-1234yf", None)
        );
    }

    #[test]
    fn a_declared_hydrocarbon_hiding_an_hcfc_is_flagged() {
        let a = one(finding(Some("R-290"), Some("HCFC-22"), 100.0));
        assert_eq!(
            a.flags,
            [Flag::SubstanceMismatch {
                finding_id: "f1".into(),
                declared: Some("R-290".into()),
                identified: "HCFC-22".into(),
                controlled: true,
            }]
        );
        // The other way round it is still a false declaration, of something uncontrolled.
        let a = one(finding(Some("HCFC-22"), Some("R-290"), 100.0));
        assert!(matches!(
            &a.flags[0],
            Flag::SubstanceMismatch { controlled: false, identified, .. } if identified == "R-290"
        ));
        // 100 kg of propane, GWP 3: 0.3 t CO2-eq, no ODP.
        assert!(close(a.total.co2e_tonnes, 0.3));
        assert_eq!(a.findings[0].parts[0].annex_group, None);
        // Declared and found the same uncontrolled substitute: nothing to flag.
        assert!(
            one(finding(Some("R-290"), Some("R-290"), 10.0))
                .flags
                .is_empty()
        );
    }

    #[test]
    fn a_contaminated_reading_is_valued_as_measured() {
        // The identifier reads 60 % HCFC-22, 38 % R-290 and 2 % air in "R-290" cylinders.
        let f = Finding {
            composition: measured(&[("HCFC-22", 60.0), ("R-290", 38.0), ("air", 2.0)]),
            ..finding(Some("R-290"), None, 100.0)
        };
        let a = assess(&Inspection {
            declaration: Declaration {
                hs_code: Some("2711.12".into()),
                ..Default::default()
            },
            findings: vec![f],
            ..Default::default()
        });
        let figures = &a.findings[0];
        assert_eq!(figures.basis, Basis::Measured);
        // ODP: 0.6 x 0.055 = 0.033 per kg; 0.1 t -> 0.0033 ODP-t.
        assert!(close(figures.odp.unwrap(), 0.033));
        assert!(close(a.total.odp_tonnes, 0.0033));
        // GWP: 0.6 x 1810 + 0.38 x 3 + 0.02 x 0 = 1087.14; 0.1 t -> 108.714 t CO2-eq.
        assert!(close(figures.gwp.unwrap(), 1087.14));
        assert!(close(a.total.co2e_tonnes, 108.714));
        assert!(a.total.odp_complete() && a.total.gwp_complete());
        let label = "measured: HCFC-22 60 %, R-290 38 %, air 2 %";
        assert_eq!(figures.substance.as_deref(), Some(label));
        let messages: Vec<String> = a.flags.iter().map(Flag::message).collect();
        assert_eq!(
            messages,
            [
                format!("declared R-290, identified {label}"),
                // An HCFC mixture is heading 38.27, not liquefied propane.
                format!("HS code 2711.12 does not fit {label} (expected 3827.32)"),
            ]
        );

        // Within five percentage points of the declaration (air aside): no mismatch.
        let pure = Finding {
            composition: measured(&[("R-290", 97.0), ("air", 3.0)]),
            ..finding(Some("R-290"), None, 10.0)
        };
        assert!(one(pure).flags.is_empty());
    }

    #[test]
    fn an_unknown_fraction_is_counted_apart_and_sent_to_the_laboratory() {
        // 50 kg: 80 % HFC-134a, 20 % the identifier cannot name.
        let f = Finding {
            composition: measured(&[("HFC-134a", 80.0), ("unknown", 20.0)]),
            ..finding(Some("HFC-134a"), None, 50.0)
        };
        let a = one(f);
        assert!(close(a.total.co2e_tonnes, 0.05 * 0.8 * 1430.0));
        assert!(close(a.total.odp_unknown_kg, 10.0));
        assert!(close(a.total.gwp_unknown_kg, 10.0));
        assert!(!a.total.gwp_complete());
        assert_eq!((a.findings[0].odp, a.findings[0].gwp), (None, None));
        assert!(
            a.flags
                .iter()
                .any(|f| matches!(f, Flag::LabAnalysis { .. }))
        );
    }

    #[test]
    fn unknown_and_unlisted_substances_count_in_kg_never_as_zero() {
        for f in [
            finding(Some("HFC-134a"), Some("unknown"), 120.0),
            Finding {
                identified_other: Some("R-12/R-22 mixture, proprietary".into()),
                ..finding(Some("HFC-134a"), None, 120.0)
            },
        ] {
            let a = one(f);
            assert_eq!(a.findings[0].basis, Basis::NotIdentified);
            assert!(close(a.total.kg, 120.0));
            assert!(close(a.total.odp_unknown_kg, 120.0));
            assert!(close(a.total.gwp_unknown_kg, 120.0));
            assert!(!a.total.odp_complete());
            assert!(matches!(
                &a.flags[0],
                Flag::SubstanceMismatch {
                    controlled: true,
                    ..
                }
            ));
            assert!(matches!(&a.flags[1], Flag::LabAnalysis { .. }));
        }
        // Nothing recorded: the kilograms still count, and the finding says so.
        let a = one(finding(None, None, 30.0));
        assert_eq!(a.findings[0].basis, Basis::NotRecorded);
        assert!(close(a.total.kg, 30.0) && close(a.total.odp_unknown_kg, 30.0));
        assert_eq!(
            a.flags,
            [Flag::NoSubstance {
                finding_id: "f1".into()
            }]
        );
    }

    #[test]
    fn a_polyols_figures_come_from_its_hcfc_content() {
        // 1,000 kg of pre-blended polyol with 12 % HCFC-141b (ODP 0.11, GWP 725).
        let polyol = "HCFC-141b in pre-blended polyol";
        let f = Finding {
            content_pct: Some(12.0),
            ..finding(Some(polyol), Some(polyol), 1000.0)
        };
        let a = one(f);
        // Counted under its own name, not as bulk HCFC-141b.
        let part = &a.findings[0].parts[0];
        assert_eq!((part.substance.as_str(), part.fraction), (polyol, 0.12));
        assert_eq!(part.annex_group.as_deref(), Some("C/I"));
        assert!(close(a.total.odp_tonnes, 1.0 * 0.12 * 0.11));
        assert!(close(a.total.co2e_tonnes, 1.0 * 0.12 * 725.0));
        assert!(a.total.odp_complete());
        assert!(a.flags.is_empty(), "{:?}", a.flags);
        // Without the content the figures are unknown and the officer is asked for it.
        let a = one(finding(Some(polyol), Some(polyol), 1000.0));
        assert!(close(a.total.odp_unknown_kg, 1000.0));
        assert!(
            a.flags[0].message().contains("HCFC-141b content"),
            "{:?}",
            a.flags
        );
    }

    #[test]
    fn the_declared_hs_code_is_checked_against_each_finding() {
        let inspection = Inspection {
            declaration: Declaration {
                hs_code: Some("3827.61".into()),
                ..Default::default()
            },
            findings: vec![
                finding(Some("R-404A"), Some("R-404A"), 10.0),
                Finding {
                    id: "f2".into(),
                    ..finding(Some("R-404A"), Some("HCFC-22"), 10.0)
                },
            ],
            ..Default::default()
        };
        let a = assess(&inspection);
        let hs: Vec<&Flag> = a
            .flags
            .iter()
            .filter(|f| matches!(f, Flag::HsCodeInconsistent { .. }))
            .collect();
        assert_eq!(
            hs,
            [&Flag::HsCodeInconsistent {
                finding_id: "f2".into(),
                code: "3827.61".into(),
                substance: "HCFC-22".into(),
                expected: "2903.71".into(),
            }]
        );
    }
}
