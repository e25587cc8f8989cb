//! Drafts: what an officer has typed into a form and not yet saved, kept durably as they type so
//! a killed app, a rotation or a dead battery loses no keystroke. A draft names the version of
//! the record the form was filled from, so saving it later writes only what was changed.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::error::{Error, Result};
use crate::model::edits::now_rfc3339;

/// A form's unsaved content.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The form's key, chosen by the shell (`inspection:<id>`, `finding:<id>:new`, ...).
    pub form: String,
    pub inspection_id: Option<String>,
    /// Heads of the version the form was filled from.
    pub based_on: Vec<String>,
    /// Field name to the text as typed.
    pub fields: BTreeMap<String, String>,
    pub saved_at: String,
}

/// The largest draft kept (all fields together): far above any form, far below harm.
pub const MAX_DRAFT_BYTES: usize = 1024 * 1024;

impl Store {
    /// Saves (replaces) a form's draft.
    pub fn save_draft(
        &self,
        form: &str,
        inspection_id: Option<&str>,
        based_on: &[String],
        fields: &BTreeMap<String, String>,
    ) -> Result<Draft> {
        if form.trim().is_empty() || form.len() > 200 {
            return Err(Error::Invalid(
                "a draft needs a form key of 1 to 200 characters".into(),
            ));
        }
        let json = serde_json::to_string(fields).expect("strings serialise");
        if json.len() > MAX_DRAFT_BYTES {
            return Err(Error::Invalid(format!(
                "a draft of {} bytes is larger than the {MAX_DRAFT_BYTES} kept",
                json.len()
            )));
        }
        let saved_at = now_rfc3339();
        self.writer().execute(
            "INSERT INTO drafts(form, inspection_id, based_on, fields, saved_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(form) DO UPDATE SET inspection_id = excluded.inspection_id,
                 based_on = excluded.based_on, fields = excluded.fields, saved_at = excluded.saved_at",
            params![
                form,
                inspection_id,
                serde_json::to_string(based_on).expect("heads serialise"),
                json,
                saved_at
            ],
        )?;
        Ok(Draft {
            form: form.to_string(),
            inspection_id: inspection_id.map(str::to_string),
            based_on: based_on.to_vec(),
            fields: fields.clone(),
            saved_at,
        })
    }

    /// A form's draft, if one was kept.
    pub fn draft(&self, form: &str) -> Result<Option<Draft>> {
        let conn = self.reader();
        let row = conn
            .prepare_cached(
                "SELECT form, inspection_id, based_on, fields, saved_at FROM drafts WHERE form = ?1",
            )?
            .query_row([form], read_row)
            .optional()?;
        row.map(parse_row).transpose()
    }

    /// Every kept draft, oldest first (what to offer back after a restart).
    pub fn drafts(&self) -> Result<Vec<Draft>> {
        let conn = self.reader();
        let rows = conn
            .prepare_cached(
                "SELECT form, inspection_id, based_on, fields, saved_at FROM drafts ORDER BY saved_at, form",
            )?
            .query_map([], read_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(parse_row).collect()
    }

    /// Forgets a form's draft (after it was saved, or the officer discarded it).
    pub fn discard_draft(&self, form: &str) -> Result<()> {
        self.writer()
            .execute("DELETE FROM drafts WHERE form = ?1", [form])?;
        Ok(())
    }
}

type Row = (String, Option<String>, String, String, String);

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn parse_row((form, inspection_id, based_on, fields, saved_at): Row) -> Result<Draft> {
    let bad = |e: serde_json::Error| Error::Integrity(format!("draft {form}: {e}"));
    Ok(Draft {
        based_on: serde_json::from_str(&based_on).map_err(bad)?,
        fields: serde_json::from_str(&fields).map_err(bad)?,
        form,
        inspection_id,
        saved_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_survives_reopening_and_is_replaced_then_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let key = crate::store::StoreKey::generate();
        let fields: BTreeMap<String, String> =
            [("notes".to_string(), "half-typed <b>note".to_string())].into();
        {
            let store = Store::init(dir.path(), &key, "ana", "NLRTM").unwrap();
            store
                .save_draft("inspection:x", Some("x"), &["aa".into()], &fields)
                .unwrap();
        }
        let store = Store::open(dir.path(), &key).unwrap();
        let d = store.draft("inspection:x").unwrap().unwrap();
        assert_eq!(d.fields, fields);
        assert_eq!(d.based_on, vec!["aa".to_string()]);
        let more: BTreeMap<String, String> = [("notes".to_string(), "done".to_string())].into();
        store
            .save_draft("inspection:x", Some("x"), &[], &more)
            .unwrap();
        assert_eq!(store.drafts().unwrap().len(), 1);
        assert_eq!(store.draft("inspection:x").unwrap().unwrap().fields, more);
        store.discard_draft("inspection:x").unwrap();
        assert_eq!(store.draft("inspection:x").unwrap(), None);
        assert!(store.save_draft(" ", None, &[], &more).is_err());
    }
}
