//! The enrolment link an administrator's page shows as a QR code: the server's address, the
//! user and the one-time code in one text a phone scans instead of typing them
//! (`quayside://enrol?server=...&user=...&code=...`).

use super::error::ApiError;
use super::messages::{MessageKey, UserMessage};
use super::{ApiResult, FieldStore};

/// What a scanned enrolment link holds: the fields of the enrolment screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EnrolmentLink {
    /// The agency server's address (`https://...`, or `http://` on the machine itself).
    pub server: String,
    pub user: String,
    pub code: String,
}

const SCHEME: &str = "quayside";

/// The link for `server`, `user` and `code`, as the QR code carries it.
#[uniffi::export]
pub fn enrolment_link(server: String, user: String, code: String) -> String {
    let mut link = url::Url::parse("quayside://enrol").expect("a constant URL");
    link.query_pairs_mut()
        .append_pair("server", server.trim_end_matches('/'))
        .append_pair("user", &user)
        .append_pair("code", &code);
    link.into()
}

fn invalid(detail: &str) -> ApiError {
    ApiError::Invalid {
        user: UserMessage::plain(MessageKey::EnrolmentLinkInvalid),
        message: format!("not a Quayside enrolment link: {detail}"),
        field: Some("link".into()),
    }
}

/// Reads a scanned enrolment link; refused, saying why, when it is anything else (another app's
/// QR code, a server address that is not http or https, a field missing).
#[uniffi::export]
pub fn parse_enrolment_link(text: String) -> ApiResult<EnrolmentLink> {
    let link = url::Url::parse(text.trim()).map_err(|e| invalid(&e.to_string()))?;
    if link.scheme() != SCHEME || link.host_str() != Some("enrol") {
        return Err(invalid("it does not start with quayside://enrol"));
    }
    let field = |name: &str| {
        link.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| invalid(&format!("no {name}")))
    };
    let server = field("server")?;
    let parsed = url::Url::parse(&server).map_err(|e| invalid(&format!("server: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(invalid("the server is not an http or https address"));
    }
    Ok(EnrolmentLink {
        server,
        user: field("user")?,
        code: field("code")?,
    })
}

#[uniffi::export]
impl FieldStore {
    /// Reads a scanned enrolment link for this phone: refused, saying why, when it is not one
    /// or when its code is another user's (the server would refuse it too, after a round trip).
    /// Its `server` and `code` go to [`FieldStore::enroll`].
    pub fn read_enrolment_link(&self, text: String) -> ApiResult<EnrolmentLink> {
        let link = parse_enrolment_link(text)?;
        let me = self.device_info().user;
        if link.user != me {
            return Err(ApiError::Invalid {
                user: UserMessage::new(MessageKey::EnrolmentLinkOtherUser, [link.user.clone()]),
                message: format!("the enrolment code is for {}, not {me}", link.user),
                field: Some("link".into()),
            });
        }
        Ok(link)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_reads_back_whatever_its_fields_hold() {
        let link = enrolment_link(
            "https://customs.example.gh:8443/".into(),
            "ama.owusu".into(),
            "K7P2-QX9M&x=1".into(),
        );
        assert!(link.starts_with("quayside://enrol?server=https"));
        assert_eq!(
            parse_enrolment_link(format!(" {link}\n")).unwrap(),
            EnrolmentLink {
                server: "https://customs.example.gh:8443".into(),
                user: "ama.owusu".into(),
                code: "K7P2-QX9M&x=1".into(),
            }
        );
    }

    #[test]
    fn a_phone_reads_only_a_link_for_its_own_user() {
        let dir = tempfile::tempdir().unwrap();
        let store = FieldStore::create(
            dir.path().join("s").display().to_string(),
            super::super::generate_store_key(),
            "ama".into(),
            "GHTEM".into(),
        )
        .unwrap();
        let mine = enrolment_link("http://127.0.0.1:8080".into(), "ama".into(), "C0DE".into());
        assert_eq!(store.read_enrolment_link(mine).unwrap().code, "C0DE");
        let kofis = enrolment_link("http://127.0.0.1:8080".into(), "kofi".into(), "C0DE".into());
        let e = store.read_enrolment_link(kofis).unwrap_err();
        assert_eq!(e.user_message().key, MessageKey::EnrolmentLinkOtherUser);
        assert_eq!(
            e.user_message().to_english(),
            "This enrolment code is for kofi, not for this phone's user. Ask the administrator for your own code."
        );
        let e = store
            .read_enrolment_link("https://example.com".into())
            .unwrap_err();
        assert_eq!(e.user_message().key, MessageKey::EnrolmentLinkInvalid);
    }

    #[test]
    fn anything_else_scanned_is_refused_with_the_reason() {
        for (text, why) in [
            ("https://example.com/?code=1", "quayside://enrol"),
            ("quayside://enrol?user=ama&code=X", "no server"),
            (
                "quayside://enrol?server=javascript:alert(1)&user=a&code=X",
                "http or https",
            ),
            ("quayside://enrol?server=http://h&user=&code=X", "no user"),
            ("WIFI:S:port;T:WPA;P:secret;;", "quayside://enrol"),
            ("", "not a Quayside enrolment link"),
        ] {
            let e = parse_enrolment_link(text.into()).unwrap_err();
            assert!(e.to_string().contains(why), "{text}: {e}");
        }
    }
}
