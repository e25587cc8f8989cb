//! `--demo`: stations, users, enrolment codes and a few realistic inspections, so a newcomer sees
//! the system work within a minute.

use quayside_core::doc::inspection::{self, Header};
use quayside_core::doc::{Author, Document};
use quayside_core::model::edits::{
    CustodyInput, DeclarationPatch, FindingPatch, InspectionPatch, SeizurePatch,
};
use quayside_core::model::{CylinderType, ModusOperandi, SeizureAction, SeizureItem};

use crate::db::Db;
use crate::error::ServerResult;

/// What the demo created, to print for the person who started it.
pub struct DemoInfo {
    pub codes: Vec<(String, String)>,
    /// One-time codes to enrol a browser on the web console, per user (each role once; the
    /// `admin` user must exist already).
    pub console_codes: Vec<(String, String)>,
    pub analyst_token: String,
}

/// One lot of cylinders found in a demo inspection.
struct Lot {
    declared: &'static str,
    identified: Option<&'static str>,
    /// What the identifier measured, when it read a mixture.
    measured: &'static [(&'static str, f64)],
    cylinders: u32,
    kg_each: f64,
}

/// One demo inspection.
struct Case {
    container: &'static str,
    declared_hs: &'static str,
    origin: &'static str,
    lots: &'static [Lot],
    seized: bool,
}

const fn lot(
    declared: &'static str,
    identified: &'static str,
    cylinders: u32,
    kg_each: f64,
) -> Lot {
    Lot {
        declared,
        identified: Some(identified),
        measured: &[],
        cylinders,
        kg_each,
    }
}

/// What ozone units see in seizures: a false declaration hiding an HCFC, a legitimate HFC
/// blend, a CFC, a CFC/HCFC blend declared as an HFC blend, and "propane" cylinders holding a
/// contaminated mixture beside a lot the identifier could not name.
const CASES: [Case; 5] = [
    Case {
        container: "CSQU3054383",
        declared_hs: "2903.45",
        origin: "CN",
        lots: &[lot("R-134a", "R-22", 1139, 13.6)],
        seized: true,
    },
    Case {
        container: "ZEPU0037255",
        declared_hs: "3827.63",
        origin: "CN",
        lots: &[lot("R-410A", "R-410A", 40, 11.3)],
        seized: false,
    },
    Case {
        container: "MSKU9070323",
        declared_hs: "2903.45",
        origin: "AE",
        lots: &[lot("R-134a", "CFC-12", 220, 13.6)],
        seized: true,
    },
    Case {
        container: "MSCU1234566",
        declared_hs: "3827.61",
        origin: "IN",
        lots: &[lot("R-404A", "R-502", 60, 10.9)],
        seized: true,
    },
    Case {
        container: "TGHU7701231",
        declared_hs: "2711.12",
        origin: "CN",
        lots: &[
            Lot {
                declared: "R-290",
                identified: None,
                measured: &[("R-22", 60.0), ("R-290", 38.0), ("air", 2.0)],
                cylinders: 80,
                kg_each: 5.0,
            },
            lot("R-290", "unknown", 20, 10.0),
        ],
        seized: true,
    },
];

/// Seeds the demo data (only into an empty server).
pub fn seed(db: &Db) -> ServerResult<DemoInfo> {
    db.add_station("GHTEM", "GH", "Tema port")?;
    db.add_station("GHTKD", "GH", "Takoradi port")?;
    db.add_station("NLRTM", "NL", "Rotterdam")?;
    db.add_user("ama", "officer", &["GHTEM".into()], None)?;
    db.add_user("kofi", "officer", &["GHTEM".into()], None)?;
    db.add_user("esi", "supervisor", &["GHTEM".into(), "GHTKD".into()], None)?;
    db.add_user("nana", "ozone_analyst", &[], Some("GH"))?;
    let mut codes = Vec::new();
    for user in ["ama", "kofi", "esi"] {
        codes.push((user.to_string(), db.create_enrol_code(user, 24 * 30)?));
    }
    let mut console_codes = Vec::new();
    let users = db.users()?;
    for user in ["esi", "nana", "admin", "ama"] {
        if users.iter().any(|u| u.name == user) {
            console_codes.push((user.to_string(), db.create_enrol_code(user, 24 * 30)?));
        }
    }
    let analyst_token = db.create_api_token("nana")?;
    for (n, case) in CASES.iter().enumerate() {
        let actor: [u8; 16] = rand::random();
        let author = Author {
            user: "ama".into(),
            device: "demo-device".into(),
        };
        let mut doc = Document::new(&actor);
        let id = uuid::Uuid::now_v7().to_string();
        let header = Header {
            id: id.clone(),
            station: "GHTEM".into(),
            officer: "ama".into(),
            device: "demo-device".into(),
            created_at: quayside_core::model::edits::now_rfc3339(),
        };
        let fields = InspectionPatch {
            container_number: Some(case.container.into()),
            seals: Some(vec![format!("ML-{}", 448_812 + n)]),
            selection_reason: Some("risk profile: refrigerant declared under 3827".into()),
            declaration: DeclarationPatch {
                hs_code: Some(case.declared_hs.into()),
                origin: Some(case.origin.into()),
                destination: Some("GH".into()),
                ..Default::default()
            },
            ..Default::default()
        }
        .validate()?;
        inspection::create(&mut doc, &author, &header, &fields)?;
        let mut items = Vec::new();
        for (k, lot) in case.lots.iter().enumerate() {
            let finding_id = format!("f-demo-{n}-{k}");
            let finding = FindingPatch {
                declared_substance: Some(lot.declared.into()),
                identified_substance: lot.identified.map(str::to_string),
                composition: (!lot.measured.is_empty()).then(|| {
                    lot.measured
                        .iter()
                        .map(|(c, pct)| (c.to_string(), *pct))
                        .collect()
                }),
                cylinders: Some(lot.cylinders),
                cylinder_type: Some(CylinderType::Disposable),
                net_mass_kg: Some(
                    (f64::from(lot.cylinders) * lot.kg_each * 1000.0).round() / 1000.0,
                ),
                ..Default::default()
            }
            .validate()?;
            inspection::add_finding(&mut doc, &author, &finding_id, &finding)?;
            items.push(SeizureItem {
                finding_id,
                quantity_kg: finding.net_mass_kg.unwrap_or_default(),
                cylinders: Some(lot.cylinders),
            });
        }
        if case.seized {
            let seizure = SeizurePatch {
                case_ref: Some(format!("GRA-CUS-2026-{:04}", 410 + n)),
                action: Some(SeizureAction::Seized),
                legal_basis: Some("Customs Act 2015 (Act 891) s.248".into()),
                modus_operandi: Some(vec![
                    ModusOperandi::Mislabelled,
                    ModusOperandi::DisposableCylinders,
                ]),
                items: Some(items),
                ..Default::default()
            };
            let now = quayside_core::model::edits::now_rfc3339();
            inspection::set_seizure(&mut doc, &author, &seizure, &now)?;
            let custody = CustodyInput {
                from: "ama".into(),
                to: "Tema bonded warehouse".into(),
                ..Default::default()
            };
            inspection::add_custody(
                &mut doc,
                &author,
                &format!("c-{}", uuid::Uuid::now_v7().simple()),
                &custody,
                &now,
            )?;
            // Signed with a key of the demo's own (the demo officer has no device here).
            inspection::submit(
                &mut doc,
                &author,
                &quayside_core::model::edits::now_rfc3339(),
                &quayside_core::signing::new_secret(),
            )?;
        }
        db.insert_local(&id, "GHTEM", &mut doc)?;
    }
    Ok(DemoInfo {
        codes,
        console_codes,
        analyst_token,
    })
}
