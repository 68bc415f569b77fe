//! Privacy and blocking: whom the caller accepts direct conversations and invites from, and
//! whom they blocked.

use hearth_proto::{BlockList, BlockRequest, BlockedUserDto, PrivacyDto};
use reqwest::Method;
use uuid::Uuid;

use crate::client::{Auth, Call};
use crate::{Client, ClientError};

fn blocks_call(method: Method) -> Call {
    Call::new(method, &["v1", "users", "me", "blocks"], Auth::Bearer)
}

fn privacy_call(method: Method) -> Call {
    Call::new(method, &["v1", "users", "me", "privacy"], Auth::Bearer)
}

impl Client {
    /// `GET /v1/users/me/privacy`: who may start a direct conversation with the caller and
    /// who may add them (`everyone`, `shared_conversations` or `nobody`).
    pub async fn privacy(&self) -> Result<PrivacyDto, ClientError> {
        self.execute(privacy_call(Method::GET)).await
    }

    /// `PUT /v1/users/me/privacy`: changes the settings given (absent ones keep their value);
    /// answers them as they are now.
    ///
    /// ```no_run
    /// # async fn demo(alice: hearth_sdk::Client) -> Result<(), hearth_sdk::ClientError> {
    /// let quiet = hearth_proto::PrivacyDto {
    ///     direct_messages: Some("shared_conversations".to_owned()),
    ///     group_invites: None,
    /// };
    /// let now = alice.set_privacy(&quiet).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_privacy(&self, privacy: &PrivacyDto) -> Result<PrivacyDto, ClientError> {
        self.execute(privacy_call(Method::PUT).json(privacy)?).await
    }

    /// `POST /v1/users/me/blocks`: blocks a user (direct messages both ways, invites and
    /// mentions stop). Blocking someone already blocked changes nothing.
    pub async fn block(&self, user_id: Uuid) -> Result<(), ClientError> {
        let body = BlockRequest {
            user_id: user_id.to_string(),
        };
        self.execute::<hearth_proto::Ok>(blocks_call(Method::POST).json(&body)?)
            .await
            .map(drop)
    }

    /// `DELETE /v1/users/me/blocks/{user_id}`: lifts a block (`404` when there is none).
    pub async fn unblock(&self, user_id: Uuid) -> Result<(), ClientError> {
        self.execute::<hearth_proto::Ok>(blocks_call(Method::DELETE).segment(user_id))
            .await
            .map(drop)
    }

    /// `GET /v1/users/me/blocks`: everyone the caller blocked, most recent first.
    pub async fn blocked(&self) -> Result<Vec<BlockedUserDto>, ClientError> {
        self.execute::<BlockList>(blocks_call(Method::GET))
            .await
            .map(|list| list.blocked)
    }
}
