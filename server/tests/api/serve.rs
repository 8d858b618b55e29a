//! The accept loop at the socket level (issue 10, item 8): a half-sent request or an idle
//! connection is closed after the configured timeout, connections past the cap wait for a
//! free slot, and shutdown does not wait for ever.
//!
//! Every wait is for the socket's own event (EOF, bytes); `GUARD` only bounds a test that
//! would otherwise hang, far above the short timeouts configured here.

use engine::Engine;
use server::serve::{Limits, serve};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::common::{self, HOST};

const GUARD: Duration = Duration::from_secs(10);
const SHORT: Duration = Duration::from_millis(300);
const LONG: Duration = Duration::from_secs(60);

struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    done: JoinHandle<()>,
    engine: Engine,
    _data: tempfile::TempDir,
}

async fn start(limits: Limits) -> Running {
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(data.path()).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(serve(listener, common::router(&engine), limits, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        stop: Some(stop),
        done,
        engine,
        _data: data,
    }
}

fn limits(header: Duration, body: Duration) -> Limits {
    Limits {
        header_read_timeout: header,
        body_read_timeout: body,
        max_connections: 16,
        shutdown_grace: LONG,
    }
}

/// Everything the server sends until it closes the connection, and how long that took.
async fn until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut all = Vec::new();
    let read = tokio::time::timeout(GUARD, stream.read_to_end(&mut all)).await;
    assert!(read.is_ok(), "the server still holds the connection");
    (
        String::from_utf8_lossy(&all).into_owned(),
        started.elapsed(),
    )
}

/// Reads until `healthz`'s whole JSON body has arrived (the connection stays open).
async fn one_health_answer(stream: &mut TcpStream) -> String {
    let mut all = Vec::new();
    let mut buf = [0u8; 1024];
    while !all.ends_with(b"}") {
        let n = tokio::time::timeout(GUARD, stream.read(&mut buf))
            .await
            .expect("no answer")
            .unwrap();
        assert!(n > 0, "closed before answering");
        all.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&all).into_owned()
}

fn health_request() -> String {
    format!("GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n")
}

#[tokio::test]
async fn half_sent_headers_are_cut_after_the_header_timeout() {
    let server = start(limits(SHORT, LONG)).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n").as_bytes())
        .await
        .unwrap();
    let (_, took) = until_closed(&mut stream).await;
    assert!(took < LONG, "{took:?}");
}

#[tokio::test]
async fn a_half_sent_body_is_cut_after_the_body_timeout() {
    let server = start(limits(LONG, SHORT)).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /api/get_project HTTP/1.1\r\nHost: {HOST}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"project\""
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (answer, _) = until_closed(&mut stream).await;
    // The request is answered as malformed (never 500), then the connection is closed.
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "{answer}"
    );
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let server = start(limits(SHORT, LONG)).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream.write_all(health_request().as_bytes()).await.unwrap();
    let (answer, _) = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn connections_past_the_cap_wait_for_a_free_slot() {
    let server = start(Limits {
        max_connections: 1,
        ..limits(LONG, LONG)
    })
    .await;
    let mut first = TcpStream::connect(server.addr).await.unwrap();
    first.write_all(health_request().as_bytes()).await.unwrap();
    assert!(
        one_health_answer(&mut first)
            .await
            .starts_with("HTTP/1.1 200")
    );

    // The second is connected by the kernel but not served while the first holds the slot.
    let mut second = TcpStream::connect(server.addr).await.unwrap();
    second.write_all(health_request().as_bytes()).await.unwrap();
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(SHORT, second.read(&mut byte)).await;
    assert!(early.is_err(), "served past the cap");
    drop(first);
    assert!(
        one_health_answer(&mut second)
            .await
            .starts_with("HTTP/1.1 200")
    );
}

#[tokio::test]
async fn shutdown_closes_idle_connections_and_cuts_unfinished_ones_after_the_grace() {
    let mut server = start(limits(LONG, LONG)).await;
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(health_request().as_bytes()).await.unwrap();
    one_health_answer(&mut idle).await;
    server.stop.take().unwrap().send(()).unwrap();
    let (_, took) = until_closed(&mut idle).await;
    assert!(took < LONG);
    tokio::time::timeout(GUARD, &mut server.done)
        .await
        .expect("serve still running")
        .unwrap();

    // A stream never ends by itself: it holds its connection until the grace ends.
    let mut server = start(Limits {
        shutdown_grace: SHORT,
        ..limits(LONG, LONG)
    })
    .await;
    let (_repo, _stream) = open_activity_stream(&server).await;
    server.stop.take().unwrap().send(()).unwrap();
    tokio::time::timeout(GUARD, &mut server.done)
        .await
        .expect("serve waited past its grace")
        .unwrap();
}

/// A project's activity stream, its status line read: a response that never ends.
async fn open_activity_stream(server: &Running) -> (tempfile::TempDir, TcpStream) {
    let repo = common::git_repo();
    let project = server
        .engine
        .register_project(model::ProjectDraft {
            path: repo.path().display().to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let request = format!(
        "GET /api/projects/{}/activity HTTP/1.1\r\nHost: {HOST}\r\n\r\n",
        project.id
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = [0u8; 12];
    tokio::time::timeout(GUARD, stream.read_exact(&mut head))
        .await
        .expect("the stream did not start")
        .unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    (repo, stream)
}

#[tokio::test]
async fn a_stream_outlives_the_header_timeout() {
    // hyper's header timer runs only while it waits for a request, not while it answers one.
    let server = start(limits(SHORT, SHORT)).await;
    let (_repo, mut stream) = open_activity_stream(&server).await;
    let mut rest = Vec::new();
    let cut = tokio::time::timeout(SHORT * 4, stream.read_to_end(&mut rest)).await;
    assert!(cut.is_err(), "the stream was closed: {rest:?}");
}
