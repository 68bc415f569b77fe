//! The GraphQL face's reads over HTTP: seed 001's queries, Relay paging, auth failures with
//! `extensions.code`, the depth and complexity limits, the published SDL, and the constant
//! number of store reads behind the conversation list.

use serde_json::json;

use crate::support::TestApp;

const CONVERSATIONS: &str = "{ conversations { id isGroup groupName participants { id username displayName } lastMessage { id content sender { id username } status } } }";

#[tokio::test]
async fn test_graphql_conversations_lists_participants_and_last_message() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    app.send(&bob, &dm, "k1", "hello alice").await.expect(201);

    let answer = app.gql(&alice, CONVERSATIONS, json!({})).await;

    let list = answer.data()["conversations"].as_array().unwrap().clone();
    assert_eq!(list.len(), 1);
    let dm_seen = &list[0];
    assert_eq!(dm_seen["id"], dm.as_str());
    assert_eq!(dm_seen["isGroup"], false);
    assert!(dm_seen["groupName"].is_null());
    let mut names: Vec<&str> = dm_seen["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["username"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["alice", "bob"]);
    assert_eq!(dm_seen["lastMessage"]["content"], "hello alice");
    assert_eq!(dm_seen["lastMessage"]["sender"]["id"], bob.user_id.as_str());
    assert_eq!(dm_seen["lastMessage"]["status"], "SENT");
}

#[tokio::test]
async fn test_graphql_conversation_is_forbidden_to_outsiders_and_unknown_is_not_found() {
    let app = TestApp::spawn().await;
    let (_alice, _bob, dm) = app.alice_and_bob().await;
    let carol = app.register("carol").await;
    let query = "query($id: ID!) { conversation(id: $id) { id } }";

    app.gql(&carol, query, json!({ "id": dm }))
        .await
        .expect_code("forbidden");
    app.gql(
        &carol,
        query,
        json!({ "id": uuid::Uuid::now_v7().to_string() }),
    )
    .await
    .expect_code("not_found");
    app.gql(&carol, query, json!({ "id": "not-an-id" }))
        .await
        .expect_code("not_found");
}

#[tokio::test]
async fn test_graphql_messages_page_a_long_history_exactly_once() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut sent = Vec::new();
    for i in 0..7 {
        let who = if i % 2 == 0 { &alice } else { &bob };
        let message = app.send(who, &dm, &format!("k{i}"), &format!("m{i}")).await;
        sent.push(
            message.expect(201).data()["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let query = "query($id: ID!, $after: String) { conversation(id: $id) { messages(first: 3, after: $after) { edges { cursor node { id content sender { username } } } pageInfo { hasNextPage endCursor } } } }";

    let mut seen = Vec::new();
    let mut after = serde_json::Value::Null;
    let mut pages = 0;
    loop {
        pages += 1;
        let answer = app
            .gql(&alice, query, json!({ "id": dm, "after": after }))
            .await;
        let connection = answer.data()["conversation"]["messages"].clone();
        for edge in connection["edges"].as_array().unwrap() {
            seen.push(edge["node"]["id"].as_str().unwrap().to_owned());
            assert!(edge["node"]["sender"]["username"].is_string());
        }
        if connection["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
        assert!(pages < 10, "paging does not end");
    }

    assert_eq!(seen, sent);
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn test_graphql_a_cursor_the_server_did_not_give_is_bad_request() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let query = "query($id: ID!) { conversation(id: $id) { messages(after: \"garbage!\") { edges { cursor } } } }";

    app.gql(&alice, query, json!({ "id": dm }))
        .await
        .expect_code("bad_request");
}

#[tokio::test]
async fn test_graphql_without_a_token_is_unauthorized() {
    let app = TestApp::spawn().await;

    app.gql_as(None, "{ conversations { id } }", json!({}))
        .await
        .expect_code("unauthorized");
}

#[tokio::test]
async fn test_graphql_with_a_bad_token_is_unauthorized() {
    let app = TestApp::spawn().await;

    app.gql_as(Some("not-a-token"), "{ conversations { id } }", json!({}))
        .await
        .expect_code("unauthorized");
}

#[tokio::test]
async fn test_graphql_standard_introspection_query_is_within_the_limits() {
    let app = TestApp::spawn().await;
    let query = include_str!("fixtures/introspection.graphql");

    let answer = app.gql_as(None, query, json!({})).await;

    assert_eq!(answer.data()["__schema"]["queryType"]["name"], "Query");
    assert_eq!(
        answer.data()["__schema"]["subscriptionType"]["name"],
        "Subscription"
    );
}

/// An introspection query nested 25 deep (the limit is 16).
fn too_deep() -> String {
    let nested = "ofType { ".repeat(20) + "name" + &" }".repeat(20);
    format!("{{ __schema {{ types {{ fields {{ type {{ {nested} }} }} }} }} }}")
}

#[tokio::test]
async fn test_graphql_a_query_nested_past_the_depth_limit_is_bad_request() {
    let app = TestApp::spawn().await;

    let answer = app.gql_as(None, &too_deep(), json!({})).await;

    answer.expect_code("bad_request");
    assert!(answer.0.body["data"].is_null());
}

#[tokio::test]
async fn test_graphql_a_query_past_the_depth_limit_is_refused_again_when_sent_again() {
    let app = TestApp::spawn().await;
    // The second time its parse comes from the cache; the limit is checked all the same.
    let first = app.gql_as(None, &too_deep(), json!({})).await;
    first.expect_code("bad_request");

    let again = app.gql_as(None, &too_deep(), json!({})).await;

    again.expect_code("bad_request");
    assert!(again.0.body["data"].is_null());
}

#[tokio::test]
async fn test_graphql_one_document_is_held_to_the_complexity_of_each_requests_variables() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    // The list counts 10 × a page, a page `first` × its fields: 10 × 1 × 3 passes, 10 × 100 ×
    // 3 does not; the same text each time, so the second and third come from the cache.
    let query =
        "query($n: Int) { conversations { messages(first: $n) { edges { node { id } } } } }";

    app.gql(&alice, query, json!({ "n": 1 })).await.data();
    app.gql(&alice, query, json!({ "n": 100 }))
        .await
        .expect_code("bad_request");
    app.gql(&alice, query, json!({ "n": 1 })).await.data();
}

#[tokio::test]
async fn test_graphql_a_query_past_the_complexity_limit_is_bad_request() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    // 300 aliases of the list, each counted 10 × its fields: far beyond the limit, 3 deep.
    let fields: String = (0..300)
        .map(|i| format!("c{i}: conversations {{ id }} "))
        .collect();

    let answer = app.gql(&alice, &format!("{{ {fields} }}"), json!({})).await;

    answer.expect_code("bad_request");
    assert!(
        answer.0.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("complex")
    );
}

#[tokio::test]
async fn test_graphql_sdl_is_served_as_checked_in() {
    let app = TestApp::spawn().await;

    let served = app
        .client
        .get(app.url("/graphql/schema.graphql"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    assert_eq!(
        served,
        include_str!("../../../hearth-graphql/schema.graphql")
    );
}

/// Store reads of one `conversations { participants lastMessage { sender } }` for a caller in
/// `conversations` groups.
async fn reads_for_list_of(conversations: usize) -> u64 {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    for i in 0..conversations {
        let other = app.register(&format!("member{i}")).await;
        let group = app.group(&alice, &[&other]).await;
        app.send(&other, &group, &format!("k{i}"), "hi")
            .await
            .expect(201);
    }
    // Once, so every cache the list touches is as warm as it gets.
    app.gql(&alice, CONVERSATIONS, json!({})).await.data();

    let before = app.store_reads().await;
    let answer = app.gql(&alice, CONVERSATIONS, json!({})).await;
    let after = app.store_reads().await;

    assert_eq!(
        answer.data()["conversations"].as_array().unwrap().len(),
        conversations
    );
    after - before
}

#[tokio::test]
async fn test_graphql_conversation_list_costs_the_same_store_reads_for_2_or_12_rows() {
    let few = reads_for_list_of(2).await;
    let many = reads_for_list_of(12).await;

    assert_eq!(
        few, many,
        "store reads grow with the rows: {few} for 2, {many} for 12"
    );
    assert!(few <= 2, "{few} store reads for one list");
}

/// Store reads of one page of messages from `senders` different people, on a server whose
/// caches are cold (restarted), so every sender must be read.
async fn reads_for_page_by(senders: usize) -> u64 {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let mut members = Vec::new();
    for i in 0..senders {
        members.push(app.register(&format!("sender{i}")).await);
    }
    let group = app.group(&alice, &members.iter().collect::<Vec<_>>()).await;
    for (i, member) in members.iter().enumerate() {
        app.send(member, &group, &format!("k{i}"), "hi")
            .await
            .expect(201);
    }
    let app = app.restart().await;
    let query = "query($id: ID!) { conversation(id: $id) { messages { edges { node { sender { username } } } } } }";

    let before = app.store_reads().await;
    let answer = app.gql(&alice, query, json!({ "id": group })).await;
    let after = app.store_reads().await;

    let edges = answer.data()["conversation"]["messages"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len(), senders);
    assert!(edges.iter().all(|e| {
        e["node"]["sender"]["username"]
            .as_str()
            .is_some_and(|name| name.starts_with("sender"))
    }));
    after - before
}

#[tokio::test]
async fn test_graphql_message_senders_are_read_in_one_batch() {
    let few = reads_for_page_by(2).await;
    let many = reads_for_page_by(8).await;

    assert_eq!(
        few, many,
        "store reads grow with the senders: {few} for 2, {many} for 8"
    );
}

#[tokio::test]
async fn test_graphql_a_page_size_out_of_range_names_first() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let query =
        "query($id: ID!) { conversation(id: $id) { messages(first: 0) { edges { cursor } } } }";

    let answer = app.gql(&alice, query, json!({ "id": dm })).await;

    answer.expect_code("validation_failed");
    assert!(answer.0.body["errors"][0]["extensions"]["details"]["first"].is_string());
}

#[tokio::test]
async fn test_graphql_a_body_over_the_limit_is_payload_too_large() {
    let app = TestApp::spawn_with(|config| config.limits.max_body_bytes = 1024).await;
    let padding = "x".repeat(4096);

    let answer = app
        .gql_as(None, &format!("{{ __typename }} # {padding}"), json!({}))
        .await;

    assert_eq!(answer.0.status, 413);
    answer.expect_code("payload_too_large");
}

#[tokio::test]
async fn test_graphql_a_body_that_is_not_a_request_is_bad_request() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "bad_request");
}
