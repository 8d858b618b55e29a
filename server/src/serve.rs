//! The accept loop: hyper's HTTP/1 server with the limits `axum::serve` does not set. Without
//! them a client that sends half a request holds its connection (and ~58 KB) for ever, and
//! with `--token` on a non-loopback address anyone who can reach the port can open thousands.
//!
//! - Headers must arrive within [`Limits::header_read_timeout`]. hyper runs the same timer
//!   while a kept-alive connection waits for its next request, so an idle connection is
//!   closed after it too.
//! - A request body must keep coming: at most [`Limits::body_read_timeout`] between two of
//!   its pieces (tower-http's `TimeoutBody`).
//! - At most [`Limits::max_connections`] connections are open at once; further ones wait in
//!   the listen backlog until one closes. SSE streams are long-lived and legitimate (one per
//!   open board or session tab), so the cap leaves room for hundreds of them.
//!
//! HTTP/1 only: browsers speak it to an `http://` origin, and hyper's HTTP/2 has no header or
//! idle timeout to offer.

use crate::security::LocalAddr;
use axum::Router;
use axum::body::Body;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::timeout::TimeoutBody;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// For a request's headers, and for a kept-alive connection's next request.
    pub header_read_timeout: Duration,
    /// The longest pause within a request body.
    pub body_read_timeout: Duration,
    pub max_connections: usize,
    /// After the shutdown signal, how long requests in flight may take to finish; streams
    /// still open then (SSE never ends by itself) are cut.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(15),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// A failing `accept` (out of file descriptors, mostly) is retried after this pause rather
/// than in a busy loop; the connections already open go on meanwhile.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves `router` on `listener` until `shutdown` completes, then lets requests in flight
/// finish for up to [`Limits::shutdown_grace`].
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A slot first: past the cap, connections wait in the kernel's backlog, unread.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = &mut shutdown => break,
        };
        let Ok(slot) = slot else { break };
        let stream = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let stream = match stream {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!(error = %e, "accepting a connection");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let local = match stream.local_addr() {
            Ok(local) => LocalAddr(local),
            Err(e) => {
                tracing::debug!(error = %e, "a connection without a local address");
                continue;
            }
        };
        let service = router
            .clone()
            .map_request(prepare(local, limits.body_read_timeout));
        let service = TowerToHyperService::new(service);
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::info!("closing the connections still open after the shutdown grace");
        }
    }
}

/// Each request of a connection: its body under the read timeout, and the local address it
/// came in on (the Host rule needs it when DevLog is bound to every address).
fn prepare(
    local: LocalAddr,
    body_read_timeout: Duration,
) -> impl Fn(Request<Incoming>) -> Request<Body> + Clone {
    move |req| {
        let mut req = req.map(|body| Body::new(TimeoutBody::new(body_read_timeout, body)));
        req.extensions_mut().insert(local);
        req
    }
}
