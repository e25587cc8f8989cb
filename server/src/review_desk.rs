//! The supervisors' desk on the server: the review queue (one row per inspection kept in step
//! as inspections and their reviews arrive, filtered and searched), one inspection in full as the
//! console shows it, and a decision signed in the browser checked and stored like a phone's.

use quayside_core::args;
use quayside_core::doc::{Author, Document};
use quayside_core::ffi::{HistoryRecord, InspectionView};
use quayside_core::model::Inspection;
use quayside_core::model::review::{Decision, REVIEW_SCHEMA, Review, ReviewState, same_heads};
use quayside_core::sql::{Arg, Sql, arg_refs};
use quayside_core::store::load_document;
use quayside_core::store::projection::Snapshot;
use quayside_core::sync::policy::{Principal, Role};
use quayside_core::sync::protocol::{DocPush, Outcome, PROTOCOL_VERSION, SyncRequest};
use serde::Deserialize;
use serde_bytes::ByteBuf;

use crate::db::{Db, json_list};
use crate::error::{ServerError, ServerResult};

/// The most rows one queue page lists.
pub const QUEUE_LIMIT: u32 = 500;

/// Which inspections the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Show {
    /// Submitted and waiting for a decision: awaiting review, changed since their submission or
    /// changed since their approval.
    #[default]
    Waiting,
    /// Sent back to their officers.
    Returned,
    /// Approved and unchanged since.
    Approved,
    /// Every inspection, drafts included.
    All,
}

impl Show {
    /// Every choice, in the order the filter offers them, with its name in URLs and its label.
    pub const ALL: &'static [(Show, &'static str, &'static str)] = &[
        (Show::Waiting, "waiting", "Waiting for a decision"),
        (Show::Returned, "returned", "Returned to the officer"),
        (Show::Approved, "approved", "Approved"),
        (Show::All, "all", "All inspections"),
    ];

    fn parse(s: &str) -> Option<Show> {
        Self::ALL
            .iter()
            .find(|(_, name, _)| *name == s)
            .map(|(show, ..)| *show)
    }

    fn states(self) -> &'static [ReviewState] {
        match self {
            Show::Waiting => &[
                ReviewState::AwaitingReview,
                ReviewState::ChangedSinceSubmission,
                ReviewState::ChangedSinceApproval,
            ],
            Show::Returned => &[ReviewState::Returned],
            Show::Approved => &[ReviewState::Approved],
            Show::All => ReviewState::ALL,
        }
    }
}

/// What a supervisor asks the queue for (`/console/review?show=&station=&q=`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    pub show: String,
    pub station: String,
    /// Words to find in the container number, case reference, officer, declaration, parties
    /// and substances.
    pub q: String,
}

/// One inspection as the queue lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRow {
    pub id: String,
    pub station: String,
    pub officer: String,
    pub container: String,
    pub case_ref: Option<String>,
    pub created_at: String,
    pub submitted_at: Option<String>,
    pub review_state: ReviewState,
    pub findings: u32,
    pub photos: u32,
    pub seized_kg: f64,
    pub substances: String,
}

/// The queue's answer: the rows, and whether more matched than are listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Queue {
    pub show: Show,
    pub rows: Vec<QueueRow>,
    pub truncated: bool,
}

/// The substances an inspection's findings name (identified, else declared), in order, once.
fn substances(ins: &Inspection) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in &ins.findings {
        let name = f
            .identified_substance
            .clone()
            .or_else(|| f.identified_other.clone())
            .or_else(|| f.declared_substance.clone());
        if let Some(n) = name
            && !out.contains(&n)
        {
            out.push(n);
        }
    }
    out
}

/// Keeps the inspection's queue row current.
pub fn project(c: &dyn Sql, ins: &Inspection, state: ReviewState) -> ServerResult<()> {
    let seizure = ins.seizure.as_ref();
    let case_ref = seizure.and_then(|s| s.case_ref.clone());
    let seized_kg: f64 = seizure.map_or(0.0, |s| s.items.iter().map(|i| i.quantity_kg).sum());
    let substances = substances(ins);
    let d = &ins.declaration;
    let search = [
        Some(ins.container.number.as_str()),
        case_ref.as_deref(),
        Some(ins.officer.as_str()),
        Some(ins.station.as_str()),
        d.number.as_deref(),
        d.bill_of_lading.as_deref(),
        d.consignor.as_deref(),
        d.consignee.as_deref(),
        d.description.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::to_string)
    .chain(substances.iter().cloned())
    .collect::<Vec<_>>()
    .join("\n")
    .to_lowercase();
    c.defer(
        "INSERT INTO inspection_rows(id, station, officer, container, case_ref, created_at,
             submitted_at, review_state, findings, photos, seized_kg, substances, search)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT(id) DO UPDATE SET station = excluded.station, officer = excluded.officer,
             container = excluded.container, case_ref = excluded.case_ref,
             created_at = excluded.created_at, submitted_at = excluded.submitted_at,
             review_state = excluded.review_state, findings = excluded.findings,
             photos = excluded.photos, seized_kg = excluded.seized_kg,
             substances = excluded.substances, search = excluded.search",
        args![
            ins.id,
            ins.station,
            ins.officer,
            ins.container.number,
            case_ref,
            ins.created_at,
            ins.submitted_at,
            state.as_str(),
            ins.findings.len() as i64,
            ins.photos.len() as i64,
            seized_kg,
            substances.join(", "),
            search
        ],
    )?;
    Ok(())
}

/// `text` as a LIKE pattern that matches it anywhere, literally.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

impl Db {
    /// The queue of a supervisor's stations, oldest
    /// submission first so what has waited longest comes first.
    pub fn review_queue(&self, who: &Principal, query: &QueueQuery) -> ServerResult<Queue> {
        let show = if query.show.is_empty() {
            Show::default()
        } else {
            Show::parse(&query.show)
                .ok_or_else(|| ServerError::BadRequest(format!("no queue {:?}", query.show)))?
        };
        if who.role != Role::Supervisor {
            return Err(ServerError::Forbidden(
                "the review queue is for supervisors".into(),
            ));
        }
        let stations = &who.stations;
        let station = query.station.trim();
        let stations: Vec<String> = if station.is_empty() {
            stations.clone()
        } else if stations.iter().any(|s| s == station) {
            vec![station.to_string()]
        } else {
            return Err(ServerError::Forbidden(format!(
                "{} does not supervise station {station}",
                who.user
            )));
        };
        let states: Vec<&str> = show.states().iter().map(|s| s.as_str()).collect();
        let words: Vec<String> = query
            .q
            .split_whitespace()
            .take(8)
            // A substance by any of its names ("r22", "R-22", "Freon 22") finds its canonical id.
            .map(|w| match quayside_core::reference::substance(w) {
                Some(found) => contains_pattern(&found.id),
                None => contains_pattern(w),
            })
            .collect();
        let mut sql = String::from(
            "SELECT id, station, officer, container, case_ref, created_at, submitted_at,
                    review_state, findings, photos, seized_kg, substances
             FROM inspection_rows
             WHERE station IN (SELECT value FROM json_each(?1))
               AND review_state IN (SELECT value FROM json_each(?2))",
        );
        for i in 0..words.len() {
            sql.push_str(&format!(" AND search LIKE ?{} ESCAPE '\\'", i + 3));
        }
        sql.push_str(" ORDER BY submitted_at IS NULL, submitted_at, created_at LIMIT ");
        sql.push_str(&(QUEUE_LIMIT + 1).to_string());
        let mut args: Vec<Arg> = vec![json_list(&stations).into(), json_list(&states).into()];
        args.extend(words.into_iter().map(Arg::from));
        let mut rows: Vec<QueueRow> = self.read(|c| {
            c.rows(&sql, &arg_refs(&args), |r| {
                let state = r.text(7)?;
                Ok(QueueRow {
                    id: r.get(0)?,
                    station: r.get(1)?,
                    officer: r.get(2)?,
                    container: r.get(3)?,
                    case_ref: r.get(4)?,
                    created_at: r.get(5)?,
                    submitted_at: r.get(6)?,
                    review_state: ReviewState::parse(state).unwrap_or(ReviewState::Draft),
                    findings: r.get(8)?,
                    photos: r.get(9)?,
                    seized_kg: r.get(10)?,
                    substances: r.get(11)?,
                })
            })
        })?;
        let truncated = rows.len() > QUEUE_LIMIT as usize;
        rows.truncate(QUEUE_LIMIT as usize);
        Ok(Queue {
            show,
            rows,
            truncated,
        })
    }
}

/// One inspection as the console shows it to a supervisor or analyst.
#[derive(Debug, Clone)]
pub struct InspectionPage {
    pub view: InspectionView,
    /// Every change, oldest first.
    pub history: Vec<HistoryRecord>,
    /// The photos whose verified bytes the server holds for this inspection (SHA-256).
    pub arrived: Vec<String>,
}

/// How long a decision signed in a browser stays acceptable after the server stamped it: long
/// enough to read a page and confirm, too short to keep a signature for later.
const DECISION_MINUTES: i64 = 15;

/// A decision as a supervisor asks for it from the console.
#[derive(Debug, Clone, Deserialize)]
pub struct DecisionRequest {
    /// `approved` or `returned`.
    pub decision: String,
    pub comment: String,
    /// The heads of the version the page showed.
    pub heads: Vec<String>,
}

/// A decision as the console names it.
pub fn decision_of(s: &str) -> ServerResult<Decision> {
    match s {
        "approved" => Ok(Decision::Approved),
        "returned" => Ok(Decision::Returned),
        other => Err(ServerError::BadRequest(format!(
            "a decision is approved or returned, not {other:?}"
        ))),
    }
}

impl Db {
    /// Inspection `id` in full for `who`: supervisors of its station, analysts of its country
    /// (approved cases), administrators. Anyone else is told it does not exist.
    pub fn inspection_page(&self, who: &Principal, id: &str) -> ServerResult<InspectionPage> {
        self.read(|c| {
            readable(c, who, id)?;
            let mut doc = load_document(
                c,
                self.actor(),
                quayside_core::doc::DocKind::Inspection.as_str(),
                id,
            )?;
            let snap = Snapshot::of(&mut doc)?;
            let reviews = reviews_of(c, self.actor(), id)?;
            let view = InspectionView::build(snap, reviews);
            let mut arrived = Vec::new();
            for p in &view.inspection.photos {
                if crate::db::blob_granted(c, &p.sha256, id)? {
                    arrived.push(p.sha256.clone());
                }
            }
            Ok(InspectionPage {
                history: doc.history().into_iter().map(Into::into).collect(),
                view,
                arrived,
            })
        })
    }

    /// Whether `who` may see photo `sha256` of inspection `id`: they may read the inspection and
    /// the photo's verified bytes are granted to it.
    pub fn photo_shown(&self, who: &Principal, id: &str, sha256: &str) -> ServerResult<bool> {
        self.read(|c| {
            readable(c, who, id)?;
            crate::db::blob_granted(c, sha256, id)
        })
    }

    /// The decision `who` asks for, checked against the inspection as it is now and stamped
    /// (id, time), not yet signed: its [`Review::payload`] is what the browser signs.
    pub fn prepare_review(
        &self,
        who: &Principal,
        inspection_id: &str,
        req: &DecisionRequest,
    ) -> ServerResult<Review> {
        let decision = decision_of(&req.decision)?;
        let review = Review {
            schema: REVIEW_SCHEMA,
            id: uuid::Uuid::now_v7().to_string(),
            inspection_id: inspection_id.to_string(),
            reviewer: who.user.clone(),
            device: who.device_id.clone(),
            decided_at: crate::db::now(),
            decision: Some(decision),
            comment: req.comment.trim().to_string(),
            reviewed_heads: req.heads.clone(),
            signature: None,
        };
        self.check_decision(who, &review)?;
        Ok(review)
    }

    /// The same checks a phone's store makes before it signs: a supervisor of the station, a
    /// submitted inspection still at the version shown, an approval only of the version the
    /// officer signed, a return only with a comment.
    fn check_decision(&self, who: &Principal, review: &Review) -> ServerResult<()> {
        if who.role != Role::Supervisor {
            return Err(ServerError::Forbidden(format!(
                "a {} may not review inspections; only supervisors do",
                who.role.as_str()
            )));
        }
        let page = self.inspection_page(who, &review.inspection_id)?;
        let view = &page.view;
        let id = &review.inspection_id;
        if view.inspection.status != quayside_core::ffi::InspectionStatus::Submitted {
            return Err(ServerError::Conflict(format!(
                "inspection {id} has not been submitted for review"
            )));
        }
        if !same_heads(&review.reviewed_heads, &view.heads) {
            return Err(ServerError::Conflict(format!(
                "inspection {id} has changed since it was shown; open it again and review what it says now"
            )));
        }
        match review.decision {
            Some(Decision::Approved) if !view.submission_covers_shown => {
                Err(ServerError::Conflict(format!(
                    "inspection {id} has changed since the officer submitted it; only a version the officer signed can be approved (return it, or wait for the officer to submit again)"
                )))
            }
            Some(Decision::Returned) if review.comment.is_empty() => Err(ServerError::BadRequest(
                "returning an inspection needs a comment for the officer".into(),
            )),
            _ => Ok(()),
        }
    }

    /// Stores a decision the browser signed (as [`Db::prepare_review`] stamped it; nothing is
    /// kept between the two): it must name the signed-in reviewer and this browser, carry a
    /// review id, be stamped within the last minutes (no signature kept back for later), be
    /// signed by the browser's registered key over exactly its payload, and still hold against
    /// the inspection as it is now. It is then written as a one-change review document under the
    /// browser's own automerge actor and stored through the same write policy as a phone's
    /// review (signature, station, submitted version, photos arrived), so it verifies
    /// everywhere a phone's does. Returns the inspection's review state after it.
    pub fn record_signed_review(
        &self,
        who: &Principal,
        review: &Review,
        blob_present: &dyn Fn(&str) -> bool,
    ) -> ServerResult<quayside_core::ffi::ReviewState> {
        if review.reviewer != who.user || review.device != who.device_id {
            return Err(ServerError::Forbidden(
                "a decision must name the signed-in reviewer and this browser".into(),
            ));
        }
        uuid::Uuid::parse_str(&review.id)
            .map_err(|_| ServerError::BadRequest(format!("{:?} is not a review id", review.id)))?;
        let at = chrono::DateTime::parse_from_rfc3339(&review.decided_at)
            .map_err(|_| ServerError::BadRequest("the decision's time is not RFC 3339".into()))?;
        let age = chrono::Utc::now().signed_duration_since(at);
        if age < chrono::Duration::seconds(-60) || age > chrono::Duration::minutes(DECISION_MINUTES)
        {
            return Err(ServerError::Conflict(format!(
                "this decision was prepared more than {DECISION_MINUTES} minutes ago; open the inspection again and decide"
            )));
        }
        let signed = review
            .signature
            .as_ref()
            .ok_or_else(|| ServerError::BadRequest("the decision is not signed".into()))?;
        if signed.public_key != who.public_key {
            return Err(ServerError::Forbidden(
                "the decision is not signed with this browser's registered key".into(),
            ));
        }
        review.verify()?;
        self.check_decision(who, review)?;
        let actor = hex::decode(&who.actor)
            .map_err(|_| ServerError::Internal("a browser's actor is not hex".into()))?;
        let mut doc = Document::new(&actor);
        let author = Author {
            user: who.user.clone(),
            device: who.device_id.clone(),
        };
        quayside_core::doc::review::create(&mut doc, &author, review)?;
        let push = DocPush {
            id: review.id.clone(),
            kind: quayside_core::doc::DocKind::Review.as_str().into(),
            shared_heads: vec![],
            heads: quayside_core::doc::format_heads(&doc.heads()),
            changes: vec![],
            snapshot: Some(ByteBuf::from(doc.save())),
        };
        let answer = self.sync(
            who,
            &SyncRequest {
                version: PROTOCOL_VERSION,
                docs: vec![push],
            },
            blob_present,
        )?;
        match answer.docs.into_iter().next().map(|d| d.outcome) {
            Some(Outcome::Ok) => {}
            Some(Outcome::Rejected { reason, .. }) => return Err(ServerError::Conflict(reason)),
            Some(Outcome::Resync) | None => {
                return Err(ServerError::Internal(
                    "a new review document was not stored".into(),
                ));
            }
        }
        // The state the store just projected, not the page built again.
        let state: String = self.read(|c| {
            Ok(c.value(
                "SELECT review_state FROM inspection_rows WHERE id = ?1",
                args![review.inspection_id],
            )?)
        })?;
        ReviewState::parse(&state)
            .map(Into::into)
            .ok_or_else(|| ServerError::Internal(format!("stored review state {state:?}")))
    }
}

/// Refuses, as if it did not exist, an inspection `who` may not read on the console:
/// officers (their phones hold theirs), anyone outside its station or country, and analysts
/// unless it is approved (changed since approval included). Read from the queue projection.
fn readable(c: &dyn Sql, who: &Principal, id: &str) -> ServerResult<()> {
    let hidden = || ServerError::NotFound(format!("no inspection {id} you may read"));
    let (station, state): (String, String) = c
        .opt(
            "SELECT station, review_state FROM inspection_rows WHERE id = ?1",
            args![id],
            |r| Ok::<_, ServerError>((r.get(0)?, r.get(1)?)),
        )?
        .ok_or_else(hidden)?;
    let approved = state == ReviewState::Approved.as_str()
        || state == ReviewState::ChangedSinceApproval.as_str();
    if who.role == Role::Officer
        || !who.may_read_station(&station)
        || (who.role == Role::OzoneAnalyst && !approved)
    {
        return Err(hidden());
    }
    Ok(())
}

/// The reviews of an inspection the server holds, oldest first, each with whether its
/// signature holds.
fn reviews_of(c: &dyn Sql, actor: &[u8], inspection_id: &str) -> ServerResult<Vec<(Review, bool)>> {
    let mut reviews: Vec<(Review, bool)> = crate::db::stored_reviews(c, actor, inspection_id)?
        .into_iter()
        .map(|r| {
            let ok = r.verify().is_ok();
            (r, ok)
        })
        .collect();
    reviews.sort_by(|a, b| a.0.decided_at.cmp(&b.0.decided_at));
    Ok(reviews)
}
