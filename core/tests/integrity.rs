//! Evidence integrity on the device: concurrent free-text rewrites never interleave, a removal
//! that races a colleague's edit stays visible and can be undone in one step, and a change after
//! submission is never shown as signed. Two stores exchange changes the way sync carries them.

use std::path::Path;
use std::sync::Arc;

use proptest::prelude::*;
use quayside_core::{
    ConflictKind, ConflictRecord, CustodyFields, DeclarationFields, ElementList, FieldStore,
    FindingFields, InspectionFields, PhotoEdit, PhotoFields, SeizedItem, SeizureFields,
};

fn new_store(dir: &Path, user: &str) -> Arc<FieldStore> {
    FieldStore::create(
        dir.join(user).display().to_string(),
        quayside_core::generate_store_key(),
        user.into(),
        "GHTEM".into(),
    )
    .unwrap()
}

/// Copies every change of inspection `id` from `from` into `to` (what sync carries).
fn exchange(from: &FieldStore, to: &FieldStore, id: &str) {
    let changes = from.inner().inspection_changes_since(id, &[]).unwrap();
    to.inner().merge_inspection_changes(id, &changes).unwrap();
}

fn both_ways(a: &FieldStore, b: &FieldStore, id: &str) {
    exchange(a, b, id);
    exchange(b, a, id);
}

fn json_of(store: &FieldStore, id: &str) -> serde_json::Value {
    serde_json::to_value(store.get_inspection(id.into()).unwrap().inspection).unwrap()
}

/// Two officers' stores holding the same new inspection.
fn pair(dir: &Path) -> (Arc<FieldStore>, Arc<FieldStore>, String) {
    let ama = new_store(dir, "ama");
    let kofi = new_store(dir, "kofi");
    let id = ama
        .create_inspection(InspectionFields {
            container_number: Some("CSQU3054383".into()),
            ..Default::default()
        })
        .unwrap()
        .inspection
        .id;
    exchange(&ama, &kofi, &id);
    (ama, kofi, id)
}

fn conflict<'a>(conflicts: &'a [ConflictRecord], path: &str) -> &'a ConflictRecord {
    conflicts
        .iter()
        .find(|c| c.path == path)
        .unwrap_or_else(|| panic!("no conflict at {path}: {conflicts:#?}"))
}

#[test]
fn concurrent_rewrites_of_the_notes_keep_both_versions_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (ama, kofi, id) = pair(dir.path());
    let note = |text: &str| InspectionFields {
        notes: Some(text.into()),
        ..Default::default()
    };
    ama.update_inspection(id.clone(), note("cylinders are R-22"), vec![])
        .unwrap();
    kofi.update_inspection(id.clone(), note("labels read R-134a"), vec![])
        .unwrap();
    both_ways(&ama, &kofi, &id);

    let (a, k) = (
        ama.get_inspection(id.clone()).unwrap(),
        kofi.get_inspection(id.clone()).unwrap(),
    );
    assert_eq!(a.inspection, k.inspection);
    assert!(
        ["cylinders are R-22", "labels read R-134a"].contains(&a.inspection.notes.as_str()),
        "garbled: {:?}",
        a.inspection.notes
    );
    let c = conflict(&a.conflicts, "notes");
    assert_eq!(c.kind, ConflictKind::Values);
    let mut values: Vec<(String, String)> = c
        .values
        .iter()
        .map(|v| (v.value.clone(), v.user.clone().unwrap()))
        .collect();
    values.sort();
    assert_eq!(
        values,
        vec![
            ("cylinders are R-22".into(), "ama".into()),
            ("labels read R-134a".into(), "kofi".into())
        ]
    );
    // Writing the notes again settles it on both.
    ama.update_inspection(
        id.clone(),
        note("R-22 in cylinders labelled R-134a"),
        vec![],
    )
    .unwrap();
    both_ways(&ama, &kofi, &id);
    assert!(kofi.conflicts(id.clone()).unwrap().is_empty());
    assert_eq!(
        kofi.get_inspection(id).unwrap().inspection.notes,
        "R-22 in cylinders labelled R-134a"
    );
}

/// The case: ama re-weighs a finding while kofi removes it, both offline.
#[test]
fn a_finding_removed_while_reweighed_stays_visible_and_restores_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let (ama, kofi, id) = pair(dir.path());
    let f = ama
        .add_finding(
            id.clone(),
            FindingFields {
                identified_substance: Some("R-22".into()),
                net_mass_kg: Some(500.0),
                ..Default::default()
            },
        )
        .unwrap()
        .finding_id;
    exchange(&ama, &kofi, &id);

    ama.update_finding(
        id.clone(),
        f.clone(),
        FindingFields {
            net_mass_kg: Some(555.0),
            notes: Some("weighed again".into()),
            ..Default::default()
        },
        vec![],
    )
    .unwrap();
    kofi.remove_finding(id.clone(), f.clone()).unwrap();
    // Either order of arrival ends the same.
    exchange(&kofi, &ama, &id);
    exchange(&ama, &kofi, &id);
    assert_eq!(json_of(&ama, &id), json_of(&kofi, &id));

    for store in [&ama, &kofi] {
        let view = store.get_inspection(id.clone()).unwrap();
        assert!(view.inspection.findings.is_empty(), "the removal holds");
        let c = conflict(&view.conflicts, &format!("findings[{f}]"));
        assert_eq!(c.kind, ConflictKind::RemovedWhileEdited);
        assert_eq!(c.list, Some(ElementList::Findings));
        assert_eq!(c.element_id.as_deref(), Some(f.as_str()));
        assert_eq!(c.values[0].value, "removed");
        assert_eq!(c.values[0].user.as_deref(), Some("kofi"));
        let edits: Vec<(&str, &str)> = c.values[1..]
            .iter()
            .map(|v| (v.value.as_str(), v.user.as_deref().unwrap()))
            .collect();
        assert!(edits.contains(&("net_mass_kg = 555", "ama")), "{edits:?}");
        assert!(
            edits.contains(&("notes = weighed again", "ama")),
            "{edits:?}"
        );
        // Said once by the core, for every phone to show in its language.
        assert_eq!(
            c.message.key,
            quayside_core::MessageKey::ConflictRemovedFinding
        );
        assert_eq!(c.message.args, vec!["kofi".to_string(), "ama".to_string()]);
        assert_eq!(
            c.message.to_english(),
            "Finding removed by kofi while ama edited it"
        );
        assert_eq!(
            c.hint.key,
            quayside_core::MessageKey::HintRemovedWhileEdited
        );
        // The list counts it too.
        assert_eq!(
            store.list_inspections(Default::default()).unwrap()[0].conflict_count,
            1
        );
    }

    // One step brings it back with ama's edit, everywhere.
    ama.restore_element(id.clone(), ElementList::Findings, f.clone())
        .unwrap();
    exchange(&ama, &kofi, &id);
    let view = kofi.get_inspection(id.clone()).unwrap();
    assert!(view.conflicts.is_empty(), "{:#?}", view.conflicts);
    assert_eq!(view.inspection.findings.len(), 1);
    assert_eq!(view.inspection.findings[0].net_mass_kg, Some(555.0));
    assert_eq!(
        view.inspection.findings[0].notes.as_deref(),
        Some("weighed again")
    );
    assert_eq!(view.assessment.total.kg, 555.0);
}

#[test]
fn confirming_a_removal_settles_the_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let (ama, kofi, id) = pair(dir.path());
    let f = ama
        .add_finding(id.clone(), FindingFields::default())
        .unwrap()
        .finding_id;
    exchange(&ama, &kofi, &id);
    ama.update_finding(
        id.clone(),
        f.clone(),
        FindingFields {
            cylinders: Some(12),
            ..Default::default()
        },
        vec![],
    )
    .unwrap();
    kofi.remove_finding(id.clone(), f.clone()).unwrap();
    both_ways(&ama, &kofi, &id);
    assert_eq!(kofi.conflicts(id.clone()).unwrap().len(), 1);
    // Having seen ama's edit, kofi removes it again: the removal now covers everything.
    kofi.remove_element(id.clone(), ElementList::Findings, f.clone())
        .unwrap();
    both_ways(&ama, &kofi, &id);
    for s in [&ama, &kofi] {
        let view = s.get_inspection(id.clone()).unwrap();
        assert!(view.conflicts.is_empty(), "{:#?}", view.conflicts);
        assert!(view.inspection.findings.is_empty());
    }
    // Editing a removed element is refused, changing nothing.
    let before = json_of(&ama, &id);
    assert!(
        ama.update_finding(id.clone(), f, FindingFields::default(), vec![])
            .is_err()
    );
    assert_eq!(json_of(&ama, &id), before);
}

/// Photos, seized items and custody entries behave like findings.
#[test]
fn every_list_surfaces_a_removal_that_raced_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let (ama, kofi, id) = pair(dir.path());
    let f = ama
        .add_finding(
            id.clone(),
            FindingFields {
                identified_substance: Some("R-22".into()),
                net_mass_kg: Some(800.0),
                ..Default::default()
            },
        )
        .unwrap()
        .finding_id;
    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], b"evidence"].concat();
    let photo = ama
        .add_photo(id.clone(), jpeg, PhotoFields::default())
        .unwrap()
        .photo
        .sha256;
    let items = |kg: Option<f64>| SeizureFields {
        items: Some(
            kg.map(|kg| SeizedItem {
                finding_id: f.clone(),
                quantity_kg: kg,
                cylinders: None,
            })
            .into_iter()
            .collect(),
        ),
        ..Default::default()
    };
    ama.set_seizure(id.clone(), items(Some(800.0)), vec![])
        .unwrap();
    let custody = |to: &str| CustodyFields {
        from: "ama".into(),
        to: to.into(),
        location: None,
        note: None,
        at: None,
    };
    let view = ama.add_custody(id.clone(), custody("warehouse")).unwrap();
    let entry = view.inspection.seizure.unwrap().custody[0].id.clone();
    assert!(entry.starts_with("c-"));
    exchange(&ama, &kofi, &id);

    // ama edits each element; kofi removes each, offline.
    ama.update_photo(
        id.clone(),
        photo.clone(),
        PhotoEdit {
            caption: Some("relabelled cylinder".into()),
            finding_id: None,
        },
        vec![],
    )
    .unwrap();
    ama.set_seizure(id.clone(), items(Some(780.0)), vec![])
        .unwrap();
    ama.correct_custody(
        id.clone(),
        entry.clone(),
        custody("bonded warehouse 3"),
        vec![],
    )
    .unwrap();
    kofi.remove_element(id.clone(), ElementList::Photos, photo.clone())
        .unwrap();
    kofi.set_seizure(id.clone(), items(None), vec![]).unwrap();
    kofi.remove_element(id.clone(), ElementList::Custody, entry.clone())
        .unwrap();
    both_ways(&ama, &kofi, &id);
    assert_eq!(json_of(&ama, &id), json_of(&kofi, &id));

    let view = ama.get_inspection(id.clone()).unwrap();
    assert!(view.inspection.photos.is_empty());
    assert!(
        view.inspection
            .seizure
            .as_ref()
            .is_none_or(|s| s.items.is_empty() && s.custody.is_empty())
    );
    for (list, path, elem, edit) in [
        (
            ElementList::Photos,
            "photos",
            photo.as_str(),
            "caption = relabelled cylinder",
        ),
        (
            ElementList::SeizureItems,
            "seizure.items",
            f.as_str(),
            "quantity_kg = 780",
        ),
        (
            ElementList::Custody,
            "seizure.custody",
            entry.as_str(),
            "to = bonded warehouse 3",
        ),
    ] {
        let c = conflict(&view.conflicts, &format!("{path}[{elem}]"));
        assert_eq!(c.kind, ConflictKind::RemovedWhileEdited);
        assert_eq!(c.list, Some(list));
        assert_eq!(c.values[0].user.as_deref(), Some("kofi"));
        assert!(
            c.values
                .iter()
                .any(|v| v.value == edit && v.user.as_deref() == Some("ama")),
            "{path}: {:#?}",
            c.values
        );
        kofi.restore_element(id.clone(), list, elem.to_string())
            .unwrap();
    }
    both_ways(&ama, &kofi, &id);
    let view = ama.get_inspection(id.clone()).unwrap();
    assert!(view.conflicts.is_empty(), "{:#?}", view.conflicts);
    assert_eq!(
        view.inspection.photos[0].caption.as_deref(),
        Some("relabelled cylinder")
    );
    let seizure = view.inspection.seizure.unwrap();
    assert_eq!(seizure.items[0].quantity_kg, 780.0);
    assert_eq!(seizure.custody[0].to, "bonded warehouse 3");
}

/// Attaching evidence to a finding is an edit of it: removing the finding meanwhile is a
/// conflict, not a photo or seized quantity pointing at nothing.
#[test]
fn a_finding_removed_while_a_colleague_seized_from_it_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let (ama, kofi, id) = pair(dir.path());
    let f = ama
        .add_finding(id.clone(), FindingFields::default())
        .unwrap()
        .finding_id;
    exchange(&ama, &kofi, &id);
    ama.set_seizure(
        id.clone(),
        SeizureFields {
            items: Some(vec![SeizedItem {
                finding_id: f.clone(),
                quantity_kg: 250.0,
                cylinders: None,
            }]),
            ..Default::default()
        },
        vec![],
    )
    .unwrap();
    kofi.remove_finding(id.clone(), f.clone()).unwrap();
    both_ways(&ama, &kofi, &id);
    let view = kofi.get_inspection(id.clone()).unwrap();
    let c = conflict(&view.conflicts, &format!("findings[{f}]"));
    assert_eq!(c.kind, ConflictKind::RemovedWhileEdited);
    assert!(
        c.values
            .iter()
            .any(|v| v.value.contains("attached to it") && v.user.as_deref() == Some("ama")),
        "{:#?}",
        c.values
    );
    kofi.restore_element(id.clone(), ElementList::Findings, f)
        .unwrap();
    assert!(kofi.conflicts(id).unwrap().is_empty());
}

#[test]
fn a_change_after_submission_is_never_shown_as_signed() {
    let dir = tempfile::tempdir().unwrap();
    let (ama, _kofi, id) = pair(dir.path());
    ama.add_finding(
        id.clone(),
        FindingFields {
            identified_substance: Some("R-22".into()),
            net_mass_kg: Some(100.0),
            ..Default::default()
        },
    )
    .unwrap();
    let submitted = ama.submit(id.clone()).unwrap();
    assert_eq!(
        submitted.review_state,
        quayside_core::ReviewState::AwaitingReview
    );
    assert_eq!(submitted.submission_verified, Some(true));
    assert!(submitted.submission_covers_shown);
    // Submitting an unchanged submission again is refused.
    assert!(ama.submit(id.clone()).is_err());

    // A seizure (or photo, or any field) after submission.
    let changed = ama
        .set_seizure(
            id.clone(),
            SeizureFields {
                action: Some(quayside_core::SeizureAction::Seized),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    assert_eq!(
        changed.review_state,
        quayside_core::ReviewState::ChangedSinceSubmission
    );
    assert_eq!(changed.submission_verified, Some(true));
    assert!(!changed.submission_covers_shown);
    assert_ne!(changed.heads, submitted.heads);
    let listed = ama.list_inspections(Default::default()).unwrap();
    assert_eq!(
        listed[0].review_state,
        quayside_core::ReviewState::ChangedSinceSubmission
    );

    // Submitting again signs what is shown now.
    let again = ama.submit(id.clone()).unwrap();
    assert_eq!(
        again.review_state,
        quayside_core::ReviewState::AwaitingReview
    );
    assert!(again.submission_covers_shown);
}

/// Free-text fields an officer types, each addressed the way the API sets it.
#[derive(Debug, Clone, Copy)]
enum TextField {
    Notes,
    Description,
    Consignee,
    SelectionReason,
    SizeType,
    Labels,
    Concealment,
    FindingNotes,
    Caption,
    CaseRef,
    LegalBasis,
    Storage,
    CustodyNote,
    BillOfLading,
    Consignor,
    Instrument,
    Reading,
    CustodyLocation,
}

const TEXT_FIELDS: [TextField; 18] = [
    TextField::Notes,
    TextField::Description,
    TextField::Consignee,
    TextField::SelectionReason,
    TextField::SizeType,
    TextField::Labels,
    TextField::Concealment,
    TextField::FindingNotes,
    TextField::Caption,
    TextField::CaseRef,
    TextField::LegalBasis,
    TextField::Storage,
    TextField::CustodyNote,
    TextField::BillOfLading,
    TextField::Consignor,
    TextField::Instrument,
    TextField::Reading,
    TextField::CustodyLocation,
];

/// Ids of the elements every device starts with.
struct Fixture {
    id: String,
    finding: String,
    photo: String,
    entry: String,
}

fn write_text(s: &FieldStore, fx: &Fixture, field: TextField, text: &str) {
    let t = Some(text.to_string());
    let id = fx.id.clone();
    let ins = |f: InspectionFields| s.update_inspection(id.clone(), f, vec![]).map(|_| ());
    let finding = |f: FindingFields| {
        s.update_finding(id.clone(), fx.finding.clone(), f, vec![])
            .map(|_| ())
    };
    let seizure = |f: SeizureFields| s.set_seizure(id.clone(), f, vec![]).map(|_| ());
    let decl = |d: DeclarationFields| {
        ins(InspectionFields {
            declaration: Some(d),
            ..Default::default()
        })
    };
    match field {
        TextField::Notes => ins(InspectionFields {
            notes: t,
            ..Default::default()
        }),
        TextField::Description => decl(DeclarationFields {
            description: t,
            ..Default::default()
        }),
        TextField::Consignee => decl(DeclarationFields {
            consignee: t,
            ..Default::default()
        }),
        TextField::SelectionReason => ins(InspectionFields {
            selection_reason: t,
            ..Default::default()
        }),
        TextField::SizeType => ins(InspectionFields {
            size_type: t,
            ..Default::default()
        }),
        TextField::Labels => finding(FindingFields {
            labels: t,
            ..Default::default()
        }),
        TextField::Concealment => finding(FindingFields {
            concealment: t,
            ..Default::default()
        }),
        TextField::FindingNotes => finding(FindingFields {
            notes: t,
            ..Default::default()
        }),
        TextField::Caption => s
            .update_photo(
                id.clone(),
                fx.photo.clone(),
                PhotoEdit {
                    caption: t,
                    finding_id: None,
                },
                vec![],
            )
            .map(|_| ()),
        TextField::CaseRef => seizure(SeizureFields {
            case_ref: t,
            ..Default::default()
        }),
        TextField::LegalBasis => seizure(SeizureFields {
            legal_basis: t,
            ..Default::default()
        }),
        TextField::Storage => seizure(SeizureFields {
            storage_location: t,
            ..Default::default()
        }),
        TextField::CustodyNote | TextField::CustodyLocation => {
            let (location, note) = match field {
                TextField::CustodyNote => (None, t),
                _ => (t, None),
            };
            s.correct_custody(
                id.clone(),
                fx.entry.clone(),
                CustodyFields {
                    from: "ama".into(),
                    to: "warehouse".into(),
                    location,
                    note,
                    at: Some("2026-11-29T10:00:00Z".into()),
                },
                vec![],
            )
            .map(|_| ())
        }
        TextField::BillOfLading => decl(DeclarationFields {
            bill_of_lading: t,
            ..Default::default()
        }),
        TextField::Consignor => decl(DeclarationFields {
            consignor: t,
            ..Default::default()
        }),
        TextField::Instrument => finding(FindingFields {
            instrument: t,
            ..Default::default()
        }),
        TextField::Reading => finding(FindingFields {
            reading_result: t,
            ..Default::default()
        }),
    }
    .unwrap();
}

/// The field's value as the inspection reads, and the path a conflict on it names.
fn read_text(s: &FieldStore, fx: &Fixture, field: TextField) -> (Option<String>, String) {
    let i = s.get_inspection(fx.id.clone()).unwrap().inspection;
    let f = i.findings.iter().find(|f| f.id == fx.finding).unwrap();
    let p = i.photos.iter().find(|p| p.sha256 == fx.photo).unwrap();
    let seizure = i.seizure.clone().unwrap();
    let custody = seizure.custody.iter().find(|c| c.id == fx.entry).unwrap();
    let (fid, pid, cid) = (&fx.finding, &fx.photo, &fx.entry);
    match field {
        TextField::Notes => {
            let n = i.notes.clone();
            ((!n.is_empty()).then_some(n), "notes".into())
        }
        TextField::Description => (i.declaration.description, "declaration.description".into()),
        TextField::Consignee => (i.declaration.consignee, "declaration.consignee".into()),
        TextField::SelectionReason => (i.selection_reason, "selection_reason".into()),
        TextField::SizeType => (i.container.size_type, "container.size_type".into()),
        TextField::Labels => (f.labels.clone(), format!("findings[{fid}].labels")),
        TextField::Concealment => (
            f.concealment.clone(),
            format!("findings[{fid}].concealment"),
        ),
        TextField::FindingNotes => (f.notes.clone(), format!("findings[{fid}].notes")),
        TextField::Caption => (p.caption.clone(), format!("photos[{pid}].caption")),
        TextField::CaseRef => (seizure.case_ref, "seizure.case_ref".into()),
        TextField::LegalBasis => (seizure.legal_basis, "seizure.legal_basis".into()),
        TextField::Storage => (seizure.storage_location, "seizure.storage_location".into()),
        TextField::CustodyNote => (custody.note.clone(), format!("seizure.custody[{cid}].note")),
        TextField::CustodyLocation => (
            custody.location.clone(),
            format!("seizure.custody[{cid}].location"),
        ),
        TextField::BillOfLading => (
            i.declaration.bill_of_lading,
            "declaration.bill_of_lading".into(),
        ),
        TextField::Consignor => (i.declaration.consignor, "declaration.consignor".into()),
        TextField::Instrument => (
            f.identifier_reading
                .as_ref()
                .and_then(|r| r.instrument.clone()),
            format!("findings[{fid}].identifier_reading.instrument"),
        ),
        TextField::Reading => (
            f.identifier_reading.as_ref().and_then(|r| r.result.clone()),
            format!("findings[{fid}].identifier_reading.result"),
        ),
    }
}

/// Sentences officers might type, sharing words and letters so that any character-level merge
/// would interleave them.
fn text() -> impl Strategy<Value = String> {
    proptest::sample::select(vec![
        "cylinders are R-22",
        "labels read R-134a",
        "R-22 in cylinders labelled R-134a",
        "relabelled cylinders behind tyres",
        "false floor",
        "bonded warehouse 3",
        "seal broken on arrival",
        "consignee unknown",
    ])
    .prop_map(str::to_string)
}

/// Property-test cases: `PROPTEST_CASES` for the long runs (scripts/reliability.sh), else a
/// sample that keeps the test command quick.
fn cases(sample: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(sample)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(24)))]

    /// Three devices rewrite free-text fields offline, then exchange changes in a random order
    /// until all have everything: every device ends with the same value, which is one that was
    /// written whole; when devices wrote different texts, every one of the last texts shows in
    /// a conflict with who wrote it.
    #[test]
    fn concurrent_rewrites_of_free_text_never_interleave(
        writes in proptest::collection::vec(
            (0usize..3, 0usize..TEXT_FIELDS.len(), text()),
            1..16,
        ),
        order in proptest::collection::vec((0usize..3, 0usize..3), 0..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let stores: Vec<Arc<FieldStore>> = ["ama", "kofi", "esi"]
            .iter()
            .map(|u| new_store(dir.path(), u))
            .collect();
        let s0 = &stores[0];
        let id = s0
            .create_inspection(InspectionFields {
                container_number: Some("CSQU3054383".into()),
                ..Default::default()
            })
            .unwrap()
            .inspection
            .id;
        let finding = s0.add_finding(id.clone(), FindingFields::default()).unwrap().finding_id;
        let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], b"photo"].concat();
        let photo = s0.add_photo(id.clone(), jpeg, PhotoFields::default()).unwrap().photo.sha256;
        let view = s0
            .add_custody(
                id.clone(),
                CustodyFields {
                    from: "ama".into(),
                    to: "warehouse".into(),
                    location: None,
                    note: None,
                    at: Some("2026-11-29T10:00:00Z".into()),
                },
            )
            .unwrap();
        let entry = view.inspection.seizure.unwrap().custody[0].id.clone();
        let fx = Fixture { id: id.clone(), finding, photo, entry };
        for s in &stores[1..] {
            exchange(s0, s, &id);
        }
        // The last text each device wrote into each field.
        let mut last: Vec<std::collections::HashMap<usize, String>> = vec![Default::default(); 3];
        for (device, field, t) in &writes {
            write_text(&stores[*device], &fx, TEXT_FIELDS[*field], t);
            last[*device].insert(*field, t.clone());
        }
        // Some partial exchanges in a random order, then everyone gets everything.
        for (a, b) in &order {
            exchange(&stores[*a], &stores[*b], &id);
        }
        for a in 0..3 {
            for b in 0..3 {
                exchange(&stores[a], &stores[b], &id);
            }
        }
        let reference = json_of(s0, &id);
        for s in &stores[1..] {
            prop_assert_eq!(&json_of(s, &id), &reference);
        }
        let conflicts = s0.conflicts(id.clone()).unwrap();
        for (index, field) in TEXT_FIELDS.iter().enumerate() {
            let written: Vec<&String> = last.iter().filter_map(|l| l.get(&index)).collect();
            let (value, path) = read_text(s0, &fx, *field);
            let Some(first) = written.first() else {
                prop_assert_eq!(value, None, "{} was never written", path);
                continue;
            };
            let value = value.unwrap();
            prop_assert!(
                writes.iter().any(|(_, f, t)| *f == index && *t == value),
                "{} reads {:?}, which nobody wrote", path, value
            );
            let mut distinct: Vec<&String> = written.clone();
            distinct.sort();
            distinct.dedup();
            let conflict = conflicts.iter().find(|c| c.path == path);
            if distinct.len() == 1 {
                // Everyone who wrote agrees: that is the value, and nothing to settle.
                prop_assert_eq!(&value, *first);
                prop_assert!(conflict.is_none(), "{} agreed yet conflicts", path);
                continue;
            }
            // Nobody saw another's write (every exchange came after): each device's last text
            // survives whole in the conflict, with who wrote it, and nothing else does.
            let c = conflict.ok_or_else(|| {
                TestCaseError::fail(format!("{path} lost a concurrent version"))
            })?;
            prop_assert_eq!(c.kind, ConflictKind::Values);
            let mut shown: Vec<&String> = c.values.iter().map(|v| &v.value).collect();
            shown.sort();
            shown.dedup();
            prop_assert_eq!(shown, distinct);
            prop_assert!(c.values.iter().all(|v| v.user.is_some() && v.at.is_some()));
            prop_assert_eq!(&c.values[0].value, &value);
        }
    }
}
