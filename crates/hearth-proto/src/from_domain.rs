//! Rendering domain values as wire types, in one place for every face.

use hearth_domain::{
    Conversation, ConversationEvent, ConversationSummary, DeliveryStatus, EventKind, Media, Member,
    MemberMarker, Message, Permissions, Privacy, Role, SearchHit, Settings, ThreadSummary, User,
    UserId,
};

use crate::{
    ChangeEvent, ConversationDto, MediaDto, MemberDto, MessageDto, PermissionsDto, PrivacyDto,
    PublicConversationDto, ReactionDto, SearchResult, SettingsDto, SnippetPart, ThreadDto,
    ThumbnailDto, UserDto,
};

impl From<&Media> for MediaDto {
    fn from(media: &Media) -> Self {
        Self {
            id: media.id.as_uuid(),
            file_name: media.file_name.as_str().to_owned(),
            status: media.status.as_str().to_owned(),
            kind: media.kind().as_str().to_owned(),
            content_type: media.content_type.clone(),
            size: media.size,
            created_at: media.created_at,
            thumbnails: media
                .thumbnails
                .iter()
                .flatten()
                .map(|thumbnail| ThumbnailDto {
                    size: thumbnail.size.as_str().to_owned(),
                    width: thumbnail.width,
                    height: thumbnail.height,
                    content_type: thumbnail.format.content_type().to_owned(),
                    url: format!("/v1/media/{}/thumbnails/{}", media.id, thumbnail.size),
                })
                .collect(),
        }
    }
}

impl From<&User> for UserDto {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.as_uuid(),
            username: user.username.as_str().to_owned(),
            display_name: user.display_name.as_str().to_owned(),
            created_at: user.created_at,
            about: user.about.as_ref().map(|a| a.as_str().to_owned()),
            avatar_url: user
                .avatar
                .as_ref()
                .map(|avatar| crate::users::avatar_url(user.id, avatar)),
        }
    }
}

/// A message as nobody in particular sees it: every `reacted_by_me` is false. Use
/// [`MessageDto::for_viewer`] whenever the reader is known.
impl From<&Message> for MessageDto {
    fn from(message: &Message) -> Self {
        Self {
            id: message.id.as_uuid(),
            conversation_id: message.conversation_id.as_uuid(),
            sender_id: message.sender_id.as_uuid(),
            client_message_id: message.client_message_id.as_str().to_owned(),
            seq: message.seq,
            content: message.text().map(str::to_owned),
            created_at: message.created_at,
            status: DeliveryStatus::Sent.as_str().to_owned(),
            deleted: message.is_deleted(),
            deleted_at: message.deleted_at,
            edited_at: message.edited_at,
            edit_count: message.edit_count,
            reply_to: message.reply_to.map(|id| id.as_uuid()),
            thread_root_id: message.thread_root().map(|id| id.as_uuid()),
            thread: message
                .thread
                .as_ref()
                .filter(|t| t.root_id == message.id)
                .map(ThreadDto::from),
            mentions: message.mentions.iter().map(|id| id.as_uuid()).collect(),
            reactions: message
                .reactions
                .iter()
                .map(|r| ReactionDto {
                    emoji: r.emoji.as_str().to_owned(),
                    count: r.count(),
                    reacted_by_me: false,
                })
                .collect(),
            attachments: message.attachments.iter().map(MediaDto::from).collect(),
        }
    }
}

impl MessageDto {
    /// A message as `viewer` sees it (which reactions are theirs).
    pub fn for_viewer(message: &Message, viewer: UserId) -> Self {
        let mut dto = Self::from(message);
        for (dto, reaction) in dto.reactions.iter_mut().zip(&message.reactions) {
            dto.reacted_by_me = reaction.by(viewer);
        }
        dto
    }

    /// A message as `viewer` sees it, with its delivery status from every member's markers.
    pub fn seen_by(message: &Message, viewer: UserId, markers: &[MemberMarker]) -> Self {
        let status = DeliveryStatus::of(message.sender_id, message.seq, markers);
        Self {
            status: status.as_str().to_owned(),
            ..Self::for_viewer(message, viewer)
        }
    }
}

impl ChangeEvent {
    /// An event of the log as `viewer` sees it.
    pub fn for_viewer(event: &ConversationEvent, viewer: UserId) -> Self {
        let mut change = Self::from(event);
        change.message = event
            .kind
            .message()
            .map(|m| MessageDto::for_viewer(m, viewer));
        change
    }

    /// An event of the log as `viewer` sees it, its message with its delivery status.
    pub fn seen_by(event: &ConversationEvent, viewer: UserId, markers: &[MemberMarker]) -> Self {
        let mut change = Self::from(event);
        change.message = event
            .kind
            .message()
            .map(|m| MessageDto::seen_by(m, viewer, markers));
        change
    }
}

impl SearchResult {
    /// A search hit as `viewer` sees it.
    pub fn for_viewer(hit: &SearchHit, viewer: UserId) -> Self {
        Self {
            message: MessageDto::for_viewer(&hit.message, viewer),
            snippet: hit
                .snippet
                .iter()
                .map(|p| SnippetPart {
                    text: p.text.clone(),
                    highlight: p.highlight,
                })
                .collect(),
        }
    }
}

impl From<&ThreadSummary> for ThreadDto {
    fn from(thread: &ThreadSummary) -> Self {
        Self {
            root_id: thread.root_id.as_uuid(),
            reply_count: thread.reply_count,
            last_reply_at: thread.last_reply_at,
        }
    }
}

impl PermissionsDto {
    /// What a member of `role` holding `permissions` may actually do.
    pub fn of(role: Role, permissions: Permissions) -> Self {
        let held = if role.is_admin() {
            Permissions::ALL
        } else {
            permissions
        };
        Self {
            can_send_messages: held.can_send_messages,
            can_manage_participants: held.can_manage_participants,
            can_change_settings: held.can_change_settings,
            can_delete_messages: held.can_delete_messages,
            can_moderate_content: held.can_moderate_content,
            is_admin: role.is_admin(),
        }
    }
}

impl From<&Settings> for SettingsDto {
    fn from(settings: &Settings) -> Self {
        Self {
            title: settings.title.as_ref().map(|t| t.as_str().to_owned()),
            description: settings.description.as_str().to_owned(),
            require_approval: settings.require_approval,
            history_visibility: settings.history_visibility.as_str().to_owned(),
        }
    }
}

impl From<&Privacy> for PrivacyDto {
    fn from(privacy: &Privacy) -> Self {
        Self {
            direct_messages: Some(privacy.direct_messages.as_str().to_owned()),
            group_invites: Some(privacy.group_invites.as_str().to_owned()),
        }
    }
}

impl PublicConversationDto {
    /// A public conversation as discovery lists it to someone who has (not) `joined`.
    pub fn of(conversation: &Conversation, joined: bool) -> Self {
        Self {
            id: conversation.id.as_uuid(),
            kind: conversation.kind.as_str().to_owned(),
            title: conversation
                .settings
                .title
                .as_ref()
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            description: conversation.settings.description.as_str().to_owned(),
            member_count: conversation.member_count,
            require_approval: conversation.settings.require_approval,
            joined,
            created_at: conversation.created_at,
        }
    }
}

impl From<&Member> for MemberDto {
    fn from(member: &Member) -> Self {
        Self {
            user: UserDto::from(&member.user),
            role: member.role.as_str().to_owned(),
            permissions: PermissionsDto::of(member.role, member.permissions),
            joined_at: member.joined_at,
            last_delivered_seq: member.last_delivered_seq,
            last_read_seq: member.last_read_seq,
        }
    }
}

impl From<&ConversationSummary> for ConversationDto {
    fn from(summary: &ConversationSummary) -> Self {
        let conversation = &summary.conversation;
        let settings = SettingsDto::from(&conversation.settings);
        Self {
            id: conversation.id.as_uuid(),
            kind: conversation.kind.as_str().to_owned(),
            title: settings.title,
            description: settings.description,
            require_approval: settings.require_approval,
            history_visibility: settings.history_visibility,
            created_by: conversation.created_by.as_uuid(),
            member_count: conversation.member_count,
            members: summary
                .members
                .as_ref()
                .map(|members| members.iter().map(MemberDto::from).collect()),
            my_role: summary.me.role.as_str().to_owned(),
            my_permissions: PermissionsDto::of(summary.me.role, summary.me.permissions),
            created_at: summary.conversation.created_at,
            updated_at: summary.updated_at,
            last_message_preview: summary.last_message_preview.clone(),
            last_message_at: summary.last_message.as_ref().map(|m| m.created_at),
            last_seq: summary.last_seq,
            last_read_seq: summary.last_read_seq,
            unread_count: summary.unread_count,
        }
    }
}

impl From<&ConversationEvent> for ChangeEvent {
    fn from(event: &ConversationEvent) -> Self {
        let member_ids = match &event.kind {
            EventKind::ConversationCreated { member_ids } => {
                Some(member_ids.iter().map(|id| id.as_uuid()).collect())
            }
            _ => None,
        };
        let emoji = match &event.kind {
            EventKind::ReactionAdded { emoji, .. } | EventKind::ReactionRemoved { emoji, .. } => {
                Some(emoji.as_str().to_owned())
            }
            _ => None,
        };
        let (role, permissions) = match &event.kind {
            EventKind::MemberJoined {
                role, permissions, ..
            }
            | EventKind::MemberUpdated {
                role, permissions, ..
            } => (
                Some(role.as_str().to_owned()),
                Some(PermissionsDto::of(*role, *permissions)),
            ),
            _ => (None, None),
        };
        let settings = match &event.kind {
            EventKind::SettingsChanged(settings) => Some(SettingsDto::from(settings)),
            _ => None,
        };
        let message = event.kind.message();
        Self {
            user_id: event.kind.member().map(|id| id.as_uuid()),
            role,
            permissions,
            settings,
            seq: event.seq,
            kind: event.kind.type_name().to_owned(),
            actor_id: event.actor_id.as_uuid(),
            created_at: event.created_at,
            message: message.map(MessageDto::from),
            member_ids,
            emoji,
            thread: message
                .filter(|m| m.thread_root().is_some())
                .and_then(|m| m.thread.as_ref())
                .map(ThreadDto::from),
        }
    }
}
