//! What an officer types and shoots on a phone is never lost and never overwrites a colleague:
//! forms save only what was changed since the version they were filled from (through the real
//! server, with two devices), drafts survive a killed app, photos survive a killed camera, and
//! quantities read the same on every phone.

use quayside_core::{
    ErrorCode, InspectionFields, MessageKey, PhotoFields, RecoveredPhoto, SyncAction,
    format_quantity, parse_quantity,
};
use quayside_e2e::*;

fn sync(d: &Device) -> quayside_core::SyncReportRecord {
    d.store.sync(None).unwrap()
}

fn notes(d: &Device, id: &str) -> String {
    d.store.get_inspection(id.into()).unwrap().inspection.notes
}

/// Ama and Kofi both hold one inspection; Ama opens its form, then Kofi's note reaches her
/// through the server. Returns the form as Ama opened it.
fn form_opened_then_colleague_note(
    note: &str,
) -> (
    Agency,
    Device,
    Device,
    String,
    quayside_core::InspectionView,
) {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let kofi = Device::enrolled(&agency, &agency.url(), "kofi", "GHTEM");
    let id = new_inspection(&ama.store, "CSQU3054383");
    sync(&ama);
    sync(&kofi);
    let opened = ama.store.get_inspection(id.clone()).unwrap();
    kofi.store
        .update_inspection(
            id.clone(),
            InspectionFields {
                notes: Some(note.into()),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    sync(&kofi);
    sync(&ama);
    (agency, ama, kofi, id, opened)
}

#[test]
fn a_form_saves_only_what_the_officer_changed_and_keeps_a_colleagues_edit() {
    // Ama opens the form; Kofi's note arrives while she types.
    let (_agency, ama, kofi, id, opened) = form_opened_then_colleague_note("kofi: seals broken");
    // She also attaches a photo from the same screen (her own change after the form opened).
    ama.store
        .add_photo(
            id.clone(),
            [&[0xFF, 0xD8, 0xFF, 0xE0][..], b"seal"].concat(),
            PhotoFields::default(),
        )
        .unwrap();

    // The form sends every field, as filled: the note unchanged, the reason typed.
    let saved = ama
        .store
        .update_inspection(
            id.clone(),
            InspectionFields {
                notes: Some(opened.inspection.notes.clone()),
                selection_reason: Some("risk profile".into()),
                seals: Some(opened.inspection.container.seals.clone()),
                ..Default::default()
            },
            opened.heads.clone(),
        )
        .unwrap();
    assert_eq!(
        saved.inspection.notes, "kofi: seals broken",
        "kept Kofi's note"
    );
    assert_eq!(
        saved.inspection.selection_reason.as_deref(),
        Some("risk profile")
    );
    assert!(saved.conflicts.is_empty(), "{:?}", saved.conflicts);
    assert_eq!(saved.inspection.photos.len(), 1);
    // The history says what she changed, not every field the form sent.
    let history = ama.store.history(id.clone()).unwrap();
    assert_eq!(history.last().unwrap().summary, "set selection reason");

    // The server accepts the edit made on the older version; both devices converge.
    let report = sync(&ama);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    sync(&kofi);
    let k = kofi.store.get_inspection(id.clone()).unwrap();
    assert_eq!(k.inspection.notes, "kofi: seals broken");
    assert_eq!(
        k.inspection.selection_reason.as_deref(),
        Some("risk profile")
    );
    assert_eq!(k.heads, ama.store.get_inspection(id.clone()).unwrap().heads);
}

#[test]
fn a_field_both_changed_becomes_a_conflict_not_a_silent_overwrite() {
    let (_agency, ama, _kofi, id, opened) = form_opened_then_colleague_note("kofi's words");
    let saved = ama
        .store
        .update_inspection(
            id.clone(),
            InspectionFields {
                notes: Some("ama's words".into()),
                ..Default::default()
            },
            opened.heads,
        )
        .unwrap();
    let conflict = saved
        .conflicts
        .iter()
        .find(|c| c.path == "notes")
        .expect("a conflict on the note");
    let values: Vec<&str> = conflict.values.iter().map(|v| v.value.as_str()).collect();
    assert!(
        values.contains(&"ama's words") && values.contains(&"kofi's words"),
        "{values:?}"
    );
    assert!(sync(&ama).rejected.is_empty());
    // A version the device never had is refused, writing nothing.
    let before = ama.store.get_inspection(id.clone()).unwrap().heads;
    let err = ama
        .store
        .update_inspection(
            id.clone(),
            InspectionFields {
                notes: Some("x".into()),
                ..Default::default()
            },
            vec!["ab".repeat(32)],
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Invalid);
    assert_eq!(ama.store.get_inspection(id).unwrap().heads, before);
}

#[test]
fn a_draft_and_a_camera_photo_survive_a_killed_app() {
    let mut ama = Device::new("ama", "GHTEM");
    let id = new_inspection(&ama.store, "CSQU3054383");
    let opened = ama.store.get_inspection(id.clone()).unwrap();
    let form = format!("inspection:{id}");
    ama.store
        .save_draft(
            form.clone(),
            Some(id.clone()),
            opened.heads.clone(),
            [("notes".to_string(), "R-22 in cylinders lab".to_string())].into(),
        )
        .unwrap();
    // The shutter returned and the photo was kept; the app dies before "Attach".
    let shot = [
        &[0xFF, 0xD8, 0xFF, 0xE0][..],
        b"label on cylinder 7",
        &[0xFF, 0xD9],
    ]
    .concat();
    let whole = ama
        .store
        .keep_camera_photo(id.clone(), shot.clone(), "jpg".into())
        .unwrap();
    let kept_raw = std::fs::read(&whole).unwrap();
    assert!(
        kept_raw.starts_with(b"QSPHOTO1") && !kept_raw.windows(8).any(|w| w == b"cylinder"),
        "kept sealed, never in the clear"
    );
    // What the camera of an app from before encryption left: a plain file cut short.
    let cut = ama
        .dir
        .path()
        .join("store")
        .join("inbox")
        .join(&id)
        .join("0190cut.jpg");
    std::fs::write(&cut, [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]).unwrap();
    // And a photo of an inspection this phone no longer holds.
    let stray = ama
        .dir
        .path()
        .join("store")
        .join("inbox")
        .join("gone-inspection");
    std::fs::create_dir_all(&stray).unwrap();
    std::fs::write(stray.join("0190.jpg"), &shot).unwrap();
    ama.reopen();

    let draft = ama.store.draft(form.clone()).unwrap().expect("draft kept");
    assert_eq!(draft.fields["notes"], "R-22 in cylinders lab");
    assert_eq!(draft.based_on, opened.heads);
    let recovered = ama.store.recover_photos().unwrap();
    assert_eq!(recovered.len(), 3, "{recovered:?}");
    let orphan = recovered
        .iter()
        .find_map(|r| match r {
            RecoveredPhoto::Orphan { path, .. } => Some(path.clone()),
            _ => None,
        })
        .expect("the stray photo is reported");
    assert!(orphan.ends_with(".sealed"), "{orphan}");
    assert!(
        !std::fs::read(&orphan)
            .unwrap()
            .windows(8)
            .any(|w| w == b"cylinder")
    );
    assert!(!stray.join("0190.jpg").exists(), "not left in the clear");
    assert!(recovered.iter().any(
        |r| matches!(r, RecoveredPhoto::Attached { inspection_id, .. } if *inspection_id == id)
    ));
    let kept = recovered
        .iter()
        .find_map(|r| match r {
            RecoveredPhoto::Incomplete { kept_at, .. } => Some(kept_at.clone()),
            _ => None,
        })
        .expect("the cut photo is set aside");
    assert!(std::path::Path::new(&kept).exists(), "never deleted");
    let kept_bytes = std::fs::read(&kept).unwrap();
    assert!(
        kept_bytes.starts_with(b"QSPHOTO1") && !kept_bytes.ends_with(&[1, 2, 3]),
        "kept sealed, like the photos"
    );
    assert!(
        !std::path::Path::new(&cut).exists(),
        "the camera's plain file is gone"
    );
    assert!(!std::path::Path::new(&whole).exists());
    assert_eq!(
        ama.store
            .get_inspection(id.clone())
            .unwrap()
            .inspection
            .photos
            .len(),
        1
    );
    // Running it again finds nothing new; the stray photo stays, sealed, for its inspection.
    assert!(matches!(
        &ama.store.recover_photos().unwrap()[..],
        [RecoveredPhoto::Orphan { path, .. }] if *path == orphan
    ));

    // Saving the draft on the version it names, then forgetting it.
    ama.store
        .update_inspection(
            id.clone(),
            InspectionFields {
                notes: Some(draft.fields["notes"].clone()),
                ..Default::default()
            },
            draft.based_on,
        )
        .unwrap();
    ama.store.discard_draft(form.clone()).unwrap();
    assert_eq!(notes(&ama, &id), "R-22 in cylinders lab");
    assert!(ama.store.drafts().unwrap().is_empty());

    // A photo taken and attached at once leaves nothing in the inbox.
    let path = ama
        .store
        .keep_camera_photo(
            id.clone(),
            [&[0xFF, 0xD8, 0xFF, 0xE0][..], b"second", &[0xFF, 0xD9]].concat(),
            "jpg".into(),
        )
        .unwrap();
    let added = ama
        .store
        .attach_photo_file(path.clone(), PhotoFields::default())
        .unwrap();
    assert_eq!(added.view.inspection.photos.len(), 2);
    assert!(!std::path::Path::new(&path).exists());
    // Nothing kept for an unknown inspection, nor an empty photo.
    for (inspection, bytes) in [
        ("no-such-inspection", vec![0xFF, 0xD8]),
        (id.as_str(), vec![]),
    ] {
        let err = ama
            .store
            .keep_camera_photo(inspection.into(), bytes, "jpg".into())
            .unwrap_err();
        assert!(
            matches!(err.code(), ErrorCode::NotFound | ErrorCode::Invalid),
            "{err:?}"
        );
    }
    // A file outside the inbox is not taken (nor deleted).
    let outside = ama.dir.path().join("elsewhere.jpg");
    std::fs::write(&outside, [0xFF, 0xD8, 0xFF, 0xD9]).unwrap();
    let err = ama
        .store
        .attach_photo_file(outside.display().to_string(), PhotoFields::default())
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Invalid);
    assert!(outside.exists());
}

#[test]
fn quantities_read_the_same_on_every_phone_and_refusals_say_why() {
    assert_eq!(
        parse_quantity("1,234.5".into(), ".".into()).unwrap(),
        1234.5
    );
    assert_eq!(
        parse_quantity("1.234,5".into(), ",".into()).unwrap(),
        1234.5
    );
    assert_eq!(
        parse_quantity("15'490".into(), ".".into()).unwrap(),
        15490.0
    );
    assert_eq!(format_quantity(15490.4, ",".into()), "15490,4");
    let err = parse_quantity("-3".into(), ".".into()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Invalid);
    assert!(!err.retryable());
    assert_eq!(err.user_message().key, MessageKey::QuantityNegative);
    // The rules a finding form applies as the officer types are the core's, for both phones.
    assert_eq!(
        quayside_core::net_mass("".into(), "1 139".into(), "13,6".into(), ",".into()).unwrap(),
        Some(15490.4)
    );
    assert_eq!(
        quayside_core::net_mass("15000".into(), "1139".into(), "13.6".into(), ".".into()).unwrap(),
        Some(15000.0),
        "a typed net mass wins"
    );
    assert_eq!(quayside_core::parse_count("".into()).unwrap(), None);
    assert_eq!(
        quayside_core::parse_count("2.5".into())
            .unwrap_err()
            .user_message()
            .key,
        MessageKey::CountNotWhole
    );
    let row = |c: &str, p: &str| quayside_core::CompositionRow {
        component: c.into(),
        pct: p.into(),
    };
    let shares = quayside_core::composition_shares(
        vec![
            row("R-22", "60"),
            row("", ""),
            row("R-290", "38,5"),
            row("air", "1,5"),
        ],
        ",".into(),
    )
    .unwrap();
    assert_eq!(shares.len(), 3);
    assert_eq!(shares[1].pct, 38.5);
    let err = quayside_core::composition_shares(
        vec![row("R-22", "60"), row("R-290", "30,5")],
        ",".into(),
    )
    .unwrap_err();
    assert_eq!(
        err.user_message().args,
        vec!["90,5".to_string()],
        "the officer's separator"
    );
    for (rows, key) in [
        (vec![row("R-22", "60")], MessageKey::CompositionTotal),
        (vec![row("", "60")], MessageKey::CompositionUnnamed),
        (vec![row("R-22", "")], MessageKey::CompositionShareMissing),
        (
            vec![row("R-22", "50"), row("HCFC-22", "50")],
            MessageKey::CompositionTwice,
        ),
        (vec![row("R-22", "150")], MessageKey::CompositionShareRange),
        (vec![row("R-999", "100")], MessageKey::ErrorUnknownSubstance),
    ] {
        let err = quayside_core::composition_shares(rows.clone(), ".".into()).unwrap_err();
        assert_eq!(err.user_message().key, key, "{rows:?}: {err}");
    }
    let err = parse_quantity("twelve".into(), ".".into()).unwrap_err();
    let m = err.user_message();
    assert_eq!(m.key, MessageKey::QuantityNotANumber);
    assert_eq!(m.args, vec!["twelve".to_string()]);
}

#[test]
fn the_schedule_follows_pending_work_and_failures() {
    let agency = Agency::start();
    let loner = Device::new("ama", "GHTEM");
    assert_eq!(
        loner.store.sync_schedule().unwrap().action,
        SyncAction::Enrol
    );

    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    new_inspection(&ama.store, "CSQU3054383");
    let s = ama.store.sync_schedule().unwrap();
    assert_eq!((s.action, s.expedited), (SyncAction::Now, true));
    assert_eq!(s.unsynced_inspections, 1);
    assert_eq!(s.message.key, MessageKey::SyncPending);

    sync(&ama);
    let s = ama.store.sync_schedule().unwrap();
    assert_eq!(
        s.action,
        SyncAction::After,
        "nothing waiting: the next pull later"
    );
    assert!(!s.expedited);
    assert_eq!(s.message.key, MessageKey::SyncUpToDate);

    // The server goes away: the failure is counted and the next attempt waits.
    let mut agency = agency;
    for server in [agency.server.take(), agency.second.take()]
        .into_iter()
        .flatten()
    {
        server.stop();
    }
    new_inspection(&ama.store, "MSCU1234566");
    let err = ama.store.sync(None).unwrap_err();
    assert!(err.retryable(), "{err}");
    let s = ama.store.sync_schedule().unwrap();
    assert_eq!((s.action, s.failures), (SyncAction::After, 1));
    assert_eq!(s.last_error, Some(ErrorCode::Network));
    assert!(s.delay_ms > 0 && s.delay_ms <= 30_000, "{}", s.delay_ms);
    assert_eq!(s.message.key, MessageKey::SyncWaiting);
}

#[test]
fn a_finding_form_is_read_by_the_core_from_the_fields_as_typed() {
    let ama = Device::new("ama", "GHTEM");
    let id = new_inspection(&ama.store, "CSQU3054383");
    let form = |pairs: &[(&str, &str)]| -> std::collections::HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    // What an Indonesian officer typed, exactly as the draft keeps it.
    let typed = form(&[
        ("declared", "R-134a"),
        ("identified", "R-22"),
        ("cylinders", "1 139"),
        ("kg_per_cylinder", "13,6"),
        ("net_mass_kg", ""),
        ("cylinder_type", "disposable"),
        ("notes", "  segel rusak  "),
    ]);
    let fields = quayside_core::finding_fields_from_form(typed, ",".into()).unwrap();
    assert_eq!(fields.net_mass_kg, Some(15490.4));
    assert_eq!(fields.cylinders, Some(1139));
    assert_eq!(fields.notes.as_deref(), Some("segel rusak"));
    assert_eq!(fields.purity_pct, None, "absent: left as it is");
    let added = ama.store.add_finding(id.clone(), fields).unwrap();
    assert_eq!(
        format!("{:.3}", added.view.assessment.total.odp_tonnes),
        "0.852"
    );
    // A measured composition in rows, and refusals that name their field.
    let fields = quayside_core::finding_fields_from_form(
        form(&[
            ("composition.0.component", "R-22"),
            ("composition.0.pct", "60"),
            ("composition.1.component", "R-290"),
            ("composition.1.pct", "40"),
        ]),
        ".".into(),
    )
    .unwrap();
    assert_eq!(fields.composition.unwrap().len(), 2);
    // Both a substance from the reference and one outside it: refused by the store too.
    let both = quayside_core::FindingFields {
        identified_substance: Some("R-22".into()),
        identified_other: Some("Frigel X".into()),
        ..Default::default()
    };
    assert_eq!(
        ama.store
            .add_finding(id.clone(), both)
            .unwrap_err()
            .user_message()
            .key,
        MessageKey::RuleIdentifiedTwice
    );
    for (pairs, field, key) in [
        (
            vec![
                ("composition.0.component", "R-22"),
                ("composition.0.pct", "60"),
            ],
            "composition",
            MessageKey::CompositionTotal,
        ),
        (
            vec![("cylinders", "2,5")],
            "cylinders",
            MessageKey::CountNotWhole,
        ),
        (
            vec![("cylinders", "10"), ("kg_per_cylinder", "-1")],
            "kg_per_cylinder",
            MessageKey::QuantityNegative,
        ),
        (
            vec![("net_mass_kg", "abc")],
            "net_mass_kg",
            MessageKey::QuantityNotANumber,
        ),
        (
            vec![("purity_pct", "x")],
            "purity_pct",
            MessageKey::QuantityNotANumber,
        ),
    ] {
        let err = quayside_core::finding_fields_from_form(form(&pairs), ".".into()).unwrap_err();
        match &err {
            quayside_core::ApiError::Invalid {
                field: got, user, ..
            } => {
                assert_eq!(got.as_deref(), Some(field), "{pairs:?}");
                assert_eq!(user.key, key, "{pairs:?}");
            }
            other => panic!("{pairs:?}: {other}"),
        }
    }
}

fn typed(pairs: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The field and key of a form's refusal.
fn refusal(err: quayside_core::ApiError) -> (Option<String>, MessageKey) {
    match err {
        quayside_core::ApiError::Invalid { field, user, .. } => (field, user.key),
        other => panic!("not a refusal of input: {other}"),
    }
}

#[test]
fn every_form_opened_and_saved_untouched_changes_nothing_in_either_locale() {
    use quayside_core::{
        custody_fields_from_form, custody_form, finding_fields_from_form, finding_form,
        inspection_fields_from_form, inspection_form, seizure_fields_from_form, seizure_form,
    };
    for sep in [".", ","] {
        let ama = Device::new("ama", "GHTEM");
        // Everything an officer can record, typed through the forms themselves.
        let mut header = typed(&[
            ("container", "CSQU3054383"),
            ("seals", "GH123, GH124"),
            ("size_type", "22G1"),
            ("declaration", "C 4411"),
            ("hs_code", "3827.64"),
            ("description", "Refrigerant gas"),
            (
                "quantity_kg",
                if sep == "," { "1.234,5" } else { "1,234.5" },
            ),
            ("consignee", "Cool Ltd"),
            ("origin", "CN"),
            ("transit", "MYPKG; SGSIN"),
            ("notes", "seals intact"),
        ]);
        header.insert("location.lat".into(), "5.6364".into());
        header.insert("location.lon".into(), "-0.0167".into());
        let fields = inspection_fields_from_form(header, sep.into()).unwrap();
        assert_eq!(
            fields.declaration.as_ref().unwrap().quantity_kg,
            Some(1234.5)
        );
        assert_eq!(
            fields.location.unwrap().lon,
            -0.0167,
            "a west longitude is no negative quantity"
        );
        let id = ama.store.create_inspection(fields).unwrap().inspection.id;
        let finding = finding_fields_from_form(
            typed(&[
                ("declared", "R-134a"),
                ("composition.0.component", "R-22"),
                (
                    "composition.0.pct",
                    if sep == "," { "60,5" } else { "60.5" },
                ),
                ("composition.1.component", "R-134a"),
                ("composition.1.pct", "39.5".replace('.', sep).as_str()),
                ("purity_pct", "98"),
                ("cylinders", "1 139"),
                ("kg_per_cylinder", "13.6".replace('.', sep).as_str()),
                ("cylinder_type", "disposable"),
            ]),
            sep.into(),
        )
        .unwrap();
        let fid = ama
            .store
            .add_finding(id.clone(), finding)
            .unwrap()
            .finding_id;
        let seized = typed(&[
            ("action", "seized"),
            ("modus_operandi", "false-declaration,disposable-cylinders"),
            (
                &format!("item.{fid}.kg"),
                "15490.4".replace('.', sep).as_str(),
            ),
            (&format!("item.{fid}.cylinders"), "1139"),
        ]);
        let seized = seizure_fields_from_form(seized, sep.into()).unwrap();
        ama.store.set_seizure(id.clone(), seized, vec![]).unwrap();
        let custody = custody_fields_from_form(typed(&[("from", "ama"), ("to", "bonded store")]));
        ama.store.add_custody(id.clone(), custody.unwrap()).unwrap();

        // Each form opened on the record and saved as it is changes nothing.
        let view = ama.store.get_inspection(id.clone()).unwrap();
        let record = view.inspection.clone();
        let before = view.heads.clone();
        let form = inspection_form(record.clone(), sep.into());
        let fields = inspection_fields_from_form(form, sep.into()).unwrap();
        let after = ama
            .store
            .update_inspection(id.clone(), fields, before.clone())
            .unwrap();
        assert_eq!(after.heads, before, "{sep}: inspection form");
        let form = finding_form(record.findings[0].clone(), sep.into());
        assert_eq!(form["composition.rows"], "2");
        let fields = finding_fields_from_form(form, sep.into()).unwrap();
        let after = ama
            .store
            .update_finding(id.clone(), fid.clone(), fields, before.clone())
            .unwrap();
        assert_eq!(after.heads, before, "{sep}: finding form");
        let form = seizure_form(record.clone(), sep.into());
        let fields = seizure_fields_from_form(form, sep.into()).unwrap();
        let after = ama
            .store
            .set_seizure(id.clone(), fields, before.clone())
            .unwrap();
        assert_eq!(after.heads, before, "{sep}: seizure form");
        let entry = record.seizure.as_ref().unwrap().custody[0].clone();
        let fields = custody_fields_from_form(custody_form(entry.clone())).unwrap();
        let after = ama
            .store
            .correct_custody(id.clone(), entry.id.clone(), fields, before.clone())
            .unwrap();
        assert_eq!(after.heads, before, "{sep}: custody form");

        // Un-seizing the finding (its quantity cleared on the form) removes the item.
        let mut form = seizure_form(record.clone(), sep.into());
        form.insert(format!("item.{fid}.kg"), String::new());
        form.insert(format!("item.{fid}.cylinders"), String::new());
        let fields = seizure_fields_from_form(form, sep.into()).unwrap();
        let after = ama.store.set_seizure(id.clone(), fields, before).unwrap();
        assert!(after.inspection.seizure.unwrap().items.is_empty());
    }
}

#[test]
fn form_rules_refuse_with_the_field_and_a_key() {
    use quayside_core::{
        custody_fields_from_form, finding_fields_from_form, inspection_fields_from_form,
        seizure_fields_from_form,
    };
    let cases: Vec<(quayside_core::ApiError, &str, MessageKey)> = vec![
        (
            inspection_fields_from_form(typed(&[("container", "  ")]), ".".into()).unwrap_err(),
            "container",
            MessageKey::RuleContainerRequired,
        ),
        (
            inspection_fields_from_form(
                typed(&[("container", "CSQU3054383"), ("quantity_kg", "-3")]),
                ".".into(),
            )
            .unwrap_err(),
            "quantity_kg",
            MessageKey::QuantityNegative,
        ),
        (
            finding_fields_from_form(typed(&[("purity_pct", "120")]), ".".into()).unwrap_err(),
            "purity_pct",
            MessageKey::RulePercentRange,
        ),
        (
            finding_fields_from_form(typed(&[("content_pct", "100,5")]), ",".into()).unwrap_err(),
            "content_pct",
            MessageKey::RulePercentRange,
        ),
        (
            finding_fields_from_form(
                typed(&[("identified", "R-22"), ("identified_other", "Frigel X")]),
                ".".into(),
            )
            .unwrap_err(),
            "identified_other",
            MessageKey::RuleIdentifiedTwice,
        ),
        (
            seizure_fields_from_form(typed(&[("item.f-1.cylinders", "3")]), ".".into())
                .unwrap_err(),
            "item.f-1.kg",
            MessageKey::RuleSeizedQuantityNeeded,
        ),
        (
            seizure_fields_from_form(typed(&[("action", "confiscated")]), ".".into()).unwrap_err(),
            "action",
            MessageKey::ErrorInvalid,
        ),
        (
            custody_fields_from_form(typed(&[("from", "ama"), ("to", "")])).unwrap_err(),
            "to",
            MessageKey::RuleCustodyParties,
        ),
    ];
    for (err, field, key) in cases {
        assert_eq!(refusal(err), (Some(field.to_string()), key));
    }
    // The store refuses an out-of-range purity with the same key when it comes another way.
    let ama = Device::new("ama", "GHTEM");
    let id = new_inspection(&ama.store, "CSQU3054383");
    let err = ama
        .store
        .add_finding(
            id,
            quayside_core::FindingFields {
                purity_pct: Some(101.0),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.user_message().key, MessageKey::RulePercentRange);
}

#[test]
fn the_history_reads_in_the_officers_language_for_every_kind_of_change() {
    use quayside_core::{ElementList, FindingFields, PhotoEdit};
    let ama = Device::new("ama", "GHTEM");
    let id = new_inspection(&ama.store, "CSQU3054383");
    let notes = InspectionFields {
        notes: Some("seal 4411 broken".into()),
        seals: Some(vec![]),
        ..Default::default()
    };
    ama.store
        .update_inspection(id.clone(), notes, vec![])
        .unwrap();
    let finding = FindingFields {
        identified_substance: Some("R-22".into()),
        net_mass_kg: Some(13.6),
        ..Default::default()
    };
    let fid = ama
        .store
        .add_finding(id.clone(), finding)
        .unwrap()
        .finding_id;
    let edit = FindingFields {
        notes: Some("rust on valves".into()),
        ..Default::default()
    };
    ama.store
        .update_finding(id.clone(), fid.clone(), edit, vec![])
        .unwrap();
    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], b"valve"].concat();
    let sha = ama
        .store
        .add_photo(id.clone(), jpeg, PhotoFields::default())
        .unwrap()
        .photo
        .sha256;
    let caption = PhotoEdit {
        caption: Some("valve".into()),
        ..Default::default()
    };
    ama.store
        .update_photo(id.clone(), sha.clone(), caption, vec![])
        .unwrap();
    let form = std::collections::HashMap::from([
        ("action".to_string(), "seized".to_string()),
        (format!("item.{fid}.kg"), "13.6".to_string()),
    ]);
    let seizure = quayside_core::seizure_fields_from_form(form, ".".into()).unwrap();
    ama.store.set_seizure(id.clone(), seizure, vec![]).unwrap();
    let hand_over = quayside_core::custody_fields_from_form(std::collections::HashMap::from([
        ("from".to_string(), "ama".to_string()),
        ("to".to_string(), "bonded store".to_string()),
    ]))
    .unwrap();
    ama.store.add_custody(id.clone(), hand_over).unwrap();
    ama.store
        .remove_element(id.clone(), ElementList::Photos, sha.clone())
        .unwrap();
    ama.store
        .restore_element(id.clone(), ElementList::Photos, sha)
        .unwrap();
    ama.store.submit(id.clone()).unwrap();

    let keys: Vec<Vec<MessageKey>> = ama
        .store
        .history(id)
        .unwrap()
        .into_iter()
        .map(|h| h.what.into_iter().map(|m| m.key).collect())
        .collect();
    use MessageKey as K;
    assert_eq!(
        keys,
        vec![
            vec![K::HistoryCreated],
            vec![K::HistoryChangedNotes],
            vec![K::HistoryAddedFinding],
            vec![K::HistoryEditedFinding],
            vec![K::HistoryAddedPhoto],
            vec![K::HistoryEditedPhoto],
            vec![K::HistorySeizure],
            vec![K::HistoryHandedOver],
            vec![K::HistoryRemovedPhoto],
            vec![K::HistoryRestoredPhoto],
            vec![K::HistorySubmitted],
        ],
        "the seals were already empty, so only the notes changed"
    );
}
