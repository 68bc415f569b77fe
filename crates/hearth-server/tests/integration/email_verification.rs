//! Proving an e-mail address before sign-in (`auth.require_email_verification`), through a
//! real SMTP server, following the mailed link.

use serde_json::json;

use crate::smtp_support::{SmtpSink, mailing_server, token_in};
use crate::support::TestApp;

async fn verifying_server(sink: &SmtpSink) -> TestApp {
    mailing_server(sink, |config| config.auth.require_email_verification = true).await
}

async fn register(app: &TestApp, name: &str) -> crate::support::Response {
    app.post_anon(
        "/v1/auth/register",
        json!({ "username": name, "password": "a good password", "email": format!("{name}@example.org") }),
    )
    .await
}

async fn login(app: &TestApp, name: &str) -> crate::support::Response {
    app.post_anon(
        "/v1/auth/login",
        json!({ "username": name, "password": "a good password" }),
    )
    .await
}

/// The token of the next mail's confirmation link, checking where the link points.
async fn mailed_token(sink: &mut SmtpSink, to: &str) -> String {
    let mail = sink.next_mail().await;
    assert_eq!(mail["to"], json!([to]));
    let text = mail["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("https://chat.example.org/verify-email?token="),
        "{text}"
    );
    token_in(text)
}

#[tokio::test]
async fn test_registration_mails_a_link_and_sign_in_waits_until_it_is_followed() {
    let mut sink = SmtpSink::start().await;
    let app = verifying_server(&sink).await;
    let pending = register(&app, "vera").await.expect(202);
    assert_eq!(pending.data()["email_verification_required"], true);
    assert_eq!(pending.data()["user"]["username"], "vera");
    assert!(pending.data().get("tokens").is_none(), "no session yet");

    login(&app, "vera")
        .await
        .expect_error(403, "email_not_verified");
    let token = mailed_token(&mut sink, "vera@example.org").await;
    app.post_anon("/v1/auth/verify-email", json!({ "token": token }))
        .await
        .expect(200);
    login(&app, "vera").await.expect(200);
}

#[tokio::test]
async fn test_a_confirmation_link_works_once() {
    let mut sink = SmtpSink::start().await;
    let app = verifying_server(&sink).await;
    register(&app, "otto").await.expect(202);
    let token = mailed_token(&mut sink, "otto@example.org").await;
    app.post_anon("/v1/auth/verify-email", json!({ "token": token }))
        .await
        .expect(200);
    app.post_anon("/v1/auth/verify-email", json!({ "token": token }))
        .await
        .expect_error(400, "invalid_token");
    app.post_anon("/v1/auth/verify-email", json!({ "token": "made-up" }))
        .await
        .expect_error(400, "invalid_token");
}

#[tokio::test]
async fn test_registration_needs_an_address_when_addresses_are_confirmed() {
    let sink = SmtpSink::start().await;
    let app = verifying_server(&sink).await;
    let refused = app
        .post_anon(
            "/v1/auth/register",
            json!({ "username": "noaddress", "password": "a good password" }),
        )
        .await
        .expect_error(422, "validation_failed");
    assert!(
        refused.body["error"]["details"]["email"].is_string(),
        "{:?}",
        refused.body
    );
}

#[tokio::test]
async fn test_a_new_link_can_be_asked_for_and_the_answer_reveals_nothing() {
    let mut sink = SmtpSink::start().await;
    let app = verifying_server(&sink).await;
    register(&app, "resa").await.expect(202);
    let first = mailed_token(&mut sink, "resa@example.org").await;

    let unknown = app
        .post_anon(
            "/v1/auth/verify-email/resend",
            json!({ "login": "nobody-here" }),
        )
        .await
        .expect(200);
    let known = app
        .post_anon("/v1/auth/verify-email/resend", json!({ "login": "RESA" }))
        .await
        .expect(200);
    assert_eq!(
        unknown.body, known.body,
        "the same answer for an unknown account"
    );

    let second = mailed_token(&mut sink, "resa@example.org").await;
    assert_ne!(first, second);
    app.post_anon("/v1/auth/verify-email", json!({ "token": second }))
        .await
        .expect(200);
    login(&app, "resa").await.expect(200);
}

#[tokio::test]
async fn test_without_the_setting_registration_signs_in_at_once() {
    let sink = SmtpSink::start().await;
    let app = mailing_server(&sink, |_| {}).await;
    let created = register(&app, "plain").await.expect(201);
    assert!(created.data()["tokens"]["access_token"].is_string());
    login(&app, "plain").await.expect(200);
}
