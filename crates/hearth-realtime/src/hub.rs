//! The registry of this node's connections and what each one views: the in-process
//! implementation of [`ConnectionRegistry`].

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use hearth_app::realtime::{Audience, ConnectionId, ConnectionRegistry, Delivery};
use hearth_domain::{ConversationId, SessionId, UserId};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::Frame;
use crate::mailbox::{Closing, Events, Mailbox, Pacer, Push};

/// How the hub treats connections.
#[derive(Clone, Copy, Debug)]
pub struct HubSettings {
    /// Events that may wait for one connection before it counts as a slow consumer.
    pub queue_capacity: usize,
}

impl Default for HubSettings {
    fn default() -> Self {
        Self {
            queue_capacity: 256,
        }
    }
}

/// What a face gets when it registers a connection.
#[derive(Debug)]
pub struct Registration {
    /// The connection's id, for subscribe / unregister.
    pub id: ConnectionId,
    /// The events to write to the socket, in the order they were published, and when to close
    /// instead (it fell behind, or the server is shutting down).
    pub events: Events,
}

#[derive(Debug)]
struct Entry {
    user: UserId,
    session: SessionId,
    mailbox: Arc<Mailbox>,
    subscriptions: HashSet<ConversationId>,
}

#[derive(Debug, Default)]
struct State {
    connections: HashMap<ConnectionId, Entry>,
    by_user: HashMap<UserId, Vec<ConnectionId>>,
    viewers: HashMap<ConversationId, Vec<ConnectionId>>,
}

impl State {
    /// Queues `frame` for a connection; lists its mailbox in `ready` when it must be woken.
    fn offer(
        &self,
        id: &ConnectionId,
        frame: &Arc<Frame>,
        capacity: usize,
        ready: &mut Vec<Arc<Mailbox>>,
    ) {
        let Some(entry) = self.connections.get(id) else {
            return;
        };
        match entry.mailbox.push(frame, capacity) {
            Push::Queued => {}
            Push::Ready => ready.push(entry.mailbox.clone()),
            Push::Full => {
                if entry.mailbox.close(Closing::TooSlow) {
                    metrics::counter!("hearth_realtime_slow_consumers_total").increment(1);
                    tracing::info!(user_id = %entry.user, "slow consumer: closing its connection");
                }
            }
            // The connection is closing; it will unregister.
            Push::Closed => {}
        }
    }
}

/// This node's connections.
#[derive(Debug)]
pub struct Hub {
    state: RwLock<State>,
    next_id: AtomicU64,
    settings: HubSettings,
    pacer: Arc<Pacer>,
    /// Set once the node is shutting down: a connection registered after that is told to
    /// close at once. Read and written under the state's lock, so that a connection is either
    /// in the map `shut_down` walks or sees the flag.
    shutting_down: AtomicBool,
    /// Stops the pacer task.
    shutdown: CancellationToken,
    sessions: TaskTracker,
}

impl Hub {
    /// An empty hub.
    pub fn new(settings: HubSettings) -> Self {
        Self {
            state: RwLock::default(),
            next_id: AtomicU64::new(1),
            settings,
            pacer: Arc::default(),
            shutting_down: AtomicBool::new(false),
            shutdown: CancellationToken::new(),
            sessions: TaskTracker::new(),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a connection of `user`, signed in with `session`.
    pub fn register(&self, user: UserId, session: SessionId) -> Registration {
        let id = ConnectionId::new(self.next_id.fetch_add(1, Ordering::Relaxed));
        let mailbox = Arc::new(Mailbox::default());
        let mut state = self.write();
        if self.shutting_down.load(Ordering::Acquire) {
            mailbox.close(Closing::ShuttingDown);
        }
        state.by_user.entry(user).or_default().push(id);
        state.connections.insert(
            id,
            Entry {
                user,
                session,
                mailbox: mailbox.clone(),
                subscriptions: HashSet::new(),
            },
        );
        metrics::gauge!("hearth_realtime_connections").set(state.connections.len() as f64);
        Registration {
            id,
            events: Events::new(mailbox),
        }
    }

    /// Offers a delivery to every matching connection, then wakes those that were idle (a
    /// large set a chunk at a time, see the `mailbox` module). Never waits.
    fn offer_to_all(&self, delivery: Arc<Delivery>) {
        let frame = Arc::new(Frame::new(delivery));
        let capacity = self.settings.queue_capacity.max(1);
        let mut ready = Vec::new();
        let state = self.read();
        match &frame.delivery.audience {
            Audience::Users(users) => {
                for user in users.iter() {
                    for id in state.by_user.get(user).into_iter().flatten() {
                        state.offer(id, &frame, capacity, &mut ready);
                    }
                }
            }
            Audience::Viewers {
                conversation_id,
                except,
            } => {
                for id in state.viewers.get(conversation_id).into_iter().flatten() {
                    let excluded = state
                        .connections
                        .get(id)
                        .is_some_and(|e| Some(e.user) == *except);
                    if !excluded {
                        state.offer(id, &frame, capacity, &mut ready);
                    }
                }
            }
        }
        drop(state);
        self.pacer.wake(ready, &self.shutdown);
    }

    /// Tracks a connection's task, so that shutdown can wait for it.
    pub fn track<F>(&self, session: F) -> impl Future<Output = F::Output> + use<F>
    where
        F: Future,
    {
        self.sessions.track_future(session)
    }

    /// Tells every connection to close ("going away, reconnect") after the action it is
    /// running, then waits up to `grace` for them all to finish.
    pub async fn shut_down(&self, grace: Duration) {
        {
            let state = self.write();
            self.shutting_down.store(true, Ordering::Release);
            for entry in state.connections.values() {
                entry.mailbox.close(Closing::ShuttingDown);
            }
        }
        self.shutdown.cancel();
        self.sessions.close();
        if tokio::time::timeout(grace, self.sessions.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                remaining = self.sessions.len(),
                "connections still open after the shutdown grace period"
            );
        }
    }

    /// How many connections are registered.
    pub fn connection_count(&self) -> usize {
        self.read().connections.len()
    }
}

fn remove_viewer(state: &mut State, conversation: ConversationId, id: ConnectionId) {
    if let Some(ids) = state.viewers.get_mut(&conversation) {
        ids.retain(|other| *other != id);
        if ids.is_empty() {
            state.viewers.remove(&conversation);
        }
    }
}

impl ConnectionRegistry for Hub {
    fn dispatch(&self, delivery: Arc<Delivery>) {
        self.offer_to_all(delivery);
    }

    fn subscribe(&self, id: ConnectionId, conversation: ConversationId) -> bool {
        let mut state = self.write();
        let Some(entry) = state.connections.get_mut(&id) else {
            return false;
        };
        if !entry.subscriptions.insert(conversation) {
            return false;
        }
        state.viewers.entry(conversation).or_default().push(id);
        true
    }

    fn unsubscribe(&self, id: ConnectionId, conversation: ConversationId) -> bool {
        let mut state = self.write();
        let Some(entry) = state.connections.get_mut(&id) else {
            return false;
        };
        if !entry.subscriptions.remove(&conversation) {
            return false;
        }
        remove_viewer(&mut state, conversation, id);
        true
    }

    fn is_subscribed(&self, id: ConnectionId, conversation: ConversationId) -> bool {
        self.read()
            .connections
            .get(&id)
            .is_some_and(|e| e.subscriptions.contains(&conversation))
    }

    fn unsubscribe_user(&self, user: UserId, conversation: ConversationId) -> usize {
        let mut state = self.write();
        let ids: Vec<ConnectionId> = state.by_user.get(&user).cloned().unwrap_or_default();
        let mut removed = 0;
        for id in ids {
            let Some(entry) = state.connections.get_mut(&id) else {
                continue;
            };
            if entry.subscriptions.remove(&conversation) {
                removed += 1;
                remove_viewer(&mut state, conversation, id);
            }
        }
        removed
    }

    fn end_session(&self, session: SessionId) -> usize {
        // Sessions end rarely; a scan keeps every connection's entry small.
        let state = self.read();
        let mut closed = 0;
        for entry in state.connections.values() {
            if entry.session == session {
                entry.mailbox.close(Closing::SessionEnded);
                closed += 1;
            }
        }
        closed
    }

    fn unregister(&self, id: ConnectionId) -> Vec<ConversationId> {
        let mut state = self.write();
        let Some(entry) = state.connections.remove(&id) else {
            return Vec::new();
        };
        if let Some(ids) = state.by_user.get_mut(&entry.user) {
            ids.retain(|other| *other != id);
            if ids.is_empty() {
                state.by_user.remove(&entry.user);
            }
        }
        for conversation in &entry.subscriptions {
            remove_viewer(&mut state, *conversation, id);
        }
        metrics::gauge!("hearth_realtime_connections").set(state.connections.len() as f64);
        entry.subscriptions.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mailbox::Next;
    use hearth_app::realtime::{RealtimeEvent, UserRef};

    impl Hub {
        /// Why the connection was told to close, if it was.
        fn closing_of(&self, id: ConnectionId) -> Option<Closing> {
            self.read()
                .connections
                .get(&id)
                .and_then(|entry| entry.mailbox.closing())
        }
    }

    fn user(_name: &str) -> UserId {
        UserId::new()
    }

    fn presence_for(users: &[UserId]) -> Arc<Delivery> {
        Arc::new(Delivery {
            audience: Audience::Users(users.iter().copied().collect()),
            event: RealtimeEvent::Presence {
                user_id: UserId::new(),
                online: true,
                last_seen_at: None,
            },
        })
    }

    #[test]
    fn a_delivery_reaches_every_connection_of_its_users_only() {
        let hub = Hub::new(HubSettings::default());
        let (alice, bob) = (user("alice"), user("bob"));
        let phone = hub.register(alice, SessionId::new());
        let laptop = hub.register(alice, SessionId::new());
        let other = hub.register(bob, SessionId::new());
        hub.dispatch(presence_for(&[alice]));
        assert!(phone.events.try_recv().is_some());
        assert!(laptop.events.try_recv().is_some());
        assert!(other.events.try_recv().is_none());
    }

    #[test]
    fn a_full_queue_marks_the_connection_too_slow_without_blocking() {
        let hub = Hub::new(HubSettings { queue_capacity: 2 });
        let alice = user("alice");
        let slow = hub.register(alice, SessionId::new());
        for _ in 0..3 {
            hub.dispatch(presence_for(&[alice]));
        }
        assert_eq!(hub.closing_of(slow.id), Some(Closing::TooSlow));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_large_fan_out_wakes_every_waiting_connection() {
        let hub = Hub::new(HubSettings::default());
        let alice = user("alice");
        // Several chunks' worth, so the pacer task wakes most of them.
        let waiting: Vec<_> = (0..3 * crate::mailbox::WAKE_CHUNK + 1)
            .map(|_| {
                let registration = hub.register(alice, SessionId::new());
                tokio::spawn(async move { registration.events.recv().await })
            })
            .collect();
        tokio::task::yield_now().await;
        let delivery = presence_for(&[alice]);
        hub.dispatch(delivery.clone());
        for connection in waiting {
            // A guard against a lost wake-up hanging the suite, not a timing assertion.
            let frame = tokio::time::timeout(Duration::from_secs(60), connection).await;
            assert!(
                matches!(frame, Ok(Ok(Next::Frame(frame))) if Arc::ptr_eq(&frame.delivery, &delivery)),
                "every connection is woken with the delivery"
            );
        }
    }

    #[test]
    fn deliveries_queued_before_a_connection_runs_are_read_in_order() {
        let hub = Hub::new(HubSettings::default());
        let alice = user("alice");
        let phone = hub.register(alice, SessionId::new());
        let (first, second) = (presence_for(&[alice]), presence_for(&[alice]));
        hub.dispatch(first.clone());
        hub.dispatch(second.clone());
        let read: Vec<_> = std::iter::from_fn(|| phone.events.try_recv())
            .map(|frame| frame.delivery.clone())
            .collect();
        assert!(
            matches!(read.as_slice(), [a, b] if Arc::ptr_eq(a, &first) && Arc::ptr_eq(b, &second))
        );
    }

    #[test]
    fn a_connection_that_stopped_reading_is_not_a_slow_consumer() {
        let hub = Hub::new(HubSettings { queue_capacity: 1 });
        let alice = user("alice");
        let Registration { id, events } = hub.register(alice, SessionId::new());
        drop(events);
        for _ in 0..3 {
            hub.dispatch(presence_for(&[alice]));
        }
        assert_eq!(hub.closing_of(id), None);
    }

    #[tokio::test]
    async fn a_connection_busy_writing_hears_that_it_fell_behind() {
        let hub = Hub::new(HubSettings { queue_capacity: 1 });
        let alice = user("alice");
        let busy = hub.register(alice, SessionId::new());
        let told = tokio::spawn(async move { busy.events.closed().await });
        tokio::task::yield_now().await;
        for _ in 0..2 {
            hub.dispatch(presence_for(&[alice]));
        }
        // A guard against a lost wake-up hanging the suite, not a timing assertion.
        let told = tokio::time::timeout(Duration::from_secs(60), told).await;
        assert!(matches!(told, Ok(Ok(Closing::TooSlow))));
    }

    #[tokio::test]
    async fn shutting_down_closes_every_connection_before_its_queued_frames() {
        let hub = Hub::new(HubSettings::default());
        let alice = user("alice");
        let open = hub.register(alice, SessionId::new());
        hub.dispatch(presence_for(&[alice]));
        hub.shut_down(Duration::ZERO).await;
        let next = tokio::time::timeout(Duration::from_secs(60), open.events.recv()).await;
        assert!(matches!(next, Ok(Next::Close(Closing::ShuttingDown))));
    }

    #[tokio::test]
    async fn a_connection_registered_during_shutdown_is_told_to_close_at_once() {
        let hub = Hub::new(HubSettings::default());
        hub.shut_down(Duration::ZERO).await;
        let late = hub.register(user("alice"), SessionId::new());
        // A guard against a connection never told, not a timing assertion.
        let next = tokio::time::timeout(Duration::from_secs(60), late.events.recv()).await;
        assert!(matches!(next, Ok(Next::Close(Closing::ShuttingDown))));
    }

    #[test]
    fn subscriptions_are_per_connection_and_end_with_it() {
        let hub = Hub::new(HubSettings::default());
        let alice = user("alice");
        let conversation = ConversationId::new();
        let phone = hub.register(alice, SessionId::new());
        let laptop = hub.register(alice, SessionId::new());
        assert!(hub.subscribe(phone.id, conversation));
        assert!(!hub.subscribe(phone.id, conversation), "already subscribed");
        assert!(hub.subscribe(laptop.id, conversation));
        assert!(hub.unsubscribe(phone.id, conversation));
        assert!(
            !hub.unsubscribe(phone.id, conversation),
            "no longer subscribed"
        );
        assert_eq!(hub.unregister(laptop.id), vec![conversation]);
        assert!(!hub.is_subscribed(laptop.id, conversation));
    }

    #[test]
    fn a_former_member_stops_viewing_on_every_connection() {
        let hub = Hub::new(HubSettings::default());
        let (alice, bob) = (user("alice"), user("bob"));
        let conversation = ConversationId::new();
        let phone = hub.register(alice, SessionId::new());
        let laptop = hub.register(alice, SessionId::new());
        let other = hub.register(bob, SessionId::new());
        for id in [phone.id, laptop.id, other.id] {
            hub.subscribe(id, conversation);
        }
        assert_eq!(hub.unsubscribe_user(alice, conversation), 2);
        assert!(!hub.is_subscribed(phone.id, conversation));
        assert!(!hub.is_subscribed(laptop.id, conversation));
        assert!(hub.is_subscribed(other.id, conversation));
    }

    #[test]
    fn viewer_audiences_skip_the_excluded_user() {
        let hub = Hub::new(HubSettings::default());
        let (alice, bob) = (user("alice"), user("bob"));
        let conversation = ConversationId::new();
        let a = hub.register(alice, SessionId::new());
        let b = hub.register(bob, SessionId::new());
        hub.subscribe(a.id, conversation);
        hub.subscribe(b.id, conversation);
        hub.dispatch(Arc::new(Delivery {
            audience: Audience::Viewers {
                conversation_id: conversation,
                except: Some(alice),
            },
            event: RealtimeEvent::Viewer {
                conversation_id: conversation,
                user: UserRef {
                    id: alice,
                    username: "alice".to_owned(),
                    display_name: "Alice".to_owned(),
                    avatar: None,
                },
                joined: true,
            },
        }));
        assert!(a.events.try_recv().is_none());
        assert!(b.events.try_recv().is_some());
    }

    #[tokio::test]
    async fn an_ended_session_closes_its_connections_only() {
        let hub = Hub::new(HubSettings::default());
        let alice = user("alice");
        let (ended, kept) = (SessionId::new(), SessionId::new());
        let phone = hub.register(alice, ended);
        let tablet = hub.register(alice, ended);
        let laptop = hub.register(alice, kept);

        assert_eq!(hub.end_session(ended), 2);

        for device in [&phone, &tablet] {
            assert!(matches!(
                device.events.recv().await,
                Next::Close(Closing::SessionEnded)
            ));
        }
        hub.dispatch(presence_for(&[alice]));
        assert!(
            matches!(laptop.events.recv().await, Next::Frame(_)),
            "another session stays"
        );
        assert_eq!(hub.end_session(SessionId::new()), 0);
    }
}
