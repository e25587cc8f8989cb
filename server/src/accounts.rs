//! What administrators list and change beside users and devices: stations and API tokens, each
//! API token known only by the hash the server keeps.

use quayside_core::args;

use crate::db::{Db, now};
use crate::error::{ServerError, ServerResult};

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
