//! Announces changes to the devices that must hear them.
//!
//! Called by the use cases after a change is durable. Failing to announce never fails the
//! change: the error is logged and clients still converge by sync.

use std::sync::Arc;

use hearth_domain::{Access, ConversationEvent, ConversationId, ReceiptKind, Seq, UserId};
use hearth_store::DynStore;

use crate::realtime::{
    Audience, BusMessage, Delivery, EventBus, LogEntry, RealtimeEvent, Signal, TypingSettings,
    TypingTracker, UserRef,
};
use crate::rosters::{Roster, Rosters};

/// The realtime announcer every use case shares.
#[derive(Clone, Debug)]
pub(crate) struct Notifier {
    pub(crate) store: DynStore,
    bus: Arc<dyn EventBus>,
    typing: Arc<TypingTracker>,
    typing_settings: TypingSettings,
    rosters: Rosters,
}

impl Notifier {
    pub(crate) fn new(
        store: DynStore,
        bus: Arc<dyn EventBus>,
        typing_settings: TypingSettings,
        rosters: Rosters,
    ) -> Self {
        Self {
            store,
            bus,
            typing: Arc::new(TypingTracker::default()),
            typing_settings,
            rosters,
        }
    }

    /// The conversation's roster (every member's access), from the roster cache, or `None`
    /// (logged) when that cannot be read now (or the conversation is gone).
    async fn audience(&self, conversation: ConversationId, asking: UserId) -> Option<Arc<Roster>> {
        match self.rosters.get(conversation, asking).await {
            Ok(roster) => roster,
            Err(err) => {
                tracing::warn!(cause = %err, %conversation, "cannot read members; realtime delivery skipped, clients will sync");
                None
            }
        }
    }

    pub(crate) fn publish(&self, audience: Audience, event: RealtimeEvent) {
        self.bus
            .publish(BusMessage::Deliver(Arc::new(Delivery { audience, event })));
    }

    /// Tells every node (this one included) to update what it keeps in memory.
    pub(crate) fn signal(&self, signal: Signal) {
        self.bus.publish(BusMessage::Signal(signal));
    }

    /// Everyone in the conversation, or `None` (logged) when that cannot be read now.
    async fn members(&self, conversation: ConversationId, asking: UserId) -> Option<Arc<[UserId]>> {
        self.audience(conversation, asking)
            .await
            .map(|roster| roster.members.iter().map(|m| m.user_id).collect())
    }

    /// A new entry of a conversation's log: to every device of every member who sees it.
    pub(crate) async fn log_event(&self, event: ConversationEvent) {
        if let Some(roster) = self.audience(event.conversation_id, event.actor_id).await {
            self.log_event_to(event, &roster.members, &[]);
        }
    }

    /// A new entry of a conversation's log, to the members in `audience` who see it (history
    /// visibility: an event about a message from before a member's visible history does not
    /// reach them), to the member the event is about (a removed member hears of it), and to
    /// `also` (the members of a conversation just deleted).
    pub(crate) fn log_event_to(
        &self,
        event: ConversationEvent,
        audience: &[Access],
        also: &[UserId],
    ) {
        self.log_entry_to(
            LogEntry {
                event,
                author: None,
            },
            audience,
            also,
        );
    }

    /// A new message, to the members in `audience` who see it, naming its author.
    pub(crate) fn new_message_to(
        &self,
        event: ConversationEvent,
        author: Option<UserRef>,
        audience: &[Access],
    ) {
        self.log_entry_to(LogEntry { event, author }, audience, &[]);
    }

    fn log_entry_to(&self, entry: LogEntry, audience: &[Access], also: &[UserId]) {
        let event = &entry.event;
        let about = event.kind.message().map_or(event.seq, |m| m.seq);
        let mut users: Vec<UserId> = audience
            .iter()
            .filter(|member| member.sees(about))
            .map(|member| member.user_id)
            .chain(also.iter().copied())
            .chain(event.kind.member())
            .collect();
        users.sort_unstable();
        users.dedup();
        self.publish(
            Audience::Users(users.into()),
            RealtimeEvent::Log(Box::new(entry)),
        );
    }

    /// Someone asked to join: to every device of the members who may answer
    /// (`can_manage_participants`).
    pub(crate) async fn join_requested(&self, request: &hearth_store::JoinRequest) {
        let conversation_id = request.conversation_id;
        if let Some(roster) = self.audience(conversation_id, request.user.id).await {
            let managers: Arc<[UserId]> = roster
                .members
                .iter()
                .filter(|m| m.effective().can_manage_participants)
                .map(|m| m.user_id)
                .collect();
            self.publish(
                Audience::Users(managers),
                RealtimeEvent::JoinRequested {
                    conversation_id,
                    user: UserRef::from(&request.user),
                    created_at: request.created_at,
                },
            );
        }
    }

    /// A member's marker moved: to every device of every member.
    pub(crate) async fn receipt(
        &self,
        conversation_id: ConversationId,
        user_id: UserId,
        kind: ReceiptKind,
        seq: Seq,
    ) {
        if let Some(members) = self.members(conversation_id, user_id).await {
            self.publish(
                Audience::Users(members),
                RealtimeEvent::Receipt {
                    conversation_id,
                    user_id,
                    kind,
                    seq,
                },
            );
        }
    }

    /// `user` is typing in a conversation they view: to the other viewers, throttled, with an
    /// expiry that broadcasts `typing: false` unless renewed.
    pub(crate) fn typing(&self, conversation_id: ConversationId, user: UserRef) {
        let settings = self.typing_settings;
        let tick = self
            .typing
            .tick(conversation_id, user.id, settings.throttle);
        if tick.broadcast {
            self.publish_typing(conversation_id, user.clone(), true);
        }
        let notifier = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(settings.ttl).await;
            if notifier
                .typing
                .expire(conversation_id, user.id, tick.generation)
            {
                notifier.publish_typing(conversation_id, user, false);
            }
        });
    }

    /// `user` says they stopped typing: their indicator goes away now, if it was up.
    pub(crate) fn typing_ended(&self, conversation_id: ConversationId, user: &UserRef) {
        if self.typing.stop(conversation_id, user.id) {
            self.publish_typing(conversation_id, user.clone(), false);
        }
    }

    fn publish_typing(&self, conversation_id: ConversationId, user: UserRef, typing: bool) {
        let except = Some(user.id);
        let expires_in = self.typing_settings.ttl;
        self.publish(
            Audience::Viewers {
                conversation_id,
                except,
            },
            RealtimeEvent::Typing {
                conversation_id,
                user,
                typing,
                expires_in,
            },
        );
    }

    /// `user` started or stopped viewing a conversation: to its other viewers.
    pub(crate) fn viewer(&self, conversation_id: ConversationId, user: UserRef, joined: bool) {
        let except = Some(user.id);
        self.publish(
            Audience::Viewers {
                conversation_id,
                except,
            },
            RealtimeEvent::Viewer {
                conversation_id,
                user,
                joined,
            },
        );
    }

    /// `user` is no longer a member of the conversation: on every node, their devices stop
    /// viewing it, and its other viewers hear that they left.
    pub(crate) fn member_gone(&self, conversation_id: ConversationId, user_id: UserId) {
        self.signal(Signal::MemberGone {
            conversation_id,
            user_id,
        });
    }
}
