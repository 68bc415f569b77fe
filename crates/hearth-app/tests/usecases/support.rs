//! Helpers shared by the use-case suites.

use hearth_domain::ConversationEvent;

/// The texts of the messages that `events` carry, in log order (`None` for a tombstone).
pub fn said(events: &[ConversationEvent]) -> Vec<Option<&str>> {
    events
        .iter()
        .filter_map(|e| e.kind.message())
        .map(|m| m.text())
        .collect()
}
