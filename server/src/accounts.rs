//! Accounts: users, stations, enrolment of devices and the tokens requests carry (who holds a
//! token and what it may do, asked on every request); and what administrators list and change
//! beside them: stations and API tokens, each API token known only by the hash the server keeps.

use quayside_core::args;
use quayside_core::sql::Sql;
use quayside_core::sync::policy::{Principal, Role};
use quayside_core::sync::protocol::{EnrollRequest, EnrollResponse};
use sha2::{Digest, Sha256};

use crate::db::{Db, json_list, now};
use crate::error::{ServerError, ServerResult};

/// The longest an enrolment code may stay valid (30 days).
pub const MAX_CODE_HOURS: i64 = 30 * 24;

/// How long after spending a code the same device may send it again and get a fresh token.
pub const ENROL_RETRY_WINDOW: chrono::Duration = chrono::Duration::minutes(15);

/// SHA-256 of a secret, hex: tokens and codes are stored only hashed.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub(crate) fn random_token(bytes: usize) -> String {
    let raw: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    hex::encode(raw)
}

/// A one-time enrolment code an officer types on the phone: 12 characters without 0/O/1/I.
fn random_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let chars: String = (0..12)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}-{}", &chars[..4], &chars[4..8], &chars[8..])
}

/// A user as listed to administrators.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct UserInfo {
    pub name: String,
    pub role: String,
    pub stations: Vec<String>,
    pub country: Option<String>,
}

/// A device as listed to administrators.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct DeviceRow {
    pub id: String,
    pub user: String,
    pub name: String,
    pub actor: String,
    pub enrolled_at: String,
    pub revoked_at: Option<String>,
    /// `phone` or `browser`.
    #[serde(default)]
    pub kind: String,
    /// When it last synced (phones; None: never).
    #[serde(default)]
    pub last_sync_at: Option<String>,
    /// When an administrator ordered the phone wiped.
    #[serde(default)]
    pub wipe_requested_at: Option<String>,
    /// When the phone confirmed it is wiping its store.
    #[serde(default)]
    pub wiped_at: Option<String>,
}

/// A station as administrators list it.
#[derive(Debug, Clone, PartialEq)]
pub struct StationRow {
    pub locode: String,
    pub country: String,
    pub name: String,
    /// Users who work there.
    pub users: u32,
}

/// An API token as administrators list it: never the token itself.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRow {
    /// The SHA-256 the server keeps of the token (what revoking names).
    pub hash: String,
    pub user: String,
    pub role: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl Db {
    /// The stations (UN/LOCODE, name) of `countries`, by name.
    pub fn stations_of(&self, countries: &[String]) -> ServerResult<Vec<(String, String)>> {
        self.read(|c| {
            c.rows(
                "SELECT locode, name FROM stations
                 WHERE country IN (SELECT value FROM json_each(?1)) ORDER BY name",
                args![json_list(countries)],
                |r| Ok::<_, ServerError>((r.get(0)?, r.get(1)?)),
            )
        })
    }

    /// Whether any user exists yet (first start creates the administrator).
    pub fn has_users(&self) -> ServerResult<bool> {
        self.read(|c| Ok(c.value("SELECT EXISTS(SELECT 1 FROM users)", args![])?))
    }

    /// Adds or updates a station.
    pub fn add_station(&self, locode: &str, country: &str, name: &str) -> ServerResult<String> {
        let locode = quayside_core::model::locode::parse_locode(locode)?;
        // UN/LOCODE countries are ISO 3166 codes, plus XZ for installations at sea.
        let country = country.trim().to_ascii_uppercase();
        if quayside_core::model::locode::country_of(&locode) != country {
            return Err(ServerError::BadRequest(format!(
                "country {country:?} does not match station {locode}"
            )));
        }
        self.write(|c| {
            c.execute(
                "INSERT INTO stations(locode, country, name) VALUES (?1, ?2, ?3)
                 ON CONFLICT(locode) DO UPDATE SET name = excluded.name",
                args![locode, country, name.trim()],
            )?;
            Ok(())
        })?;
        Ok(locode)
    }

    /// Adds a user with a role, the stations they work at and (analysts) the country they report for.
    pub fn add_user(
        &self,
        name: &str,
        role: &str,
        stations: &[String],
        country: Option<&str>,
    ) -> ServerResult<UserInfo> {
        let role = Role::parse(role)?;
        let name = name.trim();
        if !crate::app::is_user_name(name) {
            return Err(ServerError::BadRequest(format!(
                "user name {name:?}: use letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit)"
            )));
        }
        let country = country
            .map(quayside_core::model::locode::parse_country)
            .transpose()?;
        let normalized = self.write(|tx| {
            if tx.value::<bool>(
                "SELECT EXISTS(SELECT 1 FROM users WHERE name = ?1)",
                args![name],
            )? {
                return Err(ServerError::Conflict(format!("user {name} already exists")));
            }
            let id: i64 = tx.value(
                "INSERT INTO users(name, role, country, created_at) VALUES (?1, ?2, ?3, ?4)
                 RETURNING id",
                args![name, role.as_str(), country, now()],
            )?;
            let mut normalized = Vec::new();
            for s in stations {
                let s = quayside_core::model::locode::parse_locode(s)?;
                let known: bool = tx.value(
                    "SELECT EXISTS(SELECT 1 FROM stations WHERE locode = ?1)",
                    args![s],
                )?;
                if !known {
                    return Err(ServerError::NotFound(format!(
                        "unknown station {s}: add it first"
                    )));
                }
                tx.execute(
                    "INSERT INTO user_stations(user_id, station) VALUES (?1, ?2)",
                    args![id, s],
                )?;
                normalized.push(s);
            }
            if matches!(role, Role::Officer | Role::Supervisor) && normalized.is_empty() {
                return Err(ServerError::BadRequest(format!(
                    "a {} needs at least one station",
                    role.as_str()
                )));
            }
            if role == Role::OzoneAnalyst && country.is_none() {
                return Err(ServerError::BadRequest(
                    "an ozone_analyst needs a country".into(),
                ));
            }
            Ok(normalized)
        })?;
        Ok(UserInfo {
            name: name.into(),
            role: role.as_str().into(),
            stations: normalized,
            country,
        })
    }

    fn user_id(c: &dyn Sql, name: &str) -> ServerResult<i64> {
        c.opt("SELECT id FROM users WHERE name = ?1", args![name], |r| {
            r.get(0)
        })?
        .ok_or_else(|| ServerError::NotFound(format!("no user {name}")))
    }

    /// A one-time enrolment code for `user`, valid for `hours` (1 to [`MAX_CODE_HOURS`]).
    pub fn create_enrol_code(&self, user: &str, hours: i64) -> ServerResult<String> {
        if !(1..=MAX_CODE_HOURS).contains(&hours) {
            return Err(ServerError::BadRequest(format!(
                "an enrolment code is valid for 1 to {MAX_CODE_HOURS} hours, not {hours}"
            )));
        }
        self.write(|c| {
            let id = Self::user_id(c, user)?;
            let code = random_code();
            let expires = (chrono::Utc::now() + chrono::Duration::hours(hours))
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            c.execute(
                "INSERT INTO enrol_codes(code_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                args![hash_secret(&code), id, now(), expires],
            )?;
            Ok(code)
        })
    }

    /// An API token (not bound to a device) for `user`: administrators and analysts.
    pub fn create_api_token(&self, user: &str) -> ServerResult<String> {
        self.write(|c| {
            let id = Self::user_id(c, user)?;
            let token = random_token(32);
            c.execute(
                "INSERT INTO api_tokens(token_hash, user_id, created_at) VALUES (?1, ?2, ?3)",
                args![hash_secret(&token), id, now()],
            )?;
            Ok(token)
        })
    }

    /// Counts an enrolment attempt from `client` (an address) against `per_minute`, shared by
    /// every instance on this database: Ok(None) when it is allowed (and counted), Ok(Some(s))
    /// when `client` made `per_minute` attempts in the last minute and may try again in `s`
    /// seconds (not counted). Holds only `client`'s own count (no other writer waits), and
    /// deletes nothing ([`Db::forget_enrol_attempts`] does, so the two never wait for each
    /// other's rows).
    pub fn enrol_attempt(&self, client: &str, per_minute: u32) -> ServerResult<Option<u64>> {
        let now = chrono::Utc::now().timestamp_millis();
        let key = format!("enrol-attempts:{client}");
        self.storage().write_documents(|c| {
            c.hold(&[key.as_str()])?;
            let (count, oldest): (i64, Option<i64>) = c.one(
                "SELECT count(*), min(at_ms) FROM enrol_attempts WHERE address = ?1 AND at_ms > ?2",
                args![client, now - 60_000],
                |r| Ok::<_, ServerError>((r.get(0)?, r.get(1)?)),
            )?;
            if count >= i64::from(per_minute) {
                let wait_ms = oldest.map_or(60_000, |at| at + 60_000 - now).max(0) as u64;
                return Ok(Some(wait_ms.div_ceil(1000).max(1)));
            }
            c.execute(
                "INSERT INTO enrol_attempts(address, at_ms) VALUES (?1, ?2)",
                args![client, now],
            )?;
            Ok(None)
        })
    }

    /// Deletes the enrolment attempts over a minute old (they count no more).
    pub fn forget_enrol_attempts(&self) -> ServerResult<u64> {
        let minute_ago = chrono::Utc::now().timestamp_millis() - 60_000;
        self.storage().write_documents(|c| {
            Ok(c.execute(
                "DELETE FROM enrol_attempts WHERE at_ms <= ?1",
                args![minute_ago],
            )?)
        })
    }

    /// Enrols a device with a one-time code; binds a new token to the user and the actor id.
    ///
    /// A code is checked against the store's user before it is spent. The same device sending
    /// the same code again shortly after (its answer was lost on the way) gets a fresh token,
    /// which replaces the one it never received, instead of a spent code and no token. Unknown,
    /// used and expired codes all get the same answer.
    pub fn enroll(&self, req: &EnrollRequest) -> ServerResult<EnrollResponse> {
        self.enroll_kind(req, "phone")
    }

    /// [`Db::enroll`] of a device of `kind` (`phone` or `browser`, a web console).
    pub fn enroll_kind(&self, req: &EnrollRequest, kind: &str) -> ServerResult<EnrollResponse> {
        let lower_hex = |s: &str, len: usize| {
            s.len() == len && s.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'))
        };
        let actor = req.actor.as_str();
        if !lower_hex(actor, 32) {
            return Err(ServerError::BadRequest(
                "actor must be 16 bytes of lower-case hex".into(),
            ));
        }
        let public_key = req.public_key.as_str();
        if !lower_hex(public_key, 64) {
            return Err(ServerError::BadRequest(
                "public_key must be the device's 32-byte Ed25519 key in lower-case hex".into(),
            ));
        }
        let device_id = match uuid::Uuid::try_parse(&req.device_id) {
            Ok(id) if req.device_id.len() == 36 => id.to_string(),
            _ => {
                return Err(ServerError::BadRequest(
                    "device_id must be a UUID (8-4-4-4-12 hex digits)".into(),
                ));
            }
        };
        if req.device_name.chars().count() > 200 {
            return Err(ServerError::BadRequest(
                "device_name is longer than 200 characters".into(),
            ));
        }
        if let Some(user) = &req.user
            && !crate::app::is_user_name(user)
        {
            return Err(ServerError::BadRequest(format!(
                "user {user:?} is not a user name"
            )));
        }
        // Codes are compared exactly as issued (the apps and the command line normalise what
        // people type).
        let code = req.code.as_str();
        let code_hash = hash_secret(code);
        let invalid = || {
            ServerError::Unauthorized(
                "this enrolment code is not valid (unknown, already used or expired); ask for a new one".into(),
            )
        };
        self.write(|tx| {
            let row: Option<(i64, String, Option<String>, Option<String>)> = tx.opt(
                "SELECT user_id, expires_at, used_at, device_id FROM enrol_codes WHERE code_hash = ?1",
                args![code_hash],
                |r| Ok::<_, ServerError>((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
            let Some((user_id, expires_at, used_at, used_by)) = row else {
                return Err(invalid());
            };
            let user = user_info(tx, user_id)?;
            if let Some(wanted) = req.user.as_deref()
                && wanted != user.name
            {
                // Nothing is spent: the right store can still use the code.
                return Err(ServerError::Forbidden(format!(
                    "this enrolment code is for another user than this store's ({wanted}); create the store for the code's user, or ask for a code for {wanted}"
                )));
            }
            let token = random_token(32);
            if let Some(used_at) = used_at {
                // A retry by the device that spent the code, soon after: its token is replaced.
                let same_device: bool = tx.value(
                    "SELECT EXISTS(SELECT 1 FROM devices WHERE id = ?1 AND actor = ?2 AND public_key = ?3
                     AND user_id = ?4 AND revoked_at IS NULL)",
                    args![device_id, actor, public_key, user_id],
                )?;
                let recent = chrono::DateTime::parse_from_rfc3339(&used_at).is_ok_and(|t| {
                    chrono::Utc::now().signed_duration_since(t) <= ENROL_RETRY_WINDOW
                });
                if !(same_device && recent && used_by.as_deref() == Some(device_id.as_str())) {
                    return Err(invalid());
                }
                tx.execute(
                    "UPDATE devices SET token_hash = ?2 WHERE id = ?1",
                    args![device_id, hash_secret(&token)],
                )?;
                return Ok(EnrollResponse {
                    device_id: device_id.clone(),
                    token,
                    user: user.name,
                    role: user.role,
                    stations: user.stations,
                });
            }
            if expires_at < now() {
                return Err(invalid());
            }
            let taken: bool = tx.value(
                "SELECT EXISTS(SELECT 1 FROM devices WHERE actor = ?1 OR id = ?2)",
                args![actor, device_id],
            )?;
            if taken {
                return Err(ServerError::Conflict(
                    "this device store is already enrolled".into(),
                ));
            }
            tx.execute(
                "UPDATE enrol_codes SET used_at = ?2, device_id = ?3 WHERE code_hash = ?1",
                args![code_hash, now(), device_id],
            )?;
            tx.execute(
                "INSERT INTO devices(id, user_id, name, actor, token_hash, enrolled_at, public_key, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                args![device_id, user_id, req.device_name.trim(), actor, hash_secret(&token), now(), public_key, kind],
            )?;
            Ok(EnrollResponse {
                device_id: device_id.clone(),
                token,
                user: user.name,
                role: user.role,
                stations: user.stations,
            })
        })
    }

    /// Revokes a device: its token is refused from now on. With `wipe`, the device is also
    /// told to wipe its store: until it confirms ([`Db::device_wiped`]) its token may still push
    /// what it recorded, never pull, and the feed tells it to wipe. A device already revoked
    /// may still be ordered wiped (a phone reported lost after it was revoked).
    pub fn revoke_device(&self, device_id: &str, wipe: bool) -> ServerResult<()> {
        let now = now();
        let n = self.write(|c| {
            let revoked = c.execute(
                "UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                args![device_id, now.clone()],
            )?;
            if !wipe {
                return Ok(revoked);
            }
            let ordered = c.execute(
                "UPDATE devices SET wipe_requested_at = ?2
                 WHERE id = ?1 AND kind = 'phone' AND wipe_requested_at IS NULL",
                args![device_id, now.clone()],
            )?;
            if ordered == 0 {
                // Nothing changes: the revocation above is rolled back with it.
                return Err(ServerError::NotFound(format!(
                    "no phone {device_id} to order wiped (a browser, or one already ordered wiped)"
                )));
            }
            Ok(ordered)
        })?;
        if n == 0 {
            return Err(ServerError::NotFound(format!(
                "no active device {device_id}"
            )));
        }
        Ok(())
    }

    /// A device ordered wiped confirms it has pushed what the server accepts and is deleting
    /// its store: its token is refused from now on.
    pub fn device_wiped(&self, who: &Principal) -> ServerResult<()> {
        self.write(|c| {
            c.execute(
                "UPDATE devices SET wiped_at = ?2
                 WHERE id = ?1 AND wipe_requested_at IS NOT NULL AND wiped_at IS NULL",
                args![who.device_id.clone(), now()],
            )?;
            Ok(())
        })
    }

    /// Every device.
    pub fn devices(&self) -> ServerResult<Vec<DeviceRow>> {
        self.read(|c| {
            c.rows(
                "SELECT d.id, u.name, d.name, d.actor, d.enrolled_at, d.revoked_at, d.kind,
                        d.last_sync_at, d.wipe_requested_at, d.wiped_at
                 FROM devices d JOIN users u ON u.id = d.user_id ORDER BY d.enrolled_at",
                args![],
                |r| {
                    Ok::<_, ServerError>(DeviceRow {
                        id: r.get(0)?,
                        user: r.get(1)?,
                        name: r.get(2)?,
                        actor: r.get(3)?,
                        enrolled_at: r.get(4)?,
                        revoked_at: r.get(5)?,
                        kind: r.get(6)?,
                        last_sync_at: r.get(7)?,
                        wipe_requested_at: r.get(8)?,
                        wiped_at: r.get(9)?,
                    })
                },
            )
        })
    }

    /// Every user.
    pub fn users(&self) -> ServerResult<Vec<UserInfo>> {
        self.read(|c| {
            let ids: Vec<i64> =
                c.rows("SELECT id FROM users ORDER BY name", args![], |r| r.get(0))?;
            ids.into_iter().map(|id| user_info(c, id)).collect()
        })
    }

    /// The principal behind a bearer token, or Unauthorized (a device ordered wiped too: see
    /// [`Db::access`]).
    pub fn principal(&self, token: &str) -> ServerResult<Principal> {
        match self.access(token)? {
            (who, Access::Full) => Ok(who),
            (_, Access::PushThenWipe) => Err(revoked()),
        }
    }

    /// The principal behind a bearer token and what it may do: everything its role allows, or,
    /// for a revoked device ordered wiped that has not confirmed yet, only push what it holds.
    pub fn access(&self, token: &str) -> ServerResult<(Principal, Access)> {
        let hash = hash_secret(token.trim());
        // Every request asks: one statement, outside a transaction on PostgreSQL.
        let found = self.read_statement(|c| {
            let device = token_holder(c, DEVICE_TOKEN, &hash, |r| {
                Ok(Holding::Device {
                    id: r.get(4)?,
                    actor: r.get(5)?,
                    public_key: r.get(6)?,
                    revoked: r.get(7)?,
                    wipe_pending: r.get(8)?,
                })
            })?;
            match device {
                Some(found) => Ok(Some(found)),
                None => token_holder(c, API_TOKEN, &hash, |r| {
                    Ok(Holding::Api { revoked: r.get(4)? })
                }),
            }
        })?;
        let Some((user, holding)) = found else {
            return Err(ServerError::Unauthorized("unknown token".into()));
        };
        let (access, device_id, actor, public_key) = match holding {
            Holding::Device {
                id,
                actor,
                public_key,
                revoked: true,
                wipe_pending: true,
            } => (Access::PushThenWipe, id, actor, public_key),
            Holding::Device { revoked: true, .. } => return Err(revoked()),
            Holding::Device {
                id,
                actor,
                public_key,
                ..
            } => (Access::Full, id, actor, public_key),
            Holding::Api { revoked: true } => {
                return Err(ServerError::Unauthorized(
                    "this token has been revoked".into(),
                ));
            }
            Holding::Api { revoked: false } => {
                (Access::Full, String::new(), String::new(), String::new())
            }
        };
        Ok((principal(user, device_id, actor, public_key)?, access))
    }

    /// Every station, by country and code.
    pub fn stations(&self) -> ServerResult<Vec<StationRow>> {
        self.read(|c| {
            c.rows(
                "SELECT s.locode, s.country, s.name,
                        (SELECT count(*) FROM user_stations u WHERE u.station = s.locode)
                 FROM stations s ORDER BY s.country, s.locode",
                args![],
                |r| {
                    Ok(StationRow {
                        locode: r.get(0)?,
                        country: r.get(1)?,
                        name: r.get(2)?,
                        users: r.get(3)?,
                    })
                },
            )
        })
    }

    /// Every API token, newest first.
    pub fn api_tokens(&self) -> ServerResult<Vec<TokenRow>> {
        self.read(|c| {
            c.rows(
                "SELECT t.token_hash, u.name, u.role, t.created_at, t.revoked_at
                 FROM api_tokens t JOIN users u ON u.id = t.user_id
                 ORDER BY t.created_at DESC",
                args![],
                |r| {
                    Ok(TokenRow {
                        hash: r.get(0)?,
                        user: r.get(1)?,
                        role: r.get(2)?,
                        created_at: r.get(3)?,
                        revoked_at: r.get(4)?,
                    })
                },
            )
        })
    }

    /// Revokes the API token whose hash is `hash`: it is refused from now on.
    pub fn revoke_api_token(&self, hash: &str) -> ServerResult<()> {
        let n = self.write(|c| {
            Ok(c.execute(
                "UPDATE api_tokens SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL",
                args![hash, now()],
            )?)
        })?;
        if n == 0 {
            return Err(ServerError::NotFound(
                "no active API token with this hash".into(),
            ));
        }
        Ok(())
    }
}

/// What a bearer token may do (see [`Db::access`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everything the role allows.
    Full,
    /// A revoked device ordered wiped: push what it recorded and upload its photos, learn from
    /// the feed that it must wipe, confirm it; nothing else.
    PushThenWipe,
}

fn revoked() -> ServerError {
    ServerError::Unauthorized("this device has been revoked".into())
}

/// The principal of user `user_id` on device `device_id` (empty for an API token).
pub(crate) fn principal_of(
    conn: &dyn Sql,
    user_id: i64,
    device_id: String,
    actor: String,
    public_key: String,
) -> ServerResult<Principal> {
    principal(user_info(conn, user_id)?, device_id, actor, public_key)
}

/// `user` as the principal of a device (or, with empty device fields, of an API token).
fn principal(
    user: UserInfo,
    device_id: String,
    actor: String,
    public_key: String,
) -> ServerResult<Principal> {
    Ok(Principal {
        user: user.name,
        role: Role::parse(&user.role)?,
        stations: user.stations,
        countries: user.country.into_iter().collect(),
        device_id,
        actor,
        public_key,
    })
}

/// A device's token: its device, its user (columns 0-2) and each of the user's stations
/// (column 3, one row each; one row without a station for a user of none).
const DEVICE_TOKEN: &str = "SELECT u.name, u.role, u.country, s.station,
        d.id, d.actor, d.public_key, d.revoked_at IS NOT NULL,
        d.wipe_requested_at IS NOT NULL AND d.wiped_at IS NULL
     FROM devices d JOIN users u ON u.id = d.user_id
     LEFT JOIN user_stations s ON s.user_id = d.user_id
     WHERE d.token_hash = ?1 ORDER BY s.station";

/// An API token, as [`DEVICE_TOKEN`].
const API_TOKEN: &str = "SELECT u.name, u.role, u.country, s.station, t.revoked_at IS NOT NULL
     FROM api_tokens t JOIN users u ON u.id = t.user_id
     LEFT JOIN user_stations s ON s.user_id = t.user_id
     WHERE t.token_hash = ?1 ORDER BY s.station";

/// What holds a token ([`Db::access`]).
enum Holding {
    Device {
        id: String,
        actor: String,
        public_key: String,
        revoked: bool,
        /// Revoked with a wipe ordered that the device has not confirmed.
        wipe_pending: bool,
    },
    Api {
        revoked: bool,
    },
}

/// The user holding the token `hash` and what `holding` reads of the token, from the rows of
/// `sql` ([`DEVICE_TOKEN`], [`API_TOKEN`]); None when no such token exists.
fn token_holder(
    conn: &dyn Sql,
    sql: &str,
    hash: &str,
    holding: impl Fn(&dyn quayside_core::sql::Row) -> ServerResult<Holding>,
) -> ServerResult<Option<(UserInfo, Holding)>> {
    let mut found: Option<(UserInfo, Holding)> = None;
    conn.for_each::<ServerError>(sql, args![hash], |r| {
        let station: Option<String> = r.get(3)?;
        let (user, _) = match &mut found {
            Some(found) => found,
            None => found.insert((
                UserInfo {
                    name: r.get(0)?,
                    role: r.get(1)?,
                    country: r.get(2)?,
                    stations: Vec::new(),
                },
                holding(r)?,
            )),
        };
        user.stations.extend(station);
        Ok(())
    })?;
    Ok(found)
}

fn user_info(conn: &dyn Sql, id: i64) -> ServerResult<UserInfo> {
    let (name, role, country): (String, String, Option<String>) = conn.one(
        "SELECT name, role, country FROM users WHERE id = ?1",
        args![id],
        |r| Ok::<_, ServerError>((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let stations = conn.rows(
        "SELECT station FROM user_stations WHERE user_id = ?1 ORDER BY station",
        args![id],
        |r| r.get(0),
    )?;
    Ok(UserInfo {
        name,
        role,
        stations,
        country,
    })
}
