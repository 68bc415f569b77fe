//! Who is viewing each conversation on this node, counted in memory.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use hearth_app::realtime::{UserRef, ViewerDirectory};
use hearth_domain::{ConversationId, UserId};

/// One user's views of one conversation: how many connections, and how events name them.
#[derive(Debug)]
struct Views {
    user: UserRef,
    count: usize,
}

/// Views per conversation and user on this node: the directory of a single-node server.
/// Viewers are listed in the order they started viewing.
#[derive(Debug, Default)]
pub struct LocalViewers {
    views: Mutex<HashMap<ConversationId, Vec<Views>>>,
}

impl LocalViewers {
    fn lock(&self) -> MutexGuard<'_, HashMap<ConversationId, Vec<Views>>> {
        self.views.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait::async_trait]
impl ViewerDirectory for LocalViewers {
    async fn start_viewing(&self, conversation: ConversationId, user: &UserRef) -> bool {
        let mut views = self.lock();
        let viewers = views.entry(conversation).or_default();
        match viewers.iter_mut().find(|v| v.user.id == user.id) {
            Some(views) => {
                views.count += 1;
                false
            }
            None => {
                viewers.push(Views {
                    user: user.clone(),
                    count: 1,
                });
                true
            }
        }
    }

    async fn stop_viewing(&self, conversation: ConversationId, user: UserId) -> Option<UserRef> {
        let mut views = self.lock();
        let viewers = views.get_mut(&conversation)?;
        let at = viewers.iter().position(|v| v.user.id == user)?;
        let left = match viewers.get_mut(at) {
            Some(views) if views.count > 1 => {
                views.count -= 1;
                None
            }
            _ => Some(viewers.remove(at).user),
        };
        if viewers.is_empty() {
            views.remove(&conversation);
        }
        left
    }

    async fn viewers(&self, conversation: ConversationId) -> Vec<UserRef> {
        self.lock()
            .get(&conversation)
            .map(|viewers| viewers.iter().map(|v| v.user.clone()).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> UserRef {
        UserRef {
            id: UserId::new(),
            username: name.to_owned(),
            display_name: name.to_owned(),
            avatar: None,
        }
    }

    #[tokio::test]
    async fn viewers_join_once_and_leave_with_their_last_view() {
        let directory = LocalViewers::default();
        let (alice, conversation) = (user("alice"), ConversationId::new());
        assert!(directory.start_viewing(conversation, &alice).await);
        assert!(
            !directory.start_viewing(conversation, &alice).await,
            "already viewing on another connection"
        );
        assert_eq!(directory.viewers(conversation).await, vec![alice.clone()]);
        assert_eq!(directory.stop_viewing(conversation, alice.id).await, None);
        assert_eq!(
            directory.stop_viewing(conversation, alice.id).await,
            Some(alice.clone())
        );
        assert!(directory.viewers(conversation).await.is_empty());
        assert_eq!(
            directory.stop_viewing(conversation, alice.id).await,
            None,
            "an unknown view changes nothing"
        );
    }

    #[tokio::test]
    async fn viewers_are_listed_in_the_order_they_came() {
        let directory = LocalViewers::default();
        let conversation = ConversationId::new();
        let (alice, bob) = (user("alice"), user("bob"));
        directory.start_viewing(conversation, &bob).await;
        directory.start_viewing(conversation, &alice).await;
        assert_eq!(directory.viewers(conversation).await, vec![bob, alice]);
    }
}
