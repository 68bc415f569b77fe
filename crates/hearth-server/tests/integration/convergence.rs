//! Property: whatever interleaving of sends, replies, edits, deletions, reactions, joins and
//! leaves several users make, and whenever their clients go offline and come back, every client
//! that syncs through `/v1/sync/changes` ends with exactly the server's view of every message
//! of every conversation its user is in — whatever the room's history visibility.
//!
//! A simulated client follows the documented rule and nothing more: per conversation it keeps
//! a cursor and a copy of each message; for each event in seq order it replaces its copy of
//! the event's message, and when the event carries a `thread` (it is about a reply) it puts
//! those counters on its copy of the thread's root. It drops copies numbered before the
//! entry's `history_from`, and drops a conversation listed in `gone`. Delivery `status` is left
//! out of the comparison: it follows members' markers and membership, and reaches clients by
//! `receipt` events, not the log. One server serves every case; each case uses fresh users, so
//! cases never see each other's conversations.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

use crate::message_support::{MessageApi, encode, id_of};
use crate::support::{Session, TestApp};

const USERS: usize = 3;
/// Each user runs two clients (say, a phone and a laptop).
const CLIENTS: usize = USERS * 2;
/// The direct conversations, as pairs of users.
const PAIRS: [(usize, usize); 3] = [(0, 1), (0, 2), (1, 2)];
/// The public room (owned by user 0, who never leaves): conversation index after the pairs.
const ROOM: usize = PAIRS.len();
const VISIBILITIES: [&str; 3] = ["all", "member_join_date", "none"];
const EMOJI: [&str; 3] = ["👍", "❤️", "🎉"];
const TEXTS: [&str; 5] = [
    "hello",
    "ping @{1}",
    "lunch with @{0} and @{2}?",
    "running late",
    "ok",
];

#[derive(Clone, Debug)]
enum Op {
    Send {
        conversation: usize,
        side: usize,
        text: usize,
        reply: Option<usize>,
    },
    Edit {
        pick: usize,
        by_author: bool,
        text: usize,
    },
    Delete {
        pick: usize,
        by_author: bool,
    },
    React {
        pick: usize,
        side: usize,
        emoji: usize,
    },
    Unreact {
        pick: usize,
        side: usize,
        emoji: usize,
    },
    Sync {
        client: usize,
    },
    Toggle {
        client: usize,
    },
    Join {
        user: usize,
    },
    Leave {
        user: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let pick = any::<usize>();
    prop_oneof![
        4 => (0..=ROOM, 0..USERS, 0..TEXTS.len(), prop::option::weighted(0.3, any::<usize>()))
            .prop_map(|(conversation, side, text, reply)| Op::Send { conversation, side, text, reply }),
        2 => (pick, prop::bool::weighted(0.8), 0..TEXTS.len())
            .prop_map(|(pick, by_author, text)| Op::Edit { pick, by_author, text }),
        1 => (pick, prop::bool::weighted(0.8))
            .prop_map(|(pick, by_author)| Op::Delete { pick, by_author }),
        3 => (pick, 0..USERS, 0..EMOJI.len())
            .prop_map(|(pick, side, emoji)| Op::React { pick, side, emoji }),
        1 => (pick, 0..USERS, 0..EMOJI.len())
            .prop_map(|(pick, side, emoji)| Op::Unreact { pick, side, emoji }),
        3 => (0..CLIENTS).prop_map(|client| Op::Sync { client }),
        2 => (0..CLIENTS).prop_map(|client| Op::Toggle { client }),
        1 => (1..USERS).prop_map(|user| Op::Join { user }),
        1 => (1..USERS).prop_map(|user| Op::Leave { user }),
    ]
}

/// One simulated client: cursors and copies of messages, per conversation.
#[derive(Debug, Default)]
struct Client {
    offline: bool,
    cursors: BTreeMap<String, i64>,
    messages: BTreeMap<String, BTreeMap<String, Value>>,
}

impl Client {
    /// Pulls every change after its cursors, a few events at a time, and applies them.
    async fn sync(&mut self, app: &TestApp, who: &Session) {
        loop {
            let cursors: serde_json::Map<String, Value> = self
                .cursors
                .iter()
                .map(|(id, seq)| (id.clone(), Value::from(*seq)))
                .collect();
            let path = format!(
                "/v1/sync/changes?limit=3&after_seq_by_conversation={}",
                encode(&Value::Object(cursors).to_string())
            );
            let page = app.get(&path, &who.access).await.expect(200);
            for gone in page.data()["gone"].as_array().unwrap() {
                let gone = gone.as_str().unwrap();
                self.cursors.remove(gone);
                self.messages.remove(gone);
            }
            for entry in page.data()["changes"].as_array().unwrap() {
                let conversation = entry["conversation_id"].as_str().unwrap().to_owned();
                let from = entry["history_from"].as_i64().unwrap();
                if let Some(messages) = self.messages.get_mut(&conversation) {
                    messages.retain(|_, m| m["seq"].as_i64().unwrap() >= from);
                }
                for event in entry["events"].as_array().unwrap() {
                    self.apply(&conversation, event);
                }
            }
            if page.data()["has_more"] != true {
                return;
            }
        }
    }

    /// The client's whole rule for applying one event.
    fn apply(&mut self, conversation: &str, event: &Value) {
        let seq = event["seq"].as_i64().unwrap();
        let cursor = self.cursors.entry(conversation.to_owned()).or_insert(0);
        assert!(seq > *cursor, "events arrive in seq order, once each");
        *cursor = seq;
        let messages = self.messages.entry(conversation.to_owned()).or_default();
        let message = &event["message"];
        if message.is_null() {
            return;
        }
        messages.insert(message["id"].as_str().unwrap().to_owned(), logged(message));
        let thread = &event["thread"];
        if let Some(root) = thread["root_id"].as_str()
            && let Some(root_copy) = messages.get_mut(root)
        {
            root_copy["thread"] = thread.clone();
        }
    }
}

/// A message without its delivery status, which the log does not carry (see the module docs).
fn logged(message: &Value) -> Value {
    let mut message = message.clone();
    if let Some(fields) = message.as_object_mut() {
        fields.remove("status");
    }
    message
}

/// Every message of every conversation of `who`, as the server shows them to `who`.
async fn server_view(
    app: &TestApp,
    who: &Session,
    conversations: &[String],
) -> BTreeMap<String, BTreeMap<String, Value>> {
    let mut view = BTreeMap::new();
    for conversation in conversations {
        let mut messages = BTreeMap::new();
        let mut after = 0;
        loop {
            let page = app
                .history(who, conversation, &format!("after_seq={after}&limit=100"))
                .await
                .expect(200);
            for message in page.data()["messages"].as_array().unwrap() {
                after = message["seq"].as_i64().unwrap();
                messages.insert(message["id"].as_str().unwrap().to_owned(), logged(message));
            }
            if page.data()["has_more"] != true {
                break;
            }
        }
        if !messages.is_empty() {
            view.insert(conversation.clone(), messages);
        }
    }
    view
}

/// A sent message: its conversation (index), id and sender.
struct SentMessage {
    conversation: usize,
    id: String,
    sender: usize,
}

/// The user who acts on a message: its author, or someone else.
fn actor_on(message: &SentMessage, by_author: bool) -> usize {
    if by_author {
        return message.sender;
    }
    if message.conversation == ROOM {
        return (message.sender + 1) % USERS;
    }
    let (a, b) = PAIRS[message.conversation];
    if message.sender == a { b } else { a }
}

static CASE: AtomicUsize = AtomicUsize::new(0);

async fn run_case(app: &TestApp, visibility: &str, ops: Vec<Op>) {
    let case = CASE.fetch_add(1, Ordering::Relaxed);
    let names: Vec<String> = (0..USERS).map(|u| format!("c{case}u{u}")).collect();
    let mut users = Vec::new();
    for name in &names {
        users.push(app.register(name).await);
    }
    let mut conversations = Vec::new();
    for (a, b) in PAIRS {
        conversations.push(app.direct(&users[a], &users[b]).await);
    }
    let room = app
        .post(
            "/v1/conversations",
            &users[0].access,
            serde_json::json!({ "type": "room", "title": format!("room of case {case}"),
                "history_visibility": visibility,
                "member_ids": [users[1].user_id, users[2].user_id] }),
        )
        .await
        .expect(201);
    conversations.push(room.data()["id"].as_str().unwrap().to_owned());
    let mut in_room = [true; USERS];
    let mut clients: Vec<Client> = (0..CLIENTS).map(|_| Client::default()).collect();
    let mut sent: Vec<SentMessage> = Vec::new();
    let text = |i: usize| {
        TEXTS[i]
            .replace("{0}", &names[0])
            .replace("{1}", &names[1])
            .replace("{2}", &names[2])
    };
    // Who acts as `side` of a conversation: one of the pair, or any user in the room (a
    // non-member's attempts are refused, which the property tolerates).
    let member = |conversation: usize, side: usize| {
        if conversation == ROOM {
            side
        } else if side.is_multiple_of(2) {
            PAIRS[conversation].0
        } else {
            PAIRS[conversation].1
        }
    };

    for (n, op) in ops.into_iter().enumerate() {
        match op {
            Op::Send {
                conversation,
                side,
                text: t,
                reply,
            } => {
                let sender = member(conversation, side);
                let target = reply.and_then(|r| {
                    let here: Vec<&SentMessage> = sent
                        .iter()
                        .filter(|m| m.conversation == conversation)
                        .collect();
                    (!here.is_empty()).then(|| here[r % here.len()].id.clone())
                });
                let key = format!("k{n}");
                let id = &conversations[conversation];
                let answer = match &target {
                    Some(to) => app.reply(&users[sender], id, &key, &text(t), to).await,
                    None => app.send(&users[sender], id, &key, &text(t)).await,
                };
                // In the room: a non-member is refused, and a member who rejoined may not
                // see (so not answer) an older message.
                if conversation == ROOM && [403, 422].contains(&answer.status) {
                    continue;
                }
                let answer = answer.expect(201);
                sent.push(SentMessage {
                    conversation,
                    id: id_of(&answer),
                    sender,
                });
            }
            Op::Edit {
                pick,
                by_author,
                text: t,
            } => {
                let Some(m) = sent.get(pick % sent.len().max(1)) else {
                    continue;
                };
                let editor = actor_on(m, by_author);
                let status = app
                    .edit(
                        &users[editor],
                        &conversations[m.conversation],
                        &m.id,
                        &text(t),
                    )
                    .await
                    .status;
                assert!(
                    [200, 403, 404, 409].contains(&status),
                    "edit answered {status}"
                );
            }
            Op::Delete { pick, by_author } => {
                let Some(m) = sent.get(pick % sent.len().max(1)) else {
                    continue;
                };
                let deleter = actor_on(m, by_author);
                let status = app
                    .delete_message(&users[deleter], &conversations[m.conversation], &m.id)
                    .await
                    .status;
                assert!(
                    [200, 403, 404].contains(&status),
                    "delete answered {status}"
                );
            }
            Op::React { pick, side, emoji } => {
                let Some(m) = sent.get(pick % sent.len().max(1)) else {
                    continue;
                };
                let who = member(m.conversation, side);
                let status = app
                    .react(
                        &users[who],
                        &conversations[m.conversation],
                        &m.id,
                        EMOJI[emoji],
                    )
                    .await
                    .status;
                assert!(
                    [200, 201, 403, 404, 409].contains(&status),
                    "react answered {status}"
                );
            }
            Op::Unreact { pick, side, emoji } => {
                let Some(m) = sent.get(pick % sent.len().max(1)) else {
                    continue;
                };
                let who = member(m.conversation, side);
                let status = app
                    .unreact(
                        &users[who],
                        &conversations[m.conversation],
                        &m.id,
                        EMOJI[emoji],
                    )
                    .await
                    .status;
                assert!(
                    [200, 403, 404].contains(&status),
                    "unreact answered {status}"
                );
            }
            Op::Sync { client } => {
                if !clients[client].offline {
                    clients[client].sync(app, &users[client / 2]).await;
                }
            }
            Op::Toggle { client } => clients[client].offline = !clients[client].offline,
            Op::Join { user } => {
                let answer = app.join(&users[user], &conversations[ROOM]).await;
                let expected = if in_room[user] { 409 } else { 200 };
                answer.expect(expected);
                in_room[user] = true;
            }
            Op::Leave { user } => {
                let answer = app.leave(&users[user], &conversations[ROOM]).await;
                let expected = if in_room[user] { 200 } else { 403 };
                answer.expect(expected);
                in_room[user] = false;
            }
        }
    }

    for (i, client) in clients.iter_mut().enumerate() {
        client.offline = false;
        client.sync(app, &users[i / 2]).await;
        let user = i / 2;
        let mut mine: Vec<String> = PAIRS
            .iter()
            .enumerate()
            .filter(|(_, (a, b))| *a == user || *b == user)
            .map(|(p, _)| conversations[p].clone())
            .collect();
        if in_room[user] {
            mine.push(conversations[ROOM].clone());
        }
        let server = server_view(app, &users[user], &mine).await;
        let local: BTreeMap<_, _> = client
            .messages
            .iter()
            .filter(|(_, messages)| !messages.is_empty())
            .map(|(c, m)| (c.clone(), m.clone()))
            .collect();
        assert_eq!(local, server, "client {i} of user {user} diverged");
    }
}

#[test]
fn test_every_client_that_syncs_converges_to_the_server() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = runtime.block_on(TestApp::spawn());
    let mut runner = TestRunner::new(Config {
        cases: 32,
        max_shrink_iters: 32,
        failure_persistence: None,
        ..Config::default()
    });
    let case = (0..VISIBILITIES.len(), prop::collection::vec(op(), 8..48));
    let result = runner.run(&case, |(visibility, ops)| {
        runtime.block_on(run_case(&app, VISIBILITIES[visibility], ops));
        Ok::<(), TestCaseError>(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    drop(app);
}
