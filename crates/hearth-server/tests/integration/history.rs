//! History windows: `after_seq`, `before_seq` and `limit`, with `has_more` in the direction
//! of reading.

use serde_json::Value;

use crate::message_support::MessageApi;
use crate::support::TestApp;

fn seqs(page: &Value) -> Vec<i64> {
    page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn test_history_pages_backwards_from_the_latest_and_forwards_from_a_seq() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    for i in 0..7 {
        app.send(&alice, &dm, &format!("k{i}"), &format!("m{i}"))
            .await
            .expect(201);
    }
    // Messages are seqs 2..=8.
    let latest = app
        .history(&bob, &dm, "before_seq=9&limit=3")
        .await
        .expect(200);
    assert_eq!(
        seqs(latest.data()),
        [6, 7, 8],
        "the newest page, oldest first"
    );
    assert_eq!(latest.data()["has_more"], true);
    let older = app
        .history(&bob, &dm, "before_seq=6&limit=3")
        .await
        .expect(200);
    assert_eq!(seqs(older.data()), [3, 4, 5]);
    let oldest = app
        .history(&bob, &dm, "before_seq=3&limit=3")
        .await
        .expect(200);
    assert_eq!(seqs(oldest.data()), [2]);
    assert_eq!(oldest.data()["has_more"], false);

    let forward = app
        .history(&bob, &dm, "after_seq=4&limit=2")
        .await
        .expect(200);
    assert_eq!(seqs(forward.data()), [5, 6]);
    assert_eq!(forward.data()["has_more"], true);
    let window = app
        .history(&bob, &dm, "after_seq=3&before_seq=7&limit=10")
        .await
        .expect(200);
    assert_eq!(seqs(window.data()), [4, 5, 6]);
    assert_eq!(window.data()["has_more"], false);
    let window = app
        .history(&bob, &dm, "after_seq=3&before_seq=7&limit=2")
        .await
        .expect(200);
    assert_eq!(seqs(window.data()), [4, 5]);
    assert_eq!(window.data()["has_more"], true);
}

#[tokio::test]
async fn test_history_windows_are_stable_under_concurrent_sends() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    for i in 0..4 {
        app.send(&alice, &dm, &format!("k{i}"), "before")
            .await
            .expect(201);
    }
    let page = app
        .history(&bob, &dm, "before_seq=6&limit=2")
        .await
        .expect(200);
    let keys: Vec<String> = (0..10).map(|i| format!("later{i}")).collect();
    let sends = keys.iter().map(|key| app.send(&bob, &dm, key, "later"));
    futures::future::join_all(sends).await;
    let again = app
        .history(&bob, &dm, "before_seq=6&limit=2")
        .await
        .expect(200);
    assert_eq!(
        page.data(),
        again.data(),
        "new messages never shift an old window"
    );
}

#[tokio::test]
async fn test_history_windows_are_validated() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    for (query, field) in [
        ("before_seq=0", "before_seq"),
        ("before_seq=-3", "before_seq"),
        ("before_seq=abc", "before_seq"),
        ("after_seq=5&before_seq=5", "before_seq"),
        ("after_seq=-1", "after_seq"),
        ("before_seq=10&limit=101", "limit"),
    ] {
        let answer = app
            .history(&alice, &dm, query)
            .await
            .expect_error(422, "validation_failed");
        assert!(
            answer.body["error"]["details"][field].is_string(),
            "{query}: {}",
            answer.body
        );
    }
}
