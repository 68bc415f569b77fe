//! Hearth's own signed transfer URLs, for blob stores that cannot sign (the local folder):
//! `PUT /v1/media/{id}/upload?expires=…&signature=…` works until `expires` and for that one
//! upload only. The signature is an HMAC-SHA-256 under a key derived from the server's signing
//! secret, so every node of a server accepts every node's URLs and nobody else can make one.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use hearth_domain::{MediaId, Timestamp};

type HmacSha256 = Hmac<Sha256>;

/// Signs and checks transfer URLs.
#[derive(Clone)]
pub(crate) struct UrlSigner {
    key: [u8; 32],
}

impl std::fmt::Debug for UrlSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UrlSigner(<redacted>)")
    }
}

impl UrlSigner {
    /// A signer whose key is derived from `secret` (kept apart from every other use of it).
    pub(crate) fn new(secret: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"hearth media transfer urls v1\0");
        hasher.update(secret);
        Self {
            key: hasher.finalize().into(),
        }
    }

    fn mac(&self, media: MediaId, expires: i64) -> HmacSha256 {
        // A key of any length is accepted by HMAC.
        let mut mac = HmacSha256::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        mac.update(format!("PUT\n{media}\n{expires}").as_bytes());
        mac
    }

    /// The path and query of the upload URL of `media`, valid until `expires`.
    pub(crate) fn upload_url(&self, media: MediaId, expires: Timestamp) -> String {
        let expires = expires.unix_timestamp();
        let signature = hex(&self.mac(media, expires).finalize().into_bytes());
        format!("/v1/media/{media}/upload?expires={expires}&signature={signature}")
    }

    /// Whether `signature` signs an upload of `media` until `expires` (in constant time) and
    /// `now` is not past it.
    pub(crate) fn verify(
        &self,
        media: MediaId,
        expires: i64,
        signature: &str,
        now: Timestamp,
    ) -> bool {
        let Some(bytes) = unhex(signature) else {
            return false;
        };
        let genuine = self.mac(media, expires).verify_slice(&bytes).is_ok();
        genuine && now.unix_timestamp() <= expires
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
mod tests {
    use super::*;

    fn parts(url: &str) -> (i64, String) {
        let query = url.split_once('?').unwrap().1;
        let (expires, signature) = query.split_once('&').unwrap();
        (
            expires.strip_prefix("expires=").unwrap().parse().unwrap(),
            signature.strip_prefix("signature=").unwrap().to_owned(),
        )
    }

    #[test]
    fn a_url_works_for_its_media_until_it_expires() {
        let signer = UrlSigner::new(b"a secret of some length, 32 bytes or more");
        let media = MediaId::new();
        let now = crate::now();
        let (expires, signature) =
            parts(&signer.upload_url(media, now + time::Duration::minutes(5)));
        assert!(signer.verify(media, expires, &signature, now));
        assert!(!signer.verify(media, expires, &signature, now + time::Duration::minutes(6)));
        assert!(!signer.verify(MediaId::new(), expires, &signature, now));
        assert!(
            !signer.verify(media, expires + 60, &signature, now),
            "a later expiry is tampering"
        );
        let mut flipped = signature.clone().into_bytes();
        flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
        assert!(!signer.verify(media, expires, std::str::from_utf8(&flipped).unwrap(), now));
        assert!(!signer.verify(media, expires, "zz", now));
        let other = UrlSigner::new(b"another secret of some length, 32 bytes");
        assert!(!other.verify(media, expires, &signature, now));
    }
}
