//! Full-text search: stemming, phrases, prefixes, snippets, newest first with a cursor; only
//! in my conversations, never a deleted message.

use serde_json::Value;

use crate::message_support::{MessageApi, encode, id_of};
use crate::support::{Response, Session, TestApp};

async fn search_in(app: &TestApp, who: &Session, dm: &str, query: &str) -> Response {
    app.get(
        &format!("/v1/conversations/{dm}/messages/search?{query}"),
        &who.access,
    )
    .await
}

async fn search_all(app: &TestApp, who: &Session, query: &str) -> Response {
    app.get(&format!("/v1/messages/search?{query}"), &who.access)
        .await
}

fn q(text: &str) -> String {
    format!("q={}", encode(text))
}

fn texts(answer: &Response) -> Vec<String> {
    answer.data()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"]["content"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn test_search_matches_stems_phrases_and_prefixes_newest_first() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    for (i, text) in [
        "I was running late this morning",
        "the release notes are ready",
        "notes about the release",
        "Deployment went fine",
        "She runs every day",
    ]
    .iter()
    .enumerate()
    {
        app.send(&alice, &dm, &format!("k{i}"), text)
            .await
            .expect(201);
    }
    let stems = search_in(&app, &bob, &dm, &q("run")).await.expect(200);
    assert_eq!(
        texts(&stems),
        ["She runs every day", "I was running late this morning"],
        "porter stemming, newest first"
    );
    let phrase = search_in(&app, &bob, &dm, &q("\"release notes\""))
        .await
        .expect(200);
    assert_eq!(texts(&phrase), ["the release notes are ready"]);
    let words = search_in(&app, &bob, &dm, &q("release notes"))
        .await
        .expect(200);
    assert_eq!(texts(&words).len(), 2, "all words, any order");
    let prefix = search_all(&app, &bob, &q("deploy*")).await.expect(200);
    assert_eq!(texts(&prefix), ["Deployment went fine"]);
    let none = search_all(&app, &bob, &q("kubernetes")).await.expect(200);
    assert_eq!(none.data()["results"], serde_json::json!([]));
    assert!(none.data()["next_cursor"].is_null());
    assert_eq!(none.data()["has_more"], false);
}

#[tokio::test]
async fn test_search_snippets_mark_the_matches() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    app.send(&alice, &dm, "k", "we keep running <b>tests</b> all night")
        .await
        .expect(201);
    let found = search_in(&app, &bob, &dm, &q("run test")).await.expect(200);
    let snippet = &found.data()["results"][0]["snippet"];
    let marked: Vec<(&str, bool)> = snippet
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["text"].as_str().unwrap(),
                p["highlight"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(marked.contains(&("running", true)), "{marked:?}");
    assert!(marked.contains(&("tests", true)), "{marked:?}");
    let whole: String = marked.iter().map(|(t, _)| *t).collect();
    assert_eq!(
        whole, "we keep running <b>tests</b> all night",
        "text verbatim"
    );
    assert_eq!(
        found.data()["results"][0]["message"]["sender_id"],
        alice.user_id.as_str()
    );
}

#[tokio::test]
async fn test_search_pages_with_an_opaque_cursor() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    for i in 0..7 {
        app.send(&alice, &dm, &format!("k{i}"), &format!("standup note {i}"))
            .await
            .expect(201);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("{}&limit=3&cursor={}", q("standup"), encode(c)),
            None => format!("{}&limit=3", q("standup")),
        };
        let page = search_in(&app, &bob, &dm, &query).await.expect(200);
        seen.extend(texts(&page));
        match page.data()["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(page.data()["has_more"], true);
                cursor = Some(next.to_owned());
            }
            None => break,
        }
    }
    assert_eq!(
        seen,
        (0..7)
            .rev()
            .map(|i| format!("standup note {i}"))
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn test_search_never_finds_deleted_messages_or_other_peoples_conversations() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let carol = app.register("carol").await;
    let theirs = app.direct(&alice, &carol).await;
    app.send(&carol, &theirs, "c1", "the secret recipe")
        .await
        .expect(201);
    let gone = app
        .send(&alice, &dm, "a1", "secret plans")
        .await
        .expect(201);
    app.send(&alice, &dm, "a2", "edited away").await.expect(201);

    assert_eq!(
        texts(&search_all(&app, &bob, &q("secret")).await.expect(200)),
        ["secret plans"]
    );
    search_in(&app, &bob, &theirs, &q("secret"))
        .await
        .expect_error(403, "forbidden");
    assert_eq!(
        texts(&search_all(&app, &alice, &q("secret")).await.expect(200)).len(),
        2
    );

    app.delete_message(&alice, &dm, &id_of(&gone))
        .await
        .expect(200);
    assert!(texts(&search_all(&app, &bob, &q("secret")).await.expect(200)).is_empty());
    assert!(texts(&search_in(&app, &alice, &dm, &q("plans")).await.expect(200)).is_empty());
    let edited = search_all(&app, &alice, &q("edited")).await.expect(200);
    let id = edited.data()["results"][0]["message"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.edit(&alice, &dm, &id, "rewritten entirely")
        .await
        .expect(200);
    assert!(texts(&search_all(&app, &alice, &q("edited")).await.expect(200)).is_empty());
    assert_eq!(
        texts(&search_all(&app, &bob, &q("rewritten")).await.expect(200)),
        ["rewritten entirely"]
    );
}

#[tokio::test]
async fn test_search_rejects_bad_queries_and_cursors() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    for query in [
        String::new(),
        "q=".to_owned(),
        q("   "),
        q("!!! ***"),
        q(&"a".repeat(201)),
        format!("{}&limit=0", q("hello")),
    ] {
        let answer = search_all(&app, &alice, &query)
            .await
            .expect_error(422, "validation_failed");
        let details = &answer.body["error"]["details"];
        assert!(
            details["q"].is_string() || details["limit"].is_string(),
            "{query}: {}",
            answer.body
        );
    }
    for cursor in ["garbage", "s1.zz", "s1.-5"] {
        search_in(
            &app,
            &alice,
            &dm,
            &format!("{}&cursor={}", q("hello"), encode(cursor)),
        )
        .await
        .expect_error(400, "bad_request");
    }
    search_in(&app, &alice, &uuid::Uuid::now_v7().to_string(), &q("hello"))
        .await
        .expect_error(404, "not_found");
    let operators = search_all(&app, &alice, &q("a OR b) NEAR(\"x"))
        .await
        .expect(200);
    assert_eq!(operators.data()["results"], Value::Array(Vec::new()));
}

#[tokio::test]
async fn test_openapi_documents_the_message_feature_endpoints() {
    let app = TestApp::spawn().await;
    let spec = app
        .request(reqwest::Method::GET, "/v1/openapi.json", None, None)
        .await
        .expect(200)
        .body;
    for (path, methods) in [
        (
            "/v1/conversations/{id}/messages/{message_id}",
            &["get", "patch", "delete"][..],
        ),
        (
            "/v1/conversations/{id}/messages/{message_id}/reactions/{emoji}",
            &["put", "delete"][..],
        ),
        (
            "/v1/conversations/{id}/messages/{message_id}/thread",
            &["get"][..],
        ),
        ("/v1/conversations/{id}/messages/search", &["get"][..]),
        ("/v1/messages/search", &["get"][..]),
    ] {
        for method in methods {
            assert!(
                spec["paths"][path][method].is_object(),
                "missing {method} {path}"
            );
        }
    }
    for schema in [
        "SearchResults",
        "ThreadPage",
        "EditMessageRequest",
        "ReactionDto",
        "ThreadDto",
    ] {
        assert!(
            spec["components"]["schemas"][schema].is_object(),
            "missing {schema}"
        );
    }
    let message = &spec["components"]["schemas"]["MessageDto"]["properties"];
    for field in [
        "deleted",
        "edited_at",
        "edit_count",
        "reply_to",
        "thread_root_id",
        "thread",
        "mentions",
        "reactions",
    ] {
        assert!(message[field].is_object(), "MessageDto lacks {field}");
    }
}
