//! The supervisor's pages: the review queue of their stations, one inspection in full (its
//! photos verified by hash in the browser), and approve or return signed by the browser's key.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use quayside_core::ffi::{
    FigureBasis, FindingFiguresRecord, InspectionView, QuantityRecord, ReviewState, UserMessage,
};
use quayside_core::model::review::Review;
use quayside_core::signing::Signed;
use quayside_core::sync::policy::Role;
use serde::{Deserialize, Serialize};

use super::{Chrome, Session, cross_site, page, refused, same_origin, signed_in_as};
use crate::app::{Shared, blocking};
use crate::error::ServerError;
use crate::review_desk::{
    DecisionRequest, InspectionPage, QUEUE_LIMIT, QueueQuery, Show, decision_of,
};
use crate::sessions::csrf_token;

/// A time as people read it: "2 Dec 2026, 06:14 UTC" (the stored RFC 3339 text when it is not).
pub(super) fn when(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%-d %b %Y, %H:%M UTC")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// Kilograms as the reports print them.
fn kg(v: f64) -> String {
    format!("{} kg", quayside_core::model::quantity::format(v, '.'))
}

/// A quantity in the three reporting units, saying when part of it has no known ODP or GWP.
fn quantity(q: &QuantityRecord) -> String {
    let mut out = format!(
        "{} · {:.3} ODP-t · {:.1} t CO2-eq",
        kg(q.kg),
        q.odp_tonnes,
        q.co2e_tonnes
    );
    if q.odp_unknown_kg > 0.0 {
        out.push_str(&format!(" · ODP unknown for {}", kg(q.odp_unknown_kg)));
    }
    if q.gwp_unknown_kg > 0.0 {
        out.push_str(&format!(" · GWP unknown for {}", kg(q.gwp_unknown_kg)));
    }
    out
}

/// A stored enum value in words ("disposable_cylinders" → "disposable cylinders").
fn words<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

fn english(parts: &[UserMessage]) -> String {
    parts
        .iter()
        .map(UserMessage::to_english)
        .collect::<Vec<_>>()
        .join(", ")
}

/// How a review state reads, and the class that colours its badge.
fn state_badge(state: ReviewState) -> (String, &'static str) {
    let class = match state {
        ReviewState::Approved => "ok",
        ReviewState::Returned => "bad",
        ReviewState::Draft => "muted",
        ReviewState::AwaitingReview => "wait",
        ReviewState::ChangedSinceSubmission | ReviewState::ChangedSinceApproval => "warn",
    };
    (state.label().to_english(), class)
}

/// A labelled value of a page; pages leave out the ones with no value.
struct Fact {
    label: &'static str,
    value: String,
}

fn facts(pairs: Vec<(&'static str, Option<String>)>) -> Vec<Fact> {
    pairs
        .into_iter()
        .filter_map(|(label, value)| {
            value
                .filter(|v| !v.trim().is_empty())
                .map(|value| Fact { label, value })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The queue
// ---------------------------------------------------------------------------------------------

struct QueueLine {
    id: String,
    container: String,
    station: String,
    officer: String,
    case_ref: String,
    submitted: String,
    state: String,
    state_class: &'static str,
    findings: u32,
    photos: u32,
    seized: String,
    substances: String,
}

struct ShowChoice {
    name: &'static str,
    label: &'static str,
    selected: bool,
}

struct StationChoice {
    locode: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "console/queue.html")]
struct QueuePage {
    chrome: Chrome,
    lines: Vec<QueueLine>,
    shows: Vec<ShowChoice>,
    show_label: &'static str,
    stations: Vec<StationChoice>,
    q: String,
    truncated: bool,
    limit: u32,
}

pub(super) async fn queue(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<QueueQuery>,
) -> Response {
    let s = match signed_in_as(&state, &headers, &[Role::Supervisor]).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let who = s.principal.clone();
    let asked = query.clone();
    let found = match blocking(move || state.db.review_queue(&who, &asked)).await {
        Ok(found) => found,
        Err(ServerError::BadRequest(why) | ServerError::Forbidden(why)) => {
            return refused(StatusCode::BAD_REQUEST, "Not listed", &why);
        }
        Err(e) => return e.into_response(),
    };
    let lines = found
        .rows
        .into_iter()
        .map(|r| {
            let (state, state_class) = state_badge(r.review_state.into());
            QueueLine {
                container: r.container,
                station: r.station,
                officer: r.officer,
                case_ref: r.case_ref.unwrap_or_default(),
                submitted: r.submitted_at.as_deref().map(when).unwrap_or_default(),
                state,
                state_class,
                findings: r.findings,
                photos: r.photos,
                seized: if r.seized_kg > 0.0 {
                    kg(r.seized_kg)
                } else {
                    String::new()
                },
                substances: r.substances,
                id: r.id,
            }
        })
        .collect();
    let shows = Show::ALL
        .iter()
        .map(|&(show, name, label)| ShowChoice {
            name,
            label,
            selected: show == found.show,
        })
        .collect();
    let show_label = Show::ALL
        .iter()
        .find(|(show, ..)| *show == found.show)
        .map_or("", |(.., label)| label);
    let stations = s
        .principal
        .stations
        .iter()
        .map(|st| StationChoice {
            locode: st.clone(),
            selected: *st == query.station,
        })
        .collect();
    page(
        StatusCode::OK,
        &QueuePage {
            chrome: Chrome::of(&s, "/console/review"),
            lines,
            shows,
            show_label,
            stations,
            q: query.q,
            truncated: found.truncated,
            limit: QUEUE_LIMIT,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// One inspection
// ---------------------------------------------------------------------------------------------

struct FindingLine {
    id: String,
    title: String,
    facts: Vec<Fact>,
    figures: Vec<Fact>,
    flags: Vec<String>,
}

struct PhotoLine {
    sha256: String,
    url: String,
    caption: String,
    about: String,
    arrived: bool,
}

struct CustodyLine {
    at: String,
    from: String,
    to: String,
    location: String,
    note: String,
}

struct ConflictLine {
    message: String,
    hint: String,
    values: Vec<String>,
}

struct ReviewLine {
    decision: String,
    reviewer: String,
    at: String,
    comment: String,
    verified: bool,
}

struct HistoryLine {
    at: String,
    who: String,
    what: String,
}

#[derive(Template)]
#[template(path = "console/inspection.html")]
struct InspectionSheet {
    chrome: Chrome,
    id: String,
    container: String,
    state: String,
    state_class: &'static str,
    signature: String,
    signature_ok: bool,
    header: Vec<Fact>,
    declaration: Vec<Fact>,
    notes: String,
    findings: Vec<FindingLine>,
    totals: Vec<Fact>,
    flags: Vec<String>,
    photos: Vec<PhotoLine>,
    missing_photos: usize,
    seizure: Vec<Fact>,
    custody: Vec<CustodyLine>,
    conflicts: Vec<ConflictLine>,
    reviews: Vec<ReviewLine>,
    history: Vec<HistoryLine>,
    /// The heads of the version shown, as the decision signs them.
    heads: String,
    /// This browser's device id: the script signs only with the key of the signed-in browser.
    device: String,
    reviewer: String,
    can_decide: bool,
    can_approve: bool,
    /// The page this one was opened from: the queue, or the analyst's seizures.
    back: (&'static str, &'static str),
}

fn finding_figures(f: &FindingFiguresRecord) -> Vec<Fact> {
    let basis = match f.basis {
        FigureBasis::NotRecorded => None,
        b => Some(b.label().to_english()),
    };
    facts(vec![
        ("Basis", basis),
        ("Substance counted", f.substance.clone()),
        ("ODP", f.odp.map(|v| format!("{v}"))),
        ("GWP", f.gwp.map(|v| format!("{v}"))),
        ("Quantity", f.quantity.as_ref().map(quantity)),
    ])
}

fn sheet(s: &Session, p: InspectionPage) -> InspectionSheet {
    let InspectionPage {
        view,
        history,
        arrived,
    } = p;
    let InspectionView {
        inspection: ins,
        assessment,
        conflicts,
        review_state,
        submission_verified,
        submission_covers_shown,
        heads,
        reviews,
        ..
    } = view;
    let (state, state_class) = state_badge(review_state);
    let (signature, signature_ok) = match (submission_verified, submission_covers_shown) {
        (None, _) => ("Not submitted by the officer".to_string(), false),
        (Some(false), _) => (
            "The officer's submission signature does not verify".to_string(),
            false,
        ),
        (Some(true), true) => (
            "Signed by the officer: the signature covers exactly this version".to_string(),
            true,
        ),
        (Some(true), false) => (
            "Changed since the officer signed it: only the signed version can be approved"
                .to_string(),
            false,
        ),
    };
    let d = &ins.declaration;
    let header = facts(vec![
        ("Station", Some(ins.station.clone())),
        ("Officer", Some(ins.officer.clone())),
        ("Started", Some(when(&ins.created_at))),
        ("Submitted", ins.submitted_at.as_deref().map(when)),
        ("Seals", Some(ins.container.seals.join(", "))),
        ("Size/type", ins.container.size_type.clone()),
        (
            "Position",
            ins.location
                .as_ref()
                .map(|l| format!("{:.5}, {:.5}", l.lat, l.lon)),
        ),
        ("Why selected", ins.selection_reason.clone()),
    ]);
    let declaration = facts(vec![
        ("Declaration", d.number.clone()),
        ("Bill of lading", d.bill_of_lading.clone()),
        ("HS code declared", d.hs_code.clone()),
        ("Goods declared", d.description.clone()),
        ("Quantity declared", d.quantity_kg.map(kg)),
        ("Consignor", d.consignor.clone()),
        ("Consignee", d.consignee.clone()),
        ("Origin", d.origin.clone()),
        ("Destination", d.destination.clone()),
        ("Transit", Some(d.transit.join(", "))),
    ]);
    let findings = ins
        .findings
        .iter()
        .map(|f| {
            let reading = f.identifier_reading.as_ref();
            FindingLine {
                id: f.id.clone(),
                title: english(&f.title),
                facts: facts(vec![
                    ("Declared as", f.declared_substance.clone()),
                    (
                        "Identified as",
                        f.identified_substance
                            .clone()
                            .or_else(|| f.identified_other.clone()),
                    ),
                    ("Instrument", reading.and_then(|r| r.instrument.clone())),
                    ("Reading", reading.and_then(|r| r.result.clone())),
                    (
                        "Purity",
                        reading.and_then(|r| r.purity_pct).map(|p| format!("{p} %")),
                    ),
                    ("HS code observed", f.hs_code_observed.clone()),
                    ("Cylinders", f.cylinders.map(|c| c.to_string())),
                    ("Cylinder type", f.cylinder_type.as_ref().map(words)),
                    ("Net mass", f.net_mass_kg.map(kg)),
                    ("Labels", f.labels.clone()),
                    ("Concealment", f.concealment.clone()),
                    ("Notes", f.notes.clone()),
                ]),
                figures: assessment
                    .findings
                    .iter()
                    .find(|x| x.finding_id == f.id)
                    .map(finding_figures)
                    .unwrap_or_default(),
                flags: assessment
                    .flags
                    .iter()
                    .filter(|fl| fl.finding_id.as_deref() == Some(f.id.as_str()))
                    .map(|fl| fl.message.to_english())
                    .collect(),
            }
        })
        .collect();
    let flags = assessment
        .flags
        .iter()
        .filter(|fl| fl.finding_id.is_none())
        .map(|fl| fl.message.to_english())
        .collect();
    let totals = facts(vec![
        ("Found", Some(quantity(&assessment.total))),
        (
            "Seized",
            (assessment.seized.kg > 0.0).then(|| quantity(&assessment.seized)),
        ),
    ]);
    let photos: Vec<PhotoLine> = ins
        .photos
        .iter()
        .map(|p| PhotoLine {
            url: format!("/console/photos/{}/{}", ins.id, p.sha256),
            caption: p.caption.clone().unwrap_or_default(),
            about: format!(
                "{} · {} · {}",
                when(&p.captured_at),
                p.mime,
                human_bytes(p.bytes)
            ),
            arrived: arrived.contains(&p.sha256),
            sha256: p.sha256.clone(),
        })
        .collect();
    let missing_photos = photos.iter().filter(|p| !p.arrived).count();
    let (seizure, custody) = match &ins.seizure {
        Some(z) => (
            facts(vec![
                ("Case", z.case_ref.clone()),
                ("Action", z.action.as_ref().map(words)),
                ("Legal basis", z.legal_basis.clone()),
                (
                    "Modus operandi",
                    Some(
                        z.modus_operandi
                            .iter()
                            .map(words)
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ),
                ("Stored at", z.storage_location.clone()),
                (
                    "Seized",
                    Some(
                        z.items
                            .iter()
                            .map(|i| {
                                let what = ins
                                    .findings
                                    .iter()
                                    .find(|f| f.id == i.finding_id)
                                    .map(|f| f.name.to_english())
                                    .unwrap_or_else(|| i.finding_id.clone());
                                match i.cylinders {
                                    Some(c) => {
                                        format!("{what}: {} in {c} cylinders", kg(i.quantity_kg))
                                    }
                                    None => format!("{what}: {}", kg(i.quantity_kg)),
                                }
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                ),
            ]),
            z.custody
                .iter()
                .map(|c| CustodyLine {
                    at: when(&c.at),
                    from: c.from.clone(),
                    to: c.to.clone(),
                    location: c.location.clone().unwrap_or_default(),
                    note: c.note.clone().unwrap_or_default(),
                })
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let conflicts = conflicts
        .iter()
        .map(|c| ConflictLine {
            message: c.message.to_english(),
            hint: c.hint.to_english(),
            values: c
                .values
                .iter()
                .map(|v| {
                    let by = [v.user.clone(), v.at.as_deref().map(when)]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", ");
                    if by.is_empty() {
                        v.value.clone()
                    } else {
                        format!("{} ({by})", v.value)
                    }
                })
                .collect(),
        })
        .collect();
    let reviews = reviews
        .iter()
        .map(|r| ReviewLine {
            decision: r
                .decision
                .map(|d| d.label().to_english())
                .unwrap_or_default(),
            reviewer: r.reviewer.clone(),
            at: when(&r.decided_at),
            comment: r.comment.clone(),
            verified: r.signature_verified,
        })
        .collect();
    let history = history
        .iter()
        .map(|h| HistoryLine {
            at: when(&h.at),
            who: h.user.clone().unwrap_or_else(|| "unknown".into()),
            what: english(&h.what),
        })
        .collect();
    let supervisor = s.principal.role == Role::Supervisor;
    let can_decide = supervisor
        && matches!(
            review_state,
            ReviewState::AwaitingReview
                | ReviewState::ChangedSinceSubmission
                | ReviewState::ChangedSinceApproval
        );
    InspectionSheet {
        chrome: Chrome::of(s, ""),
        container: ins.container.number.clone(),
        id: ins.id.clone(),
        state,
        state_class,
        signature,
        signature_ok,
        header,
        declaration,
        notes: ins.notes.clone(),
        findings,
        totals,
        flags,
        photos,
        missing_photos,
        seizure,
        custody,
        conflicts,
        reviews,
        history,
        heads: heads.join(","),
        device: s.principal.device_id.clone(),
        reviewer: s.principal.user.clone(),
        can_approve: can_decide && submission_covers_shown && missing_photos == 0,
        back: if supervisor {
            ("/console/review", "Review queue")
        } else {
            ("/console/seizures", "Seizures")
        },
        can_decide,
    }
}

fn human_bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.0} kB", n as f64 / 1e3),
        _ => format!("{:.1} MB", n as f64 / 1e6),
    }
}

pub(super) async fn inspection(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let s = match signed_in_as(&state, &headers, &[Role::Supervisor, Role::OzoneAnalyst]).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let who = s.principal.clone();
    match blocking(move || state.db.inspection_page(&who, &id)).await {
        Ok(found) => page(StatusCode::OK, &sheet(&s, found)),
        Err(ServerError::NotFound(_)) => refused(
            StatusCode::NOT_FOUND,
            "No such inspection",
            "There is no inspection with this id that you may read.",
        ),
        Err(e) => e.into_response(),
    }
}

/// What a photo's first bytes say it is, when it is an image a browser shows; anything else
/// (another format, or bytes that are no image) is served as a download, never shown.
fn shown_type(bytes: &[u8]) -> Option<&'static str> {
    quayside_core::blobs::sniff_image_mime(bytes)
        .filter(|m| matches!(*m, "image/jpeg" | "image/png" | "image/webp"))
}

pub(super) async fn photo(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path((inspection, sha)): Path<(String, String)>,
) -> Response {
    let s = match signed_in_as(&state, &headers, &[Role::Supervisor, Role::OzoneAnalyst]).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let who = s.principal;
    let found = blocking(move || {
        crate::photos::Photos::check(&sha)?;
        if !state.db.photo_shown(&who, &inspection, &sha)? {
            return Err(ServerError::NotFound(format!(
                "no photo {sha} of this inspection has arrived"
            )));
        }
        state.photos.read(&sha)
    })
    .await;
    match found {
        Ok(bytes) => {
            let (kind, disposition) = match shown_type(&bytes) {
                Some(kind) => (kind, "inline"),
                None => ("application/octet-stream", "attachment"),
            };
            (
                [
                    (header::CONTENT_TYPE, kind),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, "private, max-age=3600"),
                ],
                bytes,
            )
                .into_response()
        }
        Err(ServerError::NotFound(_) | ServerError::BadRequest(_)) => refused(
            StatusCode::NOT_FOUND,
            "No such photo",
            "This photo has not arrived, or is not one you may see.",
        ),
        Err(e) => e.into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Deciding
// ---------------------------------------------------------------------------------------------

/// The session of a supervisor's state-changing script request from a console page: same
/// origin, and the session's CSRF token in `X-CSRF-Token`.
async fn deciding(state: &Shared, headers: &HeaderMap) -> Result<Session, Response> {
    let s = signed_in_as(state, headers, &[Role::Supervisor]).await?;
    let token = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !same_origin(headers) || token != csrf_token(&s.token) {
        return Err(cross_site().into_response());
    }
    Ok(s)
}

/// What the browser is asked to sign.
#[derive(Serialize)]
struct Prepared {
    id: String,
    decided_at: String,
    comment: String,
    heads: Vec<String>,
    payload: String,
}

pub(super) async fn prepare(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(req): Json<DecisionRequest>,
) -> Response {
    let s = match deciding(&state, &headers).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let who = s.principal;
    match blocking(move || state.db.prepare_review(&who, &id, &req)).await {
        Ok(review) => Json(Prepared {
            payload: review.payload(),
            id: review.id,
            decided_at: review.decided_at,
            comment: review.comment,
            heads: review.reviewed_heads,
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// A decision the browser signed.
#[derive(Deserialize)]
pub(super) struct SignedDecision {
    id: String,
    decided_at: String,
    decision: String,
    comment: String,
    heads: Vec<String>,
    /// Hex of the Ed25519 signature over the prepared payload.
    signature: String,
}

pub(super) async fn decide(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(inspection_id): Path<String>,
    Json(d): Json<SignedDecision>,
) -> Response {
    let s = match deciding(&state, &headers).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let who = s.principal;
    let decision = match decision_of(&d.decision) {
        Ok(decision) => decision,
        Err(e) => return e.into_response(),
    };
    let review = Review {
        schema: quayside_core::model::review::REVIEW_SCHEMA,
        id: d.id,
        inspection_id,
        reviewer: who.user.clone(),
        device: who.device_id.clone(),
        decided_at: d.decided_at,
        decision: Some(decision),
        comment: d.comment,
        reviewed_heads: d.heads,
        signature: Some(Signed {
            public_key: who.public_key.clone(),
            signature: d.signature,
        }),
    };
    let st = state.clone();
    let stored = blocking(move || {
        let present = |sha: &str| st.photos.complete_len(sha).is_ok_and(|l| l.is_some());
        st.db.record_signed_review(&who, &review, &present)
    })
    .await;
    match stored {
        Ok(now) => {
            let (label, _) = state_badge(now);
            Json(serde_json::json!({ "review_state": now.as_str(), "label": label }))
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}
