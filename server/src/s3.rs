//! The server's client for S3-compatible object storage (AWS S3, MinIO, Garage, Ceph, s3s-fs):
//! requests signed by `rusty-s3` and sent with `reqwest`, so photos can live in a store several
//! server instances share. It moves bytes under keys and knows nothing of photos or uploads.
//!
//! Addressed as `s3://BUCKET[/PREFIX]?endpoint=URL[&region=R][&style=path|virtual]`; the
//! credentials come from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and
//! `AWS_SESSION_TOKEN`), never from the address, which is logged and shown in `ps`.

use std::sync::OnceLock;
use std::time::Duration;

use rusty_s3::actions::CreateMultipartUpload;
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use url::Url;

use crate::error::{ServerError, ServerResult};

/// How long a signed request stays valid: it is sent at once, so a minute is plenty and a
/// leaked URL is soon useless.
const SIGNED_FOR: Duration = Duration::from_secs(60);

/// A bucket (and a key prefix inside it) on an S3-compatible store.
pub struct ObjectStore {
    bucket: Bucket,
    credentials: Option<Credentials>,
    prefix: String,
    /// The address as given, without credentials, for messages.
    shown: String,
    /// Made on first use, on a blocking thread (a blocking client must not be built or dropped
    /// inside the async runtime).
    http: OnceLock<reqwest::blocking::Client>,
    /// The async client that passes on bodies still arriving (`send_arriving`).
    streaming: OnceLock<reqwest::Client>,
}

/// A request body still arriving, of a known length, that the store passes on as it comes.
pub trait Arriving:
    http_body::Body<Data = bytes::Bytes, Error = std::io::Error> + Send + Sync + 'static
{
}

impl<B> Arriving for B where
    B: http_body::Body<Data = bytes::Bytes, Error = std::io::Error> + Send + Sync + 'static
{
}

impl ObjectStore {
    /// Parses an `s3://` address (see the module's documentation) and reads the credentials
    /// from the environment.
    pub fn from_url(address: &str) -> ServerResult<ObjectStore> {
        let bad = |why: &str| {
            ServerError::BadRequest(format!(
                "{address:?} is not an object store address ({why}): use s3://BUCKET[/PREFIX]?endpoint=http://host:port[&region=R][&style=path|virtual]"
            ))
        };
        let url = Url::parse(address).map_err(|e| bad(&e.to_string()))?;
        if url.scheme() != "s3" {
            return Err(bad("the scheme must be s3"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "credentials do not belong in the address: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            ));
        }
        let name = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("no bucket"))?
            .to_string();
        let mut endpoint = None;
        let mut region = "us-east-1".to_string();
        let mut style = UrlStyle::Path;
        for (k, v) in url.query_pairs() {
            match &*k {
                "endpoint" => endpoint = Some(v.into_owned()),
                "region" => region = v.into_owned(),
                "style" => {
                    style = match &*v {
                        "path" => UrlStyle::Path,
                        "virtual" => UrlStyle::VirtualHost,
                        _ => return Err(bad("style is path or virtual")),
                    }
                }
                other => return Err(bad(&format!("unknown setting {other:?}"))),
            }
        }
        let endpoint = endpoint.unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
        let endpoint = Url::parse(&endpoint).map_err(|e| bad(&format!("endpoint: {e}")))?;
        let bucket = Bucket::new(endpoint, style, name, region).map_err(|e| bad(&e.to_string()))?;
        let mut prefix = url.path().trim_matches('/').to_string();
        if !prefix.is_empty() {
            prefix.push('/');
        }
        Ok(ObjectStore {
            bucket,
            credentials: Credentials::from_env(),
            prefix,
            shown: address.to_string(),
            http: OnceLock::new(),
            streaming: OnceLock::new(),
        })
    }

    /// The address this store was opened with (it holds no secret).
    pub fn address(&self) -> &str {
        &self.shown
    }

    fn http(&self) -> &reqwest::blocking::Client {
        self.http.get_or_init(|| {
            // HTTPS endpoints (AWS and most stores) use ring, as the server's own TLS does.
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::blocking::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(300))
                .build()
                .expect("an HTTP client with default settings builds")
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn creds(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// Sends a signed request; a store that does not answer is "unavailable" (503, retried by
    /// devices), any answer is returned for the caller to judge.
    fn send(
        &self,
        what: &str,
        request: reqwest::blocking::RequestBuilder,
    ) -> ServerResult<reqwest::blocking::Response> {
        request.send().map_err(|e| {
            ServerError::Unavailable(format!(
                "the photo store {} does not answer ({what}): {e}",
                self.shown
            ))
        })
    }

    /// Turns an unexpected answer into an error that says what the store said.
    fn refused(&self, what: &str, response: reqwest::blocking::Response) -> ServerError {
        let status = response.status();
        let body = response.text().unwrap_or_default();
        self.refusal(what, status, &body)
    }

    fn refusal(&self, what: &str, status: reqwest::StatusCode, body: &str) -> ServerError {
        let code = body
            .split_once("<Code>")
            .and_then(|(_, rest)| rest.split_once("</Code>"))
            .map(|(code, _)| code.to_string())
            .unwrap_or_else(|| body.chars().take(200).collect());
        let message = format!(
            "the photo store {} refused {what}: {status} {code}",
            self.shown
        );
        if status.is_server_error() {
            ServerError::Unavailable(message)
        } else {
            ServerError::Internal(message)
        }
    }

    /// Writes `bytes` under `key` (whole or not at all, as S3 promises for one PUT).
    pub fn put(&self, key: &str, bytes: Vec<u8>) -> ServerResult<()> {
        let key = self.key(key);
        let url = self.bucket.put_object(self.creds(), &key).sign(SIGNED_FOR);
        let r = self.send("a write", self.http().put(url).body(bytes))?;
        if r.status().is_success() {
            Ok(())
        } else {
            Err(self.refused("a write", r))
        }
    }

    /// The bytes under `key`, or `None` when there is no such object.
    pub fn get(&self, key: &str) -> ServerResult<Option<Vec<u8>>> {
        let key = self.key(key);
        let url = self.bucket.get_object(self.creds(), &key).sign(SIGNED_FOR);
        let r = self.send("a read", self.http().get(url))?;
        match r.status() {
            s if s.is_success() => {
                let bytes = r.bytes().map_err(|e| {
                    ServerError::Unavailable(format!(
                        "the photo store {} broke off a read: {e}",
                        self.shown
                    ))
                })?;
                Ok(Some(bytes.to_vec()))
            }
            reqwest::StatusCode::NOT_FOUND => Ok(None),
            _ => Err(self.refused("a read", r)),
        }
    }

    /// The length of the object under `key`, or `None` when there is none.
    pub fn head(&self, key: &str) -> ServerResult<Option<u64>> {
        let key = self.key(key);
        let url = self.bucket.head_object(self.creds(), &key).sign(SIGNED_FOR);
        let r = self.send("a look-up", self.http().head(url))?;
        match r.status() {
            s if s.is_success() => Ok(Some(
                r.headers()
                    .get(reqwest::header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
            )),
            reqwest::StatusCode::NOT_FOUND => Ok(None),
            _ => Err(self.refused("a look-up", r)),
        }
    }

    /// Removes the object under `key` (removing what is not there is not an error).
    pub fn delete(&self, key: &str) -> ServerResult<()> {
        let key = self.key(key);
        let url = self
            .bucket
            .delete_object(self.creds(), &key)
            .sign(SIGNED_FOR);
        let r = self.send("a removal", self.http().delete(url))?;
        if r.status().is_success() || r.status() == reqwest::StatusCode::NOT_FOUND {
            Ok(())
        } else {
            Err(self.refused("a removal", r))
        }
    }

    /// Starts a multipart upload to `key`; returns its id.
    pub fn start_multipart(&self, key: &str) -> ServerResult<String> {
        let key = self.key(key);
        let url = self
            .bucket
            .create_multipart_upload(self.creds(), &key)
            .sign(SIGNED_FOR);
        let r = self.send("a multipart upload", self.http().post(url))?;
        if !r.status().is_success() {
            return Err(self.refused("a multipart upload", r));
        }
        let body = r.text().map_err(|e| {
            ServerError::Unavailable(format!("the photo store {} broke off: {e}", self.shown))
        })?;
        let parsed = CreateMultipartUpload::parse_response(&body).map_err(|e| {
            ServerError::Internal(format!(
                "the photo store {} answered a multipart upload with something unreadable: {e}",
                self.shown
            ))
        })?;
        Ok(parsed.upload_id().to_string())
    }

    /// Sends part `number` (from 1) of multipart upload `id`; returns the part's ETag.
    pub fn put_part(
        &self,
        key: &str,
        id: &str,
        number: u16,
        bytes: Vec<u8>,
    ) -> ServerResult<String> {
        let key = self.key(key);
        let url = self
            .bucket
            .upload_part(self.creds(), &key, number, id)
            .sign(SIGNED_FOR);
        let r = self.send("a part", self.http().put(url).body(bytes))?;
        if !r.status().is_success() {
            return Err(self.refused("a part", r));
        }
        self.etag(r.headers())
    }

    fn etag(&self, headers: &reqwest::header::HeaderMap) -> ServerResult<String> {
        headers
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| {
                ServerError::Internal(format!(
                    "the photo store {} kept a part without naming its ETag",
                    self.shown
                ))
            })
    }

    /// Writes `body`, a request body still arriving, under `key` as it arrives (see
    /// [`Self::send_arriving`]).
    pub fn put_arriving<B: Arriving>(&self, key: &str, body: B) -> ServerResult<()> {
        let url = self
            .bucket
            .put_object(self.creds(), &self.key(key))
            .sign(SIGNED_FOR);
        self.send_arriving("a write", url, body).map(|_| ())
    }

    /// Sends `body`, a request body still arriving, as part `number` of multipart upload `id`;
    /// returns the part's ETag.
    pub fn put_part_arriving<B: Arriving>(
        &self,
        key: &str,
        id: &str,
        number: u16,
        body: B,
    ) -> ServerResult<String> {
        let url = self
            .bucket
            .upload_part(self.creds(), &self.key(key), number, id)
            .sign(SIGNED_FOR);
        let headers = self.send_arriving("a part", url, body)?;
        self.etag(&headers)
    }

    /// PUTs a body while it arrives, its frames passed on as they come (the blocking client
    /// would copy them in 8 KiB pieces, each handed between threads); a body that fails
    /// part-way is cut short, and the store keeps nothing of it. Called on a blocking thread of
    /// the server's runtime, whose async client sends it.
    fn send_arriving<B: Arriving>(
        &self,
        what: &str,
        url: Url,
        body: B,
    ) -> ServerResult<reqwest::header::HeaderMap> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            ServerError::Internal("a body still arriving is sent from the server's runtime".into())
        })?;
        let len = http_body::Body::size_hint(&body).exact();
        let client = self.streaming.get_or_init(|| {
            reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(300))
                .build()
                .expect("an HTTP client with default settings builds")
        });
        let mut request = client.put(url).body(reqwest::Body::wrap(body));
        if let Some(len) = len {
            request = request.header(reqwest::header::CONTENT_LENGTH, len);
        }
        let (status, headers, text) = runtime.block_on(async {
            let r = request.send().await.map_err(|e| {
                ServerError::Unavailable(format!(
                    "the photo store {} does not answer ({what}): {e}",
                    self.shown
                ))
            })?;
            let (status, headers) = (r.status(), r.headers().clone());
            Ok::<_, ServerError>((status, headers, r.text().await.unwrap_or_default()))
        })?;
        if !status.is_success() {
            return Err(self.refusal(what, status, &text));
        }
        Ok(headers)
    }

    /// Joins the parts (their ETags in order) into the object under `key`, which becomes
    /// readable whole at this moment and not before.
    pub fn finish_multipart(&self, key: &str, id: &str, etags: &[String]) -> ServerResult<()> {
        let key = self.key(key);
        let action = self.bucket.complete_multipart_upload(
            self.creds(),
            &key,
            id,
            etags.iter().map(String::as_str),
        );
        let url = action.sign(SIGNED_FOR);
        let body = action.body();
        let r = self.send("joining the parts", self.http().post(url).body(body))?;
        // S3 may answer 200 with an error in the body when joining fails late.
        if !r.status().is_success() {
            return Err(self.refused("joining the parts", r));
        }
        let text = r.text().unwrap_or_default();
        if text.contains("<Error>") {
            return Err(ServerError::Internal(format!(
                "the photo store {} could not join the parts: {}",
                self.shown,
                text.chars().take(300).collect::<String>()
            )));
        }
        Ok(())
    }

    /// Abandons multipart upload `id` and frees its parts.
    pub fn abort_multipart(&self, key: &str, id: &str) -> ServerResult<()> {
        let key = self.key(key);
        let url = self
            .bucket
            .abort_multipart_upload(self.creds(), &key, id)
            .sign(SIGNED_FOR);
        let r = self.send("abandoning an upload", self.http().delete(url))?;
        if r.status().is_success() || r.status() == reqwest::StatusCode::NOT_FOUND {
            Ok(())
        } else {
            Err(self.refused("abandoning an upload", r))
        }
    }

    /// Creates the bucket if it is not there (a new deployment, the tests, the demo).
    pub fn ensure_bucket(&self) -> ServerResult<()> {
        let head = self.bucket.head_bucket(self.creds()).sign(SIGNED_FOR);
        let r = self.send("a look at the bucket", self.http().head(head))?;
        if r.status().is_success() {
            return Ok(());
        }
        let Some(creds) = self.creds() else {
            return Err(ServerError::BadRequest(format!(
                "the bucket of {} is missing and cannot be created without AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
                self.shown
            )));
        };
        let action = self.bucket.create_bucket(creds);
        let url = action.sign(SIGNED_FOR);
        let body = action.body();
        let r = self.send("creating the bucket", self.http().put(url).body(body))?;
        if r.status().is_success() || r.status() == reqwest::StatusCode::CONFLICT {
            Ok(())
        } else {
            Err(self.refused("creating the bucket", r))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_before_anything_is_sent() {
        let ok = ObjectStore::from_url(
            "s3://evidence/ghana/photos?endpoint=http://127.0.0.1:9000&region=eu-west-1",
        )
        .unwrap();
        assert_eq!(ok.prefix, "ghana/photos/");
        assert_eq!(ok.key("x"), "ghana/photos/x");
        assert_eq!(
            ObjectStore::from_url("s3://evidence?endpoint=http://127.0.0.1:9000")
                .unwrap()
                .prefix,
            ""
        );
        for bad in [
            "http://evidence",
            "s3://key:secret@evidence?endpoint=http://127.0.0.1:9000",
            "s3://evidence?endpoint=ftp://x",
            "s3://evidence?endpoint=http://127.0.0.1:9000&colour=blue",
            "s3://evidence?style=sideways",
            "s3:///nobucket",
        ] {
            let err = ObjectStore::from_url(bad)
                .err()
                .unwrap_or_else(|| panic!("{bad}"));
            assert!(err.to_string().contains("object store address"), "{err}");
        }
    }
}
