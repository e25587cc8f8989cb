//! Supervisor review end to end on a real server: approvals bound to exact versions, returns and
//! resubmissions, forged and tampered decisions refused, and approvals waiting for photos.

use quayside_core::doc::edit::ROOT;
use quayside_core::doc::{Author, Document, format_heads, review};
use quayside_core::model::review::{Decision, Review};
use quayside_core::sync::client::HttpClient;
use quayside_core::sync::protocol::{DocPush, Outcome, PROTOCOL_VERSION, RefusalCode, SyncRequest};
use quayside_core::{FindingFields, InspectionFields, PhotoFields};
use quayside_e2e::*;
use serde_bytes::ByteBuf;

fn record(d: &Device) -> String {
    let id = d
        .store
        .create_inspection(InspectionFields {
            container_number: Some("CSQU3054383".into()),
            ..Default::default()
        })
        .unwrap()
        .inspection
        .id;
    d.store
        .add_finding(
            id.clone(),
            FindingFields {
                declared_substance: Some("R-134a".into()),
                identified_substance: Some("R-22".into()),
                cylinders: Some(1139),
                net_mass_kg: Some(15_490.4),
                ..Default::default()
            },
        )
        .unwrap();
    id
}

/// The id of the first finding of inspection `id` on device `d`.
fn first_finding(d: &Device, id: &str) -> String {
    d.store
        .get_inspection(id.into())
        .unwrap()
        .inspection
        .findings[0]
        .id
        .clone()
}

fn state(d: &Device, id: &str) -> quayside_core::ReviewState {
    d.store.get_inspection(id.into()).unwrap().review_state
}

fn sync(d: &Device) -> quayside_core::SyncReportRecord {
    d.store.sync(None).unwrap()
}

#[test]
fn submit_approve_edit_return_resubmit() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let esi = Device::enrolled(&agency, &agency.url(), "esi", "GHTEM");
    let id = record(&ama);
    assert_eq!(state(&ama, &id), quayside_core::ReviewState::Draft);
    let view = ama.store.submit(id.clone()).unwrap();
    assert_eq!(
        view.review_state,
        quayside_core::ReviewState::AwaitingReview
    );
    assert_eq!(view.submission_verified, Some(true));
    sync(&ama);

    sync(&esi);
    let queue: Vec<String> = esi
        .store
        .review_queue()
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(queue, vec![id.clone()]);
    // Officers cannot approve, not even locally.
    assert!(
        ama.store
            .approve(id.clone(), shown(&ama, &id), String::new())
            .is_err()
    );
    let approval = esi
        .store
        .approve(id.clone(), shown(&esi, &id), "figures checked".into())
        .unwrap();
    let submitted = format_heads(
        &ama.store
            .inner()
            .document("inspection", &id)
            .unwrap()
            .heads(),
    );
    assert_eq!(
        approval.reviewed_heads, submitted,
        "the approval names the version submitted"
    );
    assert_eq!(state(&esi, &id), quayside_core::ReviewState::Approved);
    let r = sync(&esi);
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert!(esi.store.review_queue().unwrap().is_empty());

    // The officer sees the approval, signed, covering exactly what she submitted.
    sync(&ama);
    let v = ama.store.get_inspection(id.clone()).unwrap();
    assert_eq!(v.review_state, quayside_core::ReviewState::Approved);
    assert_eq!(v.reviews.len(), 1);
    assert!(v.reviews[0].signature_verified);

    // An edit after approval: "changed since approval" everywhere until reviewed again.
    ama.store
        .update_finding(
            id.clone(),
            v.inspection.findings[0].id.clone(),
            FindingFields {
                net_mass_kg: Some(15_000.0),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    assert_eq!(
        state(&ama, &id),
        quayside_core::ReviewState::ChangedSinceApproval
    );
    sync(&ama);
    sync(&esi);
    assert_eq!(
        state(&esi, &id),
        quayside_core::ReviewState::ChangedSinceApproval
    );
    assert_eq!(esi.store.review_queue().unwrap().len(), 1);
    let (_, server_state) = agency.with_db(|db| db.review_state(&id));
    assert_eq!(server_state, "changed_since_approval");

    // Returned with a comment; the officer edits and resubmits; approved again.
    let no_comment = esi
        .store
        .return_inspection(id.clone(), shown(&esi, &id), String::new())
        .unwrap_err();
    assert_eq!(
        no_comment.user_message().key,
        quayside_core::MessageKey::RuleCommentNeeded,
        "a return needs a comment"
    );
    esi.store
        .return_inspection(
            id.clone(),
            shown(&esi, &id),
            "weigh the cylinders again".into(),
        )
        .unwrap();
    sync(&esi);
    sync(&ama);
    assert_eq!(state(&ama, &id), quayside_core::ReviewState::Returned);
    let v = ama.store.get_inspection(id.clone()).unwrap();
    assert_eq!(
        v.reviews.last().unwrap().comment,
        "weigh the cylinders again"
    );
    ama.store
        .update_finding(
            id.clone(),
            v.inspection.findings[0].id.clone(),
            FindingFields {
                net_mass_kg: Some(15_490.4),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    assert_eq!(
        ama.store.submit(id.clone()).unwrap().review_state,
        quayside_core::ReviewState::AwaitingReview
    );
    assert_eq!(
        ama.store.submit(id.clone()).unwrap_err().user_message().key,
        quayside_core::MessageKey::RuleAlreadySubmitted,
        "already submitted"
    );
    sync(&ama);
    sync(&esi);
    assert_eq!(state(&esi, &id), quayside_core::ReviewState::AwaitingReview);
    esi.store
        .approve(id.clone(), shown(&esi, &id), String::new())
        .unwrap();
    assert!(sync(&esi).rejected.is_empty());
    sync(&ama);
    assert_eq!(state(&ama, &id), quayside_core::ReviewState::Approved);
    assert_eq!(agency.with_db(|db| db.review_state(&id)).1, "approved");
}

/// Pushes one document by hand with `token` (what a forged or tampered client would send).
fn push(agency: &Agency, token: &str, kind: &str, id: &str, doc: &mut Document) -> Outcome {
    let client = HttpClient::new(&agency.url(), Some(token.into())).unwrap();
    let (res, _, _) = client
        .sync(&SyncRequest {
            version: PROTOCOL_VERSION,
            docs: vec![DocPush {
                id: id.into(),
                kind: kind.into(),
                shared_heads: vec![],
                heads: vec![],
                changes: vec![],
                snapshot: Some(ByteBuf::from(doc.save())),
            }],
        })
        .unwrap();
    res.docs[0].outcome.clone()
}

#[test]
fn forged_and_tampered_decisions_are_refused() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let esi = Device::enrolled(&agency, &agency.url(), "esi", "GHTEM");
    let id = record(&ama);
    ama.store.submit(id.clone()).unwrap();
    sync(&ama);
    sync(&esi);
    let heads: Vec<String> = format_heads(
        &ama.store
            .inner()
            .document("inspection", &id)
            .unwrap()
            .heads(),
    );

    // An approval written on the officer's own device, with her actor and key: refused.
    let ama_info = ama.store.device_info();
    let ama_link = ama.store.inner().server_link().unwrap().unwrap();
    let forged = |reviewer: &str, device: &str, actor: &[u8], secret: &[u8; 32]| {
        let mut r = Review {
            schema: 1,
            id: uuid_like(),
            inspection_id: id.clone(),
            reviewer: reviewer.into(),
            device: device.into(),
            decided_at: "2026-11-29T12:00:00.000Z".into(),
            decision: Some(Decision::Approved),
            comment: String::new(),
            reviewed_heads: heads.clone(),
            signature: None,
        };
        r.signature = Some(quayside_core::signing::sign(secret, &r.payload()));
        let mut doc = Document::new(actor);
        review::create(
            &mut doc,
            &Author {
                user: reviewer.into(),
                device: device.into(),
            },
            &r,
        )
        .unwrap();
        (r, doc)
    };
    let (r, mut doc) = forged(
        "ama",
        &ama_info.device_id,
        &hex::decode(&ama_info.actor_id).unwrap(),
        &[9; 32],
    );
    let outcome = push(&agency, &ama_link.token, "review", &r.id, &mut doc);
    assert!(
        matches!(&outcome, Outcome::Rejected { reason, code: RefusalCode::NotAllowed } if reason.contains("only supervisors")),
        "{outcome:?}"
    );

    // A supervisor of another station, with a genuine key of his own: refused.
    agency
        .db()
        .add_user("joost", "supervisor", &["NLRTM".into()], None)
        .unwrap();
    let joost = Device::enrolled(&agency, &agency.url(), "joost", "NLRTM");
    // He cannot sync it (other station), so give his phone a copy by hand, as a leak would.
    let copy = ama
        .store
        .inner()
        .inspection_changes_since(&id, &[])
        .unwrap();
    joost
        .store
        .inner()
        .merge_inspection_changes(&id, &copy)
        .unwrap();
    joost
        .store
        .approve(id.clone(), shown(&joost, &id), "looks fine".into())
        .unwrap();
    let r = sync(&joost);
    assert_eq!(r.rejected.len(), 2, "{:?}", r.rejected);
    assert!(
        r.rejected
            .iter()
            .all(|x| x.reason.contains("not yours") || x.reason.contains("does not supervise")),
        "{:?}",
        r.rejected
    );
    // With the supervisor's token and actor but signed by another key: refused.
    let esi_info = esi.store.device_info();
    let esi_link = esi.store.inner().server_link().unwrap().unwrap();
    let esi_actor = hex::decode(&esi_info.actor_id).unwrap();
    let (r, mut doc) = forged("esi", &esi_info.device_id, &esi_actor, &[9; 32]);
    let outcome = push(&agency, &esi_link.token, "review", &r.id, &mut doc);
    assert!(
        matches!(&outcome, Outcome::Rejected { reason, code: RefusalCode::NotAllowed } if reason.contains("registered key")),
        "{outcome:?}"
    );

    // A genuine approval whose signed content was altered afterwards: refused.
    let genuine = esi
        .store
        .approve(id.clone(), shown(&esi, &id), "ok".into())
        .unwrap();
    let mut doc = esi.store.inner().document("review", &genuine.id).unwrap();
    doc.change(
        &Author {
            user: "esi".into(),
            device: esi_info.device_id.clone(),
        },
        "tamper",
        |e| e.set(&ROOT, "comment", Some("approved without checks".into())),
    )
    .unwrap();
    let outcome = push(&agency, &esi_link.token, "review", &genuine.id, &mut doc);
    assert!(
        matches!(&outcome, Outcome::Rejected { reason, code: RefusalCode::InvalidContent } if reason.contains("signature does not verify")),
        "{outcome:?}"
    );
    assert_eq!(
        agency.with_db(|db| db.review_state(&id)).1,
        "awaiting_review"
    );

    // A tampered submission is shown as such on a colleague's device, and refused by the server.
    let mut ins = ama.store.inner().document("inspection", &id).unwrap();
    let before = ins.heads();
    ins.change(
        &Author {
            user: "ama".into(),
            device: ama_info.device_id.clone(),
        },
        "tamper",
        |e| {
            let m = e.map(&ROOT, "submission")?;
            e.set(&m, "at", Some("2020-01-01T00:00:00.000Z".into()))
        },
    )
    .unwrap();
    let tampered_changes = ins.save_after(&before);
    let kofi = Device::enrolled(&agency, &agency.url(), "kofi", "GHTEM");
    sync(&kofi);
    let stored = ama
        .store
        .inner()
        .outgoing(&id, "inspection", true)
        .unwrap()
        .snapshot
        .unwrap();
    let mut extra = Document::load(&[stored, tampered_changes].concat(), &[1; 16]).unwrap();
    kofi.store
        .inner()
        .merge_inspection_changes(&id, &extra.changes_since(&[]).unwrap())
        .unwrap();
    assert_eq!(
        kofi.store
            .get_inspection(id.clone())
            .unwrap()
            .submission_verified,
        Some(false)
    );
    let outcome = push(&agency, &ama_link.token, "inspection", &id, &mut extra);
    assert!(
        matches!(&outcome, Outcome::Rejected { reason, code: RefusalCode::InvalidContent } if reason.contains("signature does not verify")),
        "{outcome:?}"
    );

    // The genuine approval, sent normally, is accepted.
    let r = sync(&esi);
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert_eq!(agency.with_db(|db| db.review_state(&id)).1, "approved");
}

fn uuid_like() -> String {
    let b: [u8; 16] = rand::random();
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[test]
fn an_approval_waits_for_every_photo_to_arrive() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let esi = Device::enrolled(&agency, &agency.url(), "esi", "GHTEM");
    let id = record(&ama);
    let photo = [b"\xFF\xD8\xFF\xE0".as_slice(), &[3u8; 2048]].concat();
    ama.store
        .add_photo(id.clone(), photo, PhotoFields::default())
        .unwrap();
    ama.store.submit(id.clone()).unwrap();
    // The document reaches the server, the photo does not (sent by hand, as if the upload had
    // not happened yet).
    let link = ama.store.inner().server_link().unwrap().unwrap();
    let mut doc = Document::load(
        &ama.store
            .inner()
            .outgoing(&id, "inspection", true)
            .unwrap()
            .snapshot
            .unwrap(),
        &[1; 16],
    )
    .unwrap();
    assert_eq!(
        push(&agency, &link.token, "inspection", &id, &mut doc),
        Outcome::Ok
    );
    sync(&esi);
    esi.store
        .approve(id.clone(), shown(&esi, &id), String::new())
        .unwrap();
    let r = sync(&esi);
    assert_eq!(r.rejected.len(), 1);
    assert!(
        r.rejected[0].reason.contains("has not arrived"),
        "{}",
        r.rejected[0].reason
    );
    // The phone learns why as a code, and what to say as a key: no English to match.
    assert_eq!(
        r.rejected[0].code,
        quayside_core::RefusalCode::WaitingForPhoto
    );
    assert_eq!(r.rejected[0].kind, quayside_core::DocumentKind::Review);
    assert_eq!(
        r.rejected[0].message.key,
        quayside_core::MessageKey::RefusalWaitingForPhoto
    );
    assert_ne!(agency.with_db(|db| db.review_state(&id)).1, "approved");
    // The supervisor cannot see the photo yet: it has not arrived.
    let sha = ama
        .store
        .get_inspection(id.clone())
        .unwrap()
        .inspection
        .photos[0]
        .sha256
        .clone();
    assert!(esi.store.read_photo(sha.clone()).is_err());
    // The officer's phone uploads the photo; the supervisor's next sync delivers the approval
    // and brings the photo to the supervisor's device, verified.
    sync(&ama);
    let r = sync(&esi);
    assert_eq!(r.photos_downloaded, 1);
    assert_eq!(
        esi.store.read_photo(sha.clone()).unwrap(),
        ama.store.read_photo(sha.clone()).unwrap()
    );
    // An officer of another station may not fetch it from the server.
    let piet = Device::enrolled(&agency, &agency.url(), "piet", "NLRTM");
    let piet_token = piet.store.inner().server_link().unwrap().unwrap().token;
    let client = HttpClient::new(&agency.url(), Some(piet_token)).unwrap();
    assert!(matches!(
        client.get(&format!("/v1/blobs/{sha}"), &[]),
        Err(quayside_core::error::Error::Server { status: 404, .. })
    ));
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert_eq!(agency.with_db(|db| db.review_state(&id)).1, "approved");
    assert!(esi.store.sync_status().unwrap().rejected.is_empty());
}

/// A server with an ozone analyst of Ghana (and the analyst's API token), an officer's and a
/// supervisor's device at Tema.
fn ozone_unit() -> (Agency, String, Device, Device) {
    let agency = Agency::start();
    agency
        .db()
        .add_user("nana", "ozone_analyst", &[], Some("GH"))
        .unwrap();
    let token = agency.db().create_api_token("nana").unwrap();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let esi = Device::enrolled(&agency, &agency.url(), "esi", "GHTEM");
    (agency, token, ama, esi)
}

#[test]
fn the_ozone_unit_exports_exactly_what_was_approved() {
    let (agency, token, ama, esi) = ozone_unit();
    let id = record(&ama);
    let finding = first_finding(&ama, &id);
    ama.store
        .set_seizure(
            id.clone(),
            quayside_core::SeizureFields {
                action: Some(quayside_core::SeizureAction::Seized),
                case_ref: Some("GRA-0412".into()),
                items: Some(vec![quayside_core::SeizedItem {
                    finding_id: finding,
                    quantity_kg: 15_490.4,
                    cylinders: Some(1139),
                }]),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    ama.store.submit(id.clone()).unwrap();
    sync(&ama);
    let fetch = |state: Option<&str>| -> Vec<serde_json::Value> {
        let bytes = quayside_core::fetch_seizures(
            agency.url(),
            token.clone(),
            quayside_core::SeizureFilter {
                state: state.map(str::to_string),
                ..Default::default()
            },
            "json".into(),
            None,
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        v["rows"].as_array().cloned().unwrap_or_default()
    };
    // Not approved yet: not in the default export, present on request.
    assert!(fetch(None).is_empty());
    assert_eq!(fetch(Some("all")).len(), 1);
    sync(&esi);
    esi.store
        .approve(id.clone(), shown(&esi, &id), String::new())
        .unwrap();
    sync(&esi);
    let rows = fetch(None);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    // By hand: 15,490.4 kg of HCFC-22 (ODP 0.055, GWP 1810) = 15.4904 t.
    assert_eq!(row["substance"], "HCFC-22");
    assert!((row["quantity_kg"].as_f64().unwrap() - 15_490.4).abs() < 1e-9);
    assert!((row["odp_tonnes"].as_f64().unwrap() - 15.4904 * 0.055).abs() < 1e-9);
    assert!((row["co2e_tonnes"].as_f64().unwrap() - 15.4904 * 1810.0).abs() < 1e-6);
    assert_eq!(
        format!("{:.3}", row["odp_tonnes"].as_f64().unwrap()),
        "0.852"
    );
    assert_eq!(row["co2e_tonnes"].as_f64().unwrap().round(), 28_038.0);
    assert!(row["gwp_source"].as_str().unwrap().contains("AR4"));
    // The row carries the signed approval: anyone can check it covers exactly this version.
    let a = &row["approval"];
    assert_eq!(a["reviewer"], "esi");
    let heads: Vec<String> = a["reviewed_heads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_string())
        .collect();
    let check = |comment: &str, heads: Vec<String>| {
        quayside_core::verify_approval(
            id.clone(),
            heads,
            comment.into(),
            a["reviewer"].as_str().unwrap().into(),
            a["decided_at"].as_str().unwrap().into(),
            a["public_key"].as_str().unwrap().into(),
            a["signature"].as_str().unwrap().into(),
        )
    };
    assert!(check(a["comment"].as_str().unwrap(), heads.clone()));
    assert!(
        !check("approved without checks", heads.clone()),
        "an altered comment breaks the signature"
    );
    assert!(
        !check(a["comment"].as_str().unwrap(), heads[..0].to_vec()),
        "other heads break it too"
    );
    // CSV carries the same figures.
    let csv = quayside_core::fetch_seizures(
        agency.url(),
        token.clone(),
        Default::default(),
        "csv".into(),
        None,
    )
    .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.contains(",15490.4,15.4904,0.055,0.851972,1810,28037.624,"),
        "{csv}"
    );
    // Edited after approval: still exported, marked, with the figures that were approved, until
    // it is reviewed again; not among the approved ones only.
    let f = first_finding(&ama, &id);
    ama.store
        .set_seizure(
            id.clone(),
            quayside_core::SeizureFields {
                items: Some(vec![quayside_core::SeizedItem {
                    finding_id: f,
                    quantity_kg: 15_000.0,
                    cylinders: Some(1100),
                }]),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    sync(&ama);
    let rows = fetch(None);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["review_state"], "changed_since_approval");
    assert_eq!(rows[0]["as_approved"], true);
    assert!((rows[0]["quantity_kg"].as_f64().unwrap() - 15_490.4).abs() < 1e-9);
    assert!(fetch(Some("approved")).is_empty());
    let sums = quayside_core::fetch_seizures(
        agency.url(),
        token.clone(),
        Default::default(),
        "json".into(),
        Some("annex-group".into()),
    )
    .unwrap();
    let sums: serde_json::Value = serde_json::from_slice(&sums).unwrap();
    assert_eq!(sums["total"]["changed_since_approval_cases"], 1);
    // Officers may not pull the national data.
    let officer_token = ama.store.inner().server_link().unwrap().unwrap().token;
    assert!(
        quayside_core::fetch_seizures(
            agency.url(),
            officer_token,
            Default::default(),
            "json".into(),
            None
        )
        .is_err()
    );
}

/// What officers meet beyond the reference's best-known names: a hydrocarbon declared and found,
/// a lot the identifier cannot name, and a contaminated reading, recorded on a phone, synced,
/// approved and exported with figures worked by hand.
#[test]
fn unidentified_goods_and_an_uncontrolled_substitute_reach_the_ozone_unit() {
    let (agency, token, ama, esi) = ozone_unit();
    let id = ama
        .store
        .create_inspection(InspectionFields {
            container_number: Some("CSQU3054383".into()),
            declaration: Some(quayside_core::DeclarationFields {
                hs_code: Some("2711.12".into()),
                origin: Some("CN".into()),
                consignee: Some("Cool Trading Ltd".into()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .unwrap()
        .inspection
        .id;
    let add = |fields: FindingFields| {
        ama.store
            .add_finding(id.clone(), fields)
            .unwrap()
            .finding_id
    };
    let propane = add(FindingFields {
        declared_substance: Some("propane".into()),
        identified_substance: Some("R-290".into()),
        net_mass_kg: Some(50.0),
        ..Default::default()
    });
    let unknown = add(FindingFields {
        declared_substance: Some("R-290".into()),
        identified_substance: Some("unknown".into()),
        net_mass_kg: Some(120.0),
        ..Default::default()
    });
    let share = |component: &str, pct: f64| quayside_core::ComponentShare {
        component: component.into(),
        pct,
    };
    let mixed = add(FindingFields {
        declared_substance: Some("R-290".into()),
        composition: Some(vec![
            share("R-22", 60.0),
            share("R-290", 38.0),
            share("air", 2.0),
        ]),
        net_mass_kg: Some(100.0),
        ..Default::default()
    });
    let item = |finding_id: &String, kg: f64| quayside_core::SeizedItem {
        finding_id: finding_id.clone(),
        quantity_kg: kg,
        cylinders: None,
    };
    ama.store
        .set_seizure(
            id.clone(),
            quayside_core::SeizureFields {
                action: Some(quayside_core::SeizureAction::Seized),
                items: Some(vec![
                    item(&propane, 50.0),
                    item(&unknown, 120.0),
                    item(&mixed, 100.0),
                ]),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    ama.store.submit(id.clone()).unwrap();
    sync(&ama);

    // The supervisor sees what the officer saw: the unknown lot goes to the laboratory, two
    // false declarations, and a declared HS code that fits none of the mixture.
    sync(&esi);
    let view = esi.store.get_inspection(id.clone()).unwrap();
    use quayside_core::{FlagKind, MessageKey};
    let flags: Vec<(FlagKind, Option<String>)> = view
        .assessment
        .flags
        .iter()
        .map(|f| (f.kind, f.finding_id.clone()))
        .collect();
    for expected in [
        (FlagKind::SubstanceMismatch, &unknown),
        (FlagKind::LabAnalysis, &unknown),
        (FlagKind::SubstanceMismatch, &mixed),
        (FlagKind::HsCodeInconsistent, &mixed),
    ] {
        assert!(
            flags.contains(&(expected.0, Some(expected.1.clone()))),
            "{expected:?} not in {flags:?}"
        );
    }
    // Each flag says its piece as a key with arguments, for the phone's language.
    let lab = view
        .assessment
        .flags
        .iter()
        .find(|f| f.kind == FlagKind::LabAnalysis)
        .unwrap();
    assert_eq!(lab.message.key, MessageKey::FlagLabNotIdentified);
    let hs = view
        .assessment
        .flags
        .iter()
        .find(|f| f.kind == FlagKind::HsCodeInconsistent)
        .unwrap();
    assert_eq!(hs.message.key, MessageKey::FlagHsCodeInconsistent);
    assert_eq!(hs.message.args.len(), 3);
    assert!(
        !flags.iter().any(|(_, f)| f.as_ref() == Some(&propane)),
        "{flags:?}"
    );
    let total = &view.assessment.total;
    assert!((total.kg - 270.0).abs() < 1e-9);
    assert!((total.odp_unknown_kg - 120.0).abs() < 1e-9);
    esi.store
        .approve(
            id.clone(),
            shown(&esi, &id),
            "sample sent to the laboratory".into(),
        )
        .unwrap();
    sync(&esi);

    let fetch = |format: &str, group: Option<&str>| {
        quayside_core::fetch_seizures(
            agency.url(),
            token.clone(),
            Default::default(),
            format.into(),
            group.map(str::to_string),
        )
        .unwrap()
    };
    let report: serde_json::Value = serde_json::from_slice(&fetch("json", None)).unwrap();
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    let row = |finding: &str| rows.iter().find(|r| r["finding_id"] == finding).unwrap();
    let close = |v: &serde_json::Value, want: f64| (v.as_f64().unwrap() - want).abs() < 1e-9;
    // 50 kg of propane (GWP 3): 0.15 t CO2-eq, no ODP, not controlled.
    let r = row(&propane);
    assert_eq!(r["substance"], "R-290");
    assert!(r["annex_group"].is_null());
    assert!(close(&r["co2e_tonnes"], 0.15) && close(&r["odp_tonnes"], 0.0));
    assert_eq!(r["origin"], "CN");
    assert_eq!(r["consignee"], "Cool Trading Ltd");
    assert_eq!(r["declared_hs"], "2711.12");
    // 120 kg nobody could name: kept in kg, ODP and GWP unknown (never zero).
    let r = row(&unknown);
    assert_eq!(
        (r["substance"].as_str(), r["basis"].as_str()),
        (Some("unknown"), Some("not_identified"))
    );
    assert!(r["odp"].is_null() && r["gwp"].is_null());
    assert!(close(&r["quantity_kg"], 120.0) && close(&r["odp_unknown_kg"], 120.0));
    // 100 kg measured at 60 % HCFC-22, 38 % propane, 2 % air: 0.1 t x 0.6 x 0.055 ODP-t and
    // 0.1 t x (0.6 x 1810 + 0.38 x 3) CO2-eq t.
    let r = row(&mixed);
    assert_eq!(r["basis"], "measured");
    assert_eq!(r["annex_group"], "C/I");
    assert!(close(&r["odp_tonnes"], 0.0033), "{r}");
    assert!(close(&r["co2e_tonnes"], 108.714), "{r}");

    // By annex group: the HCFC-22 in the mixture under C/I, the rest not controlled, the
    // unknown lot apart.
    let sums: serde_json::Value =
        serde_json::from_slice(&fetch("json", Some("annex_group"))).unwrap();
    let groups: Vec<(String, f64)> = sums["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"].as_str().unwrap().to_string(),
                g["kg"].as_f64().unwrap(),
            )
        })
        .collect();
    let kg = |key: &str| {
        groups
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, kg)| *kg)
            .unwrap()
    };
    assert_eq!(groups.len(), 3, "{groups:?}");
    assert!((kg("C/I") - 60.0).abs() < 1e-9);
    assert!((kg("not controlled") - 90.0).abs() < 1e-9);
    assert!((kg("not known") - 120.0).abs() < 1e-9);
    // The annual summary, as the spreadsheet an ozone unit files.
    let csv = String::from_utf8(fetch("csv", Some("annual"))).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .starts_with("year,annex_group,substance,"),
        "{csv}"
    );
    let year = rows[0]["year"].as_str().unwrap();
    let line = format!("\n{year},C/I,HCFC-22,0.055,1810,1,1,60,0.06,0.0033,108.6,");
    assert!(csv.contains(&line), "{csv}");
}

/// A seizure and a photo added after `submit` must not look signed, and nobody may approve them
/// until the officer submits again.
#[test]
fn a_change_after_submission_cannot_be_approved_until_resubmitted() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let esi = Device::enrolled(&agency, &agency.url(), "esi", "GHTEM");
    let id = record(&ama);
    let signed = ama.store.submit(id.clone()).unwrap().heads;
    sync(&ama);
    let finding = first_finding(&ama, &id);
    ama.store
        .set_seizure(
            id.clone(),
            quayside_core::SeizureFields {
                action: Some(quayside_core::SeizureAction::Seized),
                items: Some(vec![quayside_core::SeizedItem {
                    finding_id: finding,
                    quantity_kg: 15_490.4,
                    cylinders: Some(1139),
                }]),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], b"added after submitting"].concat();
    ama.store
        .add_photo(id.clone(), jpeg, PhotoFields::default())
        .unwrap();
    assert_eq!(
        state(&ama, &id),
        quayside_core::ReviewState::ChangedSinceSubmission
    );
    sync(&ama);
    assert_eq!(
        agency.with_db(|db| db.review_state(&id)).1,
        "changed_since_submission"
    );
    // The seizure shows in the exports with that state (not approved, so not by default).
    let admin = agency.db().create_api_token("root").unwrap();
    let rows = |state: &str| -> Vec<serde_json::Value> {
        let body = HttpClient::new(&agency.url(), Some(admin.clone()))
            .unwrap()
            .get("/v1/seizures", &[("state", state.to_string())])
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&body).unwrap();
        report["rows"].as_array().unwrap().clone()
    };
    let all = rows("all");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["review_state"], "changed_since_submission");
    assert!(rows("approved").is_empty());

    sync(&esi);
    let view = esi.store.get_inspection(id.clone()).unwrap();
    assert_eq!(
        view.review_state,
        quayside_core::ReviewState::ChangedSinceSubmission
    );
    assert_eq!(view.submission_verified, Some(true));
    assert!(!view.submission_covers_shown);
    let queue: Vec<String> = esi
        .store
        .review_queue()
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(queue, vec![id.clone()], "the supervisor sees it changed");
    // The supervisor's device refuses to approve what the officer did not sign.
    let err = esi
        .store
        .approve(id.clone(), view.heads.clone(), "ok".into())
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("changed since the officer submitted"),
        "{err}"
    );
    assert!(
        esi.store
            .get_inspection(id.clone())
            .unwrap()
            .reviews
            .is_empty()
    );

    // A modified supervisor app with a genuine registered key: the server refuses an approval
    // of the changed version, and accepts one of the version the officer signed (which then
    // shows as changed since approval, not approved).
    let rogue = RawClient::enrol(&agency, "esi");
    let (rid, mut doc) = rogue.review("esi", &id, &view.heads, Decision::Approved);
    let outcome = rogue.push("review", &rid, &mut doc);
    assert!(
        matches!(&outcome, Outcome::Rejected { reason, code: RefusalCode::NotAllowed } if reason.contains("not submitted and signed")),
        "{outcome:?}"
    );
    assert_eq!(
        agency.with_db(|db| db.review_state(&id)).1,
        "changed_since_submission"
    );
    let (rid, mut doc) = rogue.review("esi", &id, &signed, Decision::Approved);
    assert_eq!(rogue.push("review", &rid, &mut doc), Outcome::Ok);
    assert_eq!(
        agency.with_db(|db| db.review_state(&id)).1,
        "changed_since_approval"
    );

    // The officer submits again: what is shown is signed, and can be approved.
    sync(&ama);
    let again = ama.store.submit(id.clone()).unwrap();
    assert_eq!(
        again.review_state,
        quayside_core::ReviewState::AwaitingReview
    );
    assert!(again.submission_covers_shown);
    sync(&ama);
    sync(&esi);
    let approval = esi
        .store
        .approve(id.clone(), shown(&esi, &id), "ok".into())
        .unwrap();
    assert_eq!(approval.reviewed_heads, again.heads);
    let r = sync(&esi);
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert_eq!(agency.with_db(|db| db.review_state(&id)).1, "approved");
}

/// A sync between opening an inspection and tapping Approve must not get unseen changes
/// approved: the decision names the version shown and is refused once it has moved on.
#[test]
fn an_approval_covers_only_the_version_the_supervisor_was_shown() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let esi = Device::enrolled(&agency, &agency.url(), "esi", "GHTEM");
    let id = record(&ama);
    ama.store.submit(id.clone()).unwrap();
    sync(&ama);
    sync(&esi);
    let opened = esi.store.get_inspection(id.clone()).unwrap();
    assert_eq!(
        opened.review_state,
        quayside_core::ReviewState::AwaitingReview
    );

    // Meanwhile the officer re-weighs and resubmits, and a background sync brings it in.
    let f = first_finding(&ama, &id);
    ama.store
        .update_finding(
            id.clone(),
            f,
            FindingFields {
                net_mass_kg: Some(14_000.0),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    ama.store.submit(id.clone()).unwrap();
    sync(&ama);
    sync(&esi);

    for decide in [
        esi.store
            .approve(id.clone(), opened.heads.clone(), "ok".into()),
        esi.store
            .return_inspection(id.clone(), opened.heads.clone(), "weigh again".into()),
    ] {
        assert!(
            matches!(decide, Err(quayside_core::ApiError::Stale { .. })),
            "{decide:?}"
        );
    }
    let now = esi.store.get_inspection(id.clone()).unwrap();
    assert!(now.reviews.is_empty(), "nothing was written");
    let r = sync(&esi);
    assert!(r.rejected.is_empty());
    assert_eq!(
        agency.with_db(|db| db.review_state(&id)).1,
        "awaiting_review"
    );

    // Approving what is shown now works, and covers exactly that.
    let approval = esi
        .store
        .approve(id.clone(), now.heads.clone(), "ok".into())
        .unwrap();
    assert_eq!(approval.reviewed_heads, now.heads);
    assert_eq!(now.assessment.total.kg, 14_000.0);
    sync(&esi);
    assert_eq!(agency.with_db(|db| db.review_state(&id)).1, "approved");
}
