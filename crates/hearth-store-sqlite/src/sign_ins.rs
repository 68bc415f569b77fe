//! Sign-in through external identity providers in SQLite: linked identities, flows under way
//! and hand-offs.

use hearth_domain::{Timestamp, User, UserId};
use hearth_store::{
    ConflictKind, ExternalIdentity, Missing, NewUser, SignInFlow, SignInHandoff, SignInStore,
    StoreError, TokenHash,
};
use rusqlite::{Row, params};

use crate::SqliteStore;
use crate::codec::{Columns, from_micros, is_unique_violation, micros, missing_row};
use crate::statements::{decode_all, decode_opt, execute};
use crate::tx::Tx;
use crate::users::insert_user;

const IDENTITY_COLUMNS: &str = "provider, subject, user_id, email, linked_at";

fn identity_from_row(row: &Row<'_>) -> Result<ExternalIdentity, StoreError> {
    Ok(ExternalIdentity {
        provider: row.column("provider")?,
        subject: row.column("subject")?,
        user_id: UserId::from_uuid(row.column("user_id")?),
        email: row.column("email")?,
        linked_at: from_micros(row.column("linked_at")?),
    })
}

fn insert_identity(tx: &Tx, identity: &ExternalIdentity) -> Result<(), StoreError> {
    execute(
        tx,
        "INSERT INTO external_identities (provider, subject, user_id, email, linked_at) \
         VALUES (?, ?, ?, ?, ?)",
        params![
            &identity.provider,
            &identity.subject,
            identity.user_id.as_uuid(),
            identity.email.as_deref(),
            micros(identity.linked_at),
        ],
    )
    .map(drop)
    .map_err(|err| {
        if is_unique_violation(&err) {
            StoreError::Conflict(ConflictKind::IdentityLinked)
        } else {
            missing_row(Missing::User)(err)
        }
    })
}

#[async_trait::async_trait]
impl SignInStore for SqliteStore {
    async fn save_sign_in_flow(&self, flow: SignInFlow, now: Timestamp) -> Result<(), StoreError> {
        self.writer
            .write(move |tx| {
                let now = micros(now);
                for sql in [
                    "DELETE FROM sign_in_flows WHERE expires_at <= ?",
                    "DELETE FROM sign_in_handoffs WHERE expires_at <= ?",
                ] {
                    execute(tx, sql, params![now]).map_err(crate::codec::store_error)?;
                }
                execute(
                    tx,
                    "INSERT INTO sign_in_flows (state_hash, provider, browser_hash, nonce, \
                        pkce_verifier, link_to, return_to, expires_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    params![
                        &flow.state_hash.0,
                        &flow.provider,
                        &flow.browser_hash.0,
                        &flow.nonce,
                        &flow.pkce_verifier,
                        flow.link_to.map(|user| user.as_uuid()),
                        flow.return_to.as_deref(),
                        micros(flow.expires_at),
                    ],
                )
                .map(drop)
                .map_err(missing_row(Missing::User))
            })
            .await
    }

    async fn take_sign_in_flow(&self, state: &TokenHash) -> Result<Option<SignInFlow>, StoreError> {
        let state = state.0.clone();
        self.writer
            .write(move |tx| {
                decode_opt(
                    tx,
                    "DELETE FROM sign_in_flows WHERE state_hash = ? \
                     RETURNING state_hash, provider, browser_hash, nonce, pkce_verifier, \
                               link_to, return_to, expires_at",
                    params![state],
                    |row| {
                        let link_to: Option<uuid::Uuid> = row.column("link_to")?;
                        Ok(SignInFlow {
                            state_hash: TokenHash(row.column("state_hash")?),
                            provider: row.column("provider")?,
                            browser_hash: TokenHash(row.column("browser_hash")?),
                            nonce: row.column("nonce")?,
                            pkce_verifier: row.column("pkce_verifier")?,
                            link_to: link_to.map(UserId::from_uuid),
                            return_to: row.column("return_to")?,
                            expires_at: from_micros(row.column("expires_at")?),
                        })
                    },
                )
            })
            .await
    }

    async fn external_identity(
        &self,
        provider: &str,
        subject: &str,
    ) -> Result<Option<ExternalIdentity>, StoreError> {
        let (provider, subject) = (provider.to_owned(), subject.to_owned());
        self.readers
            .read(move |conn| {
                decode_opt(
                    conn,
                    &format!(
                        "SELECT {IDENTITY_COLUMNS} FROM external_identities \
                         WHERE provider = ? AND subject = ?"
                    ),
                    params![provider, subject],
                    identity_from_row,
                )
            })
            .await
    }

    async fn external_identities(&self, user: UserId) -> Result<Vec<ExternalIdentity>, StoreError> {
        self.readers
            .read(move |conn| {
                decode_all(
                    conn,
                    &format!(
                        "SELECT {IDENTITY_COLUMNS} FROM external_identities \
                         WHERE user_id = ? ORDER BY provider"
                    ),
                    params![user.as_uuid()],
                    identity_from_row,
                )
            })
            .await
    }

    async fn link_external_identity(&self, identity: ExternalIdentity) -> Result<(), StoreError> {
        self.writer
            .write(move |tx| insert_identity(tx, &identity))
            .await
    }

    async fn create_user_with_identity(
        &self,
        user: NewUser,
        identity: ExternalIdentity,
    ) -> Result<User, StoreError> {
        self.writer
            .write(move |tx| {
                let created = insert_user(tx, user)?;
                insert_identity(tx, &identity)?;
                Ok(created)
            })
            .await
    }

    async fn unlink_external_identity(
        &self,
        user: UserId,
        provider: &str,
    ) -> Result<bool, StoreError> {
        let provider = provider.to_owned();
        self.writer
            .write(move |tx| {
                execute(
                    tx,
                    "DELETE FROM external_identities WHERE user_id = ? AND provider = ?",
                    params![user.as_uuid(), provider],
                )
                .map(|deleted| deleted > 0)
                .map_err(crate::codec::store_error)
            })
            .await
    }

    async fn save_sign_in_handoff(&self, handoff: SignInHandoff) -> Result<(), StoreError> {
        self.writer
            .write(move |tx| {
                execute(
                    tx,
                    "INSERT INTO sign_in_handoffs (code_hash, user_id, expires_at) VALUES (?, ?, ?)",
                    params![
                        &handoff.code_hash.0,
                        handoff.user_id.as_uuid(),
                        micros(handoff.expires_at),
                    ],
                )
                .map(drop)
                .map_err(missing_row(Missing::User))
            })
            .await
    }

    async fn take_sign_in_handoff(
        &self,
        code: &TokenHash,
    ) -> Result<Option<SignInHandoff>, StoreError> {
        let code = code.0.clone();
        self.writer
            .write(move |tx| {
                decode_opt(
                    tx,
                    "DELETE FROM sign_in_handoffs WHERE code_hash = ? \
                     RETURNING code_hash, user_id, expires_at",
                    params![code],
                    |row| {
                        Ok(SignInHandoff {
                            code_hash: TokenHash(row.column("code_hash")?),
                            user_id: UserId::from_uuid(row.column("user_id")?),
                            expires_at: from_micros(row.column("expires_at")?),
                        })
                    },
                )
            })
            .await
    }
}
