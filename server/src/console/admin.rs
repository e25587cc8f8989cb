//! The administrator's pages: stations, users and roles, one-time enrolment codes (also as the
//! QR code a phone scans), devices with their last sync and revoke, and API tokens. Every change
//! is a form carrying the session's CSRF token from a console page of the same origin.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use quayside_core::sync::policy::Role;

use super::review::when;
use super::{Chrome, CsrfForm, Session, forged, page, refused, signed_in_as};
use crate::accounts::{DeviceRow, UserInfo};
use crate::accounts::{StationRow, TokenRow};
use crate::app::{Shared, blocking};
use crate::error::{ServerError, ServerResult};

/// The administrator's session, or the answer to give.
async fn admin(state: &Shared, headers: &HeaderMap) -> Result<Session, Response> {
    signed_in_as(state, headers, &[Role::Admin]).await
}

/// A form's fields as sent (a field may repeat: the stations of a user).
type Fields = Vec<(String, String)>;

fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

/// The refusal of a change whose form is not from a console page of this session.
fn forged_fields(
    headers: &HeaderMap,
    fields: &Fields,
    s: &Session,
    title: &str,
) -> Option<Response> {
    let form = CsrfForm {
        csrf: field(fields, "_csrf").to_string(),
    };
    forged(headers, &form, &s.token, title)
}

/// The administrator's session for a change whose form came from a console page of that
/// session (`title` names what a forged one is refused).
async fn admin_change(
    state: &Shared,
    headers: &HeaderMap,
    fields: &Fields,
    title: &str,
) -> Result<Session, Response> {
    let s = admin(state, headers).await?;
    match forged_fields(headers, fields, &s, title) {
        Some(refusal) => Err(refusal),
        None => Ok(s),
    }
}

/// What a refused change says on its page: the reason for the person's mistakes, a generic
/// word for the server's own failures (logged).
fn notice_of(e: ServerError) -> Result<String, ServerError> {
    match e {
        ServerError::BadRequest(why)
        | ServerError::Conflict(why)
        | ServerError::NotFound(why)
        | ServerError::Forbidden(why) => Ok(why),
        other => Err(other),
    }
}

// ---------------------------------------------------------------------------------------------
// Devices
// ---------------------------------------------------------------------------------------------

struct DeviceLine {
    id: String,
    user: String,
    name: String,
    kind: &'static str,
    enrolled: String,
    last_sync: String,
    revoked: Option<String>,
    /// What became of a wipe the administrator ordered ("" when none was).
    wipe: String,
    /// A phone not yet ordered wiped (the console offers it).
    may_wipe: bool,
}

impl From<DeviceRow> for DeviceLine {
    fn from(d: DeviceRow) -> Self {
        DeviceLine {
            kind: if d.kind == "browser" {
                "Browser"
            } else {
                "Phone"
            },
            enrolled: when(&d.enrolled_at),
            last_sync: match (&d.last_sync_at, d.kind.as_str()) {
                (Some(at), _) => when(at),
                (None, "browser") => "—".into(),
                (None, _) => "never".into(),
            },
            revoked: d.revoked_at.as_deref().map(when),
            wipe: match (&d.wipe_requested_at, &d.wiped_at) {
                (_, Some(at)) => format!("wiped {}", when(at)),
                (Some(at), None) => {
                    format!("wipe ordered {}, waiting for its next contact", when(at))
                }
                (None, None) => String::new(),
            },
            may_wipe: d.kind != "browser" && d.wipe_requested_at.is_none(),
            id: d.id,
            user: d.user,
            name: d.name,
        }
    }
}

#[derive(Template)]
#[template(path = "console/devices.html")]
struct Devices {
    chrome: Chrome,
    devices: Vec<DeviceLine>,
    active: usize,
}

pub(super) async fn devices(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let s = match admin(&state, &headers).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    match blocking(move || state.db.devices()).await {
        Ok(devices) => page(
            StatusCode::OK,
            &Devices {
                active: devices.iter().filter(|d| d.revoked_at.is_none()).count(),
                devices: devices.into_iter().map(Into::into).collect(),
                chrome: Chrome::of(&s, "/console/admin/devices"),
            },
        ),
        Err(e) => e.into_response(),
    }
}

pub(super) async fn revoke_device(
    State(state): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let s = match admin_change(&state, &headers, &fields, "Not revoked").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let who = s.principal.user.clone();
    let device = id.clone();
    let wipe = field(&fields, "wipe") == "1";
    match blocking(move || state.db.revoke_device(&device, wipe)).await {
        Ok(()) => {
            tracing::info!(admin = %who, device = %id, wipe, "device revoked from the console");
            Redirect::to("/console/admin/devices").into_response()
        }
        Err(ServerError::NotFound(_)) => refused(
            StatusCode::NOT_FOUND,
            "Not revoked",
            "No active device has this id (it may have been revoked, or ordered wiped, already).",
        ),
        Err(e) => e.into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Stations
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/admin_stations.html")]
struct Stations {
    chrome: Chrome,
    stations: Vec<StationRow>,
    notice: String,
    locode: String,
    name: String,
}

async fn stations_page(
    state: &Shared,
    s: &Session,
    status: StatusCode,
    notice: String,
    fields: &Fields,
) -> Response {
    let st = state.clone();
    match blocking(move || st.db.stations()).await {
        Ok(stations) => page(
            status,
            &Stations {
                chrome: Chrome::of(s, "/console/admin/stations"),
                stations,
                notice,
                locode: field(fields, "locode").to_string(),
                name: field(fields, "name").to_string(),
            },
        ),
        Err(e) => e.into_response(),
    }
}

pub(super) async fn stations(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match admin(&state, &headers).await {
        Ok(s) => stations_page(&state, &s, StatusCode::OK, String::new(), &Vec::new()).await,
        Err(answer) => answer,
    }
}

pub(super) async fn add_station(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let s = match admin_change(&state, &headers, &fields, "Station not added").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let locode = field(&fields, "locode").to_ascii_uppercase();
    let name = field(&fields, "name").to_string();
    let st = state.clone();
    let added = blocking(move || {
        if name.is_empty() || name.chars().any(char::is_control) || name.chars().count() > 200 {
            return Err(ServerError::BadRequest(
                "a station needs a name (at most 200 characters)".into(),
            ));
        }
        let locode = quayside_core::model::locode::parse_locode(&locode)?;
        let country = quayside_core::model::locode::country_of(&locode).to_string();
        st.db.add_station(&locode, &country, &name)
    })
    .await;
    match added {
        Ok(_) => Redirect::to("/console/admin/stations").into_response(),
        Err(e) => match notice_of(e) {
            Ok(why) => stations_page(&state, &s, StatusCode::BAD_REQUEST, why, &fields).await,
            Err(e) => e.into_response(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Users and enrolment codes
// ---------------------------------------------------------------------------------------------

struct RoleChoice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

struct StationChoice {
    locode: String,
    name: String,
    checked: bool,
}

struct UserLine {
    name: String,
    role: &'static str,
    stations: String,
    country: String,
}

impl From<UserInfo> for UserLine {
    fn from(u: UserInfo) -> Self {
        UserLine {
            role: role_name(&u.role),
            stations: u.stations.join(", "),
            country: u.country.unwrap_or_default(),
            name: u.name,
        }
    }
}

#[derive(Template)]
#[template(path = "console/admin_users.html")]
struct Users {
    chrome: Chrome,
    users: Vec<UserLine>,
    notice: String,
    name: String,
    country: String,
    roles: Vec<RoleChoice>,
    stations: Vec<StationChoice>,
}

fn role_name(role: &str) -> &'static str {
    Role::parse(role).map_or("?", super::role_label)
}

async fn users_page(
    state: &Shared,
    s: &Session,
    status: StatusCode,
    notice: String,
    fields: &Fields,
) -> Response {
    let st = state.clone();
    let found = blocking(move || Ok((st.db.users()?, st.db.stations()?))).await;
    let (users, stations) = match found {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let picked: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == "stations")
        .map(|(_, v)| v.as_str())
        .collect();
    let role = field(fields, "role");
    page(
        status,
        &Users {
            chrome: Chrome::of(s, "/console/admin/users"),
            users: users.into_iter().map(Into::into).collect(),
            notice,
            name: field(fields, "name").to_string(),
            country: field(fields, "country").to_string(),
            roles: [
                Role::Officer,
                Role::Supervisor,
                Role::OzoneAnalyst,
                Role::Admin,
            ]
            .into_iter()
            .map(|r| RoleChoice {
                value: r.as_str(),
                label: super::role_label(r),
                selected: r.as_str() == role,
            })
            .collect(),
            stations: stations
                .into_iter()
                .map(|st| StationChoice {
                    checked: picked.contains(&st.locode.as_str()),
                    locode: st.locode,
                    name: st.name,
                })
                .collect(),
        },
    )
}

pub(super) async fn users(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match admin(&state, &headers).await {
        Ok(s) => users_page(&state, &s, StatusCode::OK, String::new(), &Vec::new()).await,
        Err(answer) => answer,
    }
}

pub(super) async fn add_user(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let s = match admin_change(&state, &headers, &fields, "User not added").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let name = field(&fields, "name").to_string();
    let role = field(&fields, "role").to_string();
    let country = Some(field(&fields, "country").to_ascii_uppercase()).filter(|c| !c.is_empty());
    let stations: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "stations")
        .map(|(_, v)| v.clone())
        .collect();
    let st = state.clone();
    let added = blocking(move || st.db.add_user(&name, &role, &stations, country.as_deref())).await;
    match added {
        Ok(user) => {
            tracing::info!(admin = %s.principal.user, user = %user.name, role = %user.role, "user added from the console");
            Redirect::to("/console/admin/users").into_response()
        }
        Err(e) => match notice_of(e) {
            Ok(why) => users_page(&state, &s, StatusCode::BAD_REQUEST, why, &fields).await,
            Err(e) => e.into_response(),
        },
    }
}

/// A secret shown once: an enrolment code (with its QR code) or an API token.
#[derive(Template)]
#[template(path = "console/admin_secret.html")]
struct Secret {
    chrome: Chrome,
    title: String,
    lead: String,
    secret: String,
    /// The enrolment link and its QR code (an SVG as a `data:` URI).
    link: String,
    qr: String,
    back: (&'static str, &'static str),
}

/// The address phones reach this server at, as the administrator's browser does: the origin of
/// their request.
fn server_address(headers: &HeaderMap) -> String {
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| o.starts_with("http://") || o.starts_with("https://"))
        .map(str::to_string)
        .or_else(|| {
            headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(|h| format!("http://{h}"))
        })
        .unwrap_or_default()
}

/// `text` as a QR code, an SVG `data:` URI an `<img>` shows under the console's policy.
fn qr_data_uri(text: &str) -> ServerResult<String> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| ServerError::Internal(format!("QR code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

pub(super) async fn user_code(
    State(state): State<Shared>,
    Path(user): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let s = match admin_change(&state, &headers, &fields, "No code made").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let hours: i64 = field(&fields, "hours").parse().unwrap_or(72);
    let name = user.clone();
    let made = blocking(move || state.db.create_enrol_code(&name, hours)).await;
    let code = match made {
        Ok(code) => code,
        Err(e) => {
            return match notice_of(e) {
                Ok(why) => refused(StatusCode::BAD_REQUEST, "No code made", &why),
                Err(e) => e.into_response(),
            };
        }
    };
    tracing::info!(admin = %s.principal.user, %user, hours, "enrolment code made from the console");
    let link =
        quayside_core::ffi::enrolment_link(server_address(&headers), user.clone(), code.clone());
    let qr = match qr_data_uri(&link) {
        Ok(qr) => qr,
        Err(e) => return e.into_response(),
    };
    page(
        StatusCode::OK,
        &Secret {
            chrome: Chrome::of(&s, ""),
            title: format!("Enrolment code for {user}"),
            lead: format!(
                "Valid once, for {hours} hours. On the phone, scan the QR code from the enrolment screen, or type the server address, the user name and the code. A browser enrols on the console's sign-in page with the user name and the code."
            ),
            secret: code,
            link,
            qr,
            back: ("/console/admin/users", "Users"),
        },
    )
}

// ---------------------------------------------------------------------------------------------
// API tokens
// ---------------------------------------------------------------------------------------------

struct TokenLine {
    hash: String,
    short: String,
    user: String,
    role: &'static str,
    created: String,
    revoked: Option<String>,
}

impl From<TokenRow> for TokenLine {
    fn from(t: TokenRow) -> Self {
        TokenLine {
            short: t.hash.chars().take(12).collect(),
            role: role_name(&t.role),
            created: when(&t.created_at),
            revoked: t.revoked_at.as_deref().map(when),
            hash: t.hash,
            user: t.user,
        }
    }
}

#[derive(Template)]
#[template(path = "console/admin_tokens.html")]
struct Tokens {
    chrome: Chrome,
    tokens: Vec<TokenLine>,
    users: Vec<String>,
    notice: String,
}

async fn tokens_page(state: &Shared, s: &Session, status: StatusCode, notice: String) -> Response {
    let st = state.clone();
    match blocking(move || Ok((st.db.api_tokens()?, st.db.users()?))).await {
        Ok((tokens, users)) => page(
            status,
            &Tokens {
                chrome: Chrome::of(s, "/console/admin/tokens"),
                tokens: tokens.into_iter().map(Into::into).collect(),
                users: users.into_iter().map(|u| u.name).collect(),
                notice,
            },
        ),
        Err(e) => e.into_response(),
    }
}

pub(super) async fn tokens(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match admin(&state, &headers).await {
        Ok(s) => tokens_page(&state, &s, StatusCode::OK, String::new()).await,
        Err(answer) => answer,
    }
}

pub(super) async fn add_token(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let s = match admin_change(&state, &headers, &fields, "No token made").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let user = field(&fields, "user").to_string();
    let name = user.clone();
    let st = state.clone();
    match blocking(move || st.db.create_api_token(&name)).await {
        Ok(token) => {
            tracing::info!(admin = %s.principal.user, %user, "API token made from the console");
            page(
                StatusCode::OK,
                &Secret {
                    chrome: Chrome::of(&s, ""),
                    title: format!("API token for {user}"),
                    lead: "Shown once: copy it now. It reads the HTTP API with this user's rights (an analyst's: the seizures of their country) until it is revoked.".into(),
                    secret: token,
                    link: String::new(),
                    qr: String::new(),
                    back: ("/console/admin/tokens", "API tokens"),
                },
            )
        }
        Err(e) => match notice_of(e) {
            Ok(why) => tokens_page(&state, &s, StatusCode::BAD_REQUEST, why).await,
            Err(e) => e.into_response(),
        },
    }
}

pub(super) async fn revoke_token(
    State(state): State<Shared>,
    Path(hash): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    if let Err(answer) = admin_change(&state, &headers, &fields, "Not revoked").await {
        return answer;
    }
    match blocking(move || state.db.revoke_api_token(&hash)).await {
        Ok(()) => Redirect::to("/console/admin/tokens").into_response(),
        Err(ServerError::NotFound(why)) => refused(StatusCode::NOT_FOUND, "Not revoked", &why),
        Err(e) => e.into_response(),
    }
}
