//! `--demo`: stations, users, enrolment codes and a few realistic inspections, so a newcomer sees
//! the system work within a minute.

use quayside_core::doc::inspection::{self, Header};
use quayside_core::doc::{Author, Document};
use quayside_core::model::edits::{CustodyInput, FindingPatch, InspectionPatch, SeizurePatch};
use quayside_core::model::{CylinderType, ModusOperandi, SeizureAction, SeizureItem};

use crate::db::Db;
use crate::error::ServerResult;

/// What the demo created, to print for the person who started it.
pub struct DemoInfo {
    pub codes: Vec<(String, String)>,
    pub analyst_token: String,
}

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
    let analyst_token = db.create_api_token("nana")?;
    for (n, (container, declared, identified, cylinders, kg, seized)) in [
        ("CSQU3054383", "R-134a", "R-22", 1139u32, 13.6, true),
        ("ZEPU0037255", "R-410A", "R-410A", 40, 11.3, false),
        ("MSKU9070323", "R-134a", "CFC-12", 220, 13.6, true),
    ]
    .into_iter()
    .enumerate()
    {
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
            container_number: Some(container.into()),
            seals: Some(vec![format!("ML-{}", 448_812 + n)]),
            selection_reason: Some("risk profile: refrigerant declared under 3827".into()),
            ..Default::default()
        }
        .validate()?;
        inspection::create(&mut doc, &author, &header, &fields)?;
        let finding_id = format!("f-demo-{n}");
        let finding = FindingPatch {
            declared_substance: Some(declared.into()),
            identified_substance: Some(identified.into()),
            cylinders: Some(cylinders),
            cylinder_type: Some(CylinderType::Disposable),
            net_mass_kg: Some((f64::from(cylinders) * kg * 1000.0).round() / 1000.0),
            ..Default::default()
        }
        .validate()?;
        inspection::add_finding(&mut doc, &author, &finding_id, &finding)?;
        if seized {
            let seizure = SeizurePatch {
                case_ref: Some(format!("GRA-CUS-2026-{:04}", 410 + n)),
                action: Some(SeizureAction::Seized),
                modus_operandi: Some(vec![
                    ModusOperandi::Mislabelled,
                    ModusOperandi::DisposableCylinders,
                ]),
                items: Some(vec![SeizureItem {
                    finding_id: finding_id.clone(),
                    quantity_kg: finding.net_mass_kg.unwrap_or_default(),
                    cylinders: Some(cylinders),
                }]),
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
        analyst_token,
    })
}
