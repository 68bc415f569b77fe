//! Seed 001's `MessengerService`: each RPC reads its request, asks the core who it acts as,
//! calls one use case and renders the answer — with a span, a count and, on failure, the
//! status of the one error mapping ([`crate::status`]).

use std::future::Future;

use hearth_app::{CreateInput, HistoryQuery, PublicError, SendInput, UserLookup};
use tonic::{Request, Response, Status};
use tracing::Instrument;

use crate::auth::{acting, conversation, principal};
use crate::pb::messenger_service_server::MessengerService;
use crate::pb::{
    Conversation, ConversationHistory, CreateConversationRequest, GetConversationHistoryRequest,
    PresenceStatus, PresenceUpdate, SendMessageRequest, SendMessageResponse, UpdatePresenceRequest,
};
use crate::{FACE, GrpcState, convert, status};

/// The messenger service over the use cases.
#[derive(Clone, Debug)]
pub(crate) struct Messenger {
    state: GrpcState,
}

impl Messenger {
    pub(crate) fn new(state: GrpcState) -> Self {
        Self { state }
    }
}

/// Runs one RPC in its span, counts it by outcome, and renders its failure as a status.
async fn rpc<T>(
    name: &'static str,
    call: impl Future<Output = Result<T, PublicError>>,
) -> Result<Response<T>, Status> {
    let span = tracing::info_span!("grpc", rpc = name, code = tracing::field::Empty);
    async move {
        match call.await {
            Ok(answer) => {
                metrics::counter!("hearth_face_requests_total", "face" => FACE, "rpc" => name, "code" => "ok")
                    .increment(1);
                Ok(Response::new(answer))
            }
            Err(error) => {
                let code = error.code.as_str();
                tracing::Span::current().record("code", code);
                tracing::debug!(code, message = %error.message, "refused");
                metrics::counter!("hearth_face_requests_total", "face" => FACE, "rpc" => name, "code" => code)
                    .increment(1);
                Err(status::to_status(error))
            }
        }
    }
    .instrument(span)
    .await
}

#[tonic::async_trait]
impl MessengerService for Messenger {
    async fn send_message(
        &self,
        request: Request<SendMessageRequest>,
    ) -> Result<Response<SendMessageResponse>, Status> {
        rpc("SendMessage", async {
            let app = &self.state.app;
            let principal = principal(app, request.metadata())?;
            let request = request.into_inner();
            let caller = acting(app, &principal, "sender_id", &request.sender_id).await?;
            let id = conversation(&request.conversation_id)?;
            // Without a key the send cannot be retried safely (as a seed-003 WS send).
            let key = request
                .client_message_id
                .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
            let attachments = hearth_app::parse_media_ids(&request.attachment_ids)?;
            let input = SendInput {
                client_message_id: key,
                content: request.content,
                attachments,
            };
            let sent = app.messages.send(caller, id, input).await?;
            Ok(SendMessageResponse {
                message_id: sent.message.id.to_string(),
                sent_at: Some(convert::timestamp(sent.message.created_at)),
                seq: sent.message.seq,
                replayed: !sent.created,
                attachments: convert::attachments(&sent.message.attachments),
            })
        })
        .await
    }

    async fn create_conversation(
        &self,
        request: Request<CreateConversationRequest>,
    ) -> Result<Response<Conversation>, Status> {
        rpc("CreateConversation", async {
            let app = &self.state.app;
            let principal = principal(app, request.metadata())?;
            let request = request.into_inner();
            let caller = acting(app, &principal, "creator_id", &request.creator_id).await?;
            let summary = if request.is_group {
                let input = CreateInput {
                    kind: "group".to_owned(),
                    title: request.group_name,
                    member_ids: request.participant_ids,
                    ..CreateInput::default()
                };
                app.conversations.create(caller, input).await?
            } else {
                if request.group_name.is_some() {
                    return Err(PublicError::field(
                        "group_name",
                        "only a group has a name (set is_group)",
                    ));
                }
                let [other] = <[String; 1]>::try_from(request.participant_ids).map_err(|_| {
                    PublicError::field(
                        "participant_ids",
                        "a direct conversation has exactly one other participant",
                    )
                })?;
                let other = UserLookup::one_of("participant_ids", Some(other), None, None)?;
                app.conversations.direct(caller, other).await?.conversation
            };
            Ok(convert::conversation(&summary))
        })
        .await
    }

    async fn get_conversation_history(
        &self,
        request: Request<GetConversationHistoryRequest>,
    ) -> Result<Response<ConversationHistory>, Status> {
        rpc("GetConversationHistory", async {
            let app = &self.state.app;
            let principal = principal(app, request.metadata())?;
            let request = request.into_inner();
            let caller = acting(app, &principal, "requester_id", &request.requester_id).await?;
            let id = conversation(&request.conversation_id)?;
            let query = HistoryQuery {
                after_seq: request.after_seq,
                before_seq: request.before_seq,
                limit: request.limit.map(i64::from),
            };
            let page = app.messages.page(caller, id, query).await?;
            Ok(ConversationHistory {
                conversation_id: id.to_string(),
                messages: page.messages.iter().map(convert::message).collect(),
                has_more: page.has_more,
            })
        })
        .await
    }

    async fn update_presence(
        &self,
        request: Request<UpdatePresenceRequest>,
    ) -> Result<Response<PresenceUpdate>, Status> {
        rpc("UpdatePresence", async {
            let app = &self.state.app;
            let principal = principal(app, request.metadata())?;
            let request = request.into_inner();
            let caller = acting(app, &principal, "user_id", &request.user_id).await?;
            let status =
                PresenceStatus::try_from(request.status).unwrap_or(PresenceStatus::Unspecified);
            let presence = &self.state.presence;
            let update = match status {
                PresenceStatus::Online => presence.hold(caller, request.ttl_seconds).await?,
                PresenceStatus::Offline => presence.release(caller).await,
                PresenceStatus::Unspecified => {
                    return Err(PublicError::field("status", "must be ONLINE or OFFLINE"));
                }
            };
            Ok(update)
        })
        .await
    }
}
