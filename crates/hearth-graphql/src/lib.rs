//! Hearth's GraphQL face at `/graphql`: seed 001's schema, verbatim (both of its parts), over
//! the same use cases as every other face. Written down for clients in `docs/graphql.md`; the
//! SDL is checked in as `schema.graphql` beside this crate's manifest and served at
//! `GET /graphql/schema.graphql`.
//!
//! - `POST /graphql`: queries and mutations, `Authorization: Bearer <access token>`.
//! - `GET /graphql` with the `graphql-transport-ws` subprotocol: subscriptions (and queries),
//!   authenticated by `connection_init`'s payload; a bad token closes 4403.
//!
//! Like every face it parses, calls a use case of [`hearth_app::App`], and renders; it must
//! never check a permission or a limit itself, and it holds no SQL. Errors carry the app's
//! stable code in `extensions.code` (`error.rs`). Every document is held to a depth and a
//! complexity limit, introspection included, before it runs; its parse may come from the
//! bounded cache of parsed documents (`documents.rs`), its checks never do.

mod context;
mod documents;
mod error;
mod http;
mod live;
mod loader;
mod mutation;
mod paging;
mod query;
mod subscription;
mod types;
mod ws;

use std::sync::Arc;

use async_graphql::Schema;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use hearth_app::App;
use hearth_realtime::Hub;

use crate::context::Shared;
use crate::documents::Documents;
use crate::mutation::Mutation;
use crate::query::Query;
use crate::subscription::Subscription;

/// The label the face's metrics carry.
pub(crate) const FACE: &str = "graphql";

/// How the GraphQL face treats documents and connections.
#[derive(Clone, Copy, Debug)]
pub struct GraphqlSettings {
    /// Deepest selection accepted (the standard introspection query of GraphiQL passes within
    /// it; an integration test holds it to that).
    pub max_depth: usize,
    /// Highest complexity accepted: each field counts 1, a page of messages counts its
    /// fields `first` times, the conversation list its fields 10 times.
    pub max_complexity: usize,
    /// Deliveries that may wait for one subscription; one that falls further behind closes
    /// its connection (1013) and catches up by reading the history.
    pub subscription_buffer: usize,
    /// Largest websocket frame (and message) accepted, in bytes.
    pub max_frame_bytes: usize,
    /// Largest `POST /graphql` body accepted, in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// How long a websocket has to send `connection_init` (4408 after that).
    pub init_timeout: std::time::Duration,
}

impl Default for GraphqlSettings {
    fn default() -> Self {
        Self {
            max_depth: 16,
            max_complexity: 2_000,
            subscription_buffer: 256,
            max_frame_bytes: 64 * 1024,
            max_body_bytes: 64 * 1024,
            init_timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// The schema type.
pub(crate) type HearthSchema = Schema<Query, Mutation, Subscription>;

/// What every request shares.
#[derive(Clone)]
pub(crate) struct GqlState {
    pub schema: HearthSchema,
    pub shared: Shared,
    pub settings: GraphqlSettings,
    pub sdl: Arc<String>,
    /// Parsed documents by their text, for every transport.
    pub documents: Documents,
}

impl std::fmt::Debug for GqlState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GqlState")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn schema_builder(
    settings: GraphqlSettings,
) -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query, Mutation, Subscription)
        .limit_depth(settings.max_depth)
        .limit_complexity(settings.max_complexity)
}

/// The schema in SDL, as served at `GET /graphql/schema.graphql`.
pub fn sdl() -> String {
    schema_builder(GraphqlSettings::default()).finish().sdl()
}

/// The GraphQL face's routes: `/graphql` and `/graphql/schema.graphql`.
pub fn router(app: App, hub: Arc<Hub>, settings: GraphqlSettings) -> Router {
    let shared = Shared {
        app: Arc::new(app),
        hub,
    };
    let schema = schema_builder(settings).data(shared.clone()).finish();
    let sdl = Arc::new(schema.sdl());
    let state = GqlState {
        schema,
        shared,
        settings,
        sdl,
        documents: Documents::default(),
    };
    Router::new()
        .route(
            "/graphql",
            get(ws::upgrade)
                .post(http::execute)
                .layer(DefaultBodyLimit::max(settings.max_body_bytes)),
        )
        .route("/graphql/schema.graphql", get(http::sdl))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "test code")]

    /// The checked-in SDL, which clients and docs read.
    const CHECKED_IN: &str = include_str!("../schema.graphql");

    /// Fails when the schema drifts from `schema.graphql`. To accept a change on purpose,
    /// run with `UPDATE_SCHEMA=1` (which rewrites the file) and commit it.
    #[test]
    fn the_schema_matches_the_checked_in_sdl() {
        let sdl = super::sdl();
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
            std::fs::write(path, &sdl).expect("write schema.graphql");
            return;
        }
        assert!(
            sdl == CHECKED_IN,
            "the GraphQL schema differs from crates/hearth-graphql/schema.graphql; \
             if the change is meant, run `UPDATE_SCHEMA=1 cargo test -p hearth-graphql` and commit the file"
        );
    }
}
