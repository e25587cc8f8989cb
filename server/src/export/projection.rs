//! The seizure projection: one row per seized item and one per part it is made of (a blend's
//! components), rewritten in the sync transaction whenever an inspection or one of its reviews is
//! stored, and rebuilt once after an upgrade.

use super::*;
/// Rewrites the seizure rows and parts of inspection `id` from `ins`. Call it in the same
/// transaction that stores the inspection or one of its reviews; `review_state` is one of
/// [`review_states`]. `as_approved`: `ins` is the version an approval covers, projected for a
/// case changed since (its rows keep the approved figures and say so).
pub fn reproject_inspection(
    c: &dyn Sql,
    id: &str,
    ins: &Inspection,
    review_state: &str,
    as_approved: bool,
) -> ServerResult<()> {
    if quayside_core::model::review::ReviewState::parse(review_state).is_none() {
        return Err(ServerError::Internal(format!(
            "unknown review state {review_state:?} for inspection {id}"
        )));
    }
    c.defer(
        "DELETE FROM seizure_rows WHERE inspection_id = ?1",
        args![id],
    )?;
    c.defer(
        "DELETE FROM seizure_parts WHERE inspection_id = ?1",
        args![id],
    )?;
    let Some(seizure) = &ins.seizure else {
        return Ok(());
    };
    // Items are keyed by finding; should two name the same finding, they are one seized lot.
    let mut items: Vec<(&str, f64, Option<u32>)> = Vec::new();
    for item in &seizure.items {
        let kg = if item.quantity_kg.is_finite() && item.quantity_kg > 0.0 {
            item.quantity_kg
        } else {
            0.0
        };
        match items.iter_mut().find(|(f, _, _)| *f == item.finding_id) {
            Some(lot) => {
                lot.1 += kg;
                lot.2 = match (lot.2, item.cylinders) {
                    (Some(a), Some(b)) => Some(a.saturating_add(b)),
                    (a, b) => a.or(b),
                };
            }
            None => items.push((&item.finding_id, kg, item.cylinders)),
        }
    }
    if items.is_empty() {
        return Ok(());
    }

    let figures = assess(ins).findings;
    let none_found = FindingFigures {
        finding_id: String::new(),
        substance: None,
        basis: Basis::NotRecorded,
        odp: None,
        gwp: None,
        gwp_source: None,
        parts: vec![Part {
            substance: UNIDENTIFIED.into(),
            annex_group: None,
            fraction: 1.0,
            odp: None,
            gwp: None,
        }],
        quantity: None,
    };
    let valued: Vec<(&str, f64, Option<u32>, &FindingFigures, Quantity)> = items
        .iter()
        .map(|&(finding_id, kg, cylinders)| {
            let figure = figures
                .iter()
                .find(|f| f.finding_id == finding_id)
                .unwrap_or(&none_found);
            (
                finding_id,
                kg,
                cylinders,
                figure,
                Quantity::of_parts(kg, &figure.parts),
            )
        })
        .collect();
    let mut case = Quantity::default();
    for (.., q) in &valued {
        case.add(q);
    }

    let country: String = c
        .opt(
            "SELECT country FROM stations WHERE locode = ?1",
            args![ins.station],
            |r| r.get::<String>(0),
        )?
        .unwrap_or_else(|| locode::country_of(&ins.station).to_ascii_uppercase());
    let day = recorded_day(&ins.created_at);
    let month = day.get(..7).unwrap_or("").to_string();
    let year = day.get(..4).unwrap_or("").to_string();
    let modus: Vec<&str> = seizure.modus_operandi.iter().map(|m| m.as_str()).collect();
    let d = &ins.declaration;
    const INSERT_ROW: &str =
        "INSERT INTO seizure_rows(inspection_id, finding_id, station, country, container, case_ref,
             action, modus_operandi, legal_basis, recorded_at, day, month, year, origin,
             destination, transit, consignor, consignee, declared_hs, observed_hs, substance,
             basis, declared_substance, annex_group, cylinder_type, cylinders, quantity_kg,
             tonnes, odp, gwp, odp_tonnes, co2e_tonnes, odp_unknown_kg, gwp_unknown_kg,
             odp_source, gwp_source, case_items, case_kg, case_odp_tonnes, case_co2e_tonnes,
             case_odp_unknown_kg, case_gwp_unknown_kg, review_state, as_approved)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35,
             ?36, ?37, ?38, ?39, ?40, ?41, ?42, ?43, ?44)";
    const INSERT_PART: &str =
        "INSERT INTO seizure_parts(inspection_id, finding_id, part, substance, item_substance,
             annex_group, station, country, origin, day, month, year, action, review_state, kg,
             tonnes, odp_tonnes, co2e_tonnes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
    for (finding_id, kg, cylinders, figure, q) in &valued {
        let finding = ins.finding(finding_id);
        let substance = figure
            .substance
            .clone()
            .unwrap_or_else(|| UNIDENTIFIED.to_string());
        let groups: Vec<&str> = {
            let mut g: Vec<&str> = Vec::new();
            for p in &figure.parts {
                if let Some(a) = p.annex_group.as_deref()
                    && !g.contains(&a)
                {
                    g.push(a);
                }
            }
            g
        };
        let known = reference::substance(&substance);
        let (odp_source, gwp_source) = match (figure.basis, known) {
            (Basis::Identified | Basis::Declared, Some(s)) => {
                (s.odp_source.clone(), s.gwp_source.clone())
            }
            (Basis::Measured, _) => (
                "the measured composition, mass-weighted over the components' ODPs (Montreal Protocol annexes)".to_string(),
                "the measured composition, mass-weighted over the components' GWPs".to_string(),
            ),
            _ => (
                "substance not identified: ODP unknown (laboratory analysis)".to_string(),
                "substance not identified: GWP unknown (laboratory analysis)".to_string(),
            ),
        };
        c.defer(
            INSERT_ROW,
            args![
                id,
                finding_id,
                ins.station,
                country,
                ins.container.number,
                seizure.case_ref,
                seizure.action.map(|a| a.as_str()),
                modus.join("|"),
                seizure.legal_basis,
                ins.created_at,
                day,
                month,
                year,
                d.origin,
                d.destination,
                d.transit.join("|"),
                d.consignor,
                d.consignee,
                d.hs_code,
                finding.and_then(|f| f.hs_code_observed.clone()),
                substance,
                basis_name(figure.basis),
                finding.and_then(|f| f.declared_substance.clone()),
                (!groups.is_empty()).then(|| groups.join(", ")),
                finding.and_then(|f| f.cylinder_type).map(|c| c.as_str()),
                cylinders,
                kg,
                q.tonnes,
                figure.odp,
                figure.gwp,
                q.odp_tonnes,
                q.co2e_tonnes,
                q.odp_unknown_kg,
                q.gwp_unknown_kg,
                odp_source,
                gwp_source,
                valued.len() as i64,
                case.kg,
                case.odp_tonnes,
                case.co2e_tonnes,
                case.odp_unknown_kg,
                case.gwp_unknown_kg,
                review_state,
                as_approved,
            ],
        )?;
        for (n, part) in figure.parts.iter().enumerate() {
            let part_kg = kg * part.fraction;
            let tonnes = part_kg / 1000.0;
            c.defer(
                INSERT_PART,
                args![
                    id,
                    finding_id,
                    n as i64,
                    part.substance,
                    substance,
                    part.annex_group,
                    ins.station,
                    country,
                    d.origin,
                    day,
                    month,
                    year,
                    seizure.action.map(|a| a.as_str()),
                    review_state,
                    part_kg,
                    tonnes,
                    part.odp.map(|o| tonnes * o),
                    part.gwp.map(|g| tonnes * g),
                ],
            )?;
        }
    }
    Ok(())
}

/// How a basis is stored and shown.
fn basis_name(b: Basis) -> &'static str {
    match b {
        Basis::Measured => "measured",
        Basis::Identified => "identified",
        Basis::Declared => "declared",
        Basis::NotIdentified => "not_identified",
        Basis::NotRecorded => "not_recorded",
    }
}

/// The calendar day an inspection was recorded, as the device's clock wrote it (`YYYY-MM-DD`;
/// empty if the timestamp is unreadable).
fn recorded_day(created_at: &str) -> String {
    created_at
        .get(..10)
        .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
        .unwrap_or("")
        .to_string()
}

/// Fills the seizure projection from the stored inspections if a migration asked for it (a
/// server that held documents before the tables changed); a no-op otherwise. Call once at
/// start-up, after the migrations, inside a write transaction. `project` projects one
/// inspection (given the connection, its id, its document and its content). An inspection that cannot be
/// read is logged and skipped (the document itself stays as it is). Returns how many were
/// projected.
pub fn rebuild_if_needed(
    c: &dyn Sql,
    actor: &[u8],
    mut project: impl FnMut(&dyn Sql, &str, &mut Document, &Inspection) -> ServerResult<()>,
) -> ServerResult<usize> {
    let pending: bool = c.value(
        "SELECT EXISTS(SELECT 1 FROM meta WHERE key = ?1)",
        args![REBUILD_KEY],
    )?;
    if !pending {
        return Ok(0);
    }
    let ids: Vec<String> = c.rows(
        "SELECT id FROM doc_index WHERE kind = 'inspection' ORDER BY seq",
        args![],
        |r| r.get(0),
    )?;
    let mut done = 0;
    for id in ids {
        let loaded = load_document(
            c,
            actor,
            quayside_core::doc::DocKind::Inspection.as_str(),
            &id,
        )
        .and_then(|doc| inspection::read(&doc).map(|ins| (doc, ins)));
        let (mut doc, ins) = match loaded {
            Ok(found) => found,
            Err(e) => {
                tracing::error!(inspection = %id, error = %e, "cannot read inspection: no seizure rows for it");
                continue;
            }
        };
        project(c, &id, &mut doc, &ins)?;
        done += 1;
    }
    c.execute("DELETE FROM meta WHERE key = ?1", args![REBUILD_KEY])?;
    Ok(done)
}
