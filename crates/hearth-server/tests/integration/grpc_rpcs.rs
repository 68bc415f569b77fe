//! The gRPC face's other RPCs over the real server (CreateConversation,
//! GetConversationHistory, UpdatePresence, FederationService), health, reflection, metrics, and
//! HTTP beside it on the same port.

use hearth_grpc::pb::{
    CreateConversationRequest, DiscoverRequest, GetConversationHistoryRequest, PresenceStatus,
    UpdatePresenceRequest,
};
use tonic::Code;

use crate::grpc_support::{assert_refused, authed, grpc_send, send_request};
use crate::support::TestApp;

#[tokio::test]
async fn test_grpc_create_conversation_makes_a_group_with_its_participants() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let mut grpc = app.messenger().await;

    let group = grpc
        .create_conversation(authed(
            CreateConversationRequest {
                creator_id: alice.user_id.clone(),
                participant_ids: vec![bob.user_id.clone()],
                is_group: true,
                group_name: Some("Climbing".to_owned()),
            },
            &alice.access,
        ))
        .await
        .unwrap()
        .into_inner();

    assert!(group.is_group);
    assert_eq!(group.group_name.as_deref(), Some("Climbing"));
    let mut members: Vec<&str> = group
        .participants
        .iter()
        .map(|p| p.user_id.as_str())
        .collect();
    members.sort_unstable();
    let mut expected = vec![alice.user_id.as_str(), bob.user_id.as_str()];
    expected.sort_unstable();
    assert_eq!(members, expected);
    let owner = group
        .participants
        .iter()
        .find(|p| p.user_id == alice.user_id)
        .unwrap();
    assert_eq!(owner.role, "owner");
    // The REST face sees the same conversation.
    app.get(&format!("/v1/conversations/{}", group.id), &bob.access)
        .await
        .expect(200);
}

#[tokio::test]
async fn test_grpc_create_conversation_opens_the_direct_conversation_of_a_pair() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let mut grpc = app.messenger().await;

    let direct = grpc
        .create_conversation(authed(
            CreateConversationRequest {
                creator_id: alice.user_id.clone(),
                participant_ids: vec![bob.user_id.clone()],
                is_group: false,
                group_name: None,
            },
            &alice.access,
        ))
        .await
        .unwrap()
        .into_inner();

    assert_eq!(direct.id, dm, "one direct conversation per pair");
    assert!(!direct.is_group);
    assert_eq!(direct.kind, "direct");
}

#[tokio::test]
async fn test_grpc_create_direct_conversation_needs_exactly_one_participant() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let mut grpc = app.messenger().await;

    let refused = grpc
        .create_conversation(authed(
            CreateConversationRequest {
                creator_id: String::new(),
                participant_ids: vec![bob.user_id.clone(), carol.user_id.clone()],
                is_group: false,
                group_name: None,
            },
            &alice.access,
        ))
        .await;

    assert_refused(refused, Code::InvalidArgument, "validation_failed");
}

#[tokio::test]
async fn test_grpc_history_pages_in_seq_order() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    for n in 1..=3 {
        app.send(&alice, &dm, &format!("k{n}"), &format!("m{n}"))
            .await
            .expect(201);
    }
    let mut grpc = app.messenger().await;

    let page = grpc
        .get_conversation_history(authed(
            GetConversationHistoryRequest {
                conversation_id: dm.clone(),
                requester_id: bob.user_id.clone(),
                limit: Some(2),
                after_seq: None,
                before_seq: None,
            },
            &bob.access,
        ))
        .await
        .unwrap()
        .into_inner();

    let contents: Vec<&str> = page.messages.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(contents, ["m1", "m2"]);
    assert!(page.has_more);
    assert!(page.messages[0].seq < page.messages[1].seq);
    assert_eq!(page.messages[0].sender_id, alice.user_id);
}

#[tokio::test]
async fn test_grpc_history_of_a_non_member_is_permission_denied() {
    let app = TestApp::spawn().await;
    let (_alice, _bob, dm) = app.alice_and_bob().await;
    let carol = app.register("carol").await;
    let mut grpc = app.messenger().await;

    let refused = grpc
        .get_conversation_history(authed(
            GetConversationHistoryRequest {
                conversation_id: dm,
                ..Default::default()
            },
            &carol.access,
        ))
        .await;

    assert_refused(refused, Code::PermissionDenied, "forbidden");
}

#[tokio::test]
async fn test_grpc_update_presence_holds_the_user_online_until_offline() {
    let app = TestApp::spawn().await;
    let (alice, bob, _dm) = app.alice_and_bob().await;
    let mut bob_ws = app.ws(&bob).await;
    let mut grpc = app.messenger().await;
    let presence = |status: PresenceStatus| {
        authed(
            UpdatePresenceRequest {
                user_id: alice.user_id.clone(),
                status: status.into(),
                ttl_seconds: Some(60),
            },
            &alice.access,
        )
    };

    let online = grpc
        .update_presence(presence(PresenceStatus::Online))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(online.status(), PresenceStatus::Online);
    assert!(online.expires_at.is_some());
    let event = bob_ws.next_of("presence").await;
    assert_eq!(event["user_id"], alice.user_id.as_str());
    assert_eq!(event["status"], "online");

    grpc.update_presence(presence(PresenceStatus::Offline))
        .await
        .unwrap();
    let event = bob_ws.next_of("presence").await;
    assert_eq!(event["user_id"], alice.user_id.as_str());
    assert_eq!(event["status"], "offline");
}

#[tokio::test]
async fn test_grpc_update_presence_without_a_status_is_invalid_argument() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let mut grpc = app.messenger().await;

    let refused = grpc
        .update_presence(authed(UpdatePresenceRequest::default(), &alice.access))
        .await;

    assert_refused(refused, Code::InvalidArgument, "validation_failed");
}

#[tokio::test]
async fn test_grpc_federation_is_unimplemented() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let mut federation = app.federation().await;

    let refused = federation
        .discover_instance(authed(
            DiscoverRequest {
                cpc_address: "bob@elsewhere.cpc".to_owned(),
            },
            &alice.access,
        ))
        .await
        .unwrap_err();

    assert_eq!(refused.code(), Code::Unimplemented);
    assert!(refused.message().contains("federation"), "{refused:?}");
}

#[tokio::test]
async fn test_grpc_health_reports_serving() {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::health_client::HealthClient;

    let app = TestApp::spawn().await;
    let mut health = HealthClient::new(app.grpc_channel().await);

    for service in ["", "hearth.v1.MessengerService"] {
        let answer = health
            .check(HealthCheckRequest {
                service: service.to_owned(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(answer.status(), ServingStatus::Serving, "{service:?}");
    }
}

#[tokio::test]
async fn test_grpc_reflection_lists_the_services() {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let app = TestApp::spawn().await;
    let mut reflection = ServerReflectionClient::new(app.grpc_channel().await);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };

    let mut answers = reflection
        .server_reflection_info(futures::stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let answer = answers.message().await.unwrap().unwrap();

    let Some(MessageResponse::ListServicesResponse(list)) = answer.message_response else {
        panic!("not a service list: {answer:?}");
    };
    let names: Vec<&str> = list.service.iter().map(|s| s.name.as_str()).collect();
    for expected in [
        "hearth.v1.MessengerService",
        "hearth.v1.FederationService",
        "grpc.health.v1.Health",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
}

#[tokio::test]
async fn test_grpc_requests_are_counted_per_face() {
    let app = TestApp::spawn().await;
    let (alice, _bob, dm) = app.alice_and_bob().await;
    let mut grpc = app.messenger().await;
    grpc_send(
        &mut grpc,
        &alice.access,
        send_request(&dm, &alice.user_id, "counted", "k"),
    )
    .await
    .unwrap();

    let metrics = app.metrics().await;

    assert!(
        metrics
            .lines()
            .any(|line| line.starts_with("hearth_face_requests_total")
                && line.contains("face=\"grpc\"")
                && line.contains("rpc=\"SendMessage\"")),
        "{metrics}"
    );
}

#[tokio::test]
async fn test_grpc_does_not_change_http_on_the_same_port() {
    let app = TestApp::spawn().await;

    let health = app.client.get(app.url("/healthz")).send().await.unwrap();

    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn test_grpc_beside_http_keeps_a_socketio_polling_session_across_requests() {
    let app = TestApp::spawn().await;
    let handshake = app
        .client
        .get(app.url("/socket.io/?EIO=4&transport=polling"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let open: serde_json::Value = serde_json::from_str(handshake.trim_start_matches('0')).unwrap();
    let sid = open["sid"].as_str().unwrap();

    let posted = app
        .client
        .post(app.url(&format!("/socket.io/?EIO=4&transport=polling&sid={sid}")))
        .header("content-type", "text/plain;charset=UTF-8")
        .body("40{\"token\":\"x\"}")
        .send()
        .await
        .unwrap();

    assert_eq!(
        posted.status(),
        200,
        "the session from the handshake is known"
    );
    assert_eq!(posted.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn test_grpc_history_shows_a_deleted_message_as_a_tombstone() {
    let app = TestApp::spawn().await;
    let (alice, bob, dm) = app.alice_and_bob().await;
    let sent = app.send(&alice, &dm, "k1", "regret").await.expect(201);
    let id = sent.data()["id"].as_str().unwrap().to_owned();
    app.delete(
        &format!("/v1/conversations/{dm}/messages/{id}"),
        &alice.access,
    )
    .await
    .expect(200);
    let mut grpc = app.messenger().await;

    let page = grpc
        .get_conversation_history(authed(
            GetConversationHistoryRequest {
                conversation_id: dm,
                ..Default::default()
            },
            &bob.access,
        ))
        .await
        .unwrap()
        .into_inner();

    let tombstone = page.messages.iter().find(|m| m.id == id).unwrap();
    assert!(tombstone.deleted);
    assert!(tombstone.content.is_empty());
}
