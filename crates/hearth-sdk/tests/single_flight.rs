//! Single-flight refresh, as a unit: many requests refused with 401 at once produce one
//! refresh, and every one of them is retried with the new token. The server here is a small
//! real HTTP server on loopback that refuses every access token but the refreshed one and
//! counts refreshes (the full server's version of this test is in hearth-server's
//! `sdk_session.rs`).

#![allow(clippy::unwrap_used, reason = "test code")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use futures::future::join_all;
use hearth_proto::Tokens;
use serde_json::{Value, json};

fn tokens(access: &str) -> Tokens {
    Tokens {
        access_token: access.into(),
        refresh_token: format!("refresh-for-{access}"),
        token_type: "Bearer".into(),
        expires_in: 900,
    }
}

/// A server whose only good access token is `fresh`, and the count of its refreshes.
async fn server() -> (String, Arc<AtomicUsize>) {
    let refreshes = Arc::new(AtomicUsize::new(0));
    let counter = refreshes.clone();
    let app = Router::new()
        .route(
            "/v1/users/me",
            get(|headers: HeaderMap| async move {
                let fresh = headers.get("authorization").and_then(|v| v.to_str().ok())
                    == Some("Bearer fresh");
                if fresh {
                    let me = json!({ "id": uuid::Uuid::nil(), "username": "alice",
                        "display_name": "alice", "created_at": "2026-01-01T00:00:00Z" });
                    (StatusCode::OK, axum::Json(json!({ "data": me })))
                } else {
                    let error = json!({ "code": "unauthorized", "message": "expired" });
                    (
                        StatusCode::UNAUTHORIZED,
                        axum::Json(json!({ "error": error })),
                    )
                }
            }),
        )
        .route(
            "/v1/auth/refresh",
            post(move |axum::Json(body): axum::Json<Value>| async move {
                assert_eq!(
                    body.get("refresh_token"),
                    Some(&json!("refresh-for-expired"))
                );
                counter.fetch_add(1, Ordering::SeqCst);
                // Slow enough that every request has been refused before it answers.
                tokio::time::sleep(Duration::from_millis(100)).await;
                axum::Json(json!({ "data": { "tokens": tokens("fresh") } }))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, refreshes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_requests_refused_at_once_share_one_refresh() {
    let (base, refreshes) = server().await;
    let client = hearth_sdk::Client::new(&base)
        .unwrap()
        .signed_in(tokens("expired"));

    let answers = join_all((0..16).map(|_| client.me())).await;

    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(client.tokens().unwrap().access_token, "fresh");
}
