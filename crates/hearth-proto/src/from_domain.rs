//! Rendering domain values as wire types, in one place for every face.

use hearth_domain::{
    ConversationEvent, ConversationSummary, DeliveryStatus, EventKind, Member, MemberMarker,
    Message, User,
};

use crate::{ChangeEvent, ConversationDto, MemberDto, MessageDto, UserDto};

impl From<&User> for UserDto {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.as_uuid(),
            username: user.username.as_str().to_owned(),
            display_name: user.display_name.as_str().to_owned(),
            created_at: user.created_at,
        }
    }
}

impl From<&Message> for MessageDto {
    fn from(message: &Message) -> Self {
        Self {
            id: message.id.as_uuid(),
            conversation_id: message.conversation_id.as_uuid(),
            sender_id: message.sender_id.as_uuid(),
            client_message_id: message.client_message_id.as_str().to_owned(),
            seq: message.seq,
            content: message.content.as_str().to_owned(),
            created_at: message.created_at,
            status: DeliveryStatus::Sent.as_str().to_owned(),
        }
    }
}

impl MessageDto {
    /// The message with its delivery status, from every member's markers.
    pub fn with_markers(message: &Message, markers: &[MemberMarker]) -> Self {
        let status = DeliveryStatus::of(message.sender_id, message.seq, markers);
        Self {
            status: status.as_str().to_owned(),
            ..Self::from(message)
        }
    }
}

impl ChangeEvent {
    /// The event, its message (if any) with its delivery status.
    pub fn with_markers(event: &ConversationEvent, markers: &[MemberMarker]) -> Self {
        let mut change = Self::from(event);
        if let EventKind::NewMessage(message) = &event.kind {
            change.message = Some(MessageDto::with_markers(message, markers));
        }
        change
    }
}

impl From<&Member> for MemberDto {
    fn from(member: &Member) -> Self {
        Self {
            user: UserDto::from(&member.user),
            role: member.role.as_str().to_owned(),
            joined_at: member.joined_at,
            last_delivered_seq: member.last_delivered_seq,
            last_read_seq: member.last_read_seq,
        }
    }
}

impl From<&ConversationSummary> for ConversationDto {
    fn from(summary: &ConversationSummary) -> Self {
        Self {
            id: summary.conversation.id.as_uuid(),
            kind: summary.conversation.kind.as_str().to_owned(),
            members: summary.members.iter().map(MemberDto::from).collect(),
            created_at: summary.conversation.created_at,
            updated_at: summary.updated_at,
            last_message_preview: summary
                .last_message
                .as_ref()
                .map(|m| hearth_domain::preview_of(&m.content)),
            last_message_at: summary.last_message.as_ref().map(|m| m.created_at),
            last_seq: summary.last_seq,
            last_read_seq: summary.last_read_seq,
            unread_count: summary.unread_count,
        }
    }
}

impl From<&ConversationEvent> for ChangeEvent {
    fn from(event: &ConversationEvent) -> Self {
        let (message, member_ids) = match &event.kind {
            EventKind::NewMessage(message) => (Some(MessageDto::from(message)), None),
            EventKind::ConversationCreated { member_ids } => (
                None,
                Some(member_ids.iter().map(|id| id.as_uuid()).collect()),
            ),
        };
        Self {
            seq: event.seq,
            kind: event.kind.type_name().to_owned(),
            actor_id: event.actor_id.as_uuid(),
            created_at: event.created_at,
            message,
            member_ids,
        }
    }
}
