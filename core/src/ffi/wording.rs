//! How a finding, a figure basis, a list element and a conflict read on a screen, as message keys:
//! written once here, so the two phones say the same thing in the officer's language instead of
//! each composing English of its own.

use super::messages::{MessageKey as K, UserMessage};
use super::{ConflictKind, ElementList, FigureBasis};
use crate::doc;
use crate::model;

#[uniffi::export]
impl FigureBasis {
    /// What the figures rest on, in a few words.
    pub fn label(&self) -> UserMessage {
        UserMessage::plain(match self {
            FigureBasis::Measured => K::BasisMeasured,
            FigureBasis::Identified => K::BasisIdentified,
            FigureBasis::Declared => K::BasisDeclared,
            FigureBasis::NotIdentified => K::BasisNotIdentified,
            FigureBasis::NotRecorded => K::BasisNotRecorded,
        })
    }
}

#[uniffi::export]
impl ElementList {
    /// What an element of this list is called ("Finding", "Photo", ...).
    pub fn label(&self) -> UserMessage {
        UserMessage::plain(match self {
            ElementList::Findings => K::ElementFinding,
            ElementList::Photos => K::ElementPhoto,
            ElementList::SeizureItems => K::ElementSeizedItem,
            ElementList::Custody => K::ElementCustody,
        })
    }
}

/// A percentage as shown in a title: up to two decimals, no trailing zeros.
fn pct(v: f64) -> String {
    crate::model::quantity::format((v * 100.0).round() / 100.0, '.')
}

/// "HCFC-22 60 %, R-290 38 %, air 2 %"
fn composition(parts: &[model::MeasuredComponent]) -> String {
    parts
        .iter()
        .map(|c| format!("{} {} %", c.component, pct(c.pct)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A finding's title, in parts the shell joins with its list separator: what was found, what
/// was measured, a polyol's content, what was declared; "No substance recorded" when none.
pub(super) fn finding_title(f: &model::Finding) -> Vec<UserMessage> {
    let mut parts = Vec::new();
    match (&f.identified_substance, &f.identified_other) {
        (Some(s), _) if s == model::UNKNOWN => {
            parts.push(UserMessage::plain(K::FindingFoundUnknown))
        }
        (Some(s), _) => parts.push(UserMessage::new(K::FindingFound, [s.clone()])),
        (None, Some(other)) => parts.push(UserMessage::new(K::FindingFoundOther, [other.clone()])),
        (None, None) => {}
    }
    if !f.composition.is_empty() {
        parts.push(UserMessage::new(
            K::FindingMeasured,
            [composition(&f.composition)],
        ));
    }
    if let Some(c) = f.content_pct {
        parts.push(UserMessage::new(K::FindingContent, [pct(c)]));
    }
    if let Some(d) = &f.declared_substance {
        parts.push(UserMessage::new(K::FindingDeclared, [d.clone()]));
    }
    if parts.is_empty() {
        parts.push(UserMessage::plain(K::FindingNothingRecorded));
    }
    parts
}

/// A short name for chips and lead-ins: the identified, other, most-measured or declared
/// substance, else the id's end.
pub(super) fn finding_name(f: &model::Finding) -> UserMessage {
    let plain = |s: &String| UserMessage::new(K::FindingName, [s.clone()]);
    if let Some(s) = f
        .identified_substance
        .as_ref()
        .or(f.identified_other.as_ref())
    {
        return plain(s);
    }
    if let Some(c) = f.composition.iter().max_by(|a, b| a.pct.total_cmp(&b.pct)) {
        return UserMessage::new(K::FindingNameMeasured, [c.component.clone()]);
    }
    if let Some(d) = &f.declared_substance {
        return plain(d);
    }
    let end = &f.id[f.id.len().saturating_sub(8)..];
    UserMessage::new(K::FindingNameId, [end.to_string()])
}

/// A conflict's title and what the officer can do about it.
pub(super) fn conflict(c: &doc::Conflict, list: Option<ElementList>) -> (UserMessage, UserMessage) {
    let names = |values: &mut dyn Iterator<Item = &doc::ConflictValue>| {
        let mut users: Vec<String> = Vec::new();
        for user in values.filter_map(|v| v.user.clone()) {
            if !users.contains(&user) {
                users.push(user);
            }
        }
        if users.is_empty() {
            "?".to_string()
        } else {
            users.join(", ")
        }
    };
    match (ConflictKind::from(c.kind), list) {
        (ConflictKind::RemovedWhileEdited, Some(list)) => {
            let removed_by = names(&mut c.values.iter().filter(|v| v.value == doc::REMOVAL));
            let edited_by = names(&mut c.values.iter().filter(|v| v.value != doc::REMOVAL));
            let key = match list {
                ElementList::Findings => K::ConflictRemovedFinding,
                ElementList::Photos => K::ConflictRemovedPhoto,
                ElementList::SeizureItems => K::ConflictRemovedSeizedItem,
                ElementList::Custody => K::ConflictRemovedCustody,
            };
            (
                UserMessage::new(key, [removed_by, edited_by]),
                UserMessage::plain(K::HintRemovedWhileEdited),
            )
        }
        _ => (
            UserMessage::new(K::ConflictValues, [c.path.clone()]),
            UserMessage::plain(if c.path == "notes" {
                K::HintNotes
            } else {
                K::HintField
            }),
        ),
    }
}

/// What a change in an inspection's history did, in parts to show joined with ", ", read from
/// the summary the change recorded (which stays as recorded: it is part of the evidence). A
/// summary this version does not know reads as itself (`history_other`).
pub(super) fn history_message(summary: &str) -> Vec<UserMessage> {
    let one = |key, args: &[&str]| vec![UserMessage::new(key, args.iter().copied())];
    let list_key = |verb: &str, noun: &str| -> Option<K> {
        Some(match (verb, noun) {
            ("removed", "finding") => K::HistoryRemovedFinding,
            ("removed", "photo") => K::HistoryRemovedPhoto,
            ("removed", "seized item") => K::HistoryRemovedSeizedItem,
            ("removed", "custody entry") => K::HistoryRemovedCustody,
            ("restored", "finding") => K::HistoryRestoredFinding,
            ("restored", "photo") => K::HistoryRestoredPhoto,
            ("restored", "seized item") => K::HistoryRestoredSeizedItem,
            ("restored", "custody entry") => K::HistoryRestoredCustody,
            _ => return None,
        })
    };
    let first_word = |s: &str| {
        s.split([' ', ':', '('])
            .next()
            .unwrap_or_default()
            .to_string()
    };
    if let Some(container) = summary.strip_prefix("created inspection of container ") {
        return one(K::HistoryCreated, &[container]);
    }
    if let Some(fields) = summary.strip_prefix("set ") {
        let keys: Option<Vec<K>> = fields.split(", ").map(changed_field_key).collect();
        if let Some(keys) = keys {
            return keys.into_iter().map(UserMessage::plain).collect();
        }
    }
    match summary {
        "edited inspection" => return one(K::HistoryEditedInspection, &[]),
        "submitted for review" => return one(K::HistorySubmitted, &[]),
        "edited seizure" => return one(K::HistorySeizure, &[]),
        _ => {}
    }
    if summary.starts_with("set seizure (") {
        return one(K::HistorySeizure, &[]);
    }
    if let Some(id) = summary.strip_prefix("added finding ") {
        return one(K::HistoryAddedFinding, &[&first_word(id)]);
    }
    if let Some(id) = summary.strip_prefix("edited finding ") {
        return one(K::HistoryEditedFinding, &[id]);
    }
    if let Some(sha) = summary.strip_prefix("added photo ") {
        return one(K::HistoryAddedPhoto, &[&first_word(sha)]);
    }
    if let Some(sha) = summary.strip_prefix("edited photo ") {
        return one(K::HistoryEditedPhoto, &[sha]);
    }
    if summary.starts_with("corrected custody entry ") {
        return one(K::HistoryCorrectedCustody, &[]);
    }
    if let Some((from, to)) = summary
        .strip_prefix("custody: ")
        .and_then(|s| s.split_once(" -> "))
    {
        return one(K::HistoryHandedOver, &[from, to]);
    }
    for verb in ["removed", "restored"] {
        if let Some(rest) = summary.strip_prefix(verb).and_then(|r| r.strip_prefix(' '))
            && let Some((noun, id)) = rest.rsplit_once(' ')
            && let Some(key) = list_key(verb, noun)
        {
            return one(key, &[id]);
        }
    }
    for (decision, key) in [
        ("approved", K::HistoryApproved),
        ("returned", K::HistoryReturned),
    ] {
        if summary.starts_with(&format!("{decision} inspection ")) {
            return one(key, &[]);
        }
    }
    one(K::HistoryOther, &[summary])
}

/// The key of an inspection field as the history names it (`doc::inspection::update`).
fn changed_field_key(name: &str) -> Option<K> {
    Some(match name {
        "container number" => K::HistoryChangedContainer,
        "seals" => K::HistoryChangedSeals,
        "size/type" => K::HistoryChangedSizeType,
        "station" => K::HistoryChangedStation,
        "declaration number" => K::HistoryChangedDeclaration,
        "bill of lading" => K::HistoryChangedBillOfLading,
        "declared HS code" => K::HistoryChangedHsCode,
        "declared description" => K::HistoryChangedDescription,
        "declared quantity" => K::HistoryChangedQuantity,
        "consignor" => K::HistoryChangedConsignor,
        "consignee" => K::HistoryChangedConsignee,
        "origin" => K::HistoryChangedOrigin,
        "destination" => K::HistoryChangedDestination,
        "transit" => K::HistoryChangedTransit,
        "location" => K::HistoryChangedLocation,
        "selection reason" => K::HistoryChangedSelectionReason,
        "notes" => K::HistoryChangedNotes,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(identified: Option<&str>, declared: Option<&str>) -> model::Finding {
        model::Finding {
            id: "f-0192a7c49f3a6c21".into(),
            identified_substance: identified.map(Into::into),
            declared_substance: declared.map(Into::into),
            ..Default::default()
        }
    }

    fn english(parts: &[UserMessage]) -> Vec<String> {
        parts.iter().map(UserMessage::to_english).collect()
    }

    #[test]
    fn a_finding_reads_as_what_was_found_measured_and_declared() {
        let f = finding(Some("HCFC-22"), Some("HFC-134a"));
        assert_eq!(
            english(&finding_title(&f)),
            ["Found HCFC-22", "declared HFC-134a"]
        );
        assert_eq!(finding_name(&f).to_english(), "HCFC-22");
        let mut measured = finding(None, None);
        measured.composition = vec![
            model::MeasuredComponent {
                component: "HCFC-22".into(),
                pct: 60.0,
            },
            model::MeasuredComponent {
                component: "R-290".into(),
                pct: 37.5,
            },
        ];
        assert_eq!(
            english(&finding_title(&measured)),
            ["measured HCFC-22 60 %, R-290 37.5 %"]
        );
        assert_eq!(finding_name(&measured).to_english(), "HCFC-22 (measured)");
        let unknown = finding(Some(model::UNKNOWN), None);
        assert_eq!(
            english(&finding_title(&unknown)),
            ["Found an unknown substance"]
        );
        let empty = finding(None, None);
        assert_eq!(english(&finding_title(&empty)), ["No substance recorded"]);
        assert_eq!(finding_name(&empty).to_english(), "Finding …9f3a6c21");
    }
}
