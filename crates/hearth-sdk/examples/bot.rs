//! A bot that answers every new message of others: `HEARTH_SERVER=http://127.0.0.1:8080
//! BOT_USERNAME=echo BOT_PASSWORD=… cargo run -p hearth-sdk --features offline --example bot`.

use std::{collections::HashSet, sync::Arc};

use hearth_sdk::{
    Client,
    offline::{Change, LocalStore, Offline},
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str| std::env::var(name).unwrap_or_default();
    let anonymous = Client::new(&env("HEARTH_SERVER"))?;
    let session = anonymous
        .login(&env("BOT_USERNAME"), &env("BOT_PASSWORD"))
        .await?;
    let bot = Offline::start(
        anonymous.signed_in(session.tokens),
        Arc::new(LocalStore::open_in_memory()?),
    );
    let mut changes = bot.subscribe();
    bot.synced().await;
    let mut seen: HashSet<i64> = HashSet::new(); // what was there before we started is not news
    for c in bot.store().conversations()? {
        seen.extend(
            bot.store()
                .messages(c.id, None, 500)?
                .iter()
                .map(|m| m.local_id),
        );
    }
    while let Ok(change) = changes.recv().await {
        let Change::Messages(conversation) = change else {
            continue;
        };
        for message in bot.store().messages(conversation, None, 50)? {
            if message.sender_id != session.user.id
                && message.server_id.is_some()
                && seen.insert(message.local_id)
            {
                bot.send(
                    conversation,
                    &format!("you said: {}", message.content.unwrap_or_default()),
                    message.server_id,
                )?;
            }
        }
    }
    Ok(())
}
