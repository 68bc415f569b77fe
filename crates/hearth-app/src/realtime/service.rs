//! The realtime use case every live face calls: a connection's life from connect to
//! disconnect, its subscriptions, typing, and presence.
//!
//! A face (native WebSocket, Socket.IO, GraphQL subscriptions) registers each connection with
//! this node's [`ConnectionRegistry`] (the hub, which owns its queue), then calls
//! [`RealtimeService::connect`] and, for each action, one method here — so membership checks,
//! "who is viewing", presence announcements and the typing rules are decided once for every
//! face. Nothing here touches a socket or a wire format.

use std::sync::Arc;

use hearth_domain::{ConversationId, ConversationSummary, EventKind, User};

use crate::realtime::{
    Audience, ConnectionId, ConnectionRegistry, Delivery, Notifier, PresenceEntry, PresenceTracker,
    RealtimeEvent, UserRef, ViewerDirectory,
};
use crate::{AppError, AuthService, Caller, ConversationService, UserService, now};

/// Presence travels only through conversations of at most this many members: direct
/// conversations and small groups, not rooms and channels of thousands. Everyone sharing any
/// conversation would make presence quadratic in a room's size — each of 10,000 members
/// coming online (after a restart, all of them at once) announced to the 10,000, and each
/// connection's `ready` carrying 10,000 entries. The same size as the inline member list of a
/// conversation summary: a conversation small enough to list its members shows who is online.
pub const PRESENCE_CIRCLE: i64 = ConversationSummary::MEMBER_LIST_LIMIT;

/// The ports that change when a server runs as several nodes, chosen by the server:
/// in-process ones for one node, shared ones (Redis) for several — realtime, and the counters
/// of the rate limits.
#[derive(Clone, Debug)]
pub struct RealtimePorts {
    /// Carries events and signals to every node.
    pub bus: Arc<dyn crate::realtime::EventBus>,
    /// This node's connections (the hub).
    pub connections: Arc<dyn ConnectionRegistry>,
    /// Who is online.
    pub presence: Arc<dyn PresenceTracker>,
    /// Who is viewing each conversation.
    pub viewers: Arc<dyn ViewerDirectory>,
    /// Rate-limit counters every node shares (`None`: each node counts alone).
    pub shared_limits: Option<Arc<dyn crate::SharedLimits>>,
}

/// One authenticated connection, as the realtime use case knows it.
#[derive(Clone, Debug)]
pub struct RealtimeSession {
    /// Whose connection, and until when its token is good.
    pub caller: Caller,
    /// The user, as events name them.
    pub user: UserRef,
    /// The connection on this node's registry.
    pub connection: ConnectionId,
}

/// What a connection learns when it connects.
#[derive(Debug)]
pub struct Connected {
    /// The session to pass back on every later call.
    pub session: RealtimeSession,
    /// The account.
    pub user: User,
    /// The presence of the user's circle (see [`PRESENCE_CIRCLE`]).
    pub presence: Vec<PresenceEntry>,
}

/// Connect, subscribe, typing, disconnect: the realtime use case. Cheap to clone.
#[derive(Clone, Debug)]
pub struct RealtimeService {
    auth: AuthService,
    users: UserService,
    conversations: ConversationService,
    notifier: Notifier,
    ports: RealtimePorts,
}

impl RealtimeService {
    pub(crate) fn new(
        auth: AuthService,
        users: UserService,
        conversations: ConversationService,
        notifier: Notifier,
        ports: RealtimePorts,
    ) -> Self {
        Self {
            auth,
            users,
            conversations,
            notifier,
            ports,
        }
    }

    /// The connection `connection`, just registered with this node's registry, belongs to
    /// `caller`: they are online (announced to their circle if it is their first connection),
    /// and the answer carries their circle's presence. On failure (the account is gone, the
    /// store cannot answer) the connection is unregistered again.
    pub async fn connect(
        &self,
        caller: Caller,
        connection: ConnectionId,
    ) -> Result<Connected, AppError> {
        match self.start(caller, connection).await {
            Ok(connected) => Ok(connected),
            Err(err) => {
                self.ports.connections.unregister(connection);
                Err(err)
            }
        }
    }

    async fn start(&self, caller: Caller, connection: ConnectionId) -> Result<Connected, AppError> {
        let user = self.users.me(caller).await?;
        let contacts = self
            .notifier
            .store
            .contacts(user.id, PRESENCE_CIRCLE)
            .await?;
        if self.ports.presence.connected(user.id).await {
            let audience: Arc<[_]> = contacts.iter().map(|c| c.user.id).collect();
            self.notifier.publish(
                Audience::Users(audience),
                RealtimeEvent::Presence {
                    user_id: user.id,
                    online: true,
                    last_seen_at: None,
                },
            );
        }
        let ids: Vec<_> = contacts.iter().map(|c| c.user.id).collect();
        let online = self.ports.presence.online_among(&ids).await;
        let presence = contacts
            .iter()
            .map(|c| PresenceEntry {
                user_id: c.user.id,
                online: online.contains(&c.user.id),
                last_seen_at: c.last_seen_at,
            })
            .collect();
        Ok(Connected {
            session: RealtimeSession {
                caller,
                user: UserRef::from(&user),
                connection,
            },
            user,
            presence,
        })
    }

    /// A new token for a live connection (before the old one expires). It must name the same
    /// user; the session then lasts as long as the new token.
    pub fn reauthenticate(
        &self,
        session: &mut RealtimeSession,
        token: &str,
    ) -> Result<Caller, AppError> {
        let renewed = self.auth.authenticate(token)?;
        if renewed.user_id != session.caller.user_id {
            return Err(AppError::Forbidden("the token is for another user"));
        }
        session.caller = renewed;
        Ok(renewed)
    }

    /// Subscribes the connection to a conversation's ephemeral streams (typing, who is
    /// viewing). Members only. Answers who is viewing it now, the caller included.
    pub async fn subscribe(
        &self,
        session: &RealtimeSession,
        conversation: ConversationId,
    ) -> Result<Vec<UserRef>, AppError> {
        self.conversations
            .require_member(session.caller, conversation)
            .await?;
        if self
            .ports
            .connections
            .subscribe(session.connection, conversation)
            && self
                .ports
                .viewers
                .start_viewing(conversation, &session.user)
                .await
        {
            self.notifier
                .viewer(conversation, session.user.clone(), true);
        }
        Ok(self.ports.viewers.viewers(conversation).await)
    }

    /// Subscribes the connection to every conversation its user is in, as [`subscribe`] does
    /// one (for faces whose clients have no `subscribe`: Socket.IO joins every conversation's
    /// room at connect). Answers how many it subscribed to.
    ///
    /// [`subscribe`]: Self::subscribe
    pub async fn subscribe_all(&self, session: &RealtimeSession) -> Result<usize, AppError> {
        let cursors = self
            .notifier
            .store
            .conversation_cursors(session.caller.user_id)
            .await?;
        let mut subscribed = 0;
        for cursor in cursors {
            match self.subscribe(session, cursor.conversation_id).await {
                Ok(_) => subscribed += 1,
                // Left between the two reads: nothing to view.
                Err(AppError::Forbidden(_) | AppError::NotFound(_)) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(subscribed)
    }

    /// A delivery reached a connection that views every conversation of its user
    /// ([`subscribe_all`]): when it made the user a member of a conversation (they joined, were
    /// added, or a conversation with them was created), the connection subscribes to it too.
    ///
    /// [`subscribe_all`]: Self::subscribe_all
    pub async fn follow(&self, session: &RealtimeSession, delivery: &Delivery) {
        let RealtimeEvent::Log(entry) = &delivery.event else {
            return;
        };
        let me = session.caller.user_id;
        let joined = match &entry.event.kind {
            EventKind::MemberJoined { user_id, .. } => *user_id == me,
            EventKind::ConversationCreated { member_ids } => member_ids.contains(&me),
            _ => false,
        };
        if !joined {
            return;
        }
        let conversation = entry.event.conversation_id;
        // Boxed: the subscription's future is large, and this is awaited for every delivery of
        // every socket, so only the rare join pays for it.
        if let Err(err) = Box::pin(self.subscribe(session, conversation)).await {
            // Left again meanwhile, or the store cannot answer: typing there waits for the
            // next connect; messages still arrive (they go to members, not to viewers).
            tracing::debug!(cause = %err, conversation_id = %conversation, "cannot follow a new conversation");
        }
    }

    /// Unsubscribes the connection. Unsubscribing from a conversation it does not view is no
    /// error.
    pub async fn unsubscribe(&self, session: &RealtimeSession, conversation: ConversationId) {
        if self
            .ports
            .connections
            .unsubscribe(session.connection, conversation)
        {
            self.stopped_viewing(conversation, session.user.id).await;
        }
    }

    /// The user is typing in a conversation this connection views (subscribe first).
    pub async fn typing(
        &self,
        session: &RealtimeSession,
        conversation: ConversationId,
    ) -> Result<(), AppError> {
        let typist = self.typist(session, conversation).await?;
        self.notifier.typing(conversation, typist);
        Ok(())
    }

    /// The user stopped typing in a conversation this connection views: the indicator goes
    /// away now (it also expires by itself).
    pub async fn stop_typing(
        &self,
        session: &RealtimeSession,
        conversation: ConversationId,
    ) -> Result<(), AppError> {
        let typist = self.typist(session, conversation).await?;
        self.notifier.typing_ended(conversation, &typist);
        Ok(())
    }

    /// The typist, once the connection is known to view the conversation, as events name
    /// them now: from the name cache, so a rename made during the session shows (the
    /// session's own copy is from connect, and stands in when the store cannot answer).
    async fn typist(
        &self,
        session: &RealtimeSession,
        conversation: ConversationId,
    ) -> Result<UserRef, AppError> {
        self.require_viewing(session, conversation)?;
        Ok(self
            .users
            .name(session.user.id)
            .await
            .unwrap_or_else(|| session.user.clone()))
    }

    /// The connection closed: it leaves the registry, stops viewing what it viewed, and if it
    /// was the user's last, their last-seen time is recorded and they are announced offline.
    pub async fn disconnect(&self, session: &RealtimeSession) {
        let user = session.user.id;
        for conversation in self.ports.connections.unregister(session.connection) {
            self.stopped_viewing(conversation, user).await;
        }
        if !self.ports.presence.disconnected(user).await {
            return;
        }
        let at = now();
        let store = &self.notifier.store;
        if let Err(err) = store.record_last_seen(user, at).await {
            tracing::warn!(cause = %err, user_id = %user, "cannot record last seen");
        }
        match store.contacts(user, PRESENCE_CIRCLE).await {
            Ok(contacts) => {
                let audience: Arc<[_]> = contacts.iter().map(|c| c.user.id).collect();
                self.notifier.publish(
                    Audience::Users(audience),
                    RealtimeEvent::Presence {
                        user_id: user,
                        online: false,
                        last_seen_at: Some(at),
                    },
                );
            }
            Err(err) => {
                tracing::warn!(cause = %err, user_id = %user, "cannot read contacts; offline not announced")
            }
        }
    }

    /// Typing is for conversations the connection views.
    fn require_viewing(
        &self,
        session: &RealtimeSession,
        conversation: ConversationId,
    ) -> Result<(), AppError> {
        if self
            .ports
            .connections
            .is_subscribed(session.connection, conversation)
        {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "subscribe to the conversation before typing in it",
            ))
        }
    }

    /// One connection of `user` stopped viewing: the other viewers hear it if it was the last.
    async fn stopped_viewing(&self, conversation: ConversationId, user: hearth_domain::UserId) {
        if let Some(user) = self.ports.viewers.stop_viewing(conversation, user).await {
            self.notifier.viewer(conversation, user, false);
        }
    }
}
