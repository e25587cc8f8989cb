//! Web console sessions in the database: a browser enrolled like a device signs in by answering a
//! one-time challenge with its key, and holds a session token (kept here only as a hash) that
//! ends at sign-out, at expiry, or the moment its device is revoked.

use quayside_core::args;
use quayside_core::signing::{self, Signed};
use quayside_core::sync::policy::Principal;

use crate::accounts::{hash_secret, principal_of, random_token};
use crate::db::{Db, now};
use crate::error::{ServerError, ServerResult};

/// How long a console session lasts without signing in again.
pub const SESSION_HOURS: i64 = 12;

/// How long a sign-in challenge may be answered.
const CHALLENGE_SECONDS: i64 = 120;

/// What a browser signs to sign in: it cannot be mistaken for a review or a submission.
pub fn sign_in_payload(device_id: &str, nonce: &str) -> String {
    format!("quayside-console-sign-in-v1\n{device_id}\n{nonce}")
}

/// The CSRF token of a session: unguessable without the session cookie, checked on every
/// state change.
pub fn csrf_token(session: &str) -> String {
    hash_secret(&format!("quayside-console-csrf\n{session}"))
}

fn later(seconds: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(seconds))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Db {
    /// Opens a session for the browser `device_id`; returns its token (for the cookie).
    pub fn open_console_session(&self, device_id: &str) -> ServerResult<String> {
        let token = random_token(32);
        self.write(|c| {
            c.execute(
                "INSERT INTO console_sessions(token_hash, device_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                args![hash_secret(&token), device_id, now(), later(SESSION_HOURS * 3600)],
            )?;
            Ok(())
        })?;
        Ok(token)
    }

    /// Who holds session `token`: refused when unknown, expired, or its device revoked.
    pub fn console_principal(&self, token: &str) -> ServerResult<Principal> {
        self.read(|c| {
            let row: Option<(String, String, i64, String, Option<String>)> = c.opt(
                "SELECT d.id, d.actor, d.user_id, d.public_key, d.revoked_at
                 FROM console_sessions s JOIN devices d ON d.id = s.device_id
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2",
                args![hash_secret(token), now()],
                |r| Ok::<_, ServerError>((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )?;
            match row {
                Some((device, actor, user, key, None)) => principal_of(c, user, device, actor, key),
                Some((.., Some(_))) => Err(ServerError::Unauthorized(
                    "this browser has been revoked".into(),
                )),
                None => Err(ServerError::Unauthorized(
                    "not signed in, or the session has ended".into(),
                )),
            }
        })
    }

    /// Ends session `token` (sign-out); ending an unknown one is not an error.
    pub fn end_console_session(&self, token: &str) -> ServerResult<()> {
        self.write(|c| {
            c.execute(
                "DELETE FROM console_sessions WHERE token_hash = ?1 OR expires_at <= ?2",
                args![hash_secret(token), now()],
            )?;
            Ok(())
        })
    }

    /// A one-time challenge for the browser `device_id` to sign (see [`sign_in_payload`]).
    /// Unknown, revoked and phone devices get the same refusal.
    pub fn console_challenge(&self, device_id: &str) -> ServerResult<String> {
        self.write(|c| {
            let usable: bool = c.value(
                "SELECT EXISTS(SELECT 1 FROM devices WHERE id = ?1 AND kind = 'browser' AND revoked_at IS NULL)",
                args![device_id],
            )?;
            if !usable {
                return Err(ServerError::Unauthorized(
                    "this browser is not enrolled (or was revoked): enrol it with a new code"
                        .into(),
                ));
            }
            c.execute(
                "DELETE FROM console_challenges WHERE expires_at <= ?1",
                args![now()],
            )?;
            let nonce = random_token(32);
            c.execute(
                "INSERT INTO console_challenges(nonce_hash, device_id, expires_at) VALUES (?1, ?2, ?3)",
                args![hash_secret(&nonce), device_id, later(CHALLENGE_SECONDS)],
            )?;
            Ok(nonce)
        })
    }

    /// Checks the browser's signature over its challenge (spent whether or not it holds) and
    /// opens a session; returns its token.
    pub fn console_sign_in(
        &self,
        device_id: &str,
        nonce: &str,
        signature: &str,
    ) -> ServerResult<String> {
        let refused = || ServerError::Unauthorized("the sign-in was not accepted".into());
        // Spent in its own transaction, committed before the signature is checked.
        let key: Option<String> = self.write(|c| {
            let spent = c.execute(
                "DELETE FROM console_challenges WHERE nonce_hash = ?1 AND device_id = ?2 AND expires_at > ?3",
                args![hash_secret(nonce), device_id, now()],
            )?;
            if spent == 0 {
                return Err(refused());
            }
            Ok(c.opt(
                "SELECT public_key FROM devices WHERE id = ?1 AND kind = 'browser' AND revoked_at IS NULL",
                args![device_id],
                |r| r.get(0),
            )?)
        })?;
        let signed = Signed {
            public_key: key.ok_or_else(refused)?,
            signature: signature.to_string(),
        };
        signing::verify(&signed, &sign_in_payload(device_id, nonce)).map_err(|_| refused())?;
        self.open_console_session(device_id)
    }
}
