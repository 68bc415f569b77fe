//! Creating the users and conversations a scenario needs, through the API.

use anyhow::Context;
use futures::{StreamExt, stream};
use hearth_sdk::Client;
use uuid::Uuid;

/// A signed-in user.
#[derive(Clone, Debug)]
pub(crate) struct Member {
    pub id: Uuid,
    pub client: Client,
    /// The access token `client` carries (for faces the SDK does not speak: GraphQL, gRPC).
    pub access_token: String,
}

impl Member {
    /// The same user, speaking to the node at `base`.
    pub(crate) fn on(&self, base: &str) -> anyhow::Result<Self> {
        Ok(Self {
            id: self.id,
            client: self.client.on(base)?,
            access_token: self.access_token.clone(),
        })
    }
}

const PASSWORD: &str = "bench password 1";

/// Registers `n` users (password hashing is the cost; a few at a time keep both cores busy).
pub(crate) async fn users(
    anonymous: &Client,
    prefix: &str,
    n: usize,
) -> anyhow::Result<Vec<Member>> {
    let registered: Vec<anyhow::Result<Member>> = stream::iter(0..n)
        .map(|i| async move {
            let session = anonymous
                .register(&format!("{prefix}{i}"), PASSWORD)
                .await
                .context("register")?;
            Ok(Member {
                id: session.user.id,
                client: anonymous.with_token(&session.tokens.access_token),
                access_token: session.tokens.access_token,
            })
        })
        .buffered(8)
        .collect()
        .await;
    registered.into_iter().collect()
}

/// The direct conversation of `a` with `b`.
pub(crate) async fn direct(a: &Member, b: &Member) -> anyhow::Result<Uuid> {
    Ok(a.client
        .direct(b.id)
        .await
        .context("direct conversation")?
        .id)
}
