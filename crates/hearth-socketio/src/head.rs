//! Gives every `/socket.io/` request a head of its own before the library sees it.
//!
//! hyper parses a request's head without copying: the path and every header value are slices
//! of the connection's read buffer (grown to 16 KiB by then), and axum's router keeps a clone of the URI in
//! the request's extensions (`OriginalUri`). The engine keeps the handshake request's head
//! (`req_parts`, extensions included) for the socket's whole life, so each idle Socket.IO
//! socket held its HTTP connection's whole read buffer — measured with heaptrack at 4,000
//! sockets: 16 KiB each, the largest part of a socket. Copying the head (a few hundred bytes)
//! lets the buffer go once the upgraded connection is first read, as a `/v1/ws` socket's does.
//!
//! This layer must never change what the request says: same method, URI, headers (in order,
//! repeated ones kept, sensitivity kept) and extensions; only where the bytes live.

use std::task::{Context, Poll};

use axum::extract::OriginalUri;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Request, Uri};
use tower::{Layer, Service};

/// Wraps a service so that its `/socket.io/` requests arrive with owned heads.
#[derive(Clone, Copy, Debug, Default)]
pub struct OwnedHeadLayer;

impl<S> Layer<S> for OwnedHeadLayer {
    type Service = OwnedHead<S>;

    fn layer(&self, inner: S) -> OwnedHead<S> {
        OwnedHead(inner)
    }
}

/// The service of [`OwnedHeadLayer`].
#[derive(Clone, Debug)]
pub struct OwnedHead<S>(S);

impl<S, B> Service<Request<B>> for OwnedHead<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> S::Future {
        if is_socketio(request.uri()) {
            own_head(&mut request);
        }
        self.0.call(request)
    }
}

/// Whether the request is for the Socket.IO face (its path is `crate::PATH` or below it).
fn is_socketio(uri: &Uri) -> bool {
    uri.path()
        .strip_prefix(crate::PATH)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// A copy of `uri` that owns its bytes (the same URI should it not parse again, which a URI
/// that parsed once always does).
fn owned(uri: &Uri) -> Uri {
    Uri::try_from(uri.to_string()).unwrap_or_else(|_| uri.clone())
}

/// Replaces the request's URI (and axum's copy of it) and headers by copies that own their
/// bytes.
fn own_head<B>(request: &mut Request<B>) {
    *request.uri_mut() = owned(request.uri());
    if let Some(original) = request.extensions_mut().get_mut::<OriginalUri>() {
        original.0 = owned(&original.0);
    }
    let headers = request.headers();
    let mut copies = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let (Ok(name), Ok(mut copy)) = (
            HeaderName::from_bytes(name.as_str().as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) else {
            // Cannot happen (both were valid already); keep the original then.
            copies.append(name.clone(), value.clone());
            continue;
        };
        copy.set_sensitive(value.is_sensitive());
        copies.append(name, copy);
    }
    *request.headers_mut() = copies;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "test code")]

    use bytes::Bytes;

    use super::*;

    /// A request whose path and header values are slices of one buffer, as hyper makes them.
    fn shared_request(buffer: &Bytes) -> Request<()> {
        let path = buffer.slice(0..buffer.iter().position(|b| *b == b' ').expect("a space"));
        let mut request = Request::new(());
        *request.uri_mut() = Uri::from_maybe_shared(path).expect("a path");
        let original = OriginalUri(request.uri().clone());
        request.extensions_mut().insert(original);
        let value = buffer.slice(buffer.len() - 5..);
        request.headers_mut().append(
            "x-custom",
            HeaderValue::from_maybe_shared(value.clone()).expect("a value"),
        );
        request.headers_mut().append(
            http::header::AUTHORIZATION,
            HeaderValue::from_maybe_shared(value).expect("a value"),
        );
        request
    }

    #[test]
    fn an_owned_head_says_the_same_and_keeps_no_slice_of_the_buffer() {
        let text = "/socket.io/?EIO=4&transport=websocket rest-of-buffer token".to_owned();
        let buffer = Bytes::from(text);
        let mut request = shared_request(&buffer);
        let before = (request.uri().to_string(), request.headers().clone());
        own_head(&mut request);
        assert_eq!(request.uri().to_string(), before.0);
        let original = request.extensions().get::<OriginalUri>().expect("kept");
        assert_eq!(original.0.to_string(), before.0);
        assert_eq!(request.headers(), &before.1);
        drop(before);
        // Every slice gone: the buffer is unique again, so it can be freed (or reused).
        assert!(
            buffer.is_unique(),
            "the head still refers to the read buffer"
        );
    }

    #[test]
    fn repeated_headers_and_sensitivity_are_kept() {
        let mut request = Request::new(());
        let mut secret = HeaderValue::from_static("Bearer t");
        secret.set_sensitive(true);
        request
            .headers_mut()
            .append(http::header::AUTHORIZATION, secret);
        request
            .headers_mut()
            .append("x-twice", HeaderValue::from_static("1"));
        request
            .headers_mut()
            .append("x-twice", HeaderValue::from_static("2"));
        own_head(&mut request);
        let twice: Vec<_> = request.headers().get_all("x-twice").iter().collect();
        assert_eq!(twice, ["1", "2"]);
        let auth = request
            .headers()
            .get(http::header::AUTHORIZATION)
            .expect("kept");
        assert!(auth.is_sensitive());
    }

    #[test]
    fn only_the_socketio_path_is_the_face() {
        assert!(is_socketio(&Uri::from_static("/socket.io/?EIO=4")));
        assert!(is_socketio(&Uri::from_static("/socket.io")));
        assert!(!is_socketio(&Uri::from_static("/socket.iox/")));
        assert!(!is_socketio(&Uri::from_static("/v1/ws")));
    }
}
