//! Catch-up: a user offline while K messages arrive across Q conversations; time for a fresh
//! bootstrap plus `changes` until nothing is left.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::{Context, ensure};
use futures::future::try_join_all;
use hearth_sdk::Client;

use crate::population;
use crate::stats::ms;
use crate::{Row, ServerOptions, ServerProcess, Sizes};

pub(crate) async fn run(server: &ServerOptions, sizes: &Sizes) -> anyhow::Result<Vec<Row>> {
    let process = ServerProcess::start(server)?;
    let anonymous = Client::new(&process.base)?;
    let conversations = sizes.catchup_conversations.max(1);
    let users = population::users(&anonymous, "peer", conversations + 1).await?;
    let (me, peers) = users.split_first().context("users")?;
    let mut dms = Vec::new();
    for peer in peers {
        dms.push(population::direct(peer, me).await?);
    }
    let per_conversation = sizes.catchup_messages / conversations;
    try_join_all(peers.iter().zip(&dms).map(|(peer, dm)| async move {
        for i in 0..per_conversation {
            peer.client
                .send_message(*dm, &format!("m{i}"), "while you were away")
                .await?;
        }
        anyhow::Ok(())
    }))
    .await?;
    let missed = per_conversation * conversations;

    let started = Instant::now();
    let boot = me.client.bootstrap().await?;
    let mut cursors: HashMap<uuid::Uuid, i64> =
        boot.conversations.iter().map(|c| (c.id, 0)).collect();
    let mut events = 0;
    loop {
        let changes = me.client.changes(&cursors, 100).await?;
        for entry in &changes.changes {
            events += entry.events.len();
            if let Some(last) = entry.events.last() {
                cursors.insert(entry.conversation_id, last.seq);
            }
        }
        if !changes.has_more {
            break;
        }
    }
    let elapsed = started.elapsed();
    ensure!(
        events == missed + conversations,
        "caught up {events} events, expected {}",
        missed + conversations
    );

    let setup =
        format!("{missed} messages across {conversations} conversations, changes limit 100");
    process.stop()?;
    Ok(vec![
        Row::new(
            "catchup",
            "bootstrap + changes until current",
            ms(elapsed),
            "ms",
            &setup,
        )
        .at_most(1000.0),
    ])
}
