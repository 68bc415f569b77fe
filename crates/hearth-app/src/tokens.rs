//! Access tokens (JWT, HS256) and refresh tokens (random, stored only as SHA-256).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hearth_domain::{SessionId, Timestamp, UserId};
use hearth_store::TokenHash;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{AppError, Caller};

/// The key that signs access tokens. Its `Debug` never shows it.
#[derive(Clone)]
pub struct JwtSecret(Vec<u8>);

impl JwtSecret {
    /// Shortest accepted secret, in bytes.
    pub const MIN_LEN: usize = 32;

    /// Wraps secret bytes; `None` when shorter than [`Self::MIN_LEN`].
    pub fn new(bytes: Vec<u8>) -> Option<Self> {
        (bytes.len() >= Self::MIN_LEN).then_some(Self(bytes))
    }

    /// The key itself, for the signers of this crate.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtSecret(<redacted>)")
    }
}

/// What an access token says.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// The user.
    sub: UserId,
    /// The session (refresh-token family) it was issued in.
    sid: SessionId,
    iat: i64,
    exp: i64,
}

/// Signs and checks access tokens.
#[derive(Clone)]
pub(crate) struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtKeys(<redacted>)")
    }
}

impl JwtKeys {
    pub(crate) fn new(secret: &JwtSecret) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        // No audience is expected, so a token that carries one (a service token) is refused:
        // a user's token never has one.
        validation.validate_aud = true;
        Self {
            encoding: EncodingKey::from_secret(&secret.0),
            decoding: DecodingKey::from_secret(&secret.0),
            validation,
        }
    }

    /// A signed access token for `user` in `session`, valid until `expires_at`.
    pub(crate) fn issue(
        &self,
        user: UserId,
        session: SessionId,
        issued_at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<String, AppError> {
        let claims = Claims {
            sub: user,
            sid: session,
            iat: issued_at.unix_timestamp(),
            exp: expires_at.unix_timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(AppError::internal)
    }

    /// The caller a valid access token names.
    pub(crate) fn verify(&self, token: &str) -> Result<Caller, AppError> {
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation) {
            Ok(data) => Ok(Caller {
                user_id: data.claims.sub,
                session_id: data.claims.sid,
                expires_at: data.claims.exp,
            }),
            Err(err) => Err(match err.kind() {
                ErrorKind::ExpiredSignature => AppError::TokenExpired,
                ErrorKind::InvalidSignature => {
                    AppError::Unauthorized("access token signature is invalid")
                }
                _ => AppError::Unauthorized("access token is malformed"),
            }),
        }
    }
}

/// A new opaque refresh token: 32 random bytes from the OS, base64url.
pub(crate) fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// What the store keeps of a refresh token.
pub(crate) fn hash_refresh_token(token: &str) -> TokenHash {
    let digest = Sha256::digest(token.as_bytes());
    TokenHash(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// The token of an `Authorization` value of the `Bearer` scheme (any case, spaces around
/// trimmed); `None` for another scheme or an empty token. Every face reads bearer tokens here.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn a_bearer_value_gives_its_token_whatever_the_scheme_case() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("  bearer   abc  "), Some("abc"));
    }

    #[test]
    fn another_scheme_or_an_empty_token_gives_none() {
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer   "), None);
        assert_eq!(bearer_token("abc"), None);
    }
}
