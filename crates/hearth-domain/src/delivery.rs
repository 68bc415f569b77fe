//! Delivery status (seed 001: `sent` → `delivered` → `read`), computed from members' markers.
//!
//! Hearth never writes a row per message per recipient. Each member has two markers per
//! conversation — the last seq delivered to one of their devices and the last seq they read —
//! and a message's status follows from comparing its seq with the other members' markers.

use serde::{Deserialize, Serialize};

use crate::{Seq, UserId};

/// One member's markers in a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberMarker {
    /// The member.
    pub user_id: UserId,
    /// The last seq that reached one of their devices (never below `last_read_seq`).
    pub last_delivered_seq: Seq,
    /// The last seq they have read.
    pub last_read_seq: Seq,
    /// The seq of their (latest) join: messages before it do not wait for them.
    pub joined_seq: Seq,
}

/// How far a message has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeliveryStatus {
    /// Stored on the server.
    Sent,
    /// On a device of every other member.
    Delivered,
    /// Read by every other member.
    Read,
}

impl DeliveryStatus {
    /// The stable name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
        }
    }

    /// The status of the message at `seq` sent by `sender`, given every member's markers: the
    /// least advanced of the other members who were there when it was sent decides (someone
    /// who joined later never "read" it). With nobody else it is `Sent`.
    pub fn of(sender: UserId, seq: Seq, markers: &[MemberMarker]) -> Self {
        let mut others = markers
            .iter()
            .filter(|m| m.user_id != sender && m.joined_seq < seq)
            .peekable();
        if others.peek().is_none() {
            return Self::Sent;
        }
        others
            .map(|m| {
                if m.last_read_seq >= seq {
                    Self::Read
                } else if m.last_delivered_seq >= seq {
                    Self::Delivered
                } else {
                    Self::Sent
                }
            })
            .min()
            .unwrap_or(Self::Sent)
    }
}

/// Which marker a receipt moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReceiptKind {
    /// The messages reached a device.
    Delivered,
    /// The member read the messages.
    Read,
}

impl ReceiptKind {
    /// The stable name used on the wire (the delivery status it confirms).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Read => "read",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(user: UserId, delivered: Seq, read: Seq) -> MemberMarker {
        MemberMarker {
            user_id: user,
            last_delivered_seq: delivered,
            last_read_seq: read,
            joined_seq: 1,
        }
    }

    #[test]
    fn the_least_advanced_other_member_decides() {
        let (alice, bob, carol) = (UserId::new(), UserId::new(), UserId::new());
        let markers = [marker(alice, 0, 0), marker(bob, 5, 5), marker(carol, 5, 3)];
        assert_eq!(DeliveryStatus::of(alice, 3, &markers), DeliveryStatus::Read);
        assert_eq!(
            DeliveryStatus::of(alice, 4, &markers),
            DeliveryStatus::Delivered
        );
        assert_eq!(DeliveryStatus::of(alice, 6, &markers), DeliveryStatus::Sent);
    }

    #[test]
    fn the_senders_own_markers_do_not_count() {
        let (alice, bob) = (UserId::new(), UserId::new());
        let markers = [marker(alice, 0, 0), marker(bob, 9, 9)];
        assert_eq!(DeliveryStatus::of(alice, 9, &markers), DeliveryStatus::Read);
        assert_eq!(
            DeliveryStatus::of(alice, 9, &markers[..1]),
            DeliveryStatus::Sent
        );
    }

    #[test]
    fn members_who_joined_later_do_not_count() {
        let (alice, bob, late) = (UserId::new(), UserId::new(), UserId::new());
        let markers = [
            marker(bob, 4, 4),
            MemberMarker {
                joined_seq: 6,
                ..marker(late, 6, 6)
            },
        ];
        assert_eq!(DeliveryStatus::of(alice, 4, &markers), DeliveryStatus::Read);
        assert_eq!(DeliveryStatus::of(alice, 5, &markers), DeliveryStatus::Sent);
        let only_late = [markers[1]];
        assert_eq!(
            DeliveryStatus::of(alice, 3, &only_late),
            DeliveryStatus::Sent
        );
    }
}
