//! The web console's entrance: pages served by the server itself (templates compiled in, one
//! stylesheet and one script embedded, nothing fetched from elsewhere), the browser enrolled like
//! a device and signed in by its own key, sessions in HttpOnly SameSite cookies with a CSRF token
//! on every state change, and a strict Content-Security-Policy on every answer.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use quayside_core::sync::policy::{Principal, Role};
use quayside_core::sync::protocol::EnrollRequest;
use serde::Deserialize;

use crate::app::{Shared, blocking, enrol_allowed};

mod admin;
mod review;
mod seizures;
use crate::error::{ServerError, ServerResult};
use crate::sessions::{SESSION_HOURS, csrf_token};

/// The session cookie's name.
const COOKIE: &str = "qs_session";

/// No script but the console's own, no inline script or style, no framing, nothing from
/// elsewhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The console's routes (under `/console`).
pub fn router() -> Router<Shared> {
    Router::new()
        .route(
            "/console",
            get(|| async { Redirect::permanent("/console/") }),
        )
        .route("/console/", get(home))
        .route("/console/sign-in", get(sign_in_page).post(sign_in))
        .route("/console/enrol", post(enrol))
        .route("/console/challenge", post(challenge))
        .route("/console/sign-out", post(sign_out))
        .route("/console/review", get(review::queue))
        .route("/console/inspections/{id}", get(review::inspection))
        .route(
            "/console/inspections/{id}/decision/prepare",
            post(review::prepare),
        )
        .route("/console/inspections/{id}/decision", post(review::decide))
        .route("/console/photos/{inspection}/{sha}", get(review::photo))
        .route("/console/seizures", get(seizures::dashboard))
        .route("/console/admin/devices", get(admin::devices))
        .route(
            "/console/admin/devices/{id}/revoke",
            post(admin::revoke_device),
        )
        .route(
            "/console/admin/stations",
            get(admin::stations).post(admin::add_station),
        )
        .route(
            "/console/admin/users",
            get(admin::users).post(admin::add_user),
        )
        .route("/console/admin/users/{name}/code", post(admin::user_code))
        .route(
            "/console/admin/tokens",
            get(admin::tokens).post(admin::add_token),
        )
        .route(
            "/console/admin/tokens/{hash}/revoke",
            post(admin::revoke_token),
        )
        .route("/console/assets/{name}", get(asset))
        .layer(axum::middleware::from_fn(security_headers))
}

/// Every console answer: the CSP, no sniffing, no referrer, no framing, no caching of pages.
async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let is_asset = request.uri().path().starts_with("/console/assets/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, name: &'static str, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(h, "content-security-policy", CONTENT_SECURITY_POLICY);
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "no-referrer");
    set(h, "x-frame-options", "DENY");
    set(h, "cross-origin-opener-policy", "same-origin");
    if !is_asset {
        set(h, "cache-control", "no-store");
    }
    response
}

/// A rendered page.
fn page(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => ServerError::Internal(format!("template: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "console/refused.html")]
struct Refused<'a> {
    title: &'a str,
    message: &'a str,
}

/// A page refusing with `status`.
fn refused(status: StatusCode, title: &str, message: &str) -> Response {
    page(status, &Refused { title, message })
}

/// The session cookie's token, if the request has one.
fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

/// A link of the console's bar.
struct NavLink {
    href: &'static str,
    label: &'static str,
    current: bool,
}

/// What every signed-in page shows around its content: who is signed in, the pages their role
/// has, and the CSRF token its forms carry.
struct Chrome {
    user: String,
    role: &'static str,
    csrf: String,
    nav: Vec<NavLink>,
}

impl Chrome {
    /// The bar for session `s` on the page at `here`.
    fn of(s: &Session, here: &str) -> Chrome {
        let pages: &[(&'static str, &'static str)] = match s.principal.role {
            Role::Supervisor => &[("/console/review", "Review queue")],
            Role::Admin => &[
                ("/console/admin/users", "Users"),
                ("/console/admin/stations", "Stations"),
                ("/console/admin/devices", "Devices"),
                ("/console/admin/tokens", "API tokens"),
            ],
            Role::OzoneAnalyst => &[("/console/seizures", "Seizures")],
            Role::Officer => &[],
        };
        let nav = std::iter::once(&("/console/", "Home"))
            .chain(pages)
            .map(|&(href, label)| NavLink {
                href,
                label,
                current: href == here,
            })
            .collect();
        Chrome {
            user: s.principal.user.clone(),
            role: role_label(s.principal.role),
            csrf: csrf_token(&s.token),
            nav,
        }
    }
}

/// A signed-in browser.
struct Session {
    principal: Principal,
    token: String,
}

/// The request's session, or `None` when it has none that holds (unknown, ended, expired, or
/// its browser revoked).
async fn session(state: &Shared, headers: &HeaderMap) -> ServerResult<Option<Session>> {
    let Some(token) = session_token(headers) else {
        return Ok(None);
    };
    let state = state.clone();
    let lookup = token.clone();
    match blocking(move || state.db.console_principal(&lookup)).await {
        Ok(principal) => Ok(Some(Session { principal, token })),
        Err(ServerError::Unauthorized(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether a state-changing request comes from a console page: browsers name the origin of
/// every POST (`Sec-Fetch-Site`, `Origin`); another site's form or script is refused.
fn same_origin(headers: &HeaderMap) -> bool {
    let get = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "same-origin";
    }
    match (get(header::ORIGIN), get(header::HOST)) {
        (Some(origin), Some(host)) => {
            origin
                .strip_prefix("https://")
                .or(origin.strip_prefix("http://"))
                == Some(host)
        }
        (Some(_), None) => false,
        // Not a browser: nothing to forge a request with.
        (None, _) => true,
    }
}

fn cross_site() -> ServerError {
    ServerError::Forbidden("requests from other sites are refused".into())
}

/// The cookie that holds session `token` (empty `token`: the cookie that removes it).
fn cookie(token: &str) -> HeaderValue {
    let age = if token.is_empty() {
        0
    } else {
        SESSION_HOURS * 3600
    };
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={age}"
    ))
    .expect("a token is hex")
}

/// A JSON answer that opens session `token`.
fn signed_in(token: &str, principal_user: &str, role: &str) -> Response {
    let mut response =
        Json(serde_json::json!({ "user": principal_user, "role": role })).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie(token));
    response
}

#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage;

async fn sign_in_page() -> Response {
    page(StatusCode::OK, &SignInPage)
}

#[derive(Template)]
#[template(path = "console/home.html")]
struct Home {
    chrome: Chrome,
    stations: String,
    countries: String,
    what: &'static str,
}

/// How a role is named on the console.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Officer => "Officer",
        Role::Supervisor => "Supervisor",
        Role::OzoneAnalyst => "Ozone-unit analyst",
        Role::Admin => "Administrator",
    }
}

async fn home(State(state): State<Shared>, headers: HeaderMap) -> ServerResult<Response> {
    let Some(s) = session(&state, &headers).await? else {
        return Ok(Redirect::to("/console/sign-in").into_response());
    };
    let p = &s.principal;
    let what = match p.role {
        Role::Officer => {
            "Officers record inspections on their phones; the console is for supervisors, ozone-unit analysts and administrators."
        }
        Role::Supervisor => {
            "You review the inspections of your stations: approvals you give here are signed by this browser's key."
        }
        Role::OzoneAnalyst => {
            "You read the approved seizures of your country in kg, ODP-tonnes and CO2-eq tonnes."
        }
        Role::Admin => "You manage stations, users, enrolment codes, devices and API tokens.",
    };
    Ok(page(
        StatusCode::OK,
        &Home {
            stations: p.stations.join(", "),
            countries: p.countries.join(", "),
            what,
            chrome: Chrome::of(&s, "/console/"),
        },
    ))
}

/// The session of a user in one of `roles`, else the answer to give: sign in first, or a page
/// saying the role may not go there.
async fn signed_in_as(
    state: &Shared,
    headers: &HeaderMap,
    roles: &[Role],
) -> Result<Session, Response> {
    match session(state, headers).await {
        Ok(Some(s)) if roles.contains(&s.principal.role) => Ok(s),
        Ok(Some(_)) => Err(refused(
            StatusCode::FORBIDDEN,
            "Not for your role",
            "This page is for another role. Your home page shows what you can do here.",
        )),
        Ok(None) => Err(Redirect::to("/console/sign-in").into_response()),
        Err(e) => Err(e.into_response()),
    }
}

/// What the console's script sends to enrol a browser.
#[derive(Deserialize)]
struct EnrolForm {
    user: String,
    code: String,
    public_key: String,
    actor: String,
    device_id: String,
}

async fn enrol(
    State(state): State<Shared>,
    connect: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> ServerResult<Response> {
    if !same_origin(&headers) {
        return Err(cross_site());
    }
    enrol_allowed(&state, connect.map(|c| c.0.0.ip()), &headers).await?;
    let form: EnrolForm = serde_json::from_slice(&body)
        .map_err(|e| ServerError::BadRequest(format!("malformed enrolment: {e}")))?;
    let req = EnrollRequest {
        code: form.code,
        actor: form.actor,
        device_id: form.device_id,
        public_key: form.public_key,
        device_name: "Web console".into(),
        user: Some(form.user),
    };
    let (token, enrolled) = blocking(move || {
        let enrolled = state.db.enroll_kind(&req, "browser")?;
        Ok((
            state.db.open_console_session(&enrolled.device_id)?,
            enrolled,
        ))
    })
    .await?;
    tracing::info!(user = %enrolled.user, device = %enrolled.device_id, "console browser enrolled");
    Ok(signed_in(&token, &enrolled.user, &enrolled.role))
}

#[derive(Deserialize)]
struct ChallengeForm {
    device_id: String,
}

async fn challenge(
    State(state): State<Shared>,
    connect: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    Json(form): Json<ChallengeForm>,
) -> ServerResult<Response> {
    if !same_origin(&headers) {
        return Err(cross_site());
    }
    // Challenges are rows: limited per address like enrolments.
    enrol_allowed(&state, connect.map(|c| c.0.0.ip()), &headers).await?;
    let nonce = blocking(move || state.db.console_challenge(&form.device_id)).await?;
    Ok(Json(serde_json::json!({ "nonce": nonce })).into_response())
}

#[derive(Deserialize)]
struct SignInForm {
    device_id: String,
    nonce: String,
    signature: String,
}

async fn sign_in(
    State(state): State<Shared>,
    headers: HeaderMap,
    Json(form): Json<SignInForm>,
) -> ServerResult<Response> {
    if !same_origin(&headers) {
        return Err(cross_site());
    }
    let (token, principal) = blocking(move || {
        let token = state
            .db
            .console_sign_in(&form.device_id, &form.nonce, &form.signature)?;
        Ok((token.clone(), state.db.console_principal(&token)?))
    })
    .await?;
    Ok(signed_in(&token, &principal.user, principal.role.as_str()))
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// The page refusing a state change (`title`) that is not from a console page of session
/// `token` (another origin, or not the session's CSRF token); `None` when it is.
fn forged(headers: &HeaderMap, form: &CsrfForm, token: &str, title: &str) -> Option<Response> {
    (!same_origin(headers) || form.csrf != csrf_token(token)).then(|| {
        refused(
            StatusCode::FORBIDDEN,
            title,
            "The request did not come from a console page of this session.",
        )
    })
}

async fn sign_out(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> ServerResult<Response> {
    let Some(token) = session_token(&headers) else {
        return Ok(Redirect::to("/console/sign-in").into_response());
    };
    if let Some(refusal) = forged(&headers, &form, &token, "Not signed out") {
        return Ok(refusal);
    }
    blocking(move || state.db.end_console_session(&token)).await?;
    let mut response = Redirect::to("/console/sign-in").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie(""));
    Ok(response)
}

/// The embedded stylesheet and script.
async fn asset(Path(name): Path<String>) -> Response {
    let (body, kind): (&'static [u8], &str) = match name.as_str() {
        "console.css" => (
            include_bytes!("../../assets/console.css"),
            "text/css; charset=utf-8",
        ),
        "console.js" => (
            include_bytes!("../../assets/console.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return refused(StatusCode::NOT_FOUND, "Not found", "No such file."),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}
