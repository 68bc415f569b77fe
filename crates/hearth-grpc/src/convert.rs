//! Domain values as the protos' messages. Pure functions: no use case, no I/O.

use hearth_domain::{ConversationKind, ConversationSummary, Media, Message, Timestamp};

use crate::pb;

/// A time as `google.protobuf.Timestamp`.
pub(crate) fn timestamp(at: Timestamp) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.unix_timestamp(),
        nanos: i32::try_from(at.nanosecond()).unwrap_or(0),
    }
}

/// A message as `hearth.v1.Message`; a tombstone has no content and `deleted` set.
pub(crate) fn message(message: &Message) -> pb::Message {
    pb::Message {
        id: message.id.to_string(),
        conversation_id: message.conversation_id.to_string(),
        sender_id: message.sender_id.to_string(),
        content: message.text().unwrap_or_default().to_owned(),
        sent_at: Some(timestamp(message.created_at)),
        seq: message.seq,
        client_message_id: message.client_message_id.as_str().to_owned(),
        deleted: message.is_deleted(),
        edited_at: message.edited_at.map(timestamp),
        reply_to: message.reply_to.map(|id| id.to_string()),
        attachments: attachments(&message.attachments),
    }
}

/// A message's files as `hearth.v1.Attachment`s, in order.
pub(crate) fn attachments(files: &[Media]) -> Vec<pb::Attachment> {
    files
        .iter()
        .map(|file| pb::Attachment {
            id: file.id.to_string(),
            kind: file.kind().as_str().to_owned(),
            file_name: file.file_name.as_str().to_owned(),
            content_type: file.content_type.clone().unwrap_or_default(),
            size: file.size.unwrap_or_default(),
            created_at: Some(timestamp(file.created_at)),
            download_path: format!("/v1/media/{}/content", file.id),
        })
        .collect()
}

/// A conversation, as its viewer sees it, as `hearth.v1.Conversation`.
pub(crate) fn conversation(summary: &ConversationSummary) -> pb::Conversation {
    let conversation = &summary.conversation;
    pb::Conversation {
        id: conversation.id.to_string(),
        created_at: Some(timestamp(conversation.created_at)),
        is_group: conversation.kind != ConversationKind::Direct,
        participants: summary
            .members
            .iter()
            .flatten()
            .map(|member| pb::Participant {
                user_id: member.user.id.to_string(),
                joined_at: Some(timestamp(member.joined_at)),
                role: member.role.as_str().to_owned(),
                username: member.user.username.as_str().to_owned(),
                display_name: member.user.display_name.as_str().to_owned(),
            })
            .collect(),
        group_name: conversation
            .settings
            .title
            .as_ref()
            .map(|title| title.as_str().to_owned()),
        member_count: conversation.member_count,
        kind: conversation.kind.as_str().to_owned(),
    }
}
