//! `hearth admin reset-password`, `list-users`, `disable-user` and `enable-user`, each run as
//! the real binary on a real data directory, then checked through the server.

use std::path::Path;
use std::process::Output;

use serde_json::json;

use crate::lifecycle::hearth;
use crate::support::{TestApp, session_of};

fn admin(data: &Path, args: &[&str]) -> Output {
    let output = hearth()
        .arg("admin")
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .expect("hearth admin runs");
    assert!(
        output.status.success(),
        "hearth admin {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A stopped server's data directory with `alice` (with an address) and `bob` in it, and
/// alice's session.
async fn instance_with_users() -> (tempfile::TempDir, crate::support::Session) {
    let app = TestApp::spawn_on_sqlite_with(|_| {}).await;
    let alice = app
        .post_anon(
            "/v1/auth/register",
            json!({ "username": "alice", "password": "old password 1", "email": "alice@example.org" }),
        )
        .await
        .expect(201);
    app.register("bob").await;
    (app.stop_keeping_data().await, session_of(alice.data()))
}

async fn server_on(data: &Path) -> TestApp {
    let dir = data.to_owned();
    TestApp::spawn_on_sqlite_with(move |c| c.data_dir = dir).await
}

async fn login(app: &TestApp, name: &str, password: &str) -> crate::support::Response {
    app.post_anon(
        "/v1/auth/login",
        json!({ "username": name, "password": password }),
    )
    .await
}

#[tokio::test]
async fn test_admin_reset_password_lets_a_locked_out_user_in_and_ends_their_sessions() {
    let (data, alice) = instance_with_users().await;
    let output = hearth()
        .args([
            "admin",
            "reset-password",
            "--username",
            "Alice",
            "--password-stdin",
            "--data",
        ])
        .arg(data.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("piped stdin")
                .write_all(b"new password 2\n")?;
            child.wait_with_output()
        })
        .expect("hearth admin reset-password runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!String::from_utf8_lossy(&output.stderr).contains("new password 2"));

    let app = server_on(data.path()).await;
    login(&app, "alice", "old password 1")
        .await
        .expect_error(401, "unauthorized");
    login(&app, "alice", "new password 2").await.expect(200);
    app.post_anon(
        "/v1/auth/refresh",
        json!({ "refresh_token": alice.refresh }),
    )
    .await
    .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn test_admin_reset_password_of_an_unknown_user_fails_and_says_so() {
    let (data, _) = instance_with_users().await;
    let output = hearth()
        .env("HEARTH_ADMIN_PASSWORD", "new password 2")
        .args(["admin", "reset-password", "--username", "nobody", "--data"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not found"));
}

#[tokio::test]
async fn test_admin_list_users_shows_every_account_with_its_state() {
    let (data, _) = instance_with_users().await;
    admin(data.path(), &["disable-user", "--username", "bob"]);
    let output = admin(data.path(), &["list-users"]);
    let listing = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = listing.lines().collect();
    assert_eq!(lines.len(), 3, "{listing}");
    assert!(lines[0].starts_with("USERNAME"));
    assert!(
        lines[1].starts_with("alice ")
            && lines[1].contains("alice@example.org")
            && lines[1].contains("active"),
        "{listing}"
    );
    assert!(
        lines[2].starts_with("bob ") && lines[2].contains("disabled"),
        "{listing}"
    );
}

#[tokio::test]
async fn test_a_disabled_user_cannot_sign_in_until_enabled_and_their_sessions_end() {
    let (data, alice) = instance_with_users().await;
    admin(data.path(), &["disable-user", "--username", "alice"]);
    let mut app = server_on(data.path()).await;
    login(&app, "alice", "old password 1")
        .await
        .expect_error(403, "account_disabled");
    login(&app, "alice", "wrong password 9")
        .await
        .expect_error(401, "unauthorized");
    app.post_anon(
        "/v1/auth/refresh",
        json!({ "refresh_token": alice.refresh }),
    )
    .await
    .expect_error(401, "unauthorized");
    app.stop().await;

    admin(data.path(), &["enable-user", "--username", "alice"]);
    let app = server_on(data.path()).await;
    login(&app, "alice", "old password 1").await.expect(200);
    drop(data);
}

#[tokio::test]
async fn test_disabling_a_user_on_a_running_server_ends_their_tokens_and_sockets_at_once() {
    let (data, _) = instance_with_users().await;
    let app = server_on(data.path()).await;
    let alice = session_of(
        login(&app, "alice", "old password 1")
            .await
            .expect(200)
            .data(),
    );
    let bob = session_of(
        login(&app, "bob", "correct horse battery")
            .await
            .expect(200)
            .data(),
    );
    let mut alice_ws = app.ws(&alice).await;
    let mut bob_ws = app.ws(&bob).await;
    app.get("/v1/users/me", &alice.access).await.expect(200);

    // The operator's CLI is another process on the same database: no bus reaches the server.
    let dir = data.path().to_owned();
    tokio::task::spawn_blocking(move || admin(&dir, &["disable-user", "--username", "alice"]))
        .await
        .unwrap();

    let (code, reason) = alice_ws.closed().await;
    assert_eq!(code, 1008, "policy violation: {reason}");
    assert!(reason.contains("session has ended"), "{reason}");
    app.get("/v1/users/me", &alice.access)
        .await
        .expect_error(401, "unauthorized");
    // Everyone else goes on.
    app.get("/v1/users/me", &bob.access).await.expect(200);
    bob_ws.subscribe(&app.direct(&bob, &alice).await).await;
}

#[tokio::test]
async fn test_a_server_started_after_a_sign_out_refuses_the_ended_sessions_tokens() {
    let (data, _) = instance_with_users().await;
    let mut app = server_on(data.path()).await;
    let alice = session_of(
        login(&app, "alice", "old password 1")
            .await
            .expect(200)
            .data(),
    );
    app.post(
        "/v1/auth/logout",
        &alice.access,
        json!({ "refresh_token": alice.refresh }),
    )
    .await
    .expect(200);
    app.stop().await;

    // A restarted node knows nothing from before; the store tells it which sessions ended
    // while their access tokens may still be unexpired.
    let app = server_on(data.path()).await;
    let mut ws = app.ws_connect(&format!("?token={}", alice.access)).await;
    let (code, _) = ws.closed().await;
    assert_eq!(code, 1008);
    app.get("/v1/users/me", &alice.access)
        .await
        .expect_error(401, "unauthorized");
}
