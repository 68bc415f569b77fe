//! The outbox: delivery in order, retry with backoff, reconciliation, permanent failures,
//! and survival across restarts (a store file opened again).

use std::cell::RefCell;
use std::time::Duration;

use hearth_proto::{ErrorCode, MessageDto};

use super::{contents, dm, me, message, store_at};
use crate::ClientError;
use crate::offline::{Backoff, Delivery, LocalStatus, LocalStore};

const BACKOFF: Backoff = Backoff {
    base: Duration::from_millis(100),
    max: Duration::from_millis(1_000),
};

fn refused(status: u16, code: ErrorCode) -> ClientError {
    ClientError::Api {
        status,
        code,
        message: "no".into(),
        details: None,
    }
}

fn unreachable_server() -> ClientError {
    ClientError::Decode("connection refused".into())
}

/// Delivers the next row as the server would: stored at `seq`.
async fn deliver_at(store: &LocalStore, now: i64, seq: i64) -> Delivery {
    store
        .deliver_next(now, BACKOFF, |item| async move {
            Ok::<MessageDto, ClientError>(message(
                me().id,
                &item.request.client_message_id,
                seq,
                &item.request.content,
            ))
        })
        .await
        .unwrap()
}

async fn fail_next(store: &LocalStore, now: i64, error: ClientError) -> Delivery {
    store
        .deliver_next(now, BACKOFF, |_| async move { Err::<MessageDto, _>(error) })
        .await
        .unwrap()
}

#[test]
fn backoff_doubles_up_to_its_maximum() {
    let delays: Vec<u128> = (1..=6).map(|n| BACKOFF.delay(n).as_millis()).collect();
    assert_eq!(delays, [100, 200, 400, 800, 1_000, 1_000]);
}

#[tokio::test]
async fn a_send_is_shown_pending_at_once_and_queued() {
    let store = store_at(0, Vec::new());
    let pending = store.enqueue_send(dm(), "hello", None).unwrap();
    assert_eq!(pending.status, LocalStatus::Pending);
    assert_eq!((pending.server_id, pending.server_seq), (None, None));
    assert_eq!(contents(&store), ["hello"]);
    assert_eq!(store.outbox_len().unwrap(), 1);
}

#[tokio::test]
async fn a_delivered_send_is_reconciled_with_the_server_fields() {
    let store = store_at(0, Vec::new());
    let pending = store.enqueue_send(dm(), "hello", None).unwrap();
    let Delivery::Sent(sent) = deliver_at(&store, 0, 1).await else {
        panic!("not sent");
    };
    assert_eq!(sent.local_id, pending.local_id);
    assert_eq!(sent.status, LocalStatus::Sent);
    assert_eq!(sent.server_seq, Some(1));
    assert!(sent.server_id.is_some() && sent.server_created_at.is_some());
    assert_eq!(store.outbox_len().unwrap(), 0);
    assert_eq!(deliver_at(&store, 0, 2).await, Delivery::Idle);
}

#[tokio::test]
async fn a_transient_failure_is_retried_after_the_backoff() {
    let store = store_at(0, Vec::new());
    store.enqueue_send(dm(), "hello", None).unwrap();
    let Delivery::Retrying { at, .. } = fail_next(&store, 1_000, unreachable_server()).await else {
        panic!("not retrying");
    };
    assert_eq!(at, 1_100);
    assert_eq!(
        deliver_at(&store, 1_099, 1).await,
        Delivery::WaitUntil(1_100)
    );
    let Delivery::Retrying { at, .. } =
        fail_next(&store, 1_100, refused(503, ErrorCode::Internal)).await
    else {
        panic!("not retrying");
    };
    assert_eq!(at, 1_300, "the second failure waits twice as long");
    assert!(matches!(
        deliver_at(&store, 1_300, 1).await,
        Delivery::Sent(_)
    ));
}

#[tokio::test]
async fn a_rate_limited_send_is_retried_not_failed() {
    let store = store_at(0, Vec::new());
    store.enqueue_send(dm(), "hello", None).unwrap();
    let step = fail_next(&store, 0, refused(429, ErrorCode::RateLimited)).await;
    assert!(matches!(step, Delivery::Retrying { .. }));
}

#[tokio::test]
async fn a_permanent_refusal_marks_the_send_failed_with_the_reason() {
    for (status, code) in [
        (403, ErrorCode::Forbidden),
        (409, ErrorCode::Conflict),
        (422, ErrorCode::ValidationFailed),
    ] {
        let store = store_at(0, Vec::new());
        store.enqueue_send(dm(), "hello", None).unwrap();
        let Delivery::Failed(failed) = fail_next(&store, 0, refused(status, code)).await else {
            panic!("{status} did not fail the send");
        };
        assert_eq!(failed.status, LocalStatus::Failed);
        assert!(failed.failure.unwrap().starts_with(code.as_str()));
        assert_eq!(
            store.outbox_len().unwrap(),
            0,
            "{status} left the row queued"
        );
    }
}

#[tokio::test]
async fn a_failed_send_does_not_hold_up_the_sends_after_it() {
    let store = store_at(0, Vec::new());
    store.enqueue_send(dm(), "refused", None).unwrap();
    store.enqueue_send(dm(), "fine", None).unwrap();
    fail_next(&store, 0, refused(403, ErrorCode::Forbidden)).await;
    let Delivery::Sent(sent) = deliver_at(&store, 0, 1).await else {
        panic!("the second send was held up");
    };
    assert_eq!(sent.content.as_deref(), Some("fine"));
}

#[tokio::test]
async fn a_failed_send_is_retryable_by_the_user_with_the_same_key() {
    let store = store_at(0, Vec::new());
    let pending = store.enqueue_send(dm(), "hello", None).unwrap();
    fail_next(&store, 0, refused(403, ErrorCode::Forbidden)).await;
    let again = store.retry(&pending.client_message_id).unwrap().unwrap();
    assert_eq!(again.status, LocalStatus::Pending);
    assert_eq!(again.failure, None);
    let Delivery::Sent(sent) = deliver_at(&store, 0, 1).await else {
        panic!("not sent");
    };
    assert_eq!(sent.client_message_id, pending.client_message_id);
    assert_eq!(contents(&store), ["hello"]);
}

#[tokio::test]
async fn retrying_a_send_that_did_not_fail_does_nothing() {
    let store = store_at(0, Vec::new());
    let pending = store.enqueue_send(dm(), "hello", None).unwrap();
    assert_eq!(store.retry(&pending.client_message_id).unwrap(), None);
    assert_eq!(store.outbox_len().unwrap(), 1);
}

#[tokio::test]
async fn an_expired_session_halts_delivery_and_keeps_the_send() {
    let store = store_at(0, Vec::new());
    store.enqueue_send(dm(), "hello", None).unwrap();
    let step = fail_next(
        &store,
        0,
        ClientError::SessionExpired {
            code: ErrorCode::Unauthorized,
            message: "expired".into(),
        },
    )
    .await;
    assert!(matches!(step, Delivery::Halted(_)));
    assert_eq!(store.outbox_len().unwrap(), 1);
}

#[tokio::test]
async fn offline_sends_are_delivered_in_the_order_they_were_written() {
    let store = store_at(0, Vec::new());
    for text in ["one", "two", "three"] {
        store.enqueue_send(dm(), text, None).unwrap();
    }
    let order = RefCell::new(Vec::new());
    for seq in 1..=3 {
        store
            .deliver_next(0, BACKOFF, |item| {
                order.borrow_mut().push(item.request.content.clone());
                async move {
                    Ok::<_, ClientError>(message(
                        me().id,
                        &item.request.client_message_id,
                        seq,
                        &item.request.content,
                    ))
                }
            })
            .await
            .unwrap();
    }
    assert_eq!(order.into_inner(), ["one", "two", "three"]);
}

#[tokio::test]
async fn an_answer_that_arrives_after_the_sync_reconciled_the_send_changes_nothing() {
    let store = store_at(0, Vec::new());
    let pending = store.enqueue_send(dm(), "hello", None).unwrap();
    let server = message(me().id, &pending.client_message_id, 1, "hello");
    store.reconcile(&server).unwrap();
    store.reconcile(&server).unwrap();
    assert_eq!(contents(&store), ["hello"]);
    assert_eq!(store.outbox_len().unwrap(), 0);
}

#[tokio::test]
async fn the_outbox_and_its_backoff_survive_a_restart_of_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    {
        let store = LocalStore::open(&path).unwrap();
        store
            .apply_bootstrap(&hearth_proto::Bootstrap {
                me: me(),
                conversations: vec![super::conversation(dm(), 0)],
                recent_messages: Default::default(),
            })
            .unwrap();
        store.enqueue_send(dm(), "written offline", None).unwrap();
        fail_next(&store, 0, unreachable_server()).await;
    }
    let store = LocalStore::open(&path).unwrap();
    assert_eq!(contents(&store), ["written offline"]);
    assert_eq!(deliver_at(&store, 50, 1).await, Delivery::WaitUntil(100));
    assert!(matches!(
        deliver_at(&store, 100, 1).await,
        Delivery::Sent(_)
    ));
}
