//! Ids as people read and type them. Inspection, finding and custody ids are UUIDv7: their start
//! is a timestamp that everything recorded in the same second shares (on this device or a
//! colleague's), so the CLI shows their random end and accepts the whole id, its end or any
//! unique start.

use quayside_core::{ApiError, FieldStore, InspectionFilter};

use crate::CliError;

/// How many characters of an id tables and messages show.
pub const SHOWN: usize = 8;

/// The part of an id that is shown: its last [`SHOWN`] characters.
pub fn short(id: &str) -> &str {
    let mut start = id.len().saturating_sub(SHOWN);
    while !id.is_char_boundary(start) {
        start += 1;
    }
    &id[start..]
}

/// The one id of `ids` that `given` names: the whole id, its end or its start. `Ok(None)` when
/// none does; an error when several do.
pub fn pick<'a>(
    given: &str,
    ids: impl IntoIterator<Item = &'a str>,
    what: &str,
) -> Result<Option<String>, CliError> {
    let given = given.trim();
    let ids: Vec<&str> = ids.into_iter().collect();
    if let Some(exact) = ids.iter().find(|id| **id == given) {
        return Ok(Some(exact.to_string()));
    }
    if given.is_empty() {
        return Ok(None);
    }
    let mut found: Vec<&str> = ids
        .into_iter()
        .filter(|id| id.starts_with(given) || id.ends_with(given))
        .collect();
    found.sort_unstable();
    found.dedup();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.to_string())),
        many => Err(CliError::Usage(format!(
            "{given} matches {} {what} ids ({}); type more of it",
            many.len(),
            many.iter()
                .take(4)
                .map(|id| short(id))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The inspection `given` names. A whole id is taken as it is (the core says if it is unknown);
/// only a part of one is looked up among the inspections.
pub fn inspection(store: &FieldStore, given: &str) -> Result<String, CliError> {
    let given = given.trim();
    if given.len() >= 36 {
        return Ok(given.to_string());
    }
    let all = store.list_inspections(InspectionFilter {
        limit: Some(1_000_000),
        ..Default::default()
    })?;
    pick(given, all.iter().map(|s| s.id.as_str()), "inspection")?.ok_or_else(|| {
        CliError::Api(ApiError::NotFound {
            message: format!("no inspection with id {given}"),
            kind: "inspection".into(),
            id: given.into(),
        })
    })
}

/// Every element id of an inspection a command can name: findings, photos, custody entries,
/// elements in conflict and removed ones. Read once per command, however many ids it names.
pub struct Elements(Vec<String>);

impl Elements {
    pub fn of(store: &FieldStore, inspection_id: &str) -> Result<Elements, CliError> {
        let view = store.get_inspection(inspection_id.to_string())?;
        let i = &view.inspection;
        let mut ids: Vec<&str> = i.findings.iter().map(|f| f.id.as_str()).collect();
        ids.extend(i.photos.iter().map(|p| p.sha256.as_str()));
        if let Some(s) = &i.seizure {
            ids.extend(s.items.iter().map(|x| x.finding_id.as_str()));
            ids.extend(s.custody.iter().map(|c| c.id.as_str()));
        }
        ids.extend(
            view.conflicts
                .iter()
                .filter_map(|c| c.element_id.as_deref()),
        );
        ids.extend(view.removed.iter().map(|r| r.id.as_str()));
        Ok(Elements(ids.into_iter().map(str::to_string).collect()))
    }

    /// The element `given` names; as typed when none matches (the core then says what is wrong
    /// with it).
    pub fn name(&self, given: &str) -> Result<String, CliError> {
        Ok(pick(given, self.0.iter().map(String::as_str), "element")?
            .unwrap_or_else(|| given.trim().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two ids made in the same millisecond share 13 characters; their ends tell them apart.
    const A: &str = "019ad2f1-4c5e-7a10-8d3e-5b2f7c9a1e04";
    const B: &str = "019ad2f1-4c5e-7b22-9f01-c44d0e6b3a77";

    #[test]
    fn the_end_tells_ids_of_the_same_second_apart() {
        assert_eq!(short(A), "7c9a1e04");
        let ids = [A, B];
        assert_eq!(
            pick("7c9a1e04", ids, "inspection").unwrap().as_deref(),
            Some(A)
        );
        assert_eq!(
            pick("e6b3a77", ids, "inspection").unwrap().as_deref(),
            Some(B)
        );
        assert_eq!(pick(B, ids, "inspection").unwrap().as_deref(), Some(B));
        assert_eq!(
            pick("019ad2f1-4c5e-7a", ids, "inspection")
                .unwrap()
                .as_deref(),
            Some(A)
        );
        let err = pick("019ad2f1", ids, "inspection").unwrap_err().to_string();
        assert!(
            err.contains("matches 2 inspection ids (7c9a1e04, 0e6b3a77)"),
            "{err}"
        );
        assert_eq!(pick("deadbeef", ids, "inspection").unwrap(), None);
        assert_eq!(pick("", ids, "inspection").unwrap(), None);
    }
}
