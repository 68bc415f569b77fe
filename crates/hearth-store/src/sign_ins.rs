//! Sign-in through external identity providers (OpenID Connect, OAuth 2.0): the accounts
//! linked to a provider's subjects, the flows under way, and the one-time codes that hand a
//! finished sign-in back to the client.
//!
//! The rules — who may link what, when an e-mail address may join an account, how long a flow
//! lives — are the sign-in use case's. This port stores, takes (once) and reads. State values
//! and hand-off codes are stored only as hashes.

use hearth_domain::{Timestamp, User, UserId};

use crate::{NewUser, StoreError, TokenHash};

/// An account's link to one subject of one provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalIdentity {
    /// The provider's id in the configuration (e.g. `google`).
    pub provider: String,
    /// The provider's stable id of the person (the `sub` claim).
    pub subject: String,
    /// The account it signs in to.
    pub user_id: UserId,
    /// The e-mail address the provider named when it was linked, if any (shown in settings).
    pub email: Option<String>,
    /// When it was linked.
    pub linked_at: Timestamp,
}

/// A sign-in (or link) started and not yet finished: what the callback must check and needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInFlow {
    /// The hash of the `state` sent to the provider: the key the callback finds it by.
    pub state_hash: TokenHash,
    /// The provider it went to.
    pub provider: String,
    /// The hash of the value of the cookie set in the browser that started it: the callback
    /// must come back to the same browser.
    pub browser_hash: TokenHash,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier the code exchange sends.
    pub pkce_verifier: String,
    /// `Some`: the signed-in account that asked to link the identity; `None`: a sign-in.
    pub link_to: Option<UserId>,
    /// Where in the web client to go afterwards (a path), if the client asked.
    pub return_to: Option<String>,
    /// When it stops being accepted.
    pub expires_at: Timestamp,
}

/// A finished sign-in waiting for the client to trade its one-time code for a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInHandoff {
    /// The hash of the code.
    pub code_hash: TokenHash,
    /// Who signed in.
    pub user_id: UserId,
    /// When it stops being accepted.
    pub expires_at: Timestamp,
}

/// Storage for sign-in through external providers.
#[async_trait::async_trait]
pub trait SignInStore: Send + Sync {
    /// Stores a flow just started, and forgets flows and hand-offs that expired before `now`.
    async fn save_sign_in_flow(&self, flow: SignInFlow, now: Timestamp) -> Result<(), StoreError>;

    /// Removes and returns the flow with this state hash (each flow is taken at most once,
    /// even by two callbacks racing).
    async fn take_sign_in_flow(&self, state: &TokenHash) -> Result<Option<SignInFlow>, StoreError>;

    /// The link of this provider's subject, if any.
    async fn external_identity(
        &self,
        provider: &str,
        subject: &str,
    ) -> Result<Option<ExternalIdentity>, StoreError>;

    /// Every provider linked to the account, by provider.
    async fn external_identities(&self, user: UserId) -> Result<Vec<ExternalIdentity>, StoreError>;

    /// Links a subject to an existing account. `Conflict(IdentityLinked)` when the subject is
    /// linked already or the account already has an identity of that provider;
    /// `NotFound(User)` when there is no such account.
    async fn link_external_identity(&self, identity: ExternalIdentity) -> Result<(), StoreError>;

    /// Creates an account and links the subject to it, in one transaction: both or neither.
    /// Conflicts as [`crate::UserStore::create_user`] and [`Self::link_external_identity`].
    async fn create_user_with_identity(
        &self,
        user: NewUser,
        identity: ExternalIdentity,
    ) -> Result<User, StoreError>;

    /// Removes the account's identity of this provider; `false` when it had none.
    async fn unlink_external_identity(
        &self,
        user: UserId,
        provider: &str,
    ) -> Result<bool, StoreError>;

    /// Stores a finished sign-in's hand-off.
    async fn save_sign_in_handoff(&self, handoff: SignInHandoff) -> Result<(), StoreError>;

    /// Removes and returns the hand-off with this code hash (at most once).
    async fn take_sign_in_handoff(
        &self,
        code: &TokenHash,
    ) -> Result<Option<SignInHandoff>, StoreError>;
}
