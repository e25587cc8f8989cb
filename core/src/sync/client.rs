//! The HTTP client a device uses to talk to the agency server (reqwest, rustls with the ring
//! provider, blocking: the core is called from a background thread on the phones).

use std::time::Duration;

use base64::Engine;
use reqwest::blocking::{Client, Response};

use super::protocol::{
    self, CBOR, EnrollRequest, EnrollResponse, ErrorBody, FeedResponse, ResyncRequest,
    ResyncResponse, SyncRequest, SyncResponse,
};
use super::tls::Trust;
use crate::error::{Error, Result};

/// Installs rustls' ring crypto provider for this process (once; later calls do nothing).
/// Every reqwest client in the process needs it: reqwest is built without a default provider.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Photo upload chunk size.
pub const CHUNK_BYTES: usize = 8 * 1024 * 1024;

/// What uploading one photo took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlobUpload {
    pub round_trips: u64,
    pub bytes_sent: u64,
}

/// A connection to one server, optionally with a device token.
#[derive(Clone)]
pub struct HttpClient {
    base: String,
    token: Option<String>,
    http: Client,
}

fn network(e: reqwest::Error) -> Error {
    // reqwest's own message is "error sending request"; the cause (a certificate the device
    // does not trust, a refused connection) is in its sources.
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Error::Network(message)
}

impl HttpClient {
    /// A client for the server at `base` (`http://host:port` or `https://...`) trusting what
    /// the platform trusts.
    pub fn new(base: &str, token: Option<String>) -> Result<HttpClient> {
        Self::with_trust(base, token, &Trust::default())
    }

    /// A client for the server at `base` with the trust given at enrolment (the agency's CA or
    /// a pinned key beside the platform's trust store).
    pub fn with_trust(base: &str, token: Option<String>, trust: &Trust) -> Result<HttpClient> {
        install_crypto_provider();
        let base = base.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::Invalid(format!(
                "server URL {base:?} must start with http:// or https://"
            )));
        }
        trust.validate(&base)?;
        let mut builder = Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("quayside/", env!("CARGO_PKG_VERSION")));
        if let Some(config) = super::tls::client_config(trust)? {
            builder = builder.tls_backend_preconfigured(config);
        }
        let http = builder.build().map_err(network)?;
        Ok(HttpClient { base, token, http })
    }

    /// Whether this client talks to `base` with `token`.
    pub fn is_for(&self, base: &str, token: &str) -> bool {
        self.base == base.trim().trim_end_matches('/') && self.token.as_deref() == Some(token)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn auth(&self, req: reqwest::blocking::RequestBuilder) -> reqwest::blocking::RequestBuilder {
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    /// Turns a non-success response into [`Error::Server`] with the server's message.
    fn check(resp: Response) -> Result<Response> {
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let body = resp.bytes().map_err(network)?;
        let message = serde_json::from_slice::<ErrorBody>(&body)
            .map(|e| e.error)
            .unwrap_or_else(|_| String::from_utf8_lossy(&body).into_owned());
        if status.is_server_error() || status.as_u16() == 408 {
            // The server is alive but failed: worth retrying later.
            return Err(Error::Network(format!("server error {status}: {message}")));
        }
        Err(Error::Server {
            status: status.as_u16(),
            message,
        })
    }

    /// Enrols this device with a one-time code.
    pub fn enroll(&self, req: &EnrollRequest) -> Result<EnrollResponse> {
        let resp = self
            .http
            .post(self.url("/v1/enroll"))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(req).expect("requests serialise"))
            .send()
            .map_err(network)?;
        let body = Self::check(resp)?.bytes().map_err(network)?;
        serde_json::from_slice(&body)
            .map_err(|e| Error::Network(format!("malformed enrolment answer: {e}")))
    }

    /// One page of the feed after `since`.
    pub fn feed(&self, since: u64) -> Result<(FeedResponse, usize)> {
        let resp = self
            .auth(self.http.get(self.url(&format!("/v1/feed?since={since}"))))
            .send()
            .map_err(network)?;
        let body = Self::check(resp)?.bytes().map_err(network)?;
        let feed = protocol::decode(&body).map_err(|e| Error::Network(e.to_string()))?;
        Ok((feed, body.len()))
    }

    /// One sync round trip; returns the answer and the bytes sent and received.
    pub fn sync(&self, req: &SyncRequest) -> Result<(SyncResponse, usize, usize)> {
        self.post_cbor("/v1/sync", req)
    }

    /// POSTs a CBOR body and decodes the CBOR answer; returns it with the bytes sent and
    /// received.
    fn post_cbor<Req: serde::Serialize, Res: for<'de> serde::Deserialize<'de>>(
        &self,
        path: &str,
        req: &Req,
    ) -> Result<(Res, usize, usize)> {
        let body = protocol::encode(req);
        let sent = body.len();
        let resp = self
            .auth(self.http.post(self.url(path)))
            .header(reqwest::header::CONTENT_TYPE, CBOR)
            .body(body)
            .send()
            .map_err(network)?;
        let bytes = Self::check(resp)?.bytes().map_err(network)?;
        let res = protocol::decode(&bytes).map_err(|e| Error::Network(e.to_string()))?;
        Ok((res, sent, bytes.len()))
    }

    /// Tells the server this device, ordered wiped, has pushed what it holds and is deleting
    /// its store.
    pub fn confirm_wiped(&self) -> Result<()> {
        let resp = self
            .auth(self.http.post(self.url("/v1/device/wiped")))
            .send()
            .map_err(network)?;
        Self::check(resp).map(drop)
    }

    /// A GET with query parameters, answered with bytes (exports).
    pub fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Vec<u8>> {
        let resp = self
            .auth(self.http.get(self.url(path)))
            .query(query)
            .send()
            .map_err(network)?;
        Ok(Self::check(resp)?.bytes().map_err(network)?.to_vec())
    }

    /// One round of the resync fallback (automerge sync messages).
    pub fn resync(&self, req: &ResyncRequest) -> Result<(ResyncResponse, usize, usize)> {
        self.post_cbor("/v1/resync", req)
    }

    /// Uploads a photo of `total` bytes, named by its SHA-256, from where the server's copy
    /// stops, in chunks of [`CHUNK_BYTES`]; `read` gives its bytes (called once, and only if
    /// the server lacks some of them). A photo that fits in one chunk is sent straight away
    /// without first asking how much the server holds, a round trip saved on a slow link (a
    /// one-chunk upload leaves nothing part-way on the server); a server that holds part of it
    /// answers 409, and the upload asks and goes on from there.
    pub fn upload_blob(
        &self,
        sha256: &str,
        total: u64,
        read: impl FnOnce() -> Result<Vec<u8>>,
    ) -> Result<BlobUpload> {
        // The bytes, checked against the length the photo's record gives.
        let mut read = Some(move || {
            let bytes = read()?;
            if bytes.len() as u64 != total {
                return Err(Error::Integrity(format!(
                    "photo {sha256} holds {} bytes, not the {total} its record says",
                    bytes.len()
                )));
            }
            Ok(bytes)
        });
        let mut done = BlobUpload::default();
        // Chunks are slices of one buffer, handed to the HTTP client without a copy.
        let mut bytes: Option<bytes::Bytes> = None;
        let (mut offset, mut complete) = if total > 0 && total as usize <= CHUNK_BYTES {
            let whole = bytes.insert(read.take().expect("not read yet")()?.into());
            done.round_trips += 1;
            done.bytes_sent += whole.len() as u64;
            match self.send_chunk(sha256, 0, total, whole.clone()) {
                Err(Error::Server { status: 409, .. }) => {
                    done.round_trips += 1;
                    self.blob_offset(sha256)?
                }
                answer => answer?,
            }
        } else {
            done.round_trips += 1;
            self.blob_offset(sha256)?
        };
        if complete {
            return Ok(done);
        }
        let bytes = match (bytes, read) {
            (Some(bytes), _) => bytes,
            (None, Some(read)) => read()?.into(),
            (None, None) => unreachable!("read once, and kept"),
        };
        // Until the server says it holds the photo: every byte may have arrived before a crash
        // stopped the server finishing it, and then an empty chunk at the end finishes it.
        while !complete {
            if offset > total {
                return Err(Error::Network(format!(
                    "the server reports {offset} bytes of a {total}-byte photo"
                )));
            }
            let end = (offset as usize + CHUNK_BYTES).min(bytes.len());
            let chunk = bytes.slice(offset as usize..end);
            done.round_trips += 1;
            done.bytes_sent += chunk.len() as u64;
            (offset, complete) = self.send_chunk(sha256, offset, total, chunk)?;
        }
        Ok(done)
    }

    /// How much of a photo the server has: (offset, complete).
    pub fn blob_offset(&self, sha256: &str) -> Result<(u64, bool)> {
        let resp = self
            .auth(self.http.head(self.url(&format!("/v1/blobs/{sha256}"))))
            .send()
            .map_err(network)?;
        let resp = Self::check(resp)?;
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
        };
        let offset = header("Upload-Offset")
            .ok_or_else(|| Error::Network("HEAD answer without Upload-Offset".into()))?;
        Ok((offset, header("Upload-Length").is_some()))
    }

    /// Sends one chunk at `offset` of a photo of `total` bytes (an empty chunk at `total`
    /// asks the server to finish an upload whose bytes have all arrived); returns the new offset
    /// and whether the server now holds the photo, verified.
    pub fn blob_patch(
        &self,
        sha256: &str,
        offset: u64,
        total: u64,
        chunk: &[u8],
    ) -> Result<(u64, bool)> {
        self.send_chunk(sha256, offset, total, bytes::Bytes::copy_from_slice(chunk))
    }

    /// [`Self::blob_patch`] with the chunk's bytes handed over as they are.
    fn send_chunk(
        &self,
        sha256: &str,
        offset: u64,
        total: u64,
        chunk: bytes::Bytes,
    ) -> Result<(u64, bool)> {
        let checksum =
            base64::engine::general_purpose::STANDARD.encode(crc32c::crc32c(&chunk).to_be_bytes());
        let resp = self
            .auth(self.http.patch(self.url(&format!("/v1/blobs/{sha256}"))))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", offset)
            .header("Upload-Length", total)
            .header("Upload-Checksum", format!("crc32c {checksum}"))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/offset+octet-stream",
            )
            .body(chunk)
            .send()
            .map_err(network)?;
        let resp = Self::check(resp)?;
        let offset = resp
            .headers()
            .get("Upload-Offset")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| Error::Network("PATCH answer without Upload-Offset".into()))?;
        Ok((offset, resp.headers().contains_key("Upload-Length")))
    }
}
