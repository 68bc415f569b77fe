//! What a node does with each message that arrives on the bus.
//!
//! The bus adapter (in-process or Redis) calls [`BusReceiver::receive`] for every message any
//! node published, this node's own included: deliveries go to this node's connections,
//! signals update this node's caches and subscriptions. It must never block: the hub offers
//! without waiting, and the one signal that needs the viewer directory finishes in a task.

use std::sync::Arc;

use hearth_domain::SessionId;

use crate::blocks::Blocks;
use crate::realtime::{BusMessage, ConnectionRegistry, Notifier, Signal, ViewerDirectory};
use crate::revocations::Revocations;
use crate::rosters::Rosters;
use crate::user_names::UserNames;

/// This node's end of the bus. Cheap to clone.
#[derive(Clone, Debug)]
pub struct BusReceiver {
    pub(crate) connections: Arc<dyn ConnectionRegistry>,
    pub(crate) viewers: Arc<dyn ViewerDirectory>,
    pub(crate) notifier: Notifier,
    pub(crate) rosters: Rosters,
    pub(crate) blocks: Blocks,
    pub(crate) names: UserNames,
    pub(crate) revocations: Revocations,
}

impl BusReceiver {
    /// The bus may have lost messages (a shared bus lost its connection and has it again):
    /// every cached answer that a lost signal could have made stale is read again. Lost
    /// deliveries need nothing here; clients catch up by sync.
    pub fn forget_everything(&self) {
        self.rosters.forget_all_here();
        self.blocks.forget_all_here();
    }

    /// Ends `session` on this node: its access tokens are refused and its connections close.
    pub(crate) fn end_session(&self, session: SessionId) {
        self.revocations.end(session);
        let closed = self.connections.end_session(session);
        if closed > 0 {
            tracing::info!(session_id = %session.as_uuid(), closed, "an ended session's connections close");
        }
    }

    /// Whether `session` has ended on this node (by the bus, or by a use case here).
    pub(crate) fn knows_ended(&self, session: SessionId) -> bool {
        self.revocations.has_ended(session)
    }

    /// Applies one message on this node.
    pub fn receive(&self, message: BusMessage) {
        match message {
            BusMessage::Deliver(delivery) => self.connections.dispatch(delivery),
            BusMessage::Signal(Signal::RosterChanged(conversation)) => {
                self.rosters.forget_here(conversation);
            }
            BusMessage::Signal(Signal::BlocksChanged(a, b)) => self.blocks.forget_here(a, b),
            BusMessage::Signal(Signal::ProfileChanged(user)) => self.names.forget_here(user),
            BusMessage::Signal(Signal::SessionEnded(session)) => {
                self.end_session(session);
            }
            BusMessage::Signal(Signal::MemberGone {
                conversation_id,
                user_id,
            }) => {
                // The subscriptions end now, so that no typing or viewer event reaches a
                // former member; telling the others they left may wait for the directory.
                let views = self.connections.unsubscribe_user(user_id, conversation_id);
                if views == 0 {
                    return;
                }
                let (viewers, notifier) = (self.viewers.clone(), self.notifier.clone());
                tokio::spawn(async move {
                    for _ in 0..views {
                        if let Some(user) = viewers.stop_viewing(conversation_id, user_id).await {
                            notifier.viewer(conversation_id, user, false);
                        }
                    }
                });
            }
        }
    }
}
