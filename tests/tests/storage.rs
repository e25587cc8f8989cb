//! The document storage the device and the server share passes one suite on every backend:
//! here the server's database (the embedded SQLite file, or PostgreSQL in the tests' PostgreSQL
//! pass); the device's store runs the same suite in the core's own tests.

use quayside_e2e::*;

#[test]
fn the_servers_database_passes_the_document_storage_suite() {
    let data = ServerData::new();
    data.db()
        .write(|c| {
            quayside_core::doc::storage::conformance::run(c);
            Ok(())
        })
        .unwrap();
}

/// PostgreSQL without autovacuum keeps no table statistics and plans the feed as a full scan
/// that grows with the records: the server refreshes them itself, at start and as tables change.
#[test]
fn postgres_without_autovacuum_gets_table_statistics_from_the_server() {
    let data = ServerData::new();
    let Some(url) = data.url() else {
        eprintln!("PostgreSQL only: set QUAYSIDE_TEST_POSTGRES");
        return;
    };
    let db = data.db();
    let c = quayside_server::pg::Standalone::connect(url).unwrap();
    let c: &dyn quayside_core::sql::Sql = &c;
    let autovacuum: String = c.value("SHOW autovacuum", quayside_core::args![]).unwrap();
    let analyzed: bool = c
        .value(
            "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'doc_index'",
            quayside_core::args![],
        )
        .unwrap();
    assert_eq!(
        analyzed,
        autovacuum == "off",
        "autovacuum {autovacuum}: the server analyzes exactly when PostgreSQL does not"
    );
    // Then, on the server's round every minute, the tables that changed by more than
    // autovacuum's own threshold (50 rows and a tenth of the table), and only those.
    let mods = |table: &str| -> i64 {
        c.value(
            "SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = ?1",
            quayside_core::args![table],
        )
        .unwrap()
    };
    db.add_station("GHQQQ", "GH", "Test station").unwrap();
    for i in 0..60 {
        db.add_user(
            &format!("officer{i}"),
            "officer",
            &["GHQQQ".to_string()],
            None,
        )
        .unwrap();
    }
    // PostgreSQL counts changes in the background (a pooled connection reports its counts
    // within about ten seconds): wait until it has counted these.
    for _ in 0..6000 {
        if mods("users") >= 60 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(mods("users") >= 60, "PostgreSQL counted the new users");
    db.storage().maintain().unwrap();
    let (users, stations) = (mods("users"), mods("stations"));
    // (With autovacuum on, PostgreSQL's own worker may analyze either table at any moment.)
    if autovacuum == "off" {
        assert_eq!(
            users, 0,
            "the users table, changed past the threshold, was analyzed"
        );
        assert!(
            stations > 0,
            "the stations table, changed by one row, was left alone"
        );
    }
}

/// How many advisory locks transactions on the test's PostgreSQL database are waiting for.
fn waiting_for_locks(c: &dyn quayside_core::sql::Sql) -> i64 {
    c.value(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        quayside_core::args![],
    )
    .unwrap()
}

/// Waits (without a deadline that could fail a slow machine's run: up to a minute) until `n`
/// transactions wait for an advisory lock.
fn until_waiting(c: &dyn quayside_core::sql::Sql, n: i64) {
    for _ in 0..6000 {
        if waiting_for_locks(c) == n {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("{n} writers never came to wait");
}

/// On PostgreSQL, a write of documents holds what it names and nothing more: a writer of another
/// document goes ahead, a writer of the same document waits, and so does every writer that takes
/// the whole database (as accounts and enrolment do) until the holder commits.
#[test]
fn postgres_writers_of_different_documents_do_not_wait_for_each_other() {
    use std::sync::mpsc;
    use std::time::Duration;
    let data = ServerData::new();
    let Some(url) = data.url() else {
        eprintln!("PostgreSQL only: set QUAYSIDE_TEST_POSTGRES");
        return;
    };
    let watch = quayside_server::pg::Standalone::connect(url).unwrap();
    // Each opened first (opening brings the schema up to date, which takes the whole database).
    let (a, other, same, whole) = (data.db(), data.db(), data.db(), data.db());
    let (held_tx, held) = mpsc::channel();
    let (go, go_rx) = mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        a.storage().write_documents(|c| {
            c.hold(&["inspection-x"])?;
            c.hold_all()?;
            held_tx.send(()).unwrap();
            go_rx.recv().unwrap();
            Ok(())
        })
    });
    held.recv().unwrap();
    // Another document: not held up by the holder.
    let (done_tx, done) = mpsc::channel();
    std::thread::spawn(move || {
        let r = other
            .storage()
            .write_documents(|c| Ok(c.hold(&["inspection-y", "review-z"])?));
        done_tx.send(r.is_ok()).unwrap();
    });
    assert_eq!(
        done.recv_timeout(Duration::from_secs(60)),
        Ok(true),
        "a writer of other documents waited for the holder"
    );
    // The same document, and a writer of the whole database: both wait.
    let same = std::thread::spawn(move || {
        same.storage()
            .write_documents(|c| Ok(c.hold(&["inspection-w", "inspection-x"])?))
    });
    until_waiting(&watch, 1);
    let whole = std::thread::spawn(move || whole.write(|_| Ok(())));
    until_waiting(&watch, 2);
    assert!(!same.is_finished() && !whole.is_finished());
    go.send(()).unwrap();
    holder.join().unwrap().unwrap();
    same.join().unwrap().unwrap();
    whole.join().unwrap().unwrap();
    assert_eq!(waiting_for_locks(&watch), 0);
}

/// Change numbers are issued at the very end of a write: on PostgreSQL the numbering goes to
/// the database with the commit, so a writer of the whole database is not held up by a
/// transaction that has only asked for its numbers; the number is known once it has committed,
/// never if it rolled back, and the next transaction's numbers come after it.
#[test]
fn numbers_are_issued_with_the_commit_and_follow_each_other() {
    use quayside_core::args;
    let data = ServerData::new();
    let (db, mut whole) = (data.db(), Some(data.db()));
    db.write(|c| {
        c.batch(
            "CREATE TABLE numbered(id TEXT PRIMARY KEY, n BIGINT NOT NULL);
             INSERT INTO numbered VALUES ('a', 0), ('b', 0), ('c', 0)",
        )?;
        Ok(())
    })
    .unwrap();
    let n = |id: &str| -> i64 {
        db.read(|c| Ok(c.value("SELECT n FROM numbered WHERE id = ?1", args![id])?))
            .unwrap()
    };
    let first = db
        .storage()
        .write_documents(|c| {
            c.hold(&["inspection-a"])?;
            let first = c.issue_numbers(1, (FIRST, args![10]), (NUMBER, args!["a"]))?;
            if data.url().is_some() {
                assert!(first.get().is_err(), "known before the commit");
                // Nothing sent yet, nothing held: a writer of the whole database goes ahead.
                let (done_tx, done) = std::sync::mpsc::channel();
                let whole = whole.take().unwrap();
                std::thread::spawn(move || done_tx.send(whole.write(|_| Ok(())).is_ok()));
                assert_eq!(
                    done.recv_timeout(std::time::Duration::from_secs(60)),
                    Ok(true),
                    "a writer of the whole database waited for numbers not yet issued"
                );
            }
            Ok(first)
        })
        .unwrap();
    let first = first.get().unwrap();
    assert_eq!(n("a"), first);
    // A rolled-back transaction (its numbering sent before it failed) keeps nothing and leaves
    // nothing held.
    let failed = db.storage().write_documents(|c| {
        c.issue_numbers(1, (FIRST, args![5]), (NUMBER, args!["b"]))?;
        c.batch("SELECT 1")?;
        Err::<(), _>(quayside_server::error::ServerError::BadRequest("no".into()))
    });
    assert!(failed.is_err());
    assert_eq!(n("b"), 0, "a rolled-back number was kept");
    let next = db
        .storage()
        .write_documents(|c| Ok(c.issue_numbers(1, (FIRST, args![1]), (NUMBER, args!["c"]))?))
        .unwrap()
        .get()
        .unwrap();
    assert!(
        next > first,
        "{next} numbered after the last committed {first}"
    );
    assert_eq!((n("b"), n("c")), (0, next));
    if data.url().is_none() {
        // SQLite's writers run one at a time: the next after the last committed.
        assert_eq!((first, next), (10, 11));
    }
}

/// The first number where writers run one at a time: the test's `?1` above the last issued.
const FIRST: &str = "SELECT coalesce(max(n), 0) + ?1 FROM numbered";
/// Gives `?2` the number `?1`.
const NUMBER: &str = "UPDATE numbered SET n = ?1 WHERE id = ?2";

/// On PostgreSQL writers number at once, each holding nothing: a writer that began writing
/// first numbers below one that began later, whichever commits first, and until it commits
/// a reader stops below it, so no reader passes a number that is committed later.
#[test]
fn a_reader_stops_below_numbers_a_running_writer_may_yet_commit() {
    use quayside_core::args;
    use std::sync::mpsc;
    let data = ServerData::new();
    if data.url().is_none() {
        eprintln!(
            "PostgreSQL only (SQLite's writers run one at a time): set QUAYSIDE_TEST_POSTGRES"
        );
        return;
    }
    let (db, older) = (data.db(), data.db());
    db.write(|c| {
        c.batch(
            "CREATE TABLE numbered(id TEXT PRIMARY KEY, n BIGINT NOT NULL);
             INSERT INTO numbered VALUES ('late', 0), ('early', 0)",
        )?;
        Ok(())
    })
    .unwrap();
    let settled = || -> i64 {
        db.read(|c| Ok(c.numbers_settled_below()?))
            .unwrap()
            .expect("PostgreSQL tells where numbers are settled")
    };
    let (writing_tx, writing) = mpsc::channel();
    let (go, go_rx) = mpsc::channel::<()>();
    let late = std::thread::spawn(move || {
        older
            .storage()
            .write_documents(|c| {
                // A write that reaches the database: the transaction has begun writing.
                c.execute("UPDATE numbered SET n = -1 WHERE id = 'late'", args![])?;
                writing_tx.send(()).unwrap();
                go_rx.recv().unwrap();
                Ok(c.issue_numbers(1, (FIRST, args![1]), (NUMBER, args!["late"]))?)
            })
            .unwrap()
    });
    writing.recv().unwrap();
    let early = db
        .storage()
        .write_documents(|c| Ok(c.issue_numbers(1, (FIRST, args![1]), (NUMBER, args!["early"]))?))
        .unwrap()
        .get()
        .unwrap();
    let before = settled();
    assert!(
        before <= early,
        "settled below {before}: a reader would pass {early} while an older writer runs"
    );
    go.send(()).unwrap();
    let late = late.join().unwrap().get().unwrap();
    assert!(
        late < early,
        "the writer that began first numbers first ({late}, {early})"
    );
    assert!(
        before <= late,
        "settled below {before} while {late} was still to be committed"
    );
    // Both committed: a reader goes past them (once any other transaction on this PostgreSQL
    // that began writing before them has ended too: up to a minute).
    for _ in 0..6000 {
        if settled() > early {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the settled numbers never passed {early}");
}

/// A savepoint undoes what was written after it and nothing before, whether or not the backend
/// had sent it to the database yet (PostgreSQL defers `SAVEPOINT`, `RELEASE` and the writes
/// around them until something is read), nested savepoints included; a transaction that fails
/// leaves nothing, whether its writes were sent or still deferred, and the connection serves
/// the next one.
#[test]
fn a_savepoint_undoes_only_what_followed_it() {
    use quayside_core::args;
    let data = ServerData::new();
    let db = data.db();
    db.write(|c| {
        c.batch("CREATE TABLE marks(id TEXT PRIMARY KEY)")?;
        Ok(())
    })
    .unwrap();
    let mark = |c: &dyn quayside_core::sql::Sql, id: &str| {
        c.defer("INSERT INTO marks(id) VALUES (?1)", args![id])
    };
    let marks = |c: &dyn quayside_core::sql::Sql| -> Vec<String> {
        c.rows::<String, quayside_core::error::Error>(
            "SELECT id FROM marks ORDER BY id",
            args![],
            |r| r.get(0),
        )
        .unwrap()
    };
    db.storage()
        .write_documents(|c| {
            mark(c, "a-before")?;
            // Undone before anything after it was sent.
            c.savepoint("doc")?;
            mark(c, "b-unsent")?;
            c.rollback_to("doc")?;
            // Undone after what followed it was sent and read back.
            c.savepoint("doc")?;
            mark(c, "c-sent")?;
            assert_eq!(marks(c), ["a-before", "c-sent"]);
            mark(c, "d-sent-later")?;
            c.rollback_to("doc")?;
            assert_eq!(marks(c), ["a-before"]);
            // Kept.
            c.savepoint("doc")?;
            mark(c, "e-released")?;
            c.release("doc")?;
            // Nested, none of it sent: the inner one released, the outer one undone with it.
            c.savepoint("batch")?;
            mark(c, "f-outer")?;
            c.savepoint("part")?;
            mark(c, "f-inner")?;
            c.release("part")?;
            c.rollback_to("batch")?;
            // Nested, the outer one sent before the inner one was made: the inner one undone
            // alone, then the outer one kept.
            c.savepoint("batch")?;
            mark(c, "g-outer")?;
            assert_eq!(marks(c), ["a-before", "e-released", "g-outer"]);
            c.savepoint("part")?;
            mark(c, "g-inner")?;
            c.rollback_to("part")?;
            mark(c, "g-after-inner")?;
            c.release("batch")?;
            Ok(())
        })
        .unwrap();
    assert_eq!(
        db.read(|c| Ok(marks(c))).unwrap(),
        ["a-before", "e-released", "g-after-inner", "g-outer"]
    );
    for sent in [false, true] {
        let failed = db.storage().write_documents(|c| {
            mark(c, "h-failed")?;
            c.savepoint("doc")?;
            mark(c, "h-failed-after")?;
            if sent {
                c.batch("")?;
            }
            Err::<(), _>(quayside_server::error::ServerError::BadRequest("no".into()))
        });
        assert!(failed.is_err());
        db.storage()
            .write_documents(|c| Ok(mark(c, &format!("i-next-{sent}"))?))
            .unwrap();
    }
    assert_eq!(
        db.read(|c| Ok(marks(c))).unwrap(),
        [
            "a-before",
            "e-released",
            "g-after-inner",
            "g-outer",
            "i-next-false",
            "i-next-true"
        ]
    );
}

/// PostgreSQL parses and analyses a deferred write once per connection, not on every run: the
/// first time it is deferred it is prepared (`PREPARE`), then run by name. A statement
/// prepared by a write that was undone (a savepoint rolled back, a transaction that failed)
/// stays prepared and serves the next write.
#[test]
fn postgres_prepares_each_deferred_write_once() {
    use quayside_core::args;
    let data = ServerData::new();
    if data.url().is_none() {
        eprintln!("PostgreSQL only: set QUAYSIDE_TEST_POSTGRES");
        return;
    }
    let db = data.db();
    db.write(|c| {
        c.batch("CREATE TABLE marks(id TEXT PRIMARY KEY)")?;
        Ok(())
    })
    .unwrap();
    // Statements prepared by SQL `PREPARE` on the transaction's connection.
    let prepared = |c: &dyn quayside_core::sql::Sql| -> i64 {
        c.value(
            "SELECT count(*) FROM pg_prepared_statements WHERE from_sql",
            args![],
        )
        .unwrap()
    };
    let plain = "INSERT INTO marks(id) VALUES (?1)";
    let suffixed = "INSERT INTO marks(id) VALUES (?1 || '-suffixed')";
    db.storage()
        .write_documents(|c| {
            let before = prepared(c);
            for id in ["a", "b", "c"] {
                c.defer(plain, args![id])?;
            }
            assert_eq!(prepared(c), before + 1, "three writes, one PREPARE");
            // First deferred by a write that is undone before anything is sent.
            c.savepoint("doc")?;
            c.defer(suffixed, args!["d"])?;
            c.rollback_to("doc")?;
            c.defer(suffixed, args!["e"])?;
            c.defer(suffixed, args!["f"])?;
            c.defer(plain, args!["g"])?;
            assert_eq!(prepared(c), before + 2);
            Ok(())
        })
        .unwrap();
    // First deferred by a transaction that fails (the same key twice): prepared all the same.
    let conflicting = "INSERT INTO marks(id) VALUES (?1 || '-conflicting')";
    let failed = db.storage().write_documents(|c| {
        c.defer(conflicting, args!["h"])?;
        c.defer(conflicting, args!["h"])?;
        c.batch("")?;
        Ok(())
    });
    assert!(failed.is_err(), "the same key twice is refused");
    db.storage()
        .write_documents(|c| {
            c.defer(conflicting, args!["i"])?;
            c.defer(plain, args!["j"])?;
            Ok(())
        })
        .unwrap();
    let marks: Vec<String> = db
        .read(|c| {
            Ok(c.rows::<String, quayside_core::error::Error>(
                "SELECT id FROM marks ORDER BY id",
                args![],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(
        marks,
        [
            "a",
            "b",
            "c",
            "e-suffixed",
            "f-suffixed",
            "g",
            "i-conflicting",
            "j"
        ]
    );
}

/// A long read (an export, the dashboard's sums) runs on a connection of its own: while one
/// reads, a server of a single connection still answers the reads and writes devices wait
/// for, and a long read on the embedded database does not hold its shared reader either.
#[test]
fn a_long_read_holds_no_connection_syncs_wait_for() {
    use quayside_core::args;
    use std::sync::mpsc;
    let data = ServerData::new();
    let db = std::sync::Arc::new(
        quayside_server::db::Db::open_connected(data.path(), data.url(), 1).unwrap(),
    );
    let (reading, started) = mpsc::channel();
    let (finish, finished) = mpsc::channel::<()>();
    let long = {
        let db = db.clone();
        std::thread::spawn(move || {
            db.read_alone(|c| {
                let n: i64 = c.value("SELECT count(*) FROM doc_index", args![])?;
                reading.send(()).unwrap();
                finished.recv().unwrap();
                Ok(n)
            })
        })
    };
    started.recv().unwrap();
    // Both would wait for the long read's connection (and fail after ten seconds) were it
    // taken from the pool of one.
    db.add_station("GHQQQ", "GH", "Test station").unwrap();
    let stations: i64 = db
        .read(|c| Ok(c.value("SELECT count(*) FROM stations", args![])?))
        .unwrap();
    assert_eq!(stations, 1);
    finish.send(()).unwrap();
    assert_eq!(long.join().unwrap().unwrap(), 0);
}
