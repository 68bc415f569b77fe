//! The sync engine: two tasks that keep the local store in step with the server.
//!
//! The *sync task* bootstraps a store that has never synced, then loops: connect the socket
//! (the client's single-flight refresh serves it as it serves REST), catch up with
//! `/v1/sync/changes` from the store's cursors, make the outbox due, and apply live events
//! until the socket drops; then wait a short backoff and connect again. A live event past
//! its conversation's cursor is a gap and triggers a catch-up instead of being applied.
//! The *outbox task* delivers the oldest due send, records the outcome, and sleeps until the
//! next row is due or something wakes it (a new send, a reconnect).
//!
//! Typing and presence are ephemeral: they live in memory here ([`Ephemeral`]), never in the
//! store. Every change is announced on a broadcast channel ([`Offline::subscribe`]). The
//! engine never decides what the UI shows: it only writes the store and announces.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use hearth_proto::ChangeEvent;
use hearth_proto::ws::{LogEvent, ServerEvent};
use serde_json::{Value, json};
use tokio::sync::{Notify, broadcast, mpsc, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::{
    Backoff, Change, Delivery, LiveOutcome, LocalMessage, LocalStore, StoreError, unix_ms,
};
use crate::{Client, ClientError, Socket};

/// The longest wait between two connection attempts.
const MAX_RECONNECT_WAIT: Duration = Duration::from_secs(3);
/// Events per conversation per `/v1/sync/changes` page.
const CHANGES_PAGE: u32 = 100;

/// Whether the engine hears the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    /// Trying to connect.
    Connecting,
    /// The socket is open and the store caught up.
    Online,
    /// No connection; sends wait in the outbox.
    Offline,
}

/// What the engine knows that is not worth storing: who is online and who is typing.
#[derive(Clone, Debug, Default)]
pub struct Ephemeral {
    /// Users who share a conversation with the signed-in user and are online now.
    pub online: HashSet<Uuid>,
    /// Per conversation (one the UI [`view`](Offline::view)s): who is typing, with their
    /// username, until when.
    pub typing: HashMap<Uuid, HashMap<Uuid, (String, Instant)>>,
}

impl Ephemeral {
    /// The usernames typing in `conversation` now.
    pub fn typing_in(&self, conversation: Uuid) -> Vec<String> {
        let now = Instant::now();
        let mut names: Vec<String> = self
            .typing
            .get(&conversation)
            .into_iter()
            .flatten()
            .filter(|(_, (_, until))| *until > now)
            .map(|(_, (name, _))| name.clone())
            .collect();
        names.sort();
        names
    }
}

enum Command {
    View(Uuid),
    Typing(Uuid),
}

struct Inner {
    client: Client,
    store: Arc<LocalStore>,
    changes: broadcast::Sender<Change>,
    outbox_wake: Notify,
    commands: mpsc::UnboundedSender<Command>,
    ephemeral: Mutex<Ephemeral>,
    connection: watch::Sender<Connection>,
    synced: watch::Sender<bool>,
    backoff: Backoff,
}

impl Inner {
    fn announce(&self, change: Change) {
        // No subscriber is fine: nobody is looking.
        let _ = self.changes.send(change);
    }

    fn announce_all(&self, changes: Vec<Change>) {
        for change in changes {
            self.announce(change);
        }
    }

    fn set_connection(&self, state: Connection) {
        if self.connection.send_replace(state) != state {
            self.announce(Change::Connection(state));
        }
    }

    fn ephemeral(&self) -> std::sync::MutexGuard<'_, Ephemeral> {
        self.ephemeral
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running offline-first client: the store, the outbox and the sync engine of one signed-in
/// user. Dropping it stops its tasks (the store and its outbox stay on disk for next time).
pub struct Offline {
    inner: Arc<Inner>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Offline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Offline")
            .field("connection", &*self.inner.connection.borrow())
            .finish_non_exhaustive()
    }
}

impl Drop for Offline {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Offline {
    /// Starts syncing `store` for the signed-in `client`, with the default [`Backoff`].
    /// Must be called inside a tokio runtime.
    pub fn start(client: Client, store: Arc<LocalStore>) -> Self {
        Self::start_with(client, store, Backoff::default())
    }

    /// [`start`](Self::start) with the outbox's retry `backoff`.
    pub fn start_with(client: Client, store: Arc<LocalStore>, backoff: Backoff) -> Self {
        let (changes, _) = broadcast::channel(1024);
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner {
            client,
            store,
            changes,
            outbox_wake: Notify::new(),
            commands,
            ephemeral: Mutex::new(Ephemeral::default()),
            connection: watch::channel(Connection::Connecting).0,
            synced: watch::channel(false).0,
            backoff,
        });
        let tasks = vec![
            tokio::spawn(sync_loop(inner.clone(), commands_rx)),
            tokio::spawn(outbox_loop(inner.clone())),
        ];
        Self { inner, tasks }
    }

    /// The store the UI reads.
    pub fn store(&self) -> &Arc<LocalStore> {
        &self.inner.store
    }

    /// The client the engine speaks with (for calls the store does not model).
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// The stream of changes. A receiver that lags misses changes
    /// ([`broadcast::error::RecvError::Lagged`]): re-read everything then.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.inner.changes.subscribe()
    }

    /// The connection now.
    pub fn connection(&self) -> Connection {
        *self.inner.connection.borrow()
    }

    /// Who is online and who is typing, now.
    pub fn ephemeral(&self) -> Ephemeral {
        self.inner.ephemeral().clone()
    }

    /// Waits until the store has been synced with the server once (a bootstrap or a
    /// catch-up) since the start.
    pub async fn synced(&self) {
        let mut synced = self.inner.synced.subscribe();
        // The sender lives as long as `self`: waiting cannot fail while we borrow it.
        let _ = synced.wait_for(|done| *done).await;
    }

    /// Sends `content` to `conversation` (answering `reply_to`): written to the store as
    /// `pending` at once, delivered by the outbox when the server can be reached.
    pub fn send(
        &self,
        conversation: Uuid,
        content: &str,
        reply_to: Option<Uuid>,
    ) -> Result<LocalMessage, StoreError> {
        let message = self
            .inner
            .store
            .enqueue_send(conversation, content, reply_to)?;
        self.inner.announce(Change::Messages(conversation));
        self.inner.announce(Change::Outbox);
        self.inner.outbox_wake.notify_one();
        Ok(message)
    }

    /// Puts a failed send back in the outbox (see [`LocalStore::retry`]).
    pub fn retry(&self, client_message_id: &str) -> Result<Option<LocalMessage>, StoreError> {
        let message = self.inner.store.retry(client_message_id)?;
        if let Some(message) = &message {
            self.inner
                .announce(Change::Messages(message.conversation_id));
            self.inner.outbox_wake.notify_one();
        }
        Ok(message)
    }

    /// Reacts to a message the server has (online only; the change arrives as a sync event).
    pub async fn react(
        &self,
        conversation: Uuid,
        server_id: Uuid,
        emoji: &str,
    ) -> Result<(), ClientError> {
        self.inner
            .client
            .add_reaction(conversation, server_id, emoji)
            .await
            .map(drop)
    }

    /// Marks `conversation` read up to `seq`: at once in the store, and on the server when
    /// it can be reached (a failure there is only logged: the next read marks again).
    pub fn mark_read(&self, conversation: Uuid, seq: i64) -> Result<(), StoreError> {
        if self.inner.store.mark_read(conversation, seq)? {
            self.inner.announce(Change::Conversations);
            let client = self.inner.client.clone();
            tokio::spawn(async move {
                if let Err(error) = client.mark_read(conversation, seq).await {
                    tracing::debug!(%error, "read marker not sent");
                }
            });
        }
        Ok(())
    }

    /// Tells the server the UI shows `conversation`, so typing indicators of it arrive.
    pub fn view(&self, conversation: Uuid) {
        let _ = self.inner.commands.send(Command::View(conversation));
    }

    /// Tells the others in `conversation` that the user is typing (dropped when offline).
    pub fn typing(&self, conversation: Uuid) {
        let _ = self.inner.commands.send(Command::Typing(conversation));
    }
}

async fn sync_loop(inner: Arc<Inner>, mut commands: mpsc::UnboundedReceiver<Command>) {
    let mut viewing: Option<Uuid> = None;
    let mut wait = Duration::from_millis(100);
    loop {
        inner.set_connection(Connection::Connecting);
        match connect_and_catch_up(&inner).await {
            Ok(mut socket) => {
                wait = Duration::from_millis(100);
                inner.set_connection(Connection::Online);
                inner.synced.send_replace(true);
                if let Some(conversation) = viewing {
                    let _ = socket.send(&action("subscribe", conversation)).await;
                }
                let ended = live(&inner, &mut socket, &mut commands, &mut viewing).await;
                tracing::debug!(?ended, "socket ended; reconnecting");
            }
            Err(error) => {
                tracing::debug!(%error, "sync failed; retrying");
                if matches!(
                    error,
                    EngineError::Client(
                        ClientError::SessionExpired { .. } | ClientError::NotSignedIn
                    )
                ) {
                    inner.set_connection(Connection::Offline);
                    return;
                }
            }
        }
        inner.set_connection(Connection::Offline);
        inner.ephemeral().online.clear();
        inner.announce(Change::Presence);
        // Commands that arrive while offline are about the moment: keep only the view.
        let sleep = tokio::time::sleep(wait);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                () = &mut sleep => break,
                command = commands.recv() => match command {
                    Some(Command::View(conversation)) => viewing = Some(conversation),
                    Some(Command::Typing(_)) => {}
                    None => return,
                },
            }
        }
        wait = (wait * 2).min(MAX_RECONNECT_WAIT);
    }
}

#[derive(Debug, thiserror::Error)]
enum EngineError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

async fn connect_and_catch_up(inner: &Inner) -> Result<Socket, EngineError> {
    if inner.store.me()?.is_none() {
        bootstrap(inner).await?;
    }
    // Connect first, then catch up: an event that lands in between arrives on the socket
    // and is a duplicate of the catch-up, never lost.
    let socket = inner.client.connect().await?;
    catch_up(inner).await?;
    inner.store.outbox_due_now()?;
    inner.outbox_wake.notify_one();
    Ok(socket)
}

async fn bootstrap(inner: &Inner) -> Result<(), EngineError> {
    let boot = inner.client.bootstrap().await?;
    let changes = inner.store.apply_bootstrap(&boot)?;
    inner.announce_all(changes);
    Ok(())
}

/// Pages through `/v1/sync/changes` from the store's cursors until nothing is left.
async fn catch_up(inner: &Inner) -> Result<(), EngineError> {
    loop {
        let cursors = inner.store.cursors()?;
        let changes = inner.client.changes(&cursors, CHANGES_PAGE).await?;
        let applied = inner.store.apply_changes(&changes)?;
        let unknown = applied.iter().any(|c| matches!(c, Change::Unknown(_)));
        inner.announce_all(applied);
        if unknown {
            // A conversation that is new here: the bootstrap brings it whole, with its cursor.
            bootstrap(inner).await?;
            continue;
        }
        if !changes.has_more {
            return Ok(());
        }
    }
}

async fn live(
    inner: &Inner,
    socket: &mut Socket,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    viewing: &mut Option<Uuid>,
) -> Result<(), EngineError> {
    loop {
        tokio::select! {
            event = socket.next_event() => on_event(inner, event?).await?,
            command = commands.recv() => match command {
                Some(Command::View(conversation)) => {
                    if let Some(previous) = viewing.replace(conversation) {
                        socket.send(&action("unsubscribe", previous)).await?;
                    }
                    socket.send(&action("subscribe", conversation)).await?;
                }
                Some(Command::Typing(conversation)) => {
                    socket.send(&action("user_typing", conversation)).await?;
                }
                None => return Ok(()),
            },
        }
    }
}

fn action(name: &str, conversation: Uuid) -> Value {
    json!({ "action": name, "conversation_id": conversation })
}

async fn on_event(inner: &Inner, event: Value) -> Result<(), EngineError> {
    let is_log = event.get("conversation_id").is_some() && event.get("seq").is_some();
    if is_log && let Ok(log) = serde_json::from_value::<LogEvent>(event.clone()) {
        let change = ChangeEvent {
            message: log.message.map(|socket| socket.message),
            ..log.change
        };
        match inner.store.apply_live(log.conversation_id, &change)? {
            LiveOutcome::Applied(changes) => inner.announce_all(changes),
            LiveOutcome::Duplicate => {}
            LiveOutcome::Gap => {
                tracing::debug!(conversation = %log.conversation_id, seq = change.seq, "gap; catching up");
                catch_up(inner).await?;
            }
        }
        return Ok(());
    }
    match serde_json::from_value::<ServerEvent>(event) {
        Ok(ServerEvent::Ready { presence, .. }) => {
            let mut ephemeral = inner.ephemeral();
            ephemeral.online = presence
                .iter()
                .filter(|p| p.status == "online")
                .map(|p| p.user_id)
                .collect();
            drop(ephemeral);
            inner.announce(Change::Presence);
        }
        Ok(ServerEvent::Presence {
            user_id, status, ..
        }) => {
            let mut ephemeral = inner.ephemeral();
            if status == "online" {
                ephemeral.online.insert(user_id);
            } else {
                ephemeral.online.remove(&user_id);
            }
            drop(ephemeral);
            inner.announce(Change::Presence);
        }
        Ok(ServerEvent::TypingIndicator {
            conversation_id,
            user,
            typing,
            expires_in_ms,
        }) => {
            let mut ephemeral = inner.ephemeral();
            let typing_here = ephemeral.typing.entry(conversation_id).or_default();
            if typing {
                let until = Instant::now() + Duration::from_millis(expires_in_ms);
                typing_here.insert(user.id, (user.username, until));
            } else {
                typing_here.remove(&user.id);
            }
            drop(ephemeral);
            inner.announce(Change::Typing(conversation_id));
        }
        // Receipts, acks and the rest change nothing the store models.
        Ok(_) | Err(_) => {}
    }
    Ok(())
}

async fn outbox_loop(inner: Arc<Inner>) {
    loop {
        let client = inner.client.clone();
        let step = inner
            .store
            .deliver_next(unix_ms(), inner.backoff, |item| async move {
                client.send(item.conversation_id, &item.request).await
            })
            .await;
        match step {
            Ok(Delivery::Idle | Delivery::Halted(_)) => inner.outbox_wake.notified().await,
            Ok(Delivery::WaitUntil(at)) => {
                let wait = u64::try_from(at - unix_ms()).unwrap_or(0);
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(wait)) => {}
                    () = inner.outbox_wake.notified() => {}
                }
            }
            Ok(Delivery::Sent(message) | Delivery::Failed(message)) => {
                inner.announce(Change::Messages(message.conversation_id));
                inner.announce(Change::Conversations);
                inner.announce(Change::Outbox);
            }
            Ok(Delivery::Retrying { .. }) => inner.announce(Change::Outbox),
            Err(error) => {
                tracing::warn!(%error, "outbox step failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}
