//! Integration tests: the real server on port 0, spoken to with a real HTTP client.
//! One binary for every suite (faster links); shared helpers live in `support`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs,
    reason = "test code: a failed expectation should panic with its message"
)]

mod account_data;
mod admin_accounts;
mod attachments;
mod attachments_faces;
mod auth;
mod avatars;
mod bench_smoke;
mod cluster_support;
mod contract;
mod convergence;
mod conversations;
mod email_change;
mod email_verification;
mod encryption_at_rest;
mod errors;
mod graphql_mutations;
mod graphql_queries;
mod graphql_support;
mod group_support;
mod groups;
mod grpc;
mod grpc_outage;
mod grpc_rpcs;
mod grpc_support;
mod history;
mod lifecycle;
mod media;
mod media_s3;
mod media_support;
mod message_deletes;
mod message_edits;
mod message_support;
mod messages;
mod migrate_store;
mod multi_node;
mod node_kill;
mod node_support;
mod openapi_snapshot;
mod ops;
mod passwords;
mod permissions;
mod postgres;
mod postgres_outage;
mod postgres_support;
mod privacy;
mod reactions;
mod redis_bus;
mod redis_presence;
mod redis_support;
mod sdk_conversations;
mod sdk_messages;
mod sdk_offline;
mod sdk_offline_support;
mod sdk_privacy;
mod sdk_session;
mod sdk_support;
mod search;
mod sessions;
mod smtp_support;
mod support;
mod sync;
mod threads;
mod thumbnails;
mod two_nodes;
mod users;
mod visibility;
mod web;
mod ws_connect;
mod ws_delivery;
mod ws_errors;
mod ws_membership;
mod ws_presence;
mod ws_seed003;
mod ws_shutdown;
mod ws_support;
