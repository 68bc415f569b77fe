//! Changing one's e-mail address through a real SMTP server: the account moves to the new
//! address only when the link mailed there is followed.

use serde_json::{Value, json};

use crate::smtp_support::{SmtpSink, mailing_server, token_in};
use crate::support::{Session, TestApp, session_of};

const PASSWORD: &str = "a good password";

async fn register(app: &TestApp, name: &str) -> Session {
    let response = app
        .post_anon(
            "/v1/auth/register",
            json!({ "username": name, "password": PASSWORD, "email": format!("{name}@example.org") }),
        )
        .await
        .expect(201);
    session_of(response.data())
}

async fn address_of(app: &TestApp, who: &Session) -> (Value, Value) {
    let export = app
        .get("/v1/users/me/export", &who.access)
        .await
        .expect(200);
    let data = export.data();
    (data["email"].clone(), data["email_verified_at"].clone())
}

#[tokio::test]
async fn test_the_new_address_is_taken_only_once_the_link_mailed_there_is_followed() {
    let mut sink = SmtpSink::start().await;
    let app = mailing_server(&sink, |_| {}).await;
    let vera = register(&app, "vera").await;

    app.post(
        "/v1/users/me/email",
        &vera.access,
        json!({ "email": "Vera.New@Example.org", "password": PASSWORD }),
    )
    .await
    .expect(200);

    let mail = sink.next_mail().await;
    assert_eq!(mail["to"], json!(["vera.new@example.org"]));
    let text = mail["text"].as_str().unwrap();
    assert!(
        text.contains("https://chat.example.org/verify-email?token="),
        "{text}"
    );
    assert_eq!(
        address_of(&app, &vera).await,
        (json!("vera@example.org"), Value::Null),
        "the old address stays until the new one is proven"
    );

    let token = token_in(text);
    app.post_anon("/v1/auth/verify-email", json!({ "token": token }))
        .await
        .expect(200);
    let (email, verified) = address_of(&app, &vera).await;
    assert_eq!(email, "vera.new@example.org");
    assert!(verified.is_string(), "the new address is proven");
    let notice = sink.next_mail().await;
    assert_eq!(
        notice["to"],
        json!(["vera@example.org"]),
        "the old address is told"
    );
    let text = notice["text"].as_str().unwrap();
    assert!(text.contains("changed to vera.new@example.org"), "{text}");
    assert!(
        !text.contains("token="),
        "no link that could undo or take over: {text}"
    );
    app.post_anon("/v1/auth/verify-email", json!({ "token": token }))
        .await
        .expect_error(400, "invalid_token");
}

#[tokio::test]
async fn test_an_address_change_needs_the_password_and_a_free_address() {
    let sink = SmtpSink::start().await;
    let app = mailing_server(&sink, |_| {}).await;
    let vera = register(&app, "vera").await;
    register(&app, "otto").await;

    let change = |body: Value| {
        let (app, access) = (&app, vera.access.clone());
        async move { app.post("/v1/users/me/email", &access, body).await }
    };
    let wrong = change(json!({ "email": "v2@example.org", "password": "nope nope" }))
        .await
        .expect_error(422, "validation_failed");
    assert!(wrong.body["error"]["details"]["password"].is_string());
    change(json!({ "email": "v2@example.org" }))
        .await
        .expect_error(422, "validation_failed");
    let malformed = change(json!({ "email": "not an address", "password": PASSWORD }))
        .await
        .expect_error(422, "validation_failed");
    assert!(malformed.body["error"]["details"]["email"].is_string());
    change(json!({ "email": "vera@example.org", "password": PASSWORD }))
        .await
        .expect_error(422, "validation_failed");
    change(json!({ "email": "otto@example.org", "password": PASSWORD }))
        .await
        .expect_error(409, "conflict");
    assert_eq!(
        address_of(&app, &vera).await.0,
        "vera@example.org",
        "nothing changed"
    );
}
