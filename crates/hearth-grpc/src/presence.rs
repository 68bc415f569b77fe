//! `UpdatePresence`: a gRPC call holds no connection, and Hearth's presence is "has a live
//! connection" (decided by the realtime use case). So `ONLINE` holds one for the user: a
//! connection of this node's hub, connected through [`RealtimeService::connect`] like any
//! socket, that lasts `ttl_seconds` unless renewed, and that `OFFLINE` ends. Presence, its
//! announcements to the user's circle and the last-seen time then follow the core's rules,
//! as for any device. What the hub queues for a hold is dropped: nobody reads it.
//!
//! One hold per user per node; a renewal moves its end. This module must never decide who is
//! online by itself: it only opens and closes the connection.
//!
//! [`RealtimeService::connect`]: hearth_app::realtime::RealtimeService::connect

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hearth_app::{App, Caller, PublicError, now};
use hearth_domain::UserId;
use hearth_realtime::{Hub, Next};
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until};

use crate::pb::{PresenceStatus, PresenceUpdate};
use crate::{GrpcSettings, convert};

/// How long a hold lasts when the request does not say.
const DEFAULT_TTL: Duration = Duration::from_secs(60);

/// The holds of this node.
#[derive(Debug)]
pub(crate) struct Leases {
    app: App,
    hub: Arc<Hub>,
    max_ttl: Duration,
    held: Mutex<HashMap<UserId, Held>>,
    next_generation: std::sync::atomic::AtomicU64,
}

/// One user's hold: when it ends (its task watches this).
#[derive(Debug)]
struct Held {
    generation: u64,
    until: watch::Sender<Instant>,
}

impl Leases {
    pub(crate) fn new(app: App, hub: Arc<Hub>, settings: GrpcSettings) -> Self {
        Self {
            app,
            hub,
            max_ttl: settings.max_presence_ttl,
            held: Mutex::new(HashMap::new()),
            next_generation: std::sync::atomic::AtomicU64::new(1),
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, Held>> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Holds `caller`'s user online for `ttl_seconds` (default 60), or moves the end of the
    /// hold they have.
    pub(crate) async fn hold(
        self: &Arc<Self>,
        caller: Caller,
        ttl_seconds: Option<u32>,
    ) -> Result<PresenceUpdate, PublicError> {
        let ttl = match ttl_seconds {
            None => DEFAULT_TTL,
            Some(secs) if secs >= 1 && u64::from(secs) <= self.max_ttl.as_secs() => {
                Duration::from_secs(u64::from(secs))
            }
            Some(_) => {
                return Err(PublicError::field(
                    "ttl_seconds",
                    &format!("must be from 1 to {}", self.max_ttl.as_secs()),
                ));
            }
        };
        let user = caller.user_id;
        // Never past the caller's token: a hold is a session like any other.
        let left = caller.expires_at - now().unix_timestamp();
        let ttl = ttl.min(Duration::from_secs(u64::try_from(left).unwrap_or(0)));
        let until = Instant::now() + ttl;
        let renewed = self
            .held()
            .get(&user)
            .is_some_and(|held| held.until.send(until).is_ok());
        if !renewed {
            self.open(caller, until).await?;
        }
        let at = now();
        Ok(PresenceUpdate {
            user_id: user.to_string(),
            status: PresenceStatus::Online.into(),
            updated_at: Some(convert::timestamp(at)),
            expires_at: Some(convert::timestamp(
                at + time::Duration::try_from(ttl).unwrap_or(time::Duration::ZERO),
            )),
        })
    }

    /// Ends `caller`'s hold, if they have one (their live sockets keep them online).
    pub(crate) async fn release(&self, caller: Caller) -> PresenceUpdate {
        if let Some(held) = self.held().get(&caller.user_id) {
            let _ = held.until.send(Instant::now());
        }
        PresenceUpdate {
            user_id: caller.user_id.to_string(),
            status: PresenceStatus::Offline.into(),
            updated_at: Some(convert::timestamp(now())),
            expires_at: None,
        }
    }

    /// Opens a hold: a hub connection, connected like any socket, and the task that keeps it
    /// until its end.
    async fn open(self: &Arc<Self>, caller: Caller, until: Instant) -> Result<(), PublicError> {
        let registration = self.hub.register(caller.user_id, caller.session_id);
        let connected = self.app.realtime.connect(caller, registration.id).await?;
        let session = connected.session;
        let (sender, mut watched) = watch::channel(until);
        let generation = self
            .next_generation
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let replaced = self.held().insert(
            caller.user_id,
            Held {
                generation,
                until: sender,
            },
        );
        if let Some(replaced) = replaced {
            // Two first holds at once: the older one ends now.
            let _ = replaced.until.send(Instant::now());
        }
        let leases = Arc::clone(self);
        let task = async move {
            let user = session.caller.user_id;
            loop {
                let end = *watched.borrow_and_update();
                tokio::select! {
                    () = sleep_until(end) => {
                        // Renewed meanwhile? Then keep holding; else let go of the entry.
                        let mut held = leases.held();
                        if *watched.borrow() > Instant::now() {
                            continue;
                        }
                        if held.get(&user).is_some_and(|h| h.generation == generation) {
                            held.remove(&user);
                        }
                        break;
                    }
                    changed = watched.changed() => {
                        if changed.is_err() {
                            break;
                        }
                    }
                    next = registration.events.recv() => match next {
                        Next::Frame(_) => {}
                        Next::Close(_) => {
                            let mut held = leases.held();
                            if held.get(&user).is_some_and(|h| h.generation == generation) {
                                held.remove(&user);
                            }
                            break;
                        }
                    },
                }
            }
            leases.app.realtime.disconnect(&session).await;
        };
        tokio::spawn(self.hub.track(task));
        Ok(())
    }
}
