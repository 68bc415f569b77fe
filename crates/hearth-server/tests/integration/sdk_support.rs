//! Helpers for the SDK suites: users signed in through `hearth-sdk` against the real server.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hearth_proto::{Tokens, UserDto};
use hearth_sdk::Client;
use uuid::Uuid;

use crate::support::{TestApp, forge_token, unix_now};

/// The password every SDK test user has.
pub const PASSWORD: &str = "correct horse battery";

/// A user registered through the SDK, with their signed-in client.
#[derive(Clone, Debug)]
pub struct SdkUser {
    pub user: UserDto,
    pub client: Client,
}

/// An anonymous SDK client of `app`.
pub fn anonymous(app: &TestApp) -> Client {
    Client::new(&app.base).expect("sdk client")
}

/// Registers `username` through the SDK and signs the client in with the answer's tokens.
pub async fn sdk_user(app: &TestApp, username: &str) -> SdkUser {
    let anonymous = anonymous(app);
    let session = anonymous
        .register(username, PASSWORD)
        .await
        .expect("register");
    SdkUser {
        user: session.user,
        client: anonymous.signed_in(session.tokens),
    }
}

/// Alice and Bob signed in through the SDK, and their direct conversation.
pub async fn sdk_alice_and_bob(app: &TestApp) -> (SdkUser, SdkUser, Uuid) {
    let alice = sdk_user(app, "alice").await;
    let bob = sdk_user(app, "bob").await;
    let dm = alice.client.direct(bob.user.id).await.expect("direct").id;
    (alice, bob, dm)
}

/// A fresh session of a new user `username` whose access token has already expired (signed
/// with the server's own key, a minute in the past: beyond its leeway), and whose refresh
/// token is real. The first bearer call of a client holding it is refused with 401.
pub async fn expired_session(app: &TestApp, username: &str) -> (UserDto, Tokens) {
    let session = anonymous(app)
        .register(username, PASSWORD)
        .await
        .expect("register");
    let expired = forge_token(
        &app.signing_secret().await,
        &session.user.id.to_string(),
        unix_now() - 60,
    );
    let tokens = Tokens {
        access_token: expired,
        ..session.tokens
    };
    (session.user, tokens)
}

/// A client signed in with `tokens` that counts the refreshes it makes.
pub fn counting_client(app: &TestApp, tokens: Tokens) -> (Client, Arc<AtomicUsize>) {
    let refreshes = Arc::new(AtomicUsize::new(0));
    let counter = refreshes.clone();
    let client = anonymous(app).signed_in_with(tokens, move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    (client, refreshes)
}
