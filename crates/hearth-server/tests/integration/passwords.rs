//! Password reset by mail (through a real SMTP server, following the mailed link) and change
//! of password: what ends, what keeps working, and what is never revealed.

use serde_json::{Value, json};

use crate::smtp_support::{SmtpSink, mailing_server, token_in};
use crate::support::{Session, TestApp, session_of};

async fn register_with_email(app: &TestApp, name: &str) -> Session {
    let response = app
        .post_anon(
            "/v1/auth/register",
            json!({ "username": name, "password": "old password 1", "email": format!("{name}@example.org") }),
        )
        .await
        .expect(201);
    session_of(response.data())
}

async fn login(app: &TestApp, name: &str, password: &str) -> crate::support::Response {
    app.post_anon(
        "/v1/auth/login",
        json!({ "username": name, "password": password }),
    )
    .await
}

async fn ask_reset(app: &TestApp, login: &str) -> Value {
    app.post_anon("/v1/auth/password-reset", json!({ "login": login }))
        .await
        .expect(200)
        .data()
        .clone()
}

#[tokio::test]
async fn test_a_mailed_reset_link_sets_a_new_password_and_ends_every_session() {
    let mut sink = SmtpSink::start().await;
    let app = mailing_server(&sink, |_| {}).await;
    let first = register_with_email(&app, "alice").await;
    let second = session_of(
        login(&app, "alice", "old password 1")
            .await
            .expect(200)
            .data(),
    );

    ask_reset(&app, "ALICE@example.org").await;
    let mail = sink.next_mail().await;
    assert_eq!(mail["to"], json!(["alice@example.org"]));
    assert_eq!(
        mail["authenticated"], true,
        "the mailer signed in to the relay"
    );
    assert_eq!(mail["content_type"], "multipart/alternative");
    let text = mail["text"].as_str().unwrap();
    assert!(
        text.contains("https://chat.example.org/reset-password?token="),
        "{text}"
    );
    assert!(
        mail["html"]
            .as_str()
            .unwrap()
            .contains("href=\"https://chat.example.org/reset-password?token=")
    );
    assert!(!text.contains("old password 1"));
    let token = token_in(text);

    app.post_anon(
        "/v1/auth/password-reset/confirm",
        json!({ "token": token, "new_password": "new password 2" }),
    )
    .await
    .expect(200);

    for session in [&first, &second] {
        app.get("/v1/users/me", &session.access)
            .await
            .expect_error(401, "unauthorized");
        app.post_anon(
            "/v1/auth/refresh",
            json!({ "refresh_token": session.refresh }),
        )
        .await
        .expect_error(401, "unauthorized");
    }
    login(&app, "alice", "old password 1")
        .await
        .expect_error(401, "unauthorized");
    login(&app, "alice", "new password 2").await.expect(200);

    let notice = sink.next_mail().await;
    assert_eq!(notice["to"], json!(["alice@example.org"]));
    assert!(notice["subject"].as_str().unwrap().contains("changed"));
}

#[tokio::test]
async fn test_a_reset_link_works_once() {
    let mut sink = SmtpSink::start().await;
    let app = mailing_server(&sink, |_| {}).await;
    register_with_email(&app, "alice").await;
    ask_reset(&app, "alice").await;
    let token = token_in(sink.next_mail().await["text"].as_str().unwrap());
    let confirm = |password: &'static str| {
        app.post_anon(
            "/v1/auth/password-reset/confirm",
            json!({ "token": token, "new_password": password }),
        )
    };
    confirm("short")
        .await
        .expect_error(422, "validation_failed");
    confirm("new password 2").await.expect(200);
    confirm("new password 3")
        .await
        .expect_error(400, "invalid_token");
    app.post_anon(
        "/v1/auth/password-reset/confirm",
        json!({ "token": "made-up", "new_password": "new password 4" }),
    )
    .await
    .expect_error(400, "invalid_token");
}

#[tokio::test]
async fn test_a_reset_request_answers_the_same_whether_or_not_the_account_exists() {
    let mut sink = SmtpSink::start().await;
    let app = mailing_server(&sink, |_| {}).await;
    register_with_email(&app, "alice").await;
    // An account without an address cannot be mailed either.
    app.register("bob").await;
    let unknown = ask_reset(&app, "nobody@example.org").await;
    let no_address = ask_reset(&app, "bob").await;
    let known = ask_reset(&app, "alice").await;
    assert_eq!(unknown, known);
    assert_eq!(no_address, known);
    let mail = sink.next_mail().await;
    assert_eq!(
        mail["to"],
        json!(["alice@example.org"]),
        "only the existing account with an address got a mail"
    );
}

#[tokio::test]
async fn test_reset_requests_are_rate_limited_per_account() {
    let sink = SmtpSink::start().await;
    let app = mailing_server(&sink, |c| c.limits.mails_per_account_per_minute = 2).await;
    ask_reset(&app, "someone").await;
    ask_reset(&app, "SOMEONE").await;
    app.post_anon("/v1/auth/password-reset", json!({ "login": "someone" }))
        .await
        .expect_error(429, "rate_limited");
    ask_reset(&app, "someone-else").await;
}

#[tokio::test]
async fn test_changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let mut sink = SmtpSink::start().await;
    let app = mailing_server(&sink, |_| {}).await;
    let here = register_with_email(&app, "alice").await;
    let elsewhere = session_of(
        login(&app, "alice", "old password 1")
            .await
            .expect(200)
            .data(),
    );

    let wrong = app
        .post(
            "/v1/users/me/password",
            &here.access,
            json!({ "current_password": "not it at all", "new_password": "new password 2" }),
        )
        .await
        .expect_error(422, "validation_failed");
    assert!(
        !wrong.body["error"]["details"]["current_password"].is_null(),
        "the error names the field: {}",
        wrong.body
    );
    app.get("/v1/users/me", &elsewhere.access).await.expect(200);

    app.post(
        "/v1/users/me/password",
        &here.access,
        json!({ "current_password": "old password 1", "new_password": "new password 2" }),
    )
    .await
    .expect(200);
    app.get("/v1/users/me", &here.access).await.expect(200);
    app.get("/v1/users/me", &elsewhere.access)
        .await
        .expect_error(401, "unauthorized");
    app.post_anon(
        "/v1/auth/refresh",
        json!({ "refresh_token": elsewhere.refresh }),
    )
    .await
    .expect_error(401, "unauthorized");
    app.post_anon("/v1/auth/refresh", json!({ "refresh_token": here.refresh }))
        .await
        .expect(200);
    login(&app, "alice", "new password 2").await.expect(200);
    assert!(
        sink.next_mail().await["subject"]
            .as_str()
            .unwrap()
            .contains("changed")
    );
}
