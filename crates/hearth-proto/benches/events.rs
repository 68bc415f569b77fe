//! Micro-benchmarks of the event encodings every message pays for: the `new_message`
//! delivery (encoded once and shared by every socket of the audience) and the sender's
//! `message_ack`. Run with `cargo bench -p hearth-proto`; figures are in docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark setup")]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hearth_domain::{
    ClientMessageId, ConversationEvent, ConversationId, EventKind, Message, MessageContent,
    MessageId, UserId,
};
use hearth_proto::ChangeEvent;
use hearth_proto::MessageDto;
use hearth_proto::ws::{LogEvent, Reply, ServerEvent};

/// A typical chat message: a sentence, no reactions, no thread.
fn message() -> Message {
    Message {
        id: MessageId::new(),
        conversation_id: ConversationId::new(),
        sender_id: UserId::new(),
        client_message_id: ClientMessageId::parse("c4a1f0e2-5b7d-4e0b-9a51-3f2d8c6b1e07").unwrap(),
        seq: 12_345,
        content: Some(
            MessageContent::parse("Deploy is done — the new build is on staging, have a look?")
                .unwrap(),
        ),
        created_at: time::OffsetDateTime::now_utc(),
        edited_at: None,
        edit_count: 0,
        deleted_at: None,
        reply_to: None,
        thread: None,
        mentions: Vec::new(),
        reactions: Vec::new(),
        attachments: Vec::new(),
    }
}

fn encodings(c: &mut Criterion) {
    let message = message();
    let event = ConversationEvent {
        conversation_id: message.conversation_id,
        seq: message.seq,
        actor_id: message.sender_id,
        created_at: message.created_at,
        kind: EventKind::NewMessage(message.clone()),
    };
    c.bench_function("new_message delivery: domain event to JSON text", |b| {
        b.iter(|| {
            let delivery = LogEvent::new(
                event.conversation_id.as_uuid(),
                ChangeEvent::from(black_box(&event)),
                Some("alice".to_owned()),
            );
            serde_json::to_string(&delivery).unwrap()
        });
    });
    c.bench_function("message_ack reply: stored message to JSON text", |b| {
        b.iter(|| {
            let ack = ServerEvent::MessageAck {
                client_message_id: message.client_message_id.as_str().to_owned(),
                message: Box::new(MessageDto::from(black_box(&message)).into()),
            };
            serde_json::to_string(&Reply {
                event: &ack,
                request_id: None,
            })
            .unwrap()
        });
    });
}

criterion_group!(benches, encodings);
criterion_main!(benches);
