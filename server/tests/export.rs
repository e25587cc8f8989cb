//! Seizure exports for ozone units: the projection written from inspections, who sees which
//! rows, filters, aggregates, and the JSON, CSV and XLSX renderings, also over HTTP. On the
//! embedded database, or on PostgreSQL when `QUAYSIDE_TEST_POSTGRES` names a server (a new
//! database per test).

use std::io::{Read, Write};
use std::path::Path;

use quayside_core::args;
use quayside_core::doc::inspection::{self, Header};
use quayside_core::doc::{Author, Document};
use quayside_core::model::edits::{FindingPatch, InspectionPatch, SeizurePatch};
use quayside_core::model::{CylinderType, ModusOperandi, SeizureAction, SeizureItem};
use quayside_core::sql::Sql;
use quayside_core::sync::policy::Principal;
use quayside_server::db::{DB_FILE, Db};
use quayside_server::error::ServerError;
use quayside_server::export::{self, Format, Group, SeizureQuery};

mod common;
use common::Database;

/// The published case: 1,139 cylinders x 13.6 kg of R-22.
const R22_KG: f64 = 15_490.4;

struct Fixture {
    dir: tempfile::TempDir,
    db: Db,
    /// A connection of the test's own to the server's database.
    conn: Box<dyn Sql>,
    /// Ozone analyst of Ghana.
    nana: Principal,
    /// Ozone analyst of the Netherlands.
    joost: Principal,
    admin: Principal,
    /// Supervisor of Takoradi only.
    esi: Principal,
    /// Officer at Tema.
    ama: Principal,
    tokens: Tokens,
    r22_case: String,
    /// Dropped last.
    database: Option<Database>,
}

struct Tokens {
    nana: String,
    ama: String,
}

/// Applies 004 to a database whose migration list does not have it yet.
fn ensure_projection(dir: &Path) {
    let conn = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
    let present: bool = conn
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE name = 'seizure_rows')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    if !present {
        conn.execute_batch(include_str!("../migrations/004_seizure_rows.sql"))
            .unwrap();
    }
}

struct Lot {
    declared: Option<&'static str>,
    identified: Option<&'static str>,
    cylinders: u32,
    kg_each: f64,
}

/// Records an inspection with a seizure of every lot, stores it like the demo does, reads it
/// back from the server's copy and projects it with `state`.
#[allow(clippy::too_many_arguments)]
fn record(
    db: &Db,
    conn: &dyn Sql,
    station: &str,
    created_at: &str,
    container: &str,
    case_ref: &str,
    lots: &[Lot],
    state: &str,
) -> String {
    let actor: [u8; 16] = rand::random();
    let author = Author {
        user: "ama".into(),
        device: "test-device".into(),
    };
    let mut doc = Document::new(&actor);
    let id = uuid::Uuid::now_v7().to_string();
    let header = Header {
        id: id.clone(),
        station: station.into(),
        officer: "ama".into(),
        device: "test-device".into(),
        created_at: created_at.into(),
    };
    let fields = InspectionPatch {
        container_number: Some(container.into()),
        ..Default::default()
    }
    .validate()
    .unwrap();
    inspection::create(&mut doc, &author, &header, &fields).unwrap();
    let mut items = Vec::new();
    for (n, lot) in lots.iter().enumerate() {
        let finding_id = format!("f-{n}");
        let kg = (f64::from(lot.cylinders) * lot.kg_each * 1000.0).round() / 1000.0;
        let finding = FindingPatch {
            declared_substance: lot.declared.map(str::to_string),
            identified_substance: lot.identified.map(str::to_string),
            cylinders: Some(lot.cylinders),
            cylinder_type: Some(CylinderType::Disposable),
            net_mass_kg: Some(kg),
            ..Default::default()
        }
        .validate()
        .unwrap();
        inspection::add_finding(&mut doc, &author, &finding_id, &finding).unwrap();
        items.push(SeizureItem {
            finding_id,
            quantity_kg: kg,
            cylinders: Some(lot.cylinders),
        });
    }
    let seizure = SeizurePatch {
        case_ref: Some(case_ref.into()),
        action: Some(SeizureAction::Seized),
        modus_operandi: Some(vec![
            ModusOperandi::Mislabelled,
            ModusOperandi::DisposableCylinders,
        ]),
        items: Some(items),
        ..Default::default()
    };
    inspection::set_seizure(&mut doc, &author, &seizure, "2026-11-29T10:00:00.000Z").unwrap();
    db.insert_local(&id, station, &mut doc).unwrap();
    let ins = inspection::read(&db.document(&id).unwrap()).unwrap();
    export::reproject_inspection(conn, &id, &ins, state, false).unwrap();
    id
}

fn r22() -> Lot {
    Lot {
        declared: Some("R-134a"),
        identified: Some("R-22"),
        cylinders: 1139,
        kg_each: 13.6,
    }
}

fn fixture() -> Fixture {
    let (dir, database, db) = common::open_db();
    if database.is_none() {
        ensure_projection(dir.path());
    }
    db.add_station("GHTEM", "GH", "Tema port").unwrap();
    db.add_station("GHTKD", "GH", "Takoradi port").unwrap();
    db.add_station("NLRTM", "NL", "Rotterdam").unwrap();
    db.add_user("nana", "ozone_analyst", &[], Some("GH"))
        .unwrap();
    db.add_user("joost", "ozone_analyst", &[], Some("NL"))
        .unwrap();
    db.add_user("root", "admin", &[], None).unwrap();
    db.add_user("esi", "supervisor", &["GHTKD".into()], None)
        .unwrap();
    db.add_user("ama", "officer", &["GHTEM".into()], None)
        .unwrap();
    let token = |u: &str| db.create_api_token(u).unwrap();
    let tokens = Tokens {
        nana: token("nana"),
        ama: token("ama"),
    };
    let who = |t: &str| db.principal(t).unwrap();
    let (nana, ama) = (who(&tokens.nana), who(&tokens.ama));
    let (joost, admin, esi) = (
        who(&token("joost")),
        who(&token("root")),
        who(&token("esi")),
    );
    let conn: Box<dyn Sql> = match &database {
        Some(d) => Box::new(quayside_server::pg::Standalone::connect(&d.url).unwrap()),
        None => Box::new(rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap()),
    };

    // Tema, January: the published R-22 case, approved.
    let r22_case = record(
        &db,
        &conn,
        "GHTEM",
        "2026-01-15T09:30:00.000Z",
        "CSQU3054383",
        "GRA-CUS-2026-0410",
        &[r22()],
        "approved",
    );
    // Takoradi, February: R-404A plus a lot nobody identified, approved.
    record(
        &db,
        &conn,
        "GHTKD",
        "2026-02-03T14:00:00.000Z",
        "ZEPU0037255",
        "GRA-CUS-2026-0433",
        &[
            Lot {
                declared: Some("R-404A"),
                identified: Some("R-404A"),
                cylinders: 40,
                kg_each: 10.9,
            },
            Lot {
                declared: None,
                identified: None,
                cylinders: 12,
                kg_each: 10.0,
            },
        ],
        "approved",
    );
    // Tema, February: CFC-12 still awaiting review.
    record(
        &db,
        &conn,
        "GHTEM",
        "2026-02-20T08:00:00.000Z",
        "MSKU9070323",
        "GRA-CUS-2026-0440",
        &[Lot {
            declared: Some("R-134a"),
            identified: Some("CFC-12"),
            cylinders: 220,
            kg_each: 13.6,
        }],
        "awaiting_review",
    );
    // Rotterdam, January: R-22, approved, Dutch.
    record(
        &db,
        &conn,
        "NLRTM",
        "2026-01-20T10:00:00.000Z",
        "CSQU3054383",
        "NL-DOU-2026-17",
        &[Lot {
            declared: Some("R-22"),
            identified: Some("R-22"),
            cylinders: 100,
            kg_each: 13.6,
        }],
        "approved",
    );
    Fixture {
        dir,
        db,
        conn,
        nana,
        joost,
        admin,
        esi,
        ama,
        tokens,
        r22_case,
        database,
    }
}

fn q() -> SeizureQuery {
    SeizureQuery::default()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn the_published_r22_case_in_rows_json_csv_and_aggregates() {
    let f = fixture();
    let rows = export::seizures(&f.conn, &f.nana, &q()).unwrap();
    // Ghana, approved: the R-22 case and the two Takoradi items; not Rotterdam, not the draft.
    assert_eq!(rows.len(), 3, "{rows:#?}");
    let r = rows.iter().find(|r| r.substance == "HCFC-22").unwrap();
    assert_eq!(r.inspection_id, f.r22_case);
    assert_eq!(r.case_ref.as_deref(), Some("GRA-CUS-2026-0410"));
    assert_eq!((r.station.as_str(), r.country.as_str()), ("GHTEM", "GH"));
    assert_eq!(r.station_name.as_deref(), Some("Tema port"));
    assert_eq!(
        (r.day.as_str(), r.month.as_str()),
        ("2026-01-15", "2026-01")
    );
    assert_eq!(r.declared_substance.as_deref(), Some("HFC-134a"));
    assert_eq!(r.annex_group.as_deref(), Some("C/I"));
    assert_eq!(r.cylinders, Some(1139));
    assert!(close(r.quantity_kg, R22_KG), "{}", r.quantity_kg);
    assert_eq!((r.odp, r.gwp), (Some(0.055), Some(1810.0)));
    assert_eq!(format!("{:.3}", r.odp_tonnes), "0.852");
    assert_eq!(r.co2e_tonnes.round(), 28_038.0);
    assert!(r.gwp_source.contains("AR4"), "{}", r.gwp_source);
    assert_eq!(r.modus_operandi, ["mislabelled", "disposable-cylinders"]);
    assert_eq!(r.review_state, "approved");
    assert_eq!(r.case_items, 1);
    assert!(close(r.case_kg, R22_KG));
    assert!(close(r.case_odp_tonnes, r.odp_tonnes));

    // Per case: both Takoradi items carry the case's totals; the unidentified lot keeps its kg.
    let tkd: Vec<_> = rows.iter().filter(|r| r.station == "GHTKD").collect();
    assert_eq!(tkd.len(), 2);
    let unknown = tkd
        .iter()
        .find(|r| r.substance == export::UNIDENTIFIED)
        .unwrap();
    assert!(close(unknown.quantity_kg, 120.0));
    assert_eq!((unknown.odp_tonnes, unknown.co2e_tonnes), (0.0, 0.0));
    // ... and says its ODP and GWP are not known rather than zero.
    assert_eq!((unknown.odp, unknown.gwp), (None, None));
    assert!(close(unknown.odp_unknown_kg, 120.0) && close(unknown.gwp_unknown_kg, 120.0));
    assert_eq!(unknown.basis, "not_recorded");
    for r in &tkd {
        assert_eq!(r.case_items, 2);
        assert!(close(r.case_kg, 436.0 + 120.0), "{}", r.case_kg);
        assert!(
            close(r.case_co2e_tonnes, 0.436 * 3921.6),
            "{}",
            r.case_co2e_tonnes
        );
    }

    // JSON: the filter applied, the total and the rows.
    let report = export::report(&f.conn, &f.nana, &q()).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&export::render(&report, Format::Json).unwrap()).unwrap();
    assert_eq!(json["filter"]["countries"], serde_json::json!(["GH"]));
    assert_eq!(
        json["filter"]["states"],
        serde_json::json!(["approved", "changed_since_approval"])
    );
    assert_eq!(json["total"]["cases"], 2);
    assert_eq!(json["total"]["items"], 3);
    let j = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["substance"] == "HCFC-22")
        .unwrap();
    assert!(close(j["quantity_kg"].as_f64().unwrap(), R22_KG));
    assert_eq!(format!("{:.3}", j["odp_tonnes"].as_f64().unwrap()), "0.852");
    assert_eq!(j["co2e_tonnes"].as_f64().unwrap().round(), 28_038.0);
    assert!(j["gwp_source"].as_str().unwrap().contains("AR4"));

    // CSV: a header row, then the same figures as text.
    let csv_bytes = export::render(&report, Format::Csv).unwrap();
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 3);
    let line = records
        .iter()
        .find(|r| &r[col("substance")] == "HCFC-22")
        .unwrap();
    assert_eq!(&line[col("quantity_kg")], "15490.4");
    // Numbers in full, so nothing is lost on import.
    assert_eq!(&line[col("tonnes")], "15.4904");
    assert_eq!(&line[col("odp_tonnes")], "0.851972");
    assert_eq!(&line[col("co2e_tonnes")], "28037.624");
    assert_eq!(&line[col("odp_unknown_kg")], "0");
    assert_eq!(&line[col("annex_group")], "C/I");
    assert_eq!(&line[col("basis")], "identified");
    assert_eq!(&line[col("cylinder_type")], "disposable");
    assert_eq!(&line[col("cylinders")], "1139");
    assert_eq!(&line[col("year")], "2026");
    assert_eq!(&line[col("as_approved")], "false");
    assert_eq!(
        line[col("co2e_tonnes")].parse::<f64>().unwrap().round(),
        28_038.0
    );
    assert_eq!(&line[col("case_kg")], "15490.4");
    assert_eq!(&line[col("odp")], "0.055");
    assert_eq!(&line[col("gwp")], "1810");
    assert_eq!(&line[col("date")], "2026-01-15");
    assert_eq!(&line[col("station")], "GHTEM");
    assert_eq!(
        &line[col("modus_operandi")],
        "mislabelled; disposable-cylinders"
    );
    assert!(line[col("gwp_source")].contains("AR4"));
    // The GWP source holds a comma, so it is quoted on the wire.
    let text = String::from_utf8(csv_bytes).unwrap();
    assert!(
        text.contains("\"IPCC AR4 WG1 Table 2.14, 100-year\""),
        "{text}"
    );

    // Aggregates by substance, month and port.
    let by_substance = export::aggregates(&f.conn, &f.nana, &q(), Group::Substance).unwrap();
    let keys: Vec<&str> = by_substance.iter().map(|a| a.key.as_str()).collect();
    // R-404A counts as its components.
    assert_eq!(
        keys,
        ["HCFC-22", "HFC-125", "HFC-134a", "HFC-143a", "unidentified"]
    );
    let hcfc = &by_substance[0];
    assert_eq!((hcfc.cases, hcfc.items), (1, 1));
    assert!(close(hcfc.kg, R22_KG));
    assert_eq!(format!("{:.3}", hcfc.odp_tonnes), "0.852");
    assert_eq!(hcfc.co2e_tonnes.round(), 28_038.0);
    assert_eq!(hcfc.gwp, Some(1810.0));
    assert!(hcfc.gwp_source.as_deref().unwrap().contains("AR4"));

    let by_month = export::aggregates(&f.conn, &f.nana, &q(), Group::Month).unwrap();
    let months: Vec<(&str, u64)> = by_month.iter().map(|a| (a.key.as_str(), a.cases)).collect();
    assert_eq!(months, [("2026-01", 1), ("2026-02", 1)]);

    let by_port = export::aggregates(&f.conn, &f.nana, &q(), Group::Port).unwrap();
    assert_eq!(by_port.len(), 2);
    assert_eq!(by_port[1].key, "GHTKD");
    assert_eq!(by_port[1].label.as_deref(), Some("Takoradi port"));
    assert_eq!((by_port[1].cases, by_port[1].items), (1, 2));
    assert!(close(by_port[1].kg, 556.0));

    let agg = export::aggregate_report(&f.conn, &f.nana, &q(), Group::Substance).unwrap();
    assert_eq!(agg.total.cases, 2);
    assert!(close(agg.total.kg, R22_KG + 556.0));
    assert!(close(
        agg.total.co2e_tonnes,
        agg.groups.iter().map(|a| a.co2e_tonnes).sum::<f64>()
    ));
}

#[test]
fn analysts_see_their_own_country_and_only_admins_choose_another() {
    let f = fixture();
    let stations = |who: &Principal, q: &SeizureQuery| -> Vec<String> {
        let mut s: Vec<String> = export::seizures(&f.conn, who, q)
            .unwrap()
            .into_iter()
            .map(|r| r.station)
            .collect();
        s.dedup();
        s
    };
    assert_eq!(stations(&f.nana, &q()), ["GHTEM", "GHTKD"]);
    assert_eq!(stations(&f.joost, &q()), ["NLRTM"]);

    let nl = SeizureQuery {
        country: Some("nl".into()),
        ..q()
    };
    let err = export::seizures(&f.conn, &f.nana, &nl).unwrap_err();
    assert!(matches!(err, ServerError::Forbidden(_)), "{err}");
    assert!(err.to_string().contains("only administrators"), "{err}");
    let rotterdam = SeizureQuery {
        port: Some("NLRTM".into()),
        ..q()
    };
    assert!(matches!(
        export::seizures(&f.conn, &f.nana, &rotterdam),
        Err(ServerError::Forbidden(_))
    ));

    // Administrators: everything by default, or one country.
    assert_eq!(stations(&f.admin, &q()), ["GHTEM", "NLRTM", "GHTKD"]);
    assert_eq!(stations(&f.admin, &nl), ["NLRTM"]);

    // A supervisor: their stations only.
    assert_eq!(stations(&f.esi, &q()), ["GHTKD"]);
    let tema = SeizureQuery {
        station: Some("GHTEM".into()),
        ..q()
    };
    assert!(matches!(
        export::seizures(&f.conn, &f.esi, &tema),
        Err(ServerError::Forbidden(_))
    ));
    // The same station filter works for the analyst of that country.
    assert_eq!(stations(&f.nana, &tema), ["GHTEM"]);

    // Officers read no seizure data.
    for group in [Group::Substance, Group::Port] {
        assert!(matches!(
            export::aggregates(&f.conn, &f.ama, &q(), group),
            Err(ServerError::Forbidden(_))
        ));
    }
    assert!(matches!(
        export::seizures(&f.conn, &f.ama, &q()),
        Err(ServerError::Forbidden(_))
    ));
}

#[test]
fn only_approved_seizures_unless_asked_and_filters_narrow() {
    let f = fixture();
    let count = |q: SeizureQuery| export::seizures(&f.conn, &f.nana, &q).unwrap().len();
    assert_eq!(count(q()), 3);
    let all = SeizureQuery {
        state: Some("all".into()),
        ..q()
    };
    assert_eq!(count(all.clone()), 4);
    let waiting = SeizureQuery {
        state: Some("awaiting_review".into()),
        ..q()
    };
    let rows = export::seizures(&f.conn, &f.nana, &waiting).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].substance, "CFC-12");
    assert_eq!(rows[0].review_state, "awaiting_review");
    assert_eq!(
        count(SeizureQuery {
            state: Some("approved, awaiting-review".into()),
            ..q()
        }),
        4
    );

    // Substances by any name the reference knows.
    for name in [
        "R-22",
        "r22",
        "HCFC-22",
        "Freon 22",
        "chlorodifluoromethane",
    ] {
        let rows = export::seizures(
            &f.conn,
            &f.nana,
            &SeizureQuery {
                substance: Some(name.into()),
                ..q()
            },
        )
        .unwrap();
        assert_eq!(rows.len(), 1, "{name}");
        assert_eq!(rows[0].substance, "HCFC-22");
    }
    assert_eq!(
        count(SeizureQuery {
            substance: Some("unidentified".into()),
            ..q()
        }),
        1
    );

    // Dates are inclusive days.
    let january = SeizureQuery {
        from: Some("2026-01-01".into()),
        to: Some("2026-01-31".into()),
        ..all.clone()
    };
    assert_eq!(count(january), 1);
    let feb_on = SeizureQuery {
        from: Some("2026-02-03".into()),
        ..all.clone()
    };
    assert_eq!(count(feb_on), 3);
    let to_day = SeizureQuery {
        to: Some("2026-01-15".into()),
        ..all
    };
    assert_eq!(count(to_day), 1);
}

#[test]
fn bad_filters_are_refused_with_a_clear_400() {
    let f = fixture();
    let bad = |q: SeizureQuery| match export::seizures(&f.conn, &f.nana, &q) {
        Err(ServerError::BadRequest(why)) => why,
        other => panic!("expected a bad request, got {other:?}"),
    };
    let why = bad(SeizureQuery {
        substance: Some("R-999".into()),
        ..q()
    });
    assert!(
        why.contains("unknown substance") && why.contains("R-999"),
        "{why}"
    );
    assert!(
        bad(SeizureQuery {
            from: Some("2026-13-01".into()),
            ..q()
        })
        .contains("YYYY-MM-DD")
    );
    // Filters that contradict each other are a 409, said as such.
    let contradiction = export::seizures(
        &f.conn,
        &f.nana,
        &SeizureQuery {
            from: Some("2026-03-01".into()),
            to: Some("2026-02-01".into()),
            ..q()
        },
    );
    assert!(
        matches!(&contradiction, Err(ServerError::Conflict(why)) if why.contains("after")),
        "{contradiction:?}"
    );
    assert!(
        bad(SeizureQuery {
            state: Some("published".into()),
            ..q()
        })
        .contains("changed_since_approval")
    );
    bad(SeizureQuery {
        station: Some("not a port".into()),
        ..q()
    });
    bad(SeizureQuery {
        country: Some("Ghana".into()),
        ..q()
    });
    bad(SeizureQuery {
        action: Some("stolen".into()),
        ..q()
    });
    assert!(matches!(
        export::parse_query(Some("substnce=R-22")),
        Err(ServerError::BadRequest(_))
    ));
    assert!(matches!(
        export::parse_query(Some("format=pdf")),
        Err(ServerError::BadRequest(_))
    ));
    assert!(matches!(
        export::parse_query(Some("group=quarter")),
        Err(ServerError::BadRequest(_))
    ));
    let (parsed, how) =
        export::parse_query(Some("port=GHTEM&substance=HCFC-22&format=xlsx&group=month")).unwrap();
    assert_eq!(parsed.port.as_deref(), Some("GHTEM"));
    assert_eq!(parsed.substance.as_deref(), Some("HCFC-22"));
    assert_eq!((how.format, how.group), (Format::Xlsx, Group::Month));
    // Values as the API description spells them, nothing else: an empty parameter is not "no
    // filter", a name other than the reference id is pointed to the id.
    for bad in [
        "to=",
        "from=2026-1-5",
        "from=2026-02-30",
        "station=ghtem",
        "port=GHTEM,",
        "state=Approved",
        "country=gh",
        "country=XX",
        "action=Seized",
        "format=JSON",
        "group=station",
        "substance=R%2022",
    ] {
        let err = export::parse_query(Some(bad)).err();
        assert!(matches!(err, Some(ServerError::BadRequest(_))), "{bad}");
    }
    let Err(ServerError::BadRequest(hint)) = export::parse_query(Some("substance=R-22")) else {
        panic!("an alias is not an id")
    };
    assert!(hint.contains("did you mean \"HCFC-22\""), "{hint}");
}

#[test]
fn reprojecting_follows_the_inspection_and_its_review_state() {
    let f = fixture();
    let ins = inspection::read(&f.db.document(&f.r22_case).unwrap()).unwrap();
    let r22_rows = |who: &Principal| {
        export::seizures(
            &f.conn,
            who,
            &SeizureQuery {
                substance: Some("R-22".into()),
                ..q()
            },
        )
        .unwrap()
        .len()
    };
    assert_eq!(r22_rows(&f.nana), 1);
    // Edited after approval: out of the default (approved) export, and never duplicated.
    export::reproject_inspection(&f.conn, &f.r22_case, &ins, "changed_since_approval", true)
        .unwrap();
    export::reproject_inspection(&f.conn, &f.r22_case, &ins, "changed_since_approval", true)
        .unwrap();
    // Changed since approval: still in the default export, marked, never duplicated.
    assert_eq!(r22_rows(&f.nana), 1);
    let row = export::seizures(&f.conn, &f.nana, &q())
        .unwrap()
        .into_iter()
        .find(|r| r.inspection_id == f.r22_case)
        .unwrap();
    assert_eq!(row.review_state, "changed_since_approval");
    assert!(row.as_approved);
    let agg = export::aggregate_report(&f.conn, &f.nana, &q(), Group::Substance).unwrap();
    assert_eq!(agg.total.changed_since_approval_cases, 1);
    // Asked for approved ones only, it is left out.
    let approved_only = SeizureQuery {
        state: Some("approved".into()),
        substance: Some("HCFC-22".into()),
        ..q()
    };
    assert!(
        export::seizures(&f.conn, &f.nana, &approved_only)
            .unwrap()
            .is_empty()
    );
    let total: i64 = f
        .conn
        .value(
            "SELECT count(*) FROM seizure_rows WHERE inspection_id = ?1",
            args![f.r22_case],
        )
        .unwrap();
    assert_eq!(total, 1);
    export::reproject_inspection(&f.conn, &f.r22_case, &ins, "approved", false).unwrap();
    assert_eq!(r22_rows(&f.nana), 1);

    // Items removed from the seizure: no rows.
    let mut cleared = ins.clone();
    cleared.seizure.as_mut().unwrap().items.clear();
    export::reproject_inspection(&f.conn, &f.r22_case, &cleared, "approved", false).unwrap();
    assert_eq!(r22_rows(&f.nana), 0);

    // An unknown review state is a programming error, and changes nothing.
    assert!(matches!(
        export::reproject_inspection(&f.conn, &f.r22_case, &ins, "published", false),
        Err(ServerError::Internal(_))
    ));

    // A server that held documents before the table existed fills it on start.
    f.conn.execute("DELETE FROM seizure_rows", args![]).unwrap();
    f.conn
        .execute(
            "INSERT INTO meta(key, value) VALUES ('reproject_seizures', '1')",
            args![],
        )
        .unwrap();
    let actor = [9u8; 16];
    let done = export::rebuild_if_needed(&f.conn, &actor, |conn, id, _, ins| {
        let state = if ins.station == "NLRTM" {
            "draft"
        } else {
            "approved"
        };
        export::reproject_inspection(conn, id, ins, state, false)
    })
    .unwrap();
    assert_eq!(done, 4);
    assert_eq!(r22_rows(&f.nana), 1);
    assert_eq!(r22_rows(&f.joost), 0, "Rotterdam was rebuilt as a draft");
    // Done once: the flag is gone.
    assert_eq!(
        export::rebuild_if_needed(&f.conn, &actor, |_, _, _, _| unreachable!()).unwrap(),
        0
    );
}

#[test]
fn blends_count_under_the_annex_group_of_each_component() {
    let f = fixture();
    // Tema, March: 10 cylinders x 13.6 kg of R-502 declared as R-404A.
    record(
        &f.db,
        &f.conn,
        "GHTEM",
        "2026-03-02T09:00:00.000Z",
        "MSCU1234566",
        "GRA-CUS-2026-0502",
        &[Lot {
            declared: Some("R-404A"),
            identified: Some("R-502"),
            cylinders: 10,
            kg_each: 13.6,
        }],
        "approved",
    );
    let by_group = export::aggregates(&f.conn, &f.nana, &q(), Group::AnnexGroup).unwrap();
    let keys: Vec<&str> = by_group.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(keys, ["A/I", "C/I", "F/I", "not known"]);
    let group = |key: &str| by_group.iter().find(|a| a.key == key).unwrap();
    // R-502, 136 kg: 51.2 % CFC-115 under A/I (ODP 0.6), 48.8 % HCFC-22 under C/I (0.055).
    assert!(close(group("A/I").kg, 136.0 * 0.512));
    assert!(close(group("A/I").odp_tonnes, 0.136 * 0.512 * 0.6));
    assert_eq!((group("A/I").cases, group("A/I").items), (1, 1));
    assert!(close(group("C/I").kg, R22_KG + 136.0 * 0.488));
    assert!(close(
        group("C/I").odp_tonnes,
        (R22_KG / 1000.0 + 0.136 * 0.488) * 0.055
    ));
    assert_eq!(group("C/I").cases, 2);
    // R-404A, 436 kg: HFC-125, HFC-143a and HFC-134a, all Annex F group I.
    assert!(close(group("F/I").kg, 436.0));
    // The lot nobody identified keeps its kilograms, its ODP and GWP not known.
    assert!(close(group("not known").kg, 120.0));
    assert!(close(group("not known").odp_unknown_kg, 120.0));

    // The groups add up to the grand total.
    let report = export::aggregate_report(&f.conn, &f.nana, &q(), Group::AnnexGroup).unwrap();
    let sum = |v: fn(&export::Aggregate) -> f64| by_group.iter().map(v).sum::<f64>();
    assert!(close(sum(|a| a.kg), report.total.kg));
    assert!(close(sum(|a| a.odp_tonnes), report.total.odp_tonnes));
    assert!(close(sum(|a| a.co2e_tonnes), report.total.co2e_tonnes));
    assert_eq!(report.total.cases, 3);

    // By substance, the blends are their components.
    let by_substance = export::aggregates(&f.conn, &f.nana, &q(), Group::Substance).unwrap();
    let keys: Vec<&str> = by_substance.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "CFC-115",
            "HCFC-22",
            "HFC-125",
            "HFC-134a",
            "HFC-143a",
            "unidentified"
        ]
    );
    let hfc143a = &by_substance[4];
    assert!(close(hfc143a.kg, 436.0 * 0.52));
    assert!(close(hfc143a.co2e_tonnes, 0.436 * 0.52 * 4470.0));
    assert_eq!(hfc143a.label.as_deref(), Some("F/I"));

    // The annual summary: per year, annex group and substance, in tonnes.
    let annual = export::aggregates(&f.conn, &f.nana, &q(), Group::Annual).unwrap();
    let lines: Vec<(&str, &str, &str)> = annual
        .iter()
        .map(|a| {
            (
                a.key.as_str(),
                a.annex_group.as_deref().unwrap(),
                a.substance.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("2026", "A/I", "CFC-115"),
            ("2026", "C/I", "HCFC-22"),
            ("2026", "F/I", "HFC-125"),
            ("2026", "F/I", "HFC-134a"),
            ("2026", "F/I", "HFC-143a"),
            ("2026", "not known", "unidentified"),
        ]
    );
    assert!(close(annual[1].tonnes, R22_KG / 1000.0 + 0.136 * 0.488));
    assert_eq!(annual[1].odp, Some(0.055));

    let report = export::aggregate_report(&f.conn, &f.nana, &q(), Group::Annual).unwrap();
    let csv = String::from_utf8(export::render_aggregates(&report, Format::Csv).unwrap()).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "year,annex_group,substance,odp,gwp,cases,items,kg,tonnes,odp_tonnes,co2e_tonnes,odp_unknown_kg,gwp_unknown_kg,changed_since_approval_cases"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("2026,A/I,CFC-115,0.6,7370,1,1,69.632,0.069632,"),
        "{csv}"
    );
    assert!(
        csv.lines().last().unwrap().starts_with("Total,,,,,3,4,"),
        "{csv}"
    );
}

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    archive
        .by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut out)
        .unwrap();
    out
}

/// Every text of a workbook: the rows sheet holds its own (written in constant-memory mode), the
/// others share theirs.
fn workbook_text(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let names: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    let mut out = String::new();
    for name in names
        .iter()
        .filter(|n| n.starts_with("xl/worksheets/") || *n == "xl/sharedStrings.xml")
    {
        archive
            .by_name(name)
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
    }
    out
}

#[test]
fn the_workbook_has_seizures_and_totals_sheets() {
    let f = fixture();
    let report = export::report(&f.conn, &f.nana, &q()).unwrap();
    let bytes = export::render(&report, Format::Xlsx).unwrap();
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    let workbook = unzip(&bytes, "xl/workbook.xml");
    assert!(
        workbook.contains("name=\"Seizures\"")
            && workbook.contains("name=\"Totals\"")
            && workbook.contains("name=\"Annual summary\""),
        "{workbook}"
    );
    let sheet = unzip(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("state=\"frozen\""), "header row not frozen");
    assert!(sheet.contains("<autoFilter"), "no filter buttons");
    assert!(sheet.contains("SUBTOTAL(109,X6:X8)"), "{sheet}");
    // 3 items under a header on row 5 and a title above: rows 1-3, 5-9 (total on 9).
    assert!(sheet.contains("<row r=\"9\""));
    let strings = workbook_text(&bytes);
    for s in [
        "Seizures of ozone-depleting substances and HFCs",
        "GH · all ports · all dates · all substances · approved, changed since approval",
        "By Montreal Protocol annex group",
        "By country of origin",
        "Annual summary by annex group and substance",
        "kg of unknown ODP",
        "HCFC-22",
        "GRA-CUS-2026-0410",
        "IPCC AR4 WG1 Table 2.14, 100-year",
        "Quantity (kg)",
        "ODP-tonnes",
        "By substance",
        "By month",
        "By port",
        "Takoradi port",
    ] {
        assert!(strings.contains(s), "{s} missing from the workbook");
    }
    assert!(
        strings.contains("by nana"),
        "generation line names the analyst"
    );
    // The figures are numbers in cells (formatted), not text.
    assert!(sheet.contains("<v>15490.4</v>"), "kg not a number cell");
    let totals = unzip(&bytes, "xl/worksheets/sheet2.xml");
    assert!(totals.contains("<v>15490.4</v>"));

    // An empty export still opens and says so.
    let none = export::report(
        &f.conn,
        &f.nana,
        &SeizureQuery {
            from: Some("2030-01-01".into()),
            ..q()
        },
    )
    .unwrap();
    let bytes = export::render(&none, Format::Xlsx).unwrap();
    assert!(workbook_text(&bytes).contains("No seizures match this filter."));
}

#[test]
fn a_streamed_download_is_the_file_the_report_renders() {
    let f = fixture();
    let all = SeizureQuery {
        state: Some("all".into()),
        ..q()
    };
    let report = export::report(&f.conn, &f.nana, &all).unwrap();
    assert_eq!(report.rows.len(), 4, "the fixture's Ghanaian items");
    let streamed = |format| {
        let mut out = std::io::Cursor::new(Vec::new());
        let head = export::write_report(&f.conn, &f.nana, &all, format, &mut out).unwrap();
        assert_eq!(head.total, report.total);
        assert_eq!(head.groups, report.groups);
        out.into_inner()
    };
    // The rows straight from the database make the same CSV as the rows held in memory.
    let csv = streamed(Format::Csv);
    assert_eq!(csv, export::render(&report, Format::Csv).unwrap());
    let text = String::from_utf8(csv).unwrap();
    assert_eq!(text.lines().count(), 5);
    // Every column `quayside export verify` reads by name is there under that name.
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    for name in quayside_core::signing::exported::ALL {
        assert!(header.contains(&name), "{name} missing from {header:?}");
    }
    // The JSON written row by row is the document the report serialises to.
    let without_time = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("generated_at");
        v
    };
    let json: serde_json::Value = serde_json::from_slice(&streamed(Format::Json)).unwrap();
    assert_eq!(
        without_time(json),
        without_time(serde_json::to_value(&report).unwrap())
    );
    // The workbook's rows sheet, written in constant-memory mode, holds every row and its total.
    let xlsx = streamed(Format::Xlsx);
    let sheet = unzip(&xlsx, "xl/worksheets/sheet1.xml");
    assert_eq!(sheet.matches("<row ").count(), 3 + 1 + 4 + 1, "{sheet}");
    assert!(sheet.contains("SUBTOTAL(109,X6:X9)"), "{sheet}");
    assert!(sheet.contains("<col "), "columns are sized");

    // The dashboard's list: only the newest cases, the totals of all of them.
    let newest = export::summary(&f.conn, &f.nana, &all, 1).unwrap();
    assert_eq!(newest.total, report.total);
    let listed: std::collections::BTreeSet<&str> =
        newest.rows.iter().map(|r| r.container.as_str()).collect();
    assert_eq!(listed.into_iter().collect::<Vec<_>>(), ["MSKU9070323"]);
    let two = export::summary(&f.conn, &f.nana, &all, 2).unwrap();
    let days: Vec<&str> = two.rows.iter().map(|r| r.day.as_str()).collect();
    assert_eq!(
        days,
        ["2026-02-20", "2026-02-03", "2026-02-03"],
        "newest first"
    );
}

/// A plain HTTP/1.1 GET: status, headers (lower-case names) and body.
fn get(
    base: &std::net::SocketAddr,
    path: &str,
    token: Option<&str>,
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut s = std::net::TcpStream::connect(base).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
}

#[test]
fn over_http_with_content_types_file_names_and_errors() {
    let f = fixture();
    let Fixture {
        dir,
        db,
        conn,
        tokens,
        database,
        ..
    } = f;
    drop((db, conn));
    let server = quayside_server::Server::start_with(
        dir.path(),
        "127.0.0.1:0",
        quayside_server::Options {
            database: database.as_ref().map(|d| d.url.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let addr = server.addr;
    let nana = Some(tokens.nana.as_str());

    let (status, h, body) = get(&addr, "/v1/seizures?substance=HCFC-22", nana);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(header(&h, "content-type"), "application/json");
    assert_eq!(header(&h, "content-length"), body.len().to_string());
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["rows"].as_array().unwrap().len(), 1);
    assert_eq!(
        format!("{:.3}", json["total"]["odp_tonnes"].as_f64().unwrap()),
        "0.852"
    );

    let (status, h, body) = get(
        &addr,
        "/v1/seizures?from=2026-01-01&to=2026-03-31&format=csv",
        nana,
    );
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header(&h, "content-disposition"),
        "attachment; filename=\"quayside-seizures-GH-2026-01-01_2026-03-31.csv\""
    );
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.starts_with("date,month,year,country,station,"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 4);
    assert!(
        text.contains(",15490.4,15.4904,0.055,0.851972,1810,28037.624,"),
        "{text}"
    );

    let (status, h, body) = get(&addr, "/v1/seizures?format=xlsx&port=GHTEM", nana);
    assert_eq!(status, 200);
    assert_eq!(
        header(&h, "content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(header(&h, "content-disposition").ends_with(".xlsx\""));
    assert_eq!(&body[..2], b"PK");
    assert!(unzip(&body, "xl/worksheets/sheet1.xml").contains("<v>15490.4</v>"));

    let (status, h, body) = get(&addr, "/v1/seizures/aggregates?group=month&state=all", nana);
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-type"), "application/json");
    let agg: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(agg["group"], "month");
    let months: Vec<&str> = agg["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert_eq!(months, ["2026-01", "2026-02"]);
    assert_eq!(agg["total"]["cases"], 3);

    // --group honours --format: CSV and XLSX attachments named after the grouping.
    let (status, h, body) = get(
        &addr,
        "/v1/seizures/aggregates?group=annex_group&format=csv",
        nana,
    );
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header(&h, "content-disposition"),
        "attachment; filename=\"quayside-seizures-GH-by-annex_group.csv\""
    );
    let text = String::from_utf8(body).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "annex_group,cases,items,kg,tonnes,odp_tonnes,co2e_tonnes,odp_unknown_kg,gwp_unknown_kg,changed_since_approval_cases"
    );
    assert!(
        lines[1].starts_with("C/I,1,1,15490.4,15.4904,0.851972,"),
        "{text}"
    );
    assert!(lines.last().unwrap().starts_with("Total,2,3,"), "{text}");
    let (status, h, body) = get(
        &addr,
        "/v1/seizures/aggregates?group=annual&format=xlsx",
        nana,
    );
    assert_eq!(status, 200);
    assert!(header(&h, "content-disposition").ends_with("-by-annual.xlsx\""));
    assert!(
        unzip(&body, "xl/sharedStrings.xml")
            .contains("Annual summary by annex group and substance")
    );

    // Clear errors: unknown substance, unknown parameter, another country, officers, no token.
    let (status, _, body) = get(&addr, "/v1/seizures?substance=R-999", nana);
    assert_eq!(status, 400);
    let err: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(err["error"].as_str().unwrap().contains("R-999"), "{err}");
    let (status, _, body) = get(&addr, "/v1/seizures?substnce=HCFC-22", nana);
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
    assert_eq!(get(&addr, "/v1/seizures?country=NL", nana).0, 403);
    assert_eq!(get(&addr, "/v1/seizures", Some(&tokens.ama)).0, 403);
    assert_eq!(get(&addr, "/v1/seizures/aggregates", None).0, 401);

    // The API description names every route.
    let (status, h, body) = get(&addr, "/v1/openapi.yaml", None);
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-type"), "application/yaml");
    let yaml = String::from_utf8(body).unwrap();
    assert!(yaml.starts_with("openapi: 3.1.0"));
    for path in [
        "/v1/enroll:",
        "/v1/feed:",
        "/v1/sync:",
        "/v1/blobs/{sha256}:",
        "/v1/seizures:",
        "/v1/seizures/aggregates:",
        "/v1/admin/stations:",
        "/v1/admin/users:",
        "/v1/admin/enrolment-codes:",
        "/v1/admin/devices:",
        "/v1/admin/devices/{id}/revoke:",
        "/v1/openapi.yaml:",
        "/healthz:",
        "/readyz:",
        "/metrics:",
    ] {
        assert!(
            yaml.contains(&format!("\n  {path}")),
            "{path} not described"
        );
    }
    server.stop();
}

/// The API description states the values the server enforces, generated from the same sources:
/// the reference's substance ids, ISO 3166 countries, review states.
#[test]
fn the_api_description_lists_what_the_server_enforces() {
    let yaml = include_str!("../openapi.yaml");
    let quoted = |items: Vec<String>| {
        format!(
            "enum: [{}]",
            items
                .iter()
                .map(|i| format!("\"{i}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut substances = vec!["unidentified".to_string()];
    substances.extend(
        quayside_core::reference::substances()
            .iter()
            .map(|s| s.id.clone()),
    );
    assert!(
        yaml.contains(&quoted(substances.clone())),
        "update the substance enum in openapi.yaml to: {}",
        quoted(substances)
    );
    let countries = quayside_core::model::locode::ISO_3166_ALPHA_2
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(yaml.contains(&quoted(countries)));
    let states: Vec<&str> = quayside_core::model::review::ReviewState::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    assert!(yaml.contains(&format!("enum: [{}]", states.join(", "))));
    assert!(yaml.contains(&format!(
        "^(all|({})(,({}))*)$",
        states.join("|"),
        states.join("|")
    )));
}
