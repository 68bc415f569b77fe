//! `/graphql` as a websocket: the `graphql-transport-ws` protocol (the npm `graphql-ws`
//! client's), authenticated by the `connection_init` payload.
//!
//! The library's protocol machine (`async_graphql::http::WebSocket`) runs the messages; this
//! module feeds it the socket, authenticates `connection_init` (`{"Authorization": "Bearer
//! …"}` or `{"token": "…"}`) and closes a refused one with 4403 (the library would say 1002),
//! and closes the socket when its connection must close (see `live.rs`). It must never decide
//! who may subscribe to what: the resolvers ask the use cases.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::Data;
use async_graphql::dataloader::DataLoader;
use async_graphql::http::{WebSocketProtocols, WsMessage};
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use hearth_proto::ErrorCode;
use serde_json::Value;

use crate::context::Asking;
use crate::documents::Documents;
use crate::error::{coded, error, refuse, response_of};
use crate::live::{self, Link, codes};
use crate::loader::UserLoader;
use crate::{GqlState, HearthSchema};

/// The subprotocol spoken.
const PROTOCOL: &str = "graphql-transport-ws";

/// Upgrades a `GET /graphql` that asks for `graphql-transport-ws`; anything else is
/// `bad_request`.
pub(crate) async fn upgrade(
    State(state): State<GqlState>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let refused = |message: &str| {
        let body = response_of(refuse(ErrorCode::BadRequest, message));
        (axum::http::StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
    };
    let Ok(upgrade) = upgrade else {
        return refused(
            "GET /graphql is the graphql-transport-ws websocket; send queries with POST",
        );
    };
    let upgrade = upgrade
        .protocols([PROTOCOL])
        .max_frame_size(state.settings.max_frame_bytes)
        .max_message_size(state.settings.max_frame_bytes);
    if upgrade.selected_protocol().is_none() {
        return refused("ask for the graphql-transport-ws subprotocol");
    }
    upgrade.on_upgrade(move |socket| serve(socket, state))
}

/// The access token of a `connection_init` payload.
fn token(payload: &Value) -> Option<String> {
    let field = |name: &str| payload.get(name).and_then(Value::as_str);
    if let Some(token) = field("token") {
        return Some(token.trim().to_owned());
    }
    let header = field("Authorization").or_else(|| field("authorization"))?;
    hearth_app::bearer_token(header).map(str::to_owned)
}

/// Why `connection_init` was refused.
enum InitError {
    /// No token, a bad one: close 4403.
    Unauthorized,
    /// The store cannot answer now: the library's close (1002) with the message.
    Other(async_graphql::Error),
}

/// Authenticates `connection_init` and starts the connection: its data is what every
/// operation on the socket is given.
async fn connect(state: &GqlState, link: &Arc<Link>, payload: Value) -> Result<Data, InitError> {
    let token = token(&payload).ok_or(InitError::Unauthorized)?;
    let app = &state.shared.app;
    let caller = app
        .auth
        .authenticate(&token)
        .map_err(|_| InitError::Unauthorized)?;
    let registration = state.shared.hub.register(caller.user_id, caller.session_id);
    let connected = app
        .realtime
        .connect(caller, registration.id)
        .await
        .map_err(|err| match err {
            hearth_app::AppError::Unauthorized(_) => InitError::Unauthorized,
            other => InitError::Other(error(other)),
        })?;
    let live = live::start(
        hearth_app::App::clone(app),
        &state.shared.hub,
        connected.session,
        registration,
        link.clone(),
        state.settings.subscription_buffer,
    );
    let mut data = Data::default();
    data.insert(live);
    data.insert(Asking(Some(caller)));
    data.insert(DataLoader::new(
        UserLoader { app: app.clone() },
        tokio::spawn,
    ));
    Ok(data)
}

fn close(code: u16, reason: impl Into<String>) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into().into(),
    }))
}

/// The schema as the websocket runs it: every answer's errors get their code (see
/// [`coded`]), as `POST /graphql`'s do, and every document comes from the shared cache of
/// parses.
#[derive(Clone)]
struct Coded {
    schema: HearthSchema,
    documents: Documents,
}

impl async_graphql::Executor for Coded {
    fn execute(
        &self,
        mut request: async_graphql::Request,
    ) -> impl Future<Output = async_graphql::Response> + Send {
        self.documents.prepare(&mut request);
        let schema = self.schema.clone();
        let span = tracing::info_span!(
            "graphql",
            operation = %request.operation_name.clone().unwrap_or_default(),
            transport = "ws",
        );
        metrics::counter!("hearth_face_requests_total", "face" => crate::FACE, "operation" => "ws")
            .increment(1);
        tracing::Instrument::instrument(async move { coded(schema.execute(request).await) }, span)
    }

    fn execute_stream(
        &self,
        mut request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> futures::stream::BoxStream<'static, async_graphql::Response> {
        // Every operation on the socket (a query, a mutation or a subscription) starts here.
        metrics::counter!("hearth_face_requests_total", "face" => crate::FACE, "operation" => "ws")
            .increment(1);
        tracing::debug!(
            operation = %request.operation_name.clone().unwrap_or_default(),
            "graphql operation on the websocket"
        );
        self.documents.prepare(&mut request);
        self.schema
            .execute_stream_with_session_data(request, session_data.unwrap_or_default())
            .map(coded)
            .boxed()
    }
}

/// Runs the protocol on `socket` until either side closes it.
async fn serve(socket: WebSocket, state: GqlState) {
    let (mut sink, stream) = socket.split();
    let link = Arc::new(Link::default());
    let unauthorized = Arc::new(AtomicBool::new(false));
    let initialised = Arc::new(AtomicBool::new(false));
    let input = stream
        .take_while(|message| futures::future::ready(message.is_ok()))
        .filter_map(|message| {
            futures::future::ready(match message {
                Ok(message @ (Message::Text(_) | Message::Binary(_))) => Some(message.into_data()),
                _ => None,
            })
        });
    let on_init = {
        let (state, link, unauthorized) = (state.clone(), link.clone(), unauthorized.clone());
        let initialised = initialised.clone();
        move |payload: Value| async move {
            initialised.store(true, Ordering::Release);
            match connect(&state, &link, payload).await {
                Ok(data) => Ok(data),
                Err(InitError::Unauthorized) => {
                    unauthorized.store(true, Ordering::Release);
                    Err(async_graphql::Error::new("Forbidden"))
                }
                Err(InitError::Other(err)) => Err(err),
            }
        }
    };
    let outgoing = async_graphql::http::WebSocket::new(
        Coded {
            schema: state.schema.clone(),
            documents: state.documents.clone(),
        },
        input,
        WebSocketProtocols::GraphQLWS,
    )
    .on_connection_init(on_init);
    futures::pin_mut!(outgoing);
    let init_deadline = tokio::time::sleep(state.settings.init_timeout);
    tokio::pin!(init_deadline);
    loop {
        tokio::select! {
            () = &mut init_deadline, if !initialised.load(Ordering::Acquire) => {
                let _ = sink.send(close(codes::INIT_TIMEOUT, "Connection initialisation timeout")).await;
                break;
            }
            message = outgoing.next() => match message {
                Some(WsMessage::Text(text)) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let refused = unauthorized.load(Ordering::Acquire);
                    let (code, reason) = if refused {
                        (codes::FORBIDDEN, "Forbidden".to_owned())
                    } else {
                        (code, reason)
                    };
                    let _ = sink.send(close(code, reason)).await;
                    break;
                }
                None => break,
            },
            () = link.closing.notified() => {
                let (code, reason) = link.reason();
                let _ = sink.send(close(code, reason)).await;
                break;
            }
        }
    }
    // Ends the connection's task (if `connection_init` started one), which ends the session.
    link.gone.notify_one();
}
