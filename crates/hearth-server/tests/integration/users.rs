//! `/v1/users`: me and search.

use crate::support::TestApp;

#[tokio::test]
async fn test_me_is_the_caller() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let me = app.get("/v1/users/me", &alice.access).await.expect(200);
    assert_eq!(me.data()["id"], alice.user_id.as_str());
    assert_eq!(me.data()["username"], "alice");
    assert!(me.data()["created_at"].as_str().is_some());
}

#[tokio::test]
async fn test_search_finds_other_users_by_prefix() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    app.register("alfred").await;
    app.register("bob").await;
    let found = app
        .get("/v1/users/search?query=AL", &alice.access)
        .await
        .expect(200);
    let names: Vec<_> = found.data()["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alfred"], "prefix match, the searcher excluded");
}

#[tokio::test]
async fn test_search_honours_the_limit() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    for name in ["bea", "ben", "bill"] {
        app.register(name).await;
    }
    let found = app
        .get("/v1/users/search?query=b&limit=2", &alice.access)
        .await
        .expect(200);
    assert_eq!(found.data()["users"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn test_search_validates_query_and_limit() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let missing = app
        .get("/v1/users/search", &alice.access)
        .await
        .expect_error(422, "validation_failed");
    assert!(missing.body["error"]["details"]["query"].is_string());
    for limit in ["0", "101", "ten"] {
        let bad = app
            .get(
                &format!("/v1/users/search?query=a&limit={limit}"),
                &alice.access,
            )
            .await
            .expect_error(422, "validation_failed");
        assert!(bad.body["error"]["details"]["limit"].is_string());
    }
}

#[tokio::test]
async fn test_users_endpoints_need_a_token() {
    let app = TestApp::spawn().await;
    app.request(reqwest::Method::GET, "/v1/users/search?query=a", None, None)
        .await
        .expect_error(401, "unauthorized");
}
