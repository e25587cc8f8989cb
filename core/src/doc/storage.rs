//! How documents are kept in a database, shared by the device's store and the agency server on
//! either of its databases: one full save plus incremental saves folded back in every
//! [`COMPACT_AFTER_CHUNKS`], with the heads beside them so a sync can answer without loading.
//!
//! The tables (`documents`, `document_chunks`) are the same on every backend; the functions
//! take any [`Sql`] connection, inside the caller's transaction.

use crate::args;
use crate::doc::Document;
use crate::error::{Error, Result};
use crate::sql::Sql;

/// A document's incremental saves are folded into one full save after this many.
pub const COMPACT_AFTER_CHUNKS: i64 = 32;

/// The stored heads of document `id`, or NotFound.
pub fn stored_heads(conn: &dyn Sql, kind: &'static str, id: &str) -> Result<String> {
    conn.opt(
        "SELECT heads FROM documents WHERE id = ?1 AND kind = ?2",
        args![id, kind],
        |r| r.get(0),
    )?
    .ok_or_else(|| Error::NotFound {
        kind,
        id: id.to_string(),
    })
}

/// Loads a document: its full save followed by its incremental saves.
pub fn load_document(
    conn: &dyn Sql,
    actor: &[u8],
    kind: &'static str,
    id: &str,
) -> Result<Document> {
    load_counted(conn, actor, kind, id).map(|(doc, _)| doc)
}

/// [`load_document`], with how many incremental saves follow the full save: what
/// [`append_counted`] needs to write the next one without reading the row again.
pub fn load_counted(
    conn: &dyn Sql,
    actor: &[u8],
    kind: &'static str,
    id: &str,
) -> Result<(Document, i64)> {
    let found = stored_documents(conn, &[id])?.remove(id);
    let found = of_kind(found, kind, id)?;
    Ok((Document::load(&found.bytes, actor)?, found.chunks))
}

/// `found` if it is a document of `kind`, else NotFound.
pub fn of_kind(
    found: Option<StoredDocument>,
    kind: &'static str,
    id: &str,
) -> Result<StoredDocument> {
    found
        .filter(|f| f.kind == kind)
        .ok_or_else(|| Error::NotFound {
            kind,
            id: id.to_string(),
        })
}

/// A stored document's bytes (full save followed by incremental saves: loadable as they are)
/// and its heads, without loading it; None if absent.
pub fn stored_bytes(conn: &dyn Sql, id: &str) -> Result<Option<(Vec<u8>, Vec<String>)>> {
    Ok(stored_documents(conn, &[id])?
        .remove(id)
        .map(|found| (found.bytes, found.heads)))
}

/// A document as stored, not loaded.
pub struct StoredDocument {
    /// Its full save followed by its incremental saves: loadable as they are.
    pub bytes: Vec<u8>,
    pub heads: Vec<String>,
    pub kind: String,
    /// How many incremental saves follow the full save.
    pub chunks: i64,
}

/// The documents `ids` as stored, by id (the absent left out): one query, and one more when
/// any has incremental saves (the `chunks` column counts them, kept in step in the transaction
/// that writes them), however many there are.
pub fn stored_documents(
    conn: &dyn Sql,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, StoredDocument>> {
    let list = serde_json::to_string(ids).expect("a list of strings serialises");
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    let mut chunked = 0;
    conn.for_each(
        "SELECT id, snapshot, heads, kind, chunks FROM documents
         WHERE id IN (SELECT value FROM json_each(?1))",
        args![list],
        |r| {
            let heads: String = r.get(2)?;
            let document = StoredDocument {
                bytes: r.get(1)?,
                heads: serde_json::from_str(&heads)
                    .map_err(|e| Error::Integrity(format!("stored heads: {e}")))?,
                kind: r.get(3)?,
                chunks: r.get(4)?,
            };
            chunked += usize::from(document.chunks > 0);
            found.insert(r.get(0)?, document);
            Ok::<_, Error>(())
        },
    )?;
    if chunked > 0 {
        conn.for_each(
            "SELECT doc_id, data FROM document_chunks
             WHERE doc_id IN (SELECT value FROM json_each(?1)) ORDER BY doc_id, seq",
            args![list],
            |r| {
                let id = r.text(0)?;
                let document = found.get_mut(id).ok_or_else(|| {
                    Error::Integrity(format!("a chunk of {id}, which has no document"))
                })?;
                document.bytes.extend_from_slice(
                    r.blob(1)
                        .map_err(|e| Error::Integrity(format!("document chunk: {e}")))?,
                );
                Ok::<_, Error>(())
            },
        )?;
    }
    Ok(found)
}

/// Stores a new document from bytes already verified by loading them into `doc`.
pub fn insert_document_bytes(
    tx: &dyn Sql,
    kind: &str,
    id: &str,
    bytes: &[u8],
    doc: &mut Document,
) -> Result<()> {
    let heads = crate::doc::format_heads(&doc.heads());
    tx.defer(
        "INSERT INTO documents(id, kind, snapshot, chunks, heads, updated_at) VALUES (?1, ?2, ?3, 0, ?4, ?5)",
        args![
            id,
            kind,
            bytes,
            serde_json::to_string(&heads).expect("heads serialise"),
            crate::model::edits::now_rfc3339()
        ],
    )?;
    Ok(())
}

/// Stores a new document.
pub fn insert_document(tx: &dyn Sql, kind: &str, id: &str, doc: &mut Document) -> Result<()> {
    let bytes = doc.save();
    insert_document_bytes(tx, kind, id, &bytes, doc)
}

/// Appends what changed in `doc` since `before` to its stored form; folds the increments into a
/// new full save every [`COMPACT_AFTER_CHUNKS`]. Returns false when nothing changed.
pub fn append_document(
    tx: &dyn Sql,
    id: &str,
    doc: &mut Document,
    before: &[automerge::ChangeHash],
) -> Result<bool> {
    if doc.heads() == before {
        return Ok(false);
    }
    let chunks: i64 = tx.value("SELECT chunks FROM documents WHERE id = ?1", args![id])?;
    append_counted(tx, id, doc, before, chunks)
}

/// [`append_document`] for a document read in this transaction by [`load_counted`], which told
/// `chunks`; the document must have been held since ([`Sql::hold`]), so that no other writer
/// appended in between.
pub fn append_counted(
    tx: &dyn Sql,
    id: &str,
    doc: &mut Document,
    before: &[automerge::ChangeHash],
    chunks: i64,
) -> Result<bool> {
    let heads = doc.heads();
    if heads == before {
        return Ok(false);
    }
    let heads_json =
        serde_json::to_string(&crate::doc::format_heads(&heads)).expect("heads serialise");
    let now = crate::model::edits::now_rfc3339();
    if chunks + 1 >= COMPACT_AFTER_CHUNKS {
        tx.defer("DELETE FROM document_chunks WHERE doc_id = ?1", args![id])?;
        tx.defer(
            "UPDATE documents SET snapshot = ?2, chunks = 0, heads = ?3, updated_at = ?4 WHERE id = ?1",
            args![id, doc.save(), heads_json, now],
        )?;
    } else {
        tx.defer(
            "INSERT INTO document_chunks(doc_id, seq, data) VALUES (?1, ?2, ?3)",
            args![id, chunks + 1, doc.save_after(before)],
        )?;
        tx.defer(
            "UPDATE documents SET chunks = ?2, heads = ?3, updated_at = ?4 WHERE id = ?1",
            args![id, chunks + 1, heads_json, now],
        )?;
    }
    Ok(true)
}

/// The behaviour every backend's document storage must show, run by each backend's tests on a
/// connection to its own database (the device's SQLite, the server's SQLite, PostgreSQL) whose
/// `documents` and `document_chunks` tables are empty. Panics, naming the broken expectation.
pub mod conformance {
    use super::*;
    use crate::doc::Author;

    fn edited(doc: &mut Document, n: usize) {
        let author = Author {
            user: "ama".into(),
            device: "phone".into(),
        };
        doc.change(&author, "note", |e| {
            e.set_text_field(&automerge::ROOT, "note", Some(&format!("edit {n}")))
        })
        .expect("edit");
    }

    /// Every check, in order.
    pub fn run(c: &dyn Sql) {
        round_trip_through_increments_and_compaction(c);
        kinds_and_absence(c);
        bytes_survive_exactly(c);
        several_at_once(c);
    }

    /// A document stored, then edited past [`COMPACT_AFTER_CHUNKS`] increments (every other one
    /// through [`load_counted`] and [`append_counted`], as a server's push stores them), loads
    /// back equal at every step, and its stored heads follow it.
    pub fn round_trip_through_increments_and_compaction(c: &dyn Sql) {
        let actor = [7u8; 16];
        let mut doc = Document::new(&actor);
        edited(&mut doc, 0);
        insert_document(c, "inspection", "doc-a", &mut doc).expect("insert");
        for n in 1..=(COMPACT_AFTER_CHUNKS as usize + 3) {
            let before = doc.heads();
            edited(&mut doc, n);
            let appended = if n % 2 == 0 {
                append_document(c, "doc-a", &mut doc, &before)
            } else {
                let (mut loaded, chunks) =
                    load_counted(c, &actor, "inspection", "doc-a").expect("load counted");
                assert_eq!(loaded.heads(), before, "loaded before edit {n}");
                let kept: i64 = c
                    .value("SELECT chunks FROM documents WHERE id = ?1", args!["doc-a"])
                    .expect("chunks");
                assert_eq!(chunks, kept, "incremental saves counted before edit {n}");
                append_counted(c, "doc-a", &mut doc, &before, chunks)
            };
            assert!(appended.expect("append"), "an edit is appended");
            let mut back = load_document(c, &actor, "inspection", "doc-a").expect("load");
            assert_eq!(back.heads(), doc.heads(), "heads after edit {n}");
            assert_eq!(back.to_json(), doc.to_json(), "content after edit {n}");
            let stored = stored_heads(c, "inspection", "doc-a").expect("stored heads");
            assert_eq!(
                stored,
                serde_json::to_string(&crate::doc::format_heads(&doc.heads())).unwrap(),
                "stored heads after edit {n}"
            );
        }
        let chunks: i64 = c
            .value("SELECT chunks FROM documents WHERE id = ?1", args!["doc-a"])
            .expect("chunks");
        assert!(
            chunks < COMPACT_AFTER_CHUNKS,
            "increments are folded into a full save ({chunks} kept)"
        );
        let before = doc.heads();
        assert!(
            !append_document(c, "doc-a", &mut doc, &before).expect("append nothing"),
            "nothing changed, nothing appended"
        );
    }

    /// A document of another kind, or none, is NotFound; absent bytes are None.
    pub fn kinds_and_absence(c: &dyn Sql) {
        let actor = [8u8; 16];
        let mut doc = Document::new(&actor);
        edited(&mut doc, 1);
        insert_document(c, "review", "doc-r", &mut doc).expect("insert");
        assert!(matches!(
            load_document(c, &actor, "inspection", "doc-r"),
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            load_document(c, &actor, "inspection", "nothing"),
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            stored_heads(c, "inspection", "doc-r"),
            Err(Error::NotFound { .. })
        ));
        assert!(stored_bytes(c, "nothing").expect("read").is_none());
        assert!(load_document(c, &actor, "review", "doc-r").is_ok());
    }

    /// Documents read together (some with incremental saves, some without, one absent) are
    /// each what reading them one by one gives, and their saves do not mix.
    pub fn several_at_once(c: &dyn Sql) {
        let actor = [10u8; 16];
        let ids = ["many-0", "many-1", "many-2", "many-3"];
        let mut docs = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let mut doc = Document::new(&actor);
            edited(&mut doc, i);
            insert_document(c, "inspection", id, &mut doc).expect("insert");
            // The first has no incremental save, the others 1, 2 and 3.
            for n in 0..i {
                let before = doc.heads();
                edited(&mut doc, 100 + n);
                append_document(c, id, &mut doc, &before).expect("append");
            }
            docs.push(doc);
        }
        let mut asked: Vec<&str> = ids.to_vec();
        asked.push("many-absent");
        let mut found = stored_documents(c, &asked).expect("read several");
        assert_eq!(found.len(), ids.len(), "the absent one is left out");
        for (i, (id, doc)) in ids.iter().zip(&mut docs).enumerate() {
            let one = stored_bytes(c, id).expect("read one").expect("present");
            let many = found.remove(*id).expect("read with the others");
            assert_eq!(many.bytes, one.0, "{id}: the same bytes");
            assert_eq!(many.heads, one.1, "{id}: the same heads");
            assert_eq!(many.chunks, i as i64, "{id}: incremental saves");
            assert_eq!(many.kind, "inspection");
            let mut back = Document::load(&many.bytes, &actor).expect("load");
            assert_eq!(back.to_json(), doc.to_json(), "{id}: its own content");
            assert_eq!(back.heads(), doc.heads(), "{id}: its own heads");
        }
        assert!(stored_documents(c, &[]).expect("read none").is_empty());
    }

    /// Bytes stored as they came are given back byte for byte, with their heads.
    pub fn bytes_survive_exactly(c: &dyn Sql) {
        let actor = [9u8; 16];
        let mut doc = Document::new(&actor);
        edited(&mut doc, 2);
        let bytes = doc.save();
        let mut loaded = Document::load(&bytes, &actor).expect("load");
        insert_document_bytes(c, "inspection", "doc-b", &bytes, &mut loaded).expect("insert");
        let (back, heads) = stored_bytes(c, "doc-b").expect("read").expect("present");
        assert_eq!(back, bytes, "stored bytes");
        assert_eq!(
            heads,
            crate::doc::format_heads(&doc.heads()),
            "stored heads"
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_device_store_passes_the_storage_suite() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::store::open_connection(
            &dir.path().join("t.sqlite3"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_CREATE,
        )
        .unwrap();
        crate::store::migrations::apply(
            &mut conn,
            crate::store::migrations::MIGRATIONS,
            crate::store::migrations::MIGRATIONS.len(),
        )
        .unwrap();
        super::conformance::run(&conn);
    }
}
