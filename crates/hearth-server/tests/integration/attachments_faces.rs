//! Files on messages over the second faces, with Rust clients: GraphQL `sendMessage(…,
//! attachments:)` and `Message.attachments`, gRPC `attachment_ids` and `Message.attachments`.
//! (Socket.IO's are tested with the stock client in tests/faces.)

use hearth_grpc::pb::{GetConversationHistoryRequest, SendMessageRequest};
use serde_json::json;
use tonic::Code;

use crate::grpc_support::{assert_refused, authed};
use crate::media_support::PNG;
use crate::support::{Session, TestApp};

/// A server, Alice and Bob with their direct conversation, and a PNG Alice uploaded (its id).
async fn with_a_file() -> (TestApp, Session, Session, String, String) {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let media = app
        .upload(&alice.access, "pixel.png", PNG)
        .await
        .expect(201);
    let file = media.data()["id"].as_str().unwrap().to_owned();
    (app, alice, bob, dm, file)
}

#[tokio::test]
async fn test_graphql_sends_files_and_reads_them_as_media_references() {
    let (app, alice, bob, dm, file) = with_a_file().await;
    let sent = app
        .gql(
            &alice,
            "mutation($c: ID!, $f: [ID!]) { sendMessage(conversationId: $c, content: \"\", \
             attachments: $f) { id attachments { id mediaType storageLocation fileName } } }",
            json!({ "c": dm, "f": [file] }),
        )
        .await;
    assert_eq!(
        sent.data()["sendMessage"]["attachments"],
        json!([{
            "id": file,
            "mediaType": "image",
            "storageLocation": format!("/v1/media/{file}/content"),
            "fileName": "pixel.png",
        }])
    );
    let read = app
        .gql(
            &bob,
            "query($c: ID!) { conversation(id: $c) { messages(first: 10) { edges { node { \
             attachments { id } } } } } }",
            json!({ "c": dm }),
        )
        .await;
    assert_eq!(
        read.data()["conversation"]["messages"]["edges"][0]["node"]["attachments"],
        json!([{ "id": file }])
    );
    app.gql(
        &bob,
        "mutation($c: ID!, $f: [ID!]) { sendMessage(conversationId: $c, content: \"x\", \
         attachments: $f) { id } }",
        json!({ "c": dm, "f": [file] }),
    )
    .await
    .expect_code("not_found");
}

#[tokio::test]
async fn test_grpc_sends_files_and_history_carries_them() {
    let (app, alice, bob, dm, file) = with_a_file().await;
    let mut grpc = app.messenger().await;
    let request = |key: &str, files: Vec<String>| SendMessageRequest {
        conversation_id: dm.clone(),
        sender_id: String::new(),
        content: String::new(),
        client_message_id: Some(key.to_owned()),
        attachment_ids: files,
    };
    let sent = grpc
        .send_message(authed(request("k1", vec![file.clone()]), &alice.access))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(sent.attachments.len(), 1);
    let page = grpc
        .get_conversation_history(authed(
            GetConversationHistoryRequest {
                conversation_id: dm.clone(),
                ..Default::default()
            },
            &bob.access,
        ))
        .await
        .unwrap()
        .into_inner();
    let message = page.messages.last().unwrap();
    assert_eq!(message.id, sent.message_id);
    let attached = &message.attachments[0];
    assert_eq!(attached.id, file);
    assert_eq!(attached.file_name, "pixel.png");
    assert_eq!(attached.size, PNG.len() as u64);
    assert_eq!(attached.download_path, format!("/v1/media/{file}/content"));

    let refused = grpc
        .send_message(authed(
            request("k2", vec!["nope".to_owned()]),
            &alice.access,
        ))
        .await;
    assert_refused(refused, Code::NotFound, "not_found");
}
