-- 010: the documents whose local heads the server has not confirmed (no sync state, or shared
-- heads other than the document's heads), kept exact by triggers on every write of a document or
-- of its sync state, so finding what to push costs what changed instead of a join of every stored
-- document with its sync state (an idle reconnect grew with the store).
CREATE TABLE unsynced (doc_id TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT INTO unsynced(doc_id)
    SELECT d.id FROM documents d LEFT JOIN sync_state s ON s.doc_id = d.id
    WHERE s.doc_id IS NULL OR s.shared_heads != d.heads;

CREATE TRIGGER unsynced_doc_insert AFTER INSERT ON documents
WHEN NEW.heads IS NOT (SELECT shared_heads FROM sync_state WHERE doc_id = NEW.id)
BEGIN
    INSERT OR IGNORE INTO unsynced(doc_id) VALUES (NEW.id);
END;

CREATE TRIGGER unsynced_doc_changed AFTER UPDATE OF heads ON documents
WHEN NEW.heads IS NOT (SELECT shared_heads FROM sync_state WHERE doc_id = NEW.id)
BEGIN
    INSERT OR IGNORE INTO unsynced(doc_id) VALUES (NEW.id);
END;

CREATE TRIGGER unsynced_doc_caught_up AFTER UPDATE OF heads ON documents
WHEN NEW.heads IS (SELECT shared_heads FROM sync_state WHERE doc_id = NEW.id)
BEGIN
    DELETE FROM unsynced WHERE doc_id = NEW.id;
END;

CREATE TRIGGER unsynced_doc_delete AFTER DELETE ON documents
BEGIN
    DELETE FROM unsynced WHERE doc_id = OLD.id;
END;

CREATE TRIGGER unsynced_state_insert AFTER INSERT ON sync_state
BEGIN
    DELETE FROM unsynced WHERE doc_id = NEW.doc_id
        AND NEW.shared_heads IS (SELECT heads FROM documents WHERE id = NEW.doc_id);
    INSERT OR IGNORE INTO unsynced(doc_id)
        SELECT id FROM documents WHERE id = NEW.doc_id AND heads IS NOT NEW.shared_heads;
END;

CREATE TRIGGER unsynced_state_update AFTER UPDATE OF shared_heads ON sync_state
BEGIN
    DELETE FROM unsynced WHERE doc_id = NEW.doc_id
        AND NEW.shared_heads IS (SELECT heads FROM documents WHERE id = NEW.doc_id);
    INSERT OR IGNORE INTO unsynced(doc_id)
        SELECT id FROM documents WHERE id = NEW.doc_id AND heads IS NOT NEW.shared_heads;
END;

CREATE TRIGGER unsynced_state_delete AFTER DELETE ON sync_state
BEGIN
    INSERT OR IGNORE INTO unsynced(doc_id) SELECT id FROM documents WHERE id = OLD.doc_id;
END;
