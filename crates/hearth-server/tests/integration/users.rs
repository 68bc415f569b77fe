//! `/v1/users`: me, my profile and search.

use reqwest::Method;
use serde_json::json;

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

async fn register_with_email(app: &TestApp, name: &str, email: &str) -> crate::support::Session {
    let response = app
        .post_anon(
            "/v1/auth/register",
            json!({ "username": name, "password": "correct horse battery", "email": email }),
        )
        .await
        .expect(201);
    crate::support::session_of(response.data())
}

fn usernames(response: &crate::support::Response) -> Vec<String> {
    response.data()["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn test_search_by_email_finds_only_the_exact_address() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    register_with_email(&app, "bob", "bob@example.org").await;
    register_with_email(&app, "bobby", "bob@example.org.uk").await;

    let found = app
        .get("/v1/users/search?email=BOB@Example.org", &alice.access)
        .await
        .expect(200);
    assert_eq!(usernames(&found), ["bob"], "exact, any case");
    assert!(
        found.body.to_string().find("example.org").is_none(),
        "the address is not shown back: {}",
        found.body
    );
    for partial in ["bob@", "bob@example", "example.org"] {
        let found = app
            .get(&format!("/v1/users/search?email={partial}"), &alice.access)
            .await;
        if found.status == 200 {
            assert_eq!(usernames(&found), Vec::<String>::new(), "{partial}");
        } else {
            found.expect_error(422, "validation_failed");
        }
    }
    let nobody = app
        .get("/v1/users/search?email=nobody@example.org", &alice.access)
        .await
        .expect(200);
    assert_eq!(usernames(&nobody), Vec::<String>::new());
}

#[tokio::test]
async fn test_search_by_email_leaves_out_myself_and_is_rate_limited() {
    let app = TestApp::spawn_with(|config| config.limits.auth_per_username_per_minute = 3).await;
    let alice = register_with_email(&app, "alice", "alice@example.org").await;

    let mine = app
        .get("/v1/users/search?email=alice@example.org", &alice.access)
        .await
        .expect(200);
    assert_eq!(usernames(&mine), Vec::<String>::new());
    for _ in 0..2 {
        app.get("/v1/users/search?email=x@example.org", &alice.access)
            .await
            .expect(200);
    }
    app.get("/v1/users/search?email=y@example.org", &alice.access)
        .await
        .expect_error(429, "rate_limited");
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

#[tokio::test]
async fn test_a_new_display_name_is_what_everyone_reads() {
    let app = TestApp::spawn().await;
    let (alice, bob, conversation) = app.alice_and_bob().await;
    let renamed = app
        .patch(
            "/v1/users/me",
            &alice.access,
            json!({ "display_name": "  Alice Liddell  " }),
        )
        .await
        .expect(200);
    assert_eq!(renamed.data()["display_name"], "Alice Liddell", "trimmed");
    assert_eq!(renamed.data()["username"], "alice", "the login name stays");

    let me = app.get("/v1/users/me", &alice.access).await.expect(200);
    assert_eq!(me.data()["display_name"], "Alice Liddell");
    let found = app
        .get("/v1/users/search?query=alice%20l", &bob.access)
        .await
        .expect(200);
    assert_eq!(found.data()["users"][0]["display_name"], "Alice Liddell");
    let members = app
        .get(
            &format!("/v1/conversations/{conversation}/members"),
            &bob.access,
        )
        .await
        .expect(200);
    let alice_there = members.data()["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user"]["id"] == alice.user_id.as_str())
        .expect("alice is a member")
        .clone();
    assert_eq!(alice_there["user"]["display_name"], "Alice Liddell");
}

#[tokio::test]
async fn test_an_empty_profile_change_keeps_the_profile() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let before = app.get("/v1/users/me", &alice.access).await.expect(200);
    let after = app
        .patch("/v1/users/me", &alice.access, json!({}))
        .await
        .expect(200);
    assert_eq!(after.data(), before.data());
}

#[tokio::test]
async fn test_a_display_name_that_breaks_its_rule_is_refused_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let too_long = "x".repeat(65);
    for name in ["", "   ", too_long.as_str(), "tab\there"] {
        let refused = app
            .patch(
                "/v1/users/me",
                &alice.access,
                json!({ "display_name": name }),
            )
            .await
            .expect_error(422, "validation_failed");
        assert!(
            refused.body["error"]["details"]["display_name"].is_string(),
            "{name:?}: {:?}",
            refused.body
        );
    }
    let me = app.get("/v1/users/me", &alice.access).await.expect(200);
    assert_eq!(me.data()["display_name"], "alice");
}

#[tokio::test]
async fn test_a_profile_change_with_an_unknown_field_is_refused() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    app.patch(
        "/v1/users/me",
        &alice.access,
        json!({ "display_name": "A", "username": "mallory" }),
    )
    .await
    .expect_error(422, "validation_failed");
    let me = app.get("/v1/users/me", &alice.access).await.expect(200);
    assert_eq!(me.data()["username"], "alice");
    assert_eq!(me.data()["display_name"], "alice");
}

#[tokio::test]
async fn test_a_profile_change_needs_a_token() {
    let app = TestApp::spawn().await;
    app.request(
        Method::PATCH,
        "/v1/users/me",
        None,
        Some(json!({ "display_name": "Anyone" })),
    )
    .await
    .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn test_an_about_text_is_what_others_read_and_an_empty_one_clears_it() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;

    let changed = app
        .request(
            Method::PATCH,
            "/v1/users/me",
            Some(&alice.access),
            Some(json!({ "about": "  Curious.\nFalls down rabbit holes.  " })),
        )
        .await
        .expect(200);
    assert_eq!(
        changed.data()["about"],
        "Curious.\nFalls down rabbit holes."
    );

    let found = app
        .get("/v1/users/search?query=alice", &bob.access)
        .await
        .expect(200);
    assert_eq!(
        found.data()["users"][0]["about"],
        "Curious.\nFalls down rabbit holes."
    );
    let members = app
        .get(&format!("/v1/conversations/{dm}/members"), &bob.access)
        .await
        .expect(200);
    let alices = members.data()["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user"]["id"] == alice.user_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        alices["user"]["about"],
        "Curious.\nFalls down rabbit holes."
    );

    app.request(
        Method::PATCH,
        "/v1/users/me",
        Some(&alice.access),
        Some(json!({ "about": "" })),
    )
    .await
    .expect(200);
    let me = app.get("/v1/users/me", &alice.access).await.expect(200);
    assert!(me.data().get("about").is_none(), "{}", me.body);
}

#[tokio::test]
async fn test_an_about_text_that_breaks_its_rule_is_refused() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;

    for bad in ["x".repeat(501), "tab\there".to_owned()] {
        let refused = app
            .request(
                Method::PATCH,
                "/v1/users/me",
                Some(&alice.access),
                Some(json!({ "about": bad })),
            )
            .await
            .expect_error(422, "validation_failed");
        assert!(refused.body["error"]["details"]["about"].is_string());
    }
}
