//! `Mutation`: every mutation of seed 001, each one call of a use case.

use async_graphql::{Context, ID, Object};
use hearth_app::{Caller, CreateInput, SendInput, SettingsInput};
use hearth_domain::{ConversationId, MessageId};
use hearth_proto::ErrorCode;

use crate::context::{Shared, caller, conversation_id, message_id, user_id};
use crate::error::{error, refuse};
use crate::types::{
    GqlConversation, GqlMessage, GqlReaction, GroupSettingsInput, MediaReference, ThumbnailSize,
};

/// The message a reaction is about, and who reacts.
struct Reacting {
    caller: Caller,
    conversation: ConversationId,
    message: MessageId,
}

/// The caller and the message `raw` names, with its conversation (seed 001 names a message by
/// its id alone).
async fn reacting<'a>(
    ctx: &'a Context<'_>,
    raw: &ID,
) -> async_graphql::Result<(&'a Shared, Reacting)> {
    let shared = ctx.data::<Shared>()?;
    let caller = caller(ctx)?;
    let message = message_id(raw)?;
    let conversation = shared
        .app
        .messages
        .conversation_of(message)
        .await
        .map_err(error)?;
    let target = Reacting {
        caller,
        conversation,
        message,
    };
    Ok((shared, target))
}

/// The root of writes.
#[derive(Debug, Default)]
pub(crate) struct Mutation;

#[Object]
impl Mutation {
    /// Sends a message, idempotently on `clientMessageId` (the same key as REST's
    /// `client_message_id`, shared by every face): a retry answers the original message.
    /// Without a key the server makes one, and such a send cannot be retried safely.
    /// `attachments` (Hearth's addition): ids of the caller's ready uploads, in order, at
    /// most 10; with them `content` may be empty.
    async fn send_message(
        &self,
        ctx: &Context<'_>,
        conversation_id: ID,
        content: String,
        client_message_id: Option<String>,
        attachments: Option<Vec<ID>>,
    ) -> async_graphql::Result<GqlMessage> {
        let shared = ctx.data::<Shared>()?;
        let caller = caller(ctx)?;
        let id = self::conversation_id(&conversation_id)?;
        let raw: Vec<String> = attachments
            .unwrap_or_default()
            .into_iter()
            .map(|id| id.0)
            .collect();
        let attachments = hearth_app::parse_media_ids(&raw).map_err(error)?;
        let input = SendInput {
            client_message_id: client_message_id
                .unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
            content,
            attachments,
        };
        let sent = shared
            .app
            .messages
            .send(caller, id, input)
            .await
            .map_err(error)?;
        Ok(GqlMessage::fresh(sent.message, caller.user_id, None))
    }

    /// Creates a group owned by the caller with the people named.
    async fn create_group(
        &self,
        ctx: &Context<'_>,
        name: String,
        participant_ids: Vec<ID>,
    ) -> async_graphql::Result<GqlConversation> {
        let shared = ctx.data::<Shared>()?;
        let input = CreateInput {
            kind: "group".to_owned(),
            title: Some(name),
            member_ids: participant_ids.into_iter().map(|id| id.0).collect(),
            ..CreateInput::default()
        };
        let summary = shared
            .app
            .conversations
            .create(caller(ctx)?, input)
            .await
            .map_err(error)?;
        Ok(GqlConversation { summary })
    }

    /// Changes a group's settings (`can_change_settings`).
    async fn update_group_settings(
        &self,
        ctx: &Context<'_>,
        conversation_id: ID,
        settings: GroupSettingsInput,
    ) -> async_graphql::Result<GqlConversation> {
        let shared = ctx.data::<Shared>()?;
        let input = SettingsInput {
            title: settings.name,
            description: settings.description,
            require_approval: settings.require_approval,
            history_visibility: settings
                .message_history_visibility
                .map(|v| v.as_app().to_owned()),
        };
        let summary = shared
            .app
            .conversations
            .update_settings(
                caller(ctx)?,
                self::conversation_id(&conversation_id)?,
                input,
            )
            .await
            .map_err(error)?;
        Ok(GqlConversation { summary })
    }

    /// Hands the group to another member: seed 001's admin transfer is Hearth's ownership
    /// transfer. `currentAdminId` must be the caller (the owner); the former owner becomes an
    /// admin.
    async fn transfer_admin(
        &self,
        ctx: &Context<'_>,
        conversation_id: ID,
        current_admin_id: ID,
        new_admin_id: ID,
    ) -> async_graphql::Result<GqlConversation> {
        let shared = ctx.data::<Shared>()?;
        let caller = caller(ctx)?;
        let id = self::conversation_id(&conversation_id)?;
        if user_id(&current_admin_id).ok() != Some(caller.user_id) {
            return Err(refuse(
                ErrorCode::Forbidden,
                "currentAdminId must be you: only the owner hands a group over",
            ));
        }
        let summary = shared
            .app
            .conversations
            .transfer_ownership(caller, id, new_admin_id.trim())
            .await
            .map_err(error)?;
        Ok(GqlConversation { summary })
    }

    /// Adds the caller's reaction to a message; already there changes nothing.
    async fn add_reaction(
        &self,
        ctx: &Context<'_>,
        message_id: ID,
        reaction_type: String,
    ) -> async_graphql::Result<GqlReaction> {
        let (shared, target) = reacting(ctx, &message_id).await?;
        let caller = target.caller;
        let change = shared
            .app
            .messages
            .react(caller, target.conversation, target.message, &reaction_type)
            .await
            .map_err(error)?;
        let message = &change.message;
        // The use case accepted the emoji, so it parses; it is compared as the store keeps it.
        let emoji = hearth_domain::Emoji::parse(&reaction_type)
            .map_err(|e| error(hearth_app::AppError::from(e)))?;
        message
            .reactions
            .iter()
            .find(|r| r.emoji == emoji)
            .map(|r| GqlReaction::of(message, r, caller.user_id))
            .ok_or_else(|| refuse(ErrorCode::Internal, "the reaction is not on the message"))
    }

    /// Takes back the caller's reaction: `true` if there was one to take back.
    async fn remove_reaction(
        &self,
        ctx: &Context<'_>,
        message_id: ID,
        reaction_type: String,
    ) -> async_graphql::Result<bool> {
        let (shared, target) = reacting(ctx, &message_id).await?;
        let change = shared
            .app
            .messages
            .unreact(
                target.caller,
                target.conversation,
                target.message,
                &reaction_type,
            )
            .await
            .map_err(error)?;
        Ok(change.changed())
    }

    /// The thumbnail of `size` of an image you may see, made now if the server has not made
    /// its thumbnails yet (it makes them on its own shortly after an upload). `thumbnail` is
    /// `null` for a document or an image that cannot have one.
    async fn generate_media_thumbnail(
        &self,
        ctx: &Context<'_>,
        media_id: ID,
        size: ThumbnailSize,
    ) -> async_graphql::Result<MediaReference> {
        let shared = ctx.data::<Shared>()?;
        let caller = caller(ctx)?;
        let id = crate::context::media_id(&media_id)?;
        let media = shared
            .app
            .thumbnails
            .ensure(caller, id)
            .await
            .map_err(error)?;
        Ok(MediaReference::with_thumbnail(&media, size.into()))
    }
}
