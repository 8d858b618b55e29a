//! Outbound webhooks, delivered to a receiver on 127.0.0.1: a task's review in DevLog's JSON,
//! retried after a 500; a failure in ntfy's shape; a permission request in Slack's; and a
//! receiver that never answers blocks neither the session nor the next delivery.

mod common;

use common::*;
use engine::webhooks::WebhookConfig;
use model::webhook::WebhookSpec;
use model::{AgentKind, PermissionAnswer, StreamEvent};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// One request the receiver got.
#[derive(Debug)]
struct Received {
    head: String,
    body: String,
}

impl Received {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// A receiver answering each request with the next status (`None`: never answers); what it
/// got comes out of the channel.
async fn receiver(answers: Vec<Option<u16>>) -> (String, mpsc::UnboundedReceiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut answers = answers.into_iter();
        let mut held = Vec::new();
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            let received = read_request(&mut stream).await;
            let _ = tx.send(received);
            match answers.next().unwrap_or(Some(200)) {
                Some(status) => {
                    let reply = format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    );
                    let _ = stream.write_all(reply.as_bytes()).await;
                }
                // Kept open, unanswered, until the test ends.
                None => held.push(stream),
            }
        }
    });
    (url, rx)
}

async fn read_request(stream: &mut TcpStream) -> Received {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the request ended early");
        bytes.extend_from_slice(&chunk[..n]);
        if let Some(at) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while bytes.len() < head_end + length {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the body ended early");
        bytes.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&bytes[head_end..head_end + length]).to_string();
    Received { head, body }
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("the webhook never came")
        .expect("the receiver stopped")
}

async fn bench_posting_to(flag: &str) -> Bench {
    let spec = WebhookSpec::from_flag(flag).unwrap();
    bench_with(move |c| {
        c.webhooks = WebhookConfig {
            hooks: vec![spec],
            first_retry: Duration::from_millis(20),
            ..Default::default()
        }
    })
    .await
}

#[tokio::test]
async fn a_task_in_review_is_posted_as_json_and_retried_after_a_500() {
    let (url, mut rx) = receiver(vec![Some(500), Some(200)]).await;
    let b = bench_posting_to(&format!("*={url}")).await;
    let (task, session) = b
        .run_task_with("WRITE_FILE a.txt a", local(AgentKind::Codex))
        .await;
    b.until_ended(&session).await;
    let (first, retried) = (next(&mut rx).await, next(&mut rx).await);
    assert!(
        first.head.starts_with("POST /hook HTTP/1.1"),
        "{}",
        first.head
    );
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert_eq!(first.body, retried.body, "the retry posts the same news");
    let body = first.json();
    assert_eq!(body["event"], "task_review");
    assert_eq!(body["task"]["id"], task.id.0);
    assert_eq!(
        body["url"],
        format!("http://127.0.0.1:3000/p/{}/tasks/{}", b.project.id, task.id)
    );
    assert_eq!(body["project"]["name"], b.project.name.as_str());
    // Delivered: nothing more comes.
    assert!(
        tokio::time::timeout(Duration::from_millis(200), rx.recv())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_failed_task_is_posted_in_ntfys_shape_with_its_reason() {
    let (url, mut rx) = receiver(vec![]).await;
    // Every bench's project is its database's first: the webhook names it by id.
    let b = bench_posting_to(&format!("1=ntfy:{url}")).await;
    let (task, session) = b.run_task_with("FAIL_AUTH", local(AgentKind::Codex)).await;
    b.until_ended(&session).await;
    let got = next(&mut rx).await;
    assert!(
        got.header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(got.header("tags"), Some("x"));
    assert_eq!(
        got.header("click").map(str::to_string),
        Some(format!(
            "http://127.0.0.1:3000/p/{}/tasks/{}",
            b.project.id, task.id
        ))
    );
    assert!(
        got.body.contains(&format!(
            "Task #{} t failed: unexpected status 401",
            task.id
        )),
        "{}",
        got.body
    );
}

#[tokio::test]
async fn a_receiver_that_never_answers_blocks_neither_the_session_nor_the_next_news() {
    let (url, mut rx) = receiver(vec![None]).await;
    let b = bench_posting_to(&format!("*=slack:{url}")).await;
    let (task, session) = b
        .run_task_with("WRITE_FILE approved.txt hi", local(AgentKind::ClaudeCode))
        .await;
    let events = b
        .wait_until(&session, |e| {
            e.iter()
                .any(|x| matches!(x.event, StreamEvent::PermissionRequest { .. }))
        })
        .await;
    let asked = next(&mut rx).await;
    let text = asked.json()["text"].as_str().unwrap().to_string();
    assert!(
        text.contains(&format!("Task #{} t asks for permission: Write", task.id)),
        "{text}"
    );
    assert!(
        text.ends_with(&format!(
            "<http://127.0.0.1:3000/p/{}/sessions/{}|Open in DevLog>",
            b.project.id, session.id
        )),
        "{text}"
    );
    // That request is still unanswered: the session goes on, and the review is posted.
    let request_id = permission_request_id(&events);
    b.engine
        .answer_permission(
            b.project.id,
            session.id,
            request_id,
            PermissionAnswer::allow(),
        )
        .await
        .unwrap();
    b.until_ended(&session).await;
    let reviewed = next(&mut rx).await;
    assert!(
        reviewed.json()["text"]
            .as_str()
            .unwrap()
            .contains("is ready for review")
    );
}
