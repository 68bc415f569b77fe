//! `Subscription`: seed 001's `messageReceived` and `presenceUpdated`, each a filter over its
//! connection's deliveries (see `live.rs`). Subscriptions exist only over the websocket, after
//! `connection_init` authenticated it.

use std::sync::Arc;

use async_graphql::{Context, ID, Subscription as GraphQlSubscription};
use futures::Stream;
use hearth_app::realtime::{Delivery, RealtimeEvent};
use hearth_domain::{ConversationId, EventKind, UserId};
use hearth_proto::ErrorCode;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

use crate::context::{Shared, conversation_id, user_id};
use crate::error::{error, refuse};
use crate::live::{Live, codes};
use crate::types::{GqlMessage, GqlUser, UserPresence};

/// The root of live streams.
#[derive(Debug, Default)]
pub(crate) struct Subscription;

/// The connection an operation runs on, or `bad_request` over HTTP.
fn live<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Arc<Live>> {
    ctx.data_opt::<Arc<Live>>().ok_or_else(|| {
        refuse(
            ErrorCode::BadRequest,
            "subscriptions run over the graphql-transport-ws websocket at /graphql",
        )
    })
}

/// The deliveries of `live` that `pick` turns into items. A subscription that falls behind the
/// connection's buffer closes the connection as a slow consumer (it catches up by reading the
/// history after reconnecting).
fn picked<T, P>(live: &Arc<Live>, pick: P) -> impl Stream<Item = T> + use<T, P>
where
    T: Send + 'static,
    P: Fn(&Delivery) -> Option<T> + Send + 'static,
{
    let receiver: Receiver<Arc<Delivery>> = live.deliveries();
    let link = live.link.clone();
    futures::stream::unfold(
        (receiver, link, pick),
        |(mut receiver, link, pick)| async move {
            loop {
                match receiver.recv().await {
                    Ok(delivery) => {
                        if let Some(item) = pick(&delivery) {
                            return Some((item, (receiver, link, pick)));
                        }
                    }
                    Err(RecvError::Lagged(_)) => {
                        metrics::counter!("hearth_realtime_slow_consumers_total").increment(1);
                        link.close(codes::TOO_SLOW, "slow consumer, resync");
                        return None;
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    )
}

/// A new message of `conversation`, as `viewer` receives it.
fn new_message(
    delivery: &Delivery,
    conversation: ConversationId,
    viewer: UserId,
) -> Option<GqlMessage> {
    let RealtimeEvent::Log(entry) = &delivery.event else {
        return None;
    };
    let EventKind::NewMessage(message) = &entry.event.kind else {
        return None;
    };
    (message.conversation_id == conversation).then(|| {
        GqlMessage::fresh(
            message.clone(),
            viewer,
            entry.author.as_ref().map(GqlUser::from),
        )
    })
}

#[GraphQlSubscription]
impl Subscription {
    /// Every new message of a conversation the caller is in, from now on (sent on any face).
    async fn message_received(
        &self,
        ctx: &Context<'_>,
        conversation_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = GqlMessage> + use<>> {
        let live = live(ctx)?;
        let shared = ctx.data::<Shared>()?;
        let id = self::conversation_id(&conversation_id)?;
        let caller = live.session.caller;
        shared
            .app
            .conversations
            .require_member(caller, id)
            .await
            .map_err(error)?;
        metrics::counter!("hearth_face_requests_total", "face" => crate::FACE, "operation" => "messageReceived").increment(1);
        Ok(picked(live, move |d| new_message(d, id, caller.user_id)))
    }

    /// A user coming online or going offline, from now on. The caller hears it for the people
    /// they share a conversation with (their presence circle), as on every face.
    async fn presence_updated(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = UserPresence> + use<>> {
        let live = live(ctx)?;
        let watched = self::user_id(&user_id)?;
        metrics::counter!("hearth_face_requests_total", "face" => crate::FACE, "operation" => "presenceUpdated").increment(1);
        Ok(picked(live, move |delivery| match &delivery.event {
            RealtimeEvent::Presence {
                user_id,
                online,
                last_seen_at,
            } if *user_id == watched => Some(UserPresence {
                user_id: ID(user_id.to_string()),
                online: *online,
                last_seen_at: *last_seen_at,
            }),
            _ => None,
        }))
    }
}
