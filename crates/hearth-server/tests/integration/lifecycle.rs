//! Start, restart, and the `hearth` command: data survives, start-up errors are clear.

use std::io::{BufRead, BufReader, Lines};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};

use serde_json::{Value, json};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::support::{TestApp, forge_token, stored_signing_secret, test_config, unix_now};

/// Runs `hearth serve` on a fresh data directory with `env` set, expects it to fail, and
/// returns what it wrote to stderr.
pub(crate) fn serve_failing_with(env: &[(&str, &str)]) -> String {
    let data = tempfile::tempdir().unwrap();
    let output = hearth()
        .envs(env.iter().copied())
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub(crate) fn hearth() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hearth"));
    command.env("RUST_LOG", "warn").stdin(Stdio::null());
    command.env_remove("DATABASE_URL");
    // The test's own environment must not configure the child.
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("HEARTH_")) {
        command.env_remove(key);
    }
    command
}

#[tokio::test]
async fn test_data_and_tokens_survive_a_restart() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let sent = app
        .send(&alice, &dm, "k1", "still here after restart")
        .await
        .expect(201);

    let app = app.restart().await;
    let listed = app
        .get(&format!("/v1/conversations/{dm}/messages"), &bob.access)
        .await
        .expect(200);
    assert_eq!(
        listed.data()["messages"][0],
        *sent.data(),
        "an access token issued before the restart still works"
    );
    app.post_anon(
        "/v1/auth/login",
        json!({ "username": "alice", "password": "correct horse battery" }),
    )
    .await
    .expect(200);
    app.post_anon("/v1/auth/refresh", json!({ "refresh_token": bob.refresh }))
        .await
        .expect(200);
    let next = app.send(&bob, &dm, "k2", "after").await.expect(201);
    assert_eq!(next.data()["seq"], 3, "seq continues where it stopped");
}

#[tokio::test]
async fn test_the_data_directory_holds_the_database_privately() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("nested");
    let app = TestApp::spawn_on_sqlite_with(|c| c.data_dir = dir.clone()).await;
    app.register("alice").await;
    assert!(dir.join("hearth.db").is_file());
    let dir_mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        dir_mode, 0o700,
        "a data directory Hearth creates is private"
    );
    assert!(
        !dir.join("secret.key").exists(),
        "the signing secret lives in the database, not beside it"
    );
    assert!(stored_signing_secret(&dir).len() >= 32);
}

#[tokio::test]
async fn test_a_data_directory_with_a_secret_key_file_keeps_its_key() {
    let data = tempfile::tempdir().unwrap();
    let key: Vec<u8> = (0..48u8).collect();
    std::fs::write(data.path().join("secret.key"), STANDARD.encode(&key)).unwrap();
    let app = TestApp::spawn_on_sqlite_with(|c| c.data_dir = data.path().to_owned()).await;
    app.register("alice").await;
    assert_eq!(
        stored_signing_secret(data.path()),
        key,
        "tokens issued before the upgrade stay valid"
    );
}

#[tokio::test]
async fn test_every_node_of_one_database_signs_with_the_first_nodes_secret() {
    let data = tempfile::tempdir().unwrap();
    let config = test_config(data.path());
    let store = hearth_server::open_store(&config).await.unwrap();
    // Another node: another data directory (with nothing in it), the same database.
    let elsewhere = tempfile::tempdir().unwrap();
    let other = test_config(elsewhere.path());
    let node = |secret| {
        let ports = hearth_realtime::InProcess::new(Default::default()).ports;
        hearth_server::build_app(&config, store.clone(), secret, ports).expect("the app builds")
    };
    let first = node(
        hearth_server::signing_secret(&config, &store)
            .await
            .unwrap(),
    );
    let second = node(hearth_server::signing_secret(&other, &store).await.unwrap());
    let input = hearth_app::RegisterInput {
        username: "alice".to_owned(),
        display_name: None,
        password: "correct horse battery".to_owned(),
        email: None,
    };
    let ip = std::net::IpAddr::from([127, 0, 0, 1]);
    let (_, session) = first
        .auth
        .register(input, &hearth_app::ClientInfo::from_ip(ip))
        .await
        .unwrap();
    let verified = second.auth.authenticate(&session.access_token);
    store.close().await;
    assert!(
        verified.is_ok(),
        "the second node verifies the first's token"
    );
}

#[tokio::test]
async fn test_a_configured_secret_wins_over_the_stored_one() {
    let secret = "a configured signing secret of 32+ bytes".to_owned();
    let app = TestApp::spawn_with(|c| c.auth.jwt_secret = Some(secret.clone())).await;
    let alice = app.register("alice").await;
    let forged = forge_token(secret.as_bytes(), &alice.user_id, unix_now() + 120);
    app.get("/v1/users/me", &forged).await.expect(200);
}

#[tokio::test]
async fn test_serve_on_a_taken_port_fails_with_a_clear_message() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let data = tempfile::tempdir().unwrap();
    let output = hearth()
        .args(["serve", "--listen", &address, "--data"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {address}")),
        "{stderr}"
    );
    assert!(
        stderr.contains("--listen"),
        "the message says how to fix it: {stderr}"
    );
}

#[tokio::test]
async fn test_serve_with_a_bad_config_value_fails_with_a_clear_message() {
    let stderr = serve_failing_with(&[("HEARTH_LIMITS__MAX_BODY_BYTES", "12")]);
    assert!(stderr.contains("limits.max_body_bytes"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
}

#[tokio::test]
async fn test_serve_with_an_unusable_data_dir_fails_with_a_clear_message() {
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let output = hearth()
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(file.join("data"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot use data directory"), "{stderr}");
}

#[tokio::test]
async fn test_migrate_creates_the_database() {
    let data = tempfile::tempdir().unwrap();
    let output = hearth()
        .arg("migrate")
        .arg("--data")
        .arg(data.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(data.path().join("hearth.db").is_file());
    let again = hearth()
        .arg("migrate")
        .arg("--data")
        .arg(data.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stderr).contains("0 migration(s) applied"));
}

#[tokio::test]
async fn test_admin_create_user_makes_an_account_that_can_log_in() {
    let data = tempfile::tempdir().unwrap();
    let output = hearth()
        .env("HEARTH_ADMIN_PASSWORD", "admin password 1")
        .args(["admin", "create-user", "--username", "root-admin", "--data"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dir = data.path().to_owned();
    // The command above wrote to the data directory's SQLite database.
    let app = TestApp::spawn_on_sqlite_with(move |c| c.data_dir = dir).await;
    app.post_anon(
        "/v1/auth/login",
        json!({ "username": "root-admin", "password": "admin password 1" }),
    )
    .await
    .expect(200);
    drop(data);
}

#[tokio::test]
async fn test_help_is_available_on_every_command() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["admin", "create-user", "--help"],
    ] {
        let output = hearth().args(&args).output().unwrap();
        assert!(output.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

/// A `hearth serve` process on `data`, its base URL, and the rest of its log.
fn serve(data: &Path) -> (Child, String, Lines<BufReader<ChildStderr>>) {
    serve_with(data, &[])
}

/// [`serve`] with the settings `env`.
pub(crate) fn serve_with(
    data: &Path,
    env: &[(&str, &str)],
) -> (Child, String, Lines<BufReader<ChildStderr>>) {
    serve_on(data, "127.0.0.1:0", env)
}

/// [`serve_with`] on the address `listen` (a server restarted on its port).
pub(crate) fn serve_on(
    data: &Path,
    listen: &str,
    env: &[(&str, &str)],
) -> (Child, String, Lines<BufReader<ChildStderr>>) {
    let mut child = hearth()
        .env("RUST_LOG", "info")
        .envs(env.iter().copied())
        .args(["serve", "--listen", listen, "--data"])
        .arg(data)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.split("address=").nth(1).map(|rest| {
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
        })
        .expect("the server logs the address it serves on");
    (child, format!("http://{address}"), lines)
}

/// The `data` of an answer that must have `status`.
async fn answer(request: reqwest::RequestBuilder, status: u16) -> Value {
    let response = request.send().await.unwrap();
    let got = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body["data"].clone()
}

#[tokio::test]
async fn test_every_acknowledged_message_survives_a_kill_and_is_found_by_search_after_it() {
    let data = tempfile::tempdir().unwrap();
    let (mut child, base, _log) = serve(data.path());
    let client = reqwest::Client::new();
    let mut sessions = Vec::new();
    for name in ["alice", "bob"] {
        let registered = answer(
            client
                .post(format!("{base}/v1/auth/register"))
                .json(&json!({ "username": name, "password": "correct horse battery" })),
            201,
        )
        .await;
        let token = registered["tokens"]["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        sessions.push((token, registered["user"]["id"].clone()));
    }
    let [(alice, _), (bob, bob_id)] = <[_; 2]>::try_from(sessions).unwrap();
    let dm = answer(
        client
            .post(format!("{base}/v1/conversations/direct"))
            .bearer_auth(&alice)
            .json(&json!({ "other_user_id": bob_id })),
        201,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sent = 20;
    for i in 0..sent {
        answer(
            client
                .post(format!("{base}/v1/conversations/{dm}/messages"))
                .bearer_auth(&alice)
                .json(&json!({ "client_message_id": format!("k{i}"), "content": format!("survivor {i}") })),
            201,
        )
        .await;
    }

    // No shutdown: the process dies between two instructions. (Fewer sends than an indexing
    // pass waits for, so none of them is in the search indexes yet.)
    child.kill().unwrap();
    child.wait().unwrap();
    let (mut child, base, _log) = serve(data.path());

    let listed = answer(
        client
            .get(format!("{base}/v1/conversations/{dm}/messages?limit=100"))
            .bearer_auth(&bob),
        200,
    )
    .await;
    let texts: Vec<&str> = listed["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..sent).map(|i| format!("survivor {i}")).collect();
    assert_eq!(texts, expected, "every acknowledged message, in order");
    let found = answer(
        client
            .get(format!("{base}/v1/messages/search?q=survivor&limit=50"))
            .bearer_auth(&bob),
        200,
    )
    .await;
    assert_eq!(found["results"].as_array().unwrap().len(), sent);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn test_sigterm_shuts_down_cleanly_and_exits_zero() {
    let data = tempfile::tempdir().unwrap();
    let (mut child, base, lines) = serve(data.path());
    let client = reqwest::Client::new();
    let register = client
        .post(format!("{base}/v1/auth/register"))
        .json(&json!({ "username": "alice", "password": "correct horse" }))
        .send()
        .await
        .unwrap();
    assert_eq!(register.status(), 201);

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "exit status {exit:?}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        rest.iter().any(|l| l.contains("finishing queued writes")),
        "{rest:?}"
    );
}
