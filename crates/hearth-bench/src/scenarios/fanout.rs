//! Fan-out: one message to a conversation whose recipient has M connected, subscribed devices.
//! (Until groups exist, the M members of the budget are M devices of one member; the hub's work
//! per delivery is the same.) Measured: time from send to the last device having it; and
//! sustained deliveries per second for a burst.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures::{StreamExt, stream};
use hearth_sdk::{Client, Socket};
use serde_json::json;
use tokio::sync::mpsc;

use crate::population;
use crate::stats::{Samples, ms};
use crate::{Row, ServerOptions, ServerProcess, Sizes};

pub(crate) async fn run(server: &ServerOptions, sizes: &Sizes) -> anyhow::Result<Vec<Row>> {
    let process = ServerProcess::start(server)?;
    let anonymous = Client::new(&process.base)?;
    let users = population::users(&anonymous, "fan", 2).await?;
    let (sender, recipient) = (
        users.first().context("sender")?,
        users.get(1).context("recipient")?,
    );
    let conversation = population::direct(sender, recipient).await?;
    let members = sizes.fanout_members.max(1);

    let sockets: Vec<anyhow::Result<Socket>> = stream::iter(0..members)
        .map(|_| async {
            let mut socket = recipient.client.connect().await?;
            socket
                .send(&json!({ "action": "subscribe", "conversation_id": conversation }))
                .await?;
            socket.next_of("subscribed").await?;
            Ok(socket)
        })
        .buffer_unordered(64)
        .collect()
        .await;
    let (arrivals, mut arrived) = mpsc::unbounded_channel::<(String, Instant)>();
    for socket in sockets {
        let mut socket = socket?;
        let arrivals = arrivals.clone();
        tokio::spawn(async move {
            // The key is found in the raw text: 10,000 readers parsing JSON would take the CPU
            // the server needs, and the figure is the server's.
            while let Ok(text) = socket.next_text().await {
                if let Some(key) = message_key(&text)
                    && arrivals.send((key.to_owned(), Instant::now())).is_err()
                {
                    break;
                }
            }
        });
    }
    let mut sending = sender.client.connect().await?;

    // One at a time: send, then wait until every device has it.
    let mut last_arrivals = Vec::new();
    for i in 0..sizes.fanout_sends {
        let key = format!("one-{i}");
        let sent = Instant::now();
        sending.send(&json!({ "action": "send_message", "conversation_id": conversation, "client_message_id": key, "content": "fan-out" })).await?;
        let mut count = 0;
        let mut last = sent;
        while count < members {
            let (arrived_key, at) = tokio::time::timeout(Duration::from_secs(30), arrived.recv())
                .await?
                .context("readers gone")?;
            if arrived_key == key {
                count += 1;
                last = last.max(at);
            }
        }
        last_arrivals.push(last - sent);
    }

    // A burst: every send queued at once; deliveries/s until the last device has the last one.
    let burst = sizes.fanout_burst.max(1);
    let started = Instant::now();
    for i in 0..burst {
        sending.send(&json!({ "action": "send_message", "conversation_id": conversation, "client_message_id": format!("burst-{i}"), "content": "fan-out" })).await?;
    }
    let mut remaining: HashMap<String, usize> = (0..burst)
        .map(|i| (format!("burst-{i}"), members))
        .collect();
    let mut last = started;
    while !remaining.is_empty() {
        let (key, at) = tokio::time::timeout(Duration::from_secs(60), arrived.recv())
            .await?
            .context("readers gone")?;
        if let Some(left) = remaining.get_mut(&key) {
            *left -= 1;
            last = last.max(at);
            if *left == 0 {
                remaining.remove(&key);
            }
        }
    }
    let deliveries_per_second = (burst * members) as f64 / (last - started).as_secs_f64();

    let samples = Samples::new(last_arrivals);
    let setup = format!(
        "{members} subscribed devices, {} timed sends, burst of {burst}",
        samples.len()
    );
    let mut rows = vec![
        Row::new(
            "fanout",
            "send to last device p50",
            ms(samples.percentile(50.0)),
            "ms",
            &setup,
        ),
        Row::new(
            "fanout",
            "send to last device p99",
            ms(samples.percentile(99.0)),
            "ms",
            &setup,
        ),
        Row::new(
            "fanout",
            "sustained deliveries/s",
            deliveries_per_second.round(),
            "deliveries/s",
            &setup,
        ),
    ];
    if members >= 10_000 {
        let p99 = rows.remove(1).at_most(100.0);
        rows.insert(1, p99);
        let sustained = rows.remove(2).at_least(250_000.0);
        rows.push(sustained);
    }
    process.stop()?;
    Ok(rows)
}

/// The `client_message_id` of a `new_message` event, found without parsing.
fn message_key(text: &str) -> Option<&str> {
    if !text.contains(r#""type":"new_message""#) {
        return None;
    }
    let rest = text.split(r#""client_message_id":""#).nth(1)?;
    rest.split('"').next()
}

#[cfg(test)]
mod tests {
    use super::message_key;

    #[test]
    fn finds_the_key_of_new_messages_only() {
        let event = r#"{"conversation_id":"c","seq":2,"type":"new_message","message":{"client_message_id":"burst-7","content":"x"}}"#;
        assert_eq!(message_key(event), Some("burst-7"));
        assert_eq!(message_key(r#"{"type":"pong"}"#), None);
    }
}
