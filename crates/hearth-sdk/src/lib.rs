//! Hearth's Rust client SDK.
//!
//! [`Client`] is a typed client of the REST `/v1` API (seed 000's contract, the wire types of
//! `hearth-proto`), and [`Socket`] a connection to the native WebSocket `/v1/ws`. The
//! offline-first store, outbox and sync loop of DESIGN.md grow on top of these. This crate
//! must never depend on the server's crates: only on the wire types.

mod client;
mod error;
mod socket;

pub use client::Client;
pub use error::ClientError;
pub use socket::Socket;
