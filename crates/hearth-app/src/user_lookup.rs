//! Naming a user in a request: by id, by username or by e-mail address, exactly one of them.

use hearth_domain::{User, UserId, Username, ValidationErrors};
use hearth_store::DynStore;

use crate::AppError;

/// How a request names a user.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Key {
    Id(String),
    Username(String),
    Email(String),
}

/// A user named by a request, not yet looked up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserLookup {
    /// The request field the id came in (`other_user_id`, `user_id`), for error messages.
    id_field: &'static str,
    key: Key,
}

impl UserLookup {
    /// From a request naming a user by exactly one of an id (in the field `id_field`), a
    /// username or an e-mail address.
    pub fn one_of(
        id_field: &'static str,
        id: Option<String>,
        username: Option<String>,
        email: Option<String>,
    ) -> Result<Self, AppError> {
        let keys: Vec<Key> = [
            id.map(Key::Id),
            username.map(Key::Username),
            email.map(Key::Email),
        ]
        .into_iter()
        .flatten()
        .collect();
        match <[Key; 1]>::try_from(keys) {
            Ok([key]) => Ok(Self { id_field, key }),
            Err(_) => Err(ValidationErrors::field(
                id_field,
                format!("name the user by exactly one of {id_field}, username or email"),
            )
            .into()),
        }
    }

    /// A user named by id in `id_field`.
    pub fn by_id(id_field: &'static str, id: impl Into<String>) -> Self {
        Self {
            id_field,
            key: Key::Id(id.into()),
        }
    }

    /// The request field that named the user.
    pub fn field(&self) -> &'static str {
        match self.key {
            Key::Id(_) => self.id_field,
            Key::Username(_) => "username",
            Key::Email(_) => "email",
        }
    }

    /// The user, or 422 for a malformed key and 404 for nobody.
    pub(crate) async fn resolve(&self, store: &DynStore) -> Result<User, AppError> {
        let found = match &self.key {
            Key::Id(raw) => {
                let id: UserId = raw.trim().parse().map_err(|_| {
                    ValidationErrors::field(self.id_field, "must be a user id (UUID)")
                })?;
                store.user(id).await?
            }
            Key::Username(raw) => {
                let name = Username::parse(raw)
                    .map_err(|_| ValidationErrors::field("username", "is not a valid username"))?;
                store.user_by_username(&name).await?
            }
            Key::Email(raw) => {
                let email = raw.trim();
                if email.is_empty() || !email.contains('@') {
                    return Err(
                        ValidationErrors::field("email", "must be an e-mail address").into(),
                    );
                }
                store.user_by_email(email).await?
            }
        };
        found.ok_or(AppError::NotFound("user"))
    }
}
