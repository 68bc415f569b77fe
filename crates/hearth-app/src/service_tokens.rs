//! Service tokens: credentials for internal callers (another service of the operator's, a
//! bridge, a bot runner) that act on behalf of users through the gRPC face.
//!
//! A service token is a JWT signed (HS256) with the instance's access-token signing secret,
//! made by `hearth admin service-token`. It names the service and expires; it names no user.
//! It is kept apart from user access tokens by construction: it carries the audience
//! [`SERVICE_AUDIENCE`] and a `sub` of `service:<name>`, the user-token check refuses any
//! token with an audience (and a `sub` that is not a user id), and the service-token check
//! requires the audience — so a service token never passes as a user token on REST, the
//! WebSocket or Socket.IO, and a user token never passes as a service token.
//!
//! A service acting for a user gets that user's [`Caller`]: every membership and permission
//! rule then applies to the user exactly as if they had called. This module never decides
//! what a service may do beyond that.

use std::time::Duration;

use hearth_domain::{SessionId, UserId, ValidationErrors};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::{AppError, AuthService, Caller, JwtSecret, now};

/// The audience every service token carries, and no user token does.
pub const SERVICE_AUDIENCE: &str = "hearth-service";

/// Longest lifetime a service token may be given.
pub const MAX_SERVICE_TOKEN_TTL: Duration = Duration::from_secs(3650 * 86_400);

/// What a service token says.
#[derive(Debug, Serialize, Deserialize)]
struct ServiceClaims {
    /// `service:<name>`.
    sub: String,
    /// [`SERVICE_AUDIENCE`].
    aud: String,
    /// The service's name.
    name: String,
    iat: i64,
    exp: i64,
}

/// An authenticated internal caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceIdentity {
    /// The name it was issued under (for logs).
    pub name: String,
    /// When its token expires (Unix seconds).
    pub expires_at: i64,
}

/// Who presented a bearer token: a user (their access token) or a service (a service token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// A user, as their access token proves.
    User(Caller),
    /// An internal caller, which names the user it acts for in each request.
    Service(ServiceIdentity),
}

/// Signs and checks service tokens.
#[derive(Clone)]
pub(crate) struct ServiceKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for ServiceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServiceKeys(<redacted>)")
    }
}

impl ServiceKeys {
    pub(crate) fn new(secret: &JwtSecret) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_audience(&[SERVICE_AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "sub", "aud"]);
        Self {
            encoding: EncodingKey::from_secret(secret.bytes()),
            decoding: DecodingKey::from_secret(secret.bytes()),
            validation,
        }
    }
}

/// A service's name: 1–64 of `a-z 0-9 _ . -`.
fn parse_name(raw: &str) -> Result<String, ValidationErrors> {
    let name = raw.trim();
    let fits = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
    if fits {
        Ok(name.to_owned())
    } else {
        Err(ValidationErrors::field(
            "name",
            "must be 1-64 of a-z 0-9 _ . -",
        ))
    }
}

impl AuthService {
    /// A new service token for the service `name`, valid for `ttl` (at most
    /// [`MAX_SERVICE_TOKEN_TTL`]). For `hearth admin service-token`.
    pub fn issue_service_token(&self, name: &str, ttl: Duration) -> Result<String, AppError> {
        let name = parse_name(name)?;
        if ttl.is_zero() || ttl > MAX_SERVICE_TOKEN_TTL {
            return Err(
                ValidationErrors::field("ttl", "must be from 1 second to 3650 days").into(),
            );
        }
        let issued_at = now().unix_timestamp();
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
        let claims = ServiceClaims {
            sub: format!("service:{name}"),
            aud: SERVICE_AUDIENCE.to_owned(),
            name,
            iat: issued_at,
            exp: issued_at.saturating_add(ttl),
        };
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.service_keys.encoding,
        )
        .map_err(AppError::internal)
    }

    /// Checks a service token.
    pub fn authenticate_service(&self, token: &str) -> Result<ServiceIdentity, AppError> {
        let keys = &self.service_keys;
        match jsonwebtoken::decode::<ServiceClaims>(token, &keys.decoding, &keys.validation) {
            Ok(data) if data.claims.sub == format!("service:{}", data.claims.name) => {
                Ok(ServiceIdentity {
                    name: data.claims.name,
                    expires_at: data.claims.exp,
                })
            }
            Ok(_) => Err(AppError::Unauthorized("service token is malformed")),
            Err(err) => Err(match err.kind() {
                ErrorKind::ExpiredSignature => AppError::Unauthorized("service token expired"),
                ErrorKind::InvalidSignature => {
                    AppError::Unauthorized("service token signature is invalid")
                }
                _ => AppError::Unauthorized("not a service token"),
            }),
        }
    }

    /// Checks a bearer token that may be a user's access token or a service token.
    pub fn authenticate_principal(&self, token: &str) -> Result<Principal, AppError> {
        match self.authenticate(token) {
            Ok(caller) => Ok(Principal::User(caller)),
            Err(user_refusal) => match self.authenticate_service(token) {
                Ok(service) => Ok(Principal::Service(service)),
                // Not a service token either: the user token's reason is the useful one.
                Err(_) => Err(user_refusal),
            },
        }
    }

    /// The caller a request of `principal` acts as, when it names the acting user `named`
    /// (a `sender_id`): a user may name only themselves (or nobody: themselves), a service
    /// must name an existing user and then acts as them.
    pub async fn caller_as(
        &self,
        principal: &Principal,
        named: Option<UserId>,
        field: &'static str,
    ) -> Result<Caller, AppError> {
        match (principal, named) {
            (Principal::User(caller), None) => Ok(*caller),
            (Principal::User(caller), Some(user)) if user == caller.user_id => Ok(*caller),
            (Principal::User(_), Some(_)) => Err(AppError::Forbidden(
                "a user's token acts only as that user; name yourself or use a service token",
            )),
            (Principal::Service(_), None) => {
                Err(ValidationErrors::field(field, "is required with a service token").into())
            }
            (Principal::Service(service), Some(user)) => self.act_for(service, user).await,
        }
    }

    /// The caller a service acts as when it acts for `user`: that user, for as long as the
    /// service's token lasts. The user must exist; what they may do is then decided by the
    /// rules as for any caller.
    pub async fn act_for(
        &self,
        service: &ServiceIdentity,
        user: UserId,
    ) -> Result<Caller, AppError> {
        if self.store.user(user).await?.is_none() {
            return Err(AppError::NotFound("user"));
        }
        tracing::debug!(service = %service.name, user_id = %user, "service acts for a user");
        Ok(Caller {
            user_id: user,
            // Not a login session: a fresh id names this call's session.
            session_id: SessionId::new(),
            expires_at: service.expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(parse_name("bridge-1.irc").is_ok());
        assert!(parse_name("").is_err());
        assert!(parse_name("Has Space").is_err());
        assert!(parse_name(&"a".repeat(65)).is_err());
    }
}
