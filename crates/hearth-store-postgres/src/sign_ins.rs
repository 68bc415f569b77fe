//! Sign-in through external identity providers in PostgreSQL: linked identities, flows under
//! way and hand-offs.

use deadpool_postgres::Transaction;
use hearth_domain::{Timestamp, User, UserId};
use hearth_store::{
    ConflictKind, ExternalIdentity, Missing, NewUser, SignInFlow, SignInHandoff, SignInStore,
    StoreError, TokenHash,
};
use tokio_postgres::Row;
use uuid::Uuid;

use crate::PostgresStore;
use crate::db::{Columns, Job, at_micros, exec, exec_raw, opt_row, rows};
use crate::error::{Failure, Violation, violation};
use crate::users::insert_user;

const IDENTITY_COLUMNS: &str = "provider, subject, user_id, email, linked_at";

fn identity_from_row(row: &Row) -> Result<ExternalIdentity, StoreError> {
    Ok(ExternalIdentity {
        provider: row.col("provider")?,
        subject: row.col("subject")?,
        user_id: UserId::from_uuid(row.col("user_id")?),
        email: row.col("email")?,
        linked_at: row.col("linked_at")?,
    })
}

async fn insert_identity(tx: &Transaction<'_>, identity: &ExternalIdentity) -> Result<(), Failure> {
    exec_raw(
        tx,
        "INSERT INTO external_identities (provider, subject, user_id, email, linked_at) \
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &identity.provider,
            &identity.subject,
            &identity.user_id.as_uuid(),
            &identity.email,
            &at_micros(identity.linked_at),
        ],
    )
    .await
    .map(drop)
    .map_err(|err| {
        violation(err, |v| match v {
            Violation::Unique(_) => Some(StoreError::Conflict(ConflictKind::IdentityLinked)),
            Violation::ForeignKey => Some(StoreError::NotFound(Missing::User)),
        })
    })
}

/// A broken foreign key of a flow or hand-off: the account it names does not exist.
fn missing_user(err: tokio_postgres::Error) -> Failure {
    violation(err, |v| match v {
        Violation::ForeignKey => Some(StoreError::NotFound(Missing::User)),
        Violation::Unique(_) => None,
    })
}

#[async_trait::async_trait]
impl SignInStore for PostgresStore {
    async fn save_sign_in_flow(&self, flow: SignInFlow, now: Timestamp) -> Result<(), StoreError> {
        self.write(|tx| -> Job<'_, ()> {
            let flow = flow.clone();
            Box::pin(async move {
                exec(
                    tx,
                    "DELETE FROM sign_in_flows WHERE expires_at <= $1",
                    &[&now],
                )
                .await?;
                exec(
                    tx,
                    "DELETE FROM sign_in_handoffs WHERE expires_at <= $1",
                    &[&now],
                )
                .await?;
                exec_raw(
                    tx,
                    "INSERT INTO sign_in_flows (state_hash, provider, browser_hash, nonce, \
                        pkce_verifier, link_to, return_to, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    &[
                        &flow.state_hash.0,
                        &flow.provider,
                        &flow.browser_hash.0,
                        &flow.nonce,
                        &flow.pkce_verifier,
                        &flow.link_to.map(|user| user.as_uuid()),
                        &flow.return_to,
                        &at_micros(flow.expires_at),
                    ],
                )
                .await
                .map(drop)
                .map_err(missing_user)
            })
        })
        .await
    }

    async fn take_sign_in_flow(&self, state: &TokenHash) -> Result<Option<SignInFlow>, StoreError> {
        let state = state.0.clone();
        self.write_once(move |c| -> Job<'_, Option<SignInFlow>> {
            Box::pin(async move {
                let Some(row) = opt_row(
                    c,
                    "DELETE FROM sign_in_flows WHERE state_hash = $1 \
                     RETURNING state_hash, provider, browser_hash, nonce, pkce_verifier, \
                               link_to, return_to, expires_at",
                    &[&state],
                )
                .await?
                else {
                    return Ok(None);
                };
                let link_to: Option<Uuid> = row.col("link_to")?;
                Ok(Some(SignInFlow {
                    state_hash: TokenHash(row.col("state_hash")?),
                    provider: row.col("provider")?,
                    browser_hash: TokenHash(row.col("browser_hash")?),
                    nonce: row.col("nonce")?,
                    pkce_verifier: row.col("pkce_verifier")?,
                    link_to: link_to.map(UserId::from_uuid),
                    return_to: row.col("return_to")?,
                    expires_at: row.col("expires_at")?,
                }))
            })
        })
        .await
    }

    async fn external_identity(
        &self,
        provider: &str,
        subject: &str,
    ) -> Result<Option<ExternalIdentity>, StoreError> {
        let (provider, subject) = (provider.to_owned(), subject.to_owned());
        self.read(move |c| -> Job<'_, Option<ExternalIdentity>> {
            Box::pin(async move {
                let sql = format!(
                    "SELECT {IDENTITY_COLUMNS} FROM external_identities \
                     WHERE provider = $1 AND subject = $2"
                );
                let row = opt_row(c, &sql, &[&provider, &subject]).await?;
                Ok(row.as_ref().map(identity_from_row).transpose()?)
            })
        })
        .await
    }

    async fn external_identities(&self, user: UserId) -> Result<Vec<ExternalIdentity>, StoreError> {
        self.read(move |c| -> Job<'_, Vec<ExternalIdentity>> {
            Box::pin(async move {
                let sql = format!(
                    "SELECT {IDENTITY_COLUMNS} FROM external_identities \
                     WHERE user_id = $1 ORDER BY provider"
                );
                let found = rows(c, &sql, &[&user.as_uuid()]).await?;
                Ok(found
                    .iter()
                    .map(identity_from_row)
                    .collect::<Result<_, _>>()?)
            })
        })
        .await
    }

    async fn link_external_identity(&self, identity: ExternalIdentity) -> Result<(), StoreError> {
        self.write(|tx| -> Job<'_, ()> {
            let identity = identity.clone();
            Box::pin(async move { insert_identity(tx, &identity).await })
        })
        .await
    }

    async fn create_user_with_identity(
        &self,
        user: NewUser,
        identity: ExternalIdentity,
    ) -> Result<User, StoreError> {
        self.write(|tx| -> Job<'_, User> {
            let (user, identity) = (user.clone(), identity.clone());
            Box::pin(async move {
                let created = insert_user(tx, user).await?;
                insert_identity(tx, &identity).await?;
                Ok(created)
            })
        })
        .await
    }

    async fn unlink_external_identity(
        &self,
        user: UserId,
        provider: &str,
    ) -> Result<bool, StoreError> {
        let provider = provider.to_owned();
        self.write_once(move |c| -> Job<'_, bool> {
            Box::pin(async move {
                let deleted = exec(
                    c,
                    "DELETE FROM external_identities WHERE user_id = $1 AND provider = $2",
                    &[&user.as_uuid(), &provider],
                )
                .await?;
                Ok(deleted > 0)
            })
        })
        .await
    }

    async fn save_sign_in_handoff(&self, handoff: SignInHandoff) -> Result<(), StoreError> {
        self.write_once(move |c| -> Job<'_, ()> {
            Box::pin(async move {
                exec_raw(
                    c,
                    "INSERT INTO sign_in_handoffs (code_hash, user_id, expires_at) \
                     VALUES ($1, $2, $3)",
                    &[
                        &handoff.code_hash.0,
                        &handoff.user_id.as_uuid(),
                        &at_micros(handoff.expires_at),
                    ],
                )
                .await
                .map(drop)
                .map_err(missing_user)
            })
        })
        .await
    }

    async fn take_sign_in_handoff(
        &self,
        code: &TokenHash,
    ) -> Result<Option<SignInHandoff>, StoreError> {
        let code = code.0.clone();
        self.write_once(move |c| -> Job<'_, Option<SignInHandoff>> {
            Box::pin(async move {
                let Some(row) = opt_row(
                    c,
                    "DELETE FROM sign_in_handoffs WHERE code_hash = $1 \
                     RETURNING code_hash, user_id, expires_at",
                    &[&code],
                )
                .await?
                else {
                    return Ok(None);
                };
                Ok(Some(SignInHandoff {
                    code_hash: TokenHash(row.col("code_hash")?),
                    user_id: UserId::from_uuid(row.col("user_id")?),
                    expires_at: row.col("expires_at")?,
                }))
            })
        })
        .await
    }
}
