//! The list of a user's sessions and signing them out: each device is named and marked, and
//! an ended session's tokens stop working at once, on every face of the API.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Session, TestApp, session_of};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const PASSWORD: &str = "correct horse battery";

/// Signs `name` in again with this `User-Agent` and body.
async fn login_with(app: &TestApp, user_agent: Option<&str>, body: Value) -> Session {
    let mut request = reqwest::Client::new()
        .post(app.url("/v1/auth/login"))
        .json(&body);
    if let Some(agent) = user_agent {
        request = request.header(reqwest::header::USER_AGENT, agent);
    }
    let response = crate::support::read(request.send().await.unwrap())
        .await
        .expect(200);
    session_of(response.data())
}

async fn sessions(app: &TestApp, who: &Session) -> Vec<Value> {
    app.get("/v1/auth/sessions", &who.access)
        .await
        .expect(200)
        .data()["sessions"]
        .as_array()
        .unwrap()
        .clone()
}

fn id_of<'a>(list: &'a [Value], device: &str) -> &'a str {
    list.iter()
        .find(|s| s["device_name"] == device)
        .and_then(|s| s["id"].as_str())
        .unwrap_or_else(|| panic!("no session named {device} in {list:?}"))
}

async fn end(app: &TestApp, who: &Session, session: &str) -> crate::support::Response {
    app.request(
        Method::DELETE,
        &format!("/v1/auth/sessions/{session}"),
        Some(&who.access),
        None,
    )
    .await
}

async fn refresh(app: &TestApp, who: &Session) -> crate::support::Response {
    app.post_anon("/v1/auth/refresh", json!({ "refresh_token": who.refresh }))
        .await
}

#[tokio::test]
async fn test_the_session_list_names_each_device_and_marks_the_current_one() {
    let app = TestApp::spawn().await;
    let _first = app.register("alice").await;
    let _laptop = login_with(
        &app,
        Some(FIREFOX),
        json!({ "username": "alice", "password": PASSWORD }),
    )
    .await;
    let phone = login_with(
        &app,
        Some(FIREFOX),
        json!({ "username": "alice", "password": PASSWORD, "device_name": " Alice's phone " }),
    )
    .await;

    let list = sessions(&app, &phone).await;
    let names: Vec<&str> = list
        .iter()
        .map(|s| s["device_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Alice's phone", "Firefox on Linux", "Unknown device"],
        "the most recently used first; a named device keeps its name, others are read from the user agent"
    );
    let current: Vec<bool> = list.iter().map(|s| s["current"] == true).collect();
    assert_eq!(current, [true, false, false]);
    for session in &list {
        assert_eq!(session["ip"], "127.0.0.1");
        assert!(session["created_at"].as_str().unwrap().ends_with('Z'));
        assert!(session["last_used_at"].as_str().is_some());
    }
}

#[tokio::test]
async fn test_a_refresh_is_the_sessions_last_use() {
    let app = TestApp::spawn().await;
    let first = app.register("alice").await;
    let phone = login_with(
        &app,
        None,
        json!({ "username": "alice", "password": PASSWORD, "device_name": "phone" }),
    )
    .await;
    let before = sessions(&app, &phone).await;
    assert_eq!(before[0]["device_name"], "phone");

    let renewed = refresh(&app, &first).await.expect(200);
    let access = renewed.data()["tokens"]["access_token"].as_str().unwrap();
    let after = sessions(
        &app,
        &Session {
            access: access.to_owned(),
            ..first.clone()
        },
    )
    .await;
    assert_eq!(after[0]["device_name"], "Unknown device", "{after:?}");
    assert_eq!(after[0]["current"], true);
    assert!(
        after[0]["last_used_at"].as_str() > before[1]["last_used_at"].as_str(),
        "{after:?}"
    );
    assert_eq!(after.len(), 2, "a refresh is the same session");
}

#[tokio::test]
async fn test_signing_a_device_out_ends_its_tokens_at_once() {
    let app = TestApp::spawn().await;
    let laptop = app.register("alice").await;
    let phone = login_with(
        &app,
        None,
        json!({ "username": "alice", "password": PASSWORD, "device_name": "phone" }),
    )
    .await;
    let list = sessions(&app, &laptop).await;

    end(&app, &laptop, id_of(&list, "phone")).await.expect(200);

    app.get("/v1/users/me", &phone.access)
        .await
        .expect_error(401, "unauthorized");
    refresh(&app, &phone)
        .await
        .expect_error(401, "unauthorized");
    let left = sessions(&app, &laptop).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["current"], true);
    app.get("/v1/users/me", &laptop.access).await.expect(200);
}

#[tokio::test]
async fn test_ending_the_current_session_signs_out() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let list = sessions(&app, &alice).await;

    end(&app, &alice, id_of(&list, "Unknown device"))
        .await
        .expect(200);

    app.get("/v1/auth/sessions", &alice.access)
        .await
        .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn test_another_users_session_is_not_found_and_keeps_working() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let alices = sessions(&app, &alice).await;

    end(&app, &bob, alices[0]["id"].as_str().unwrap())
        .await
        .expect_error(404, "not_found");
    end(&app, &bob, "not-a-session")
        .await
        .expect_error(404, "not_found");

    app.get("/v1/users/me", &alice.access).await.expect(200);
    refresh(&app, &alice).await.expect(200);
}

#[tokio::test]
async fn test_signing_out_everywhere_else_keeps_only_this_session() {
    let app = TestApp::spawn().await;
    let here = app.register("alice").await;
    let mut others = Vec::new();
    for device in ["phone", "tablet"] {
        others.push(
            login_with(
                &app,
                None,
                json!({ "username": "alice", "password": PASSWORD, "device_name": device }),
            )
            .await,
        );
    }
    let bob = app.register("bob").await;

    let ended = app
        .post("/v1/auth/sessions/revoke-others", &here.access, json!({}))
        .await
        .expect(200);
    assert_eq!(ended.data()["ended"], 2);

    for other in &others {
        app.get("/v1/users/me", &other.access)
            .await
            .expect_error(401, "unauthorized");
        refresh(&app, other).await.expect_error(401, "unauthorized");
    }
    assert_eq!(sessions(&app, &here).await.len(), 1);
    app.get("/v1/users/me", &bob.access).await.expect(200);
}

#[tokio::test]
async fn test_logging_out_ends_the_access_token_too() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;

    app.post_anon("/v1/auth/logout", json!({ "refresh_token": alice.refresh }))
        .await
        .expect(200);

    app.get("/v1/users/me", &alice.access)
        .await
        .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn test_a_device_name_is_checked() {
    let app = TestApp::spawn().await;
    app.register("alice").await;

    for bad in ["", "   ", &"x".repeat(65), "tab\there"] {
        let response = app
            .post_anon(
                "/v1/auth/login",
                json!({ "username": "alice", "password": PASSWORD, "device_name": bad }),
            )
            .await
            .expect_error(422, "validation_failed");
        assert!(
            response.body["error"]["details"]["device_name"].is_array()
                || response.body["error"]["details"]["device_name"].is_string(),
            "{}",
            response.body
        );
    }
}

#[tokio::test]
async fn test_the_session_list_needs_a_signed_in_caller() {
    let app = TestApp::spawn().await;
    app.request(Method::GET, "/v1/auth/sessions", None, None)
        .await
        .expect_error(401, "unauthorized");
    app.request(Method::POST, "/v1/auth/sessions/revoke-others", None, None)
        .await
        .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn test_a_signed_out_devices_live_socket_closes_at_once() {
    let app = TestApp::spawn().await;
    let laptop = app.register("alice").await;
    let phone = login_with(
        &app,
        None,
        json!({ "username": "alice", "password": PASSWORD, "device_name": "phone" }),
    )
    .await;
    let mut laptop_ws = app.ws(&laptop).await;
    let mut phone_ws = app.ws(&phone).await;

    app.post("/v1/auth/sessions/revoke-others", &phone.access, json!({}))
        .await
        .expect(200);

    let (code, reason) = laptop_ws.closed().await;
    assert_eq!(code, 1008, "policy violation: {reason}");
    assert!(reason.contains("session has ended"), "{reason}");
    // The device that asked keeps its socket.
    phone_ws
        .subscribe(&app.direct(&phone, &app.register("bob").await).await)
        .await;
}
