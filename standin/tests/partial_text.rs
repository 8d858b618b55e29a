//! Claude Code's partial messages through the supervisor: text deltas are stored coalesced
//! (never one event per token), the complete message supersedes them, and a block written
//! faster than the flush interval stores no delta at all.

mod common;

use common::*;
use model::{AgentKind, StoredEvent, StreamEvent};

fn deltas(events: &[StoredEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.event {
            StreamEvent::AssistantDelta { text } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_slow_model_streams_coalesced_deltas_then_the_whole_message() {
    let b = bench().await;
    // 150 ms between words: each flush interval (50 ms) passes with one word waiting.
    let reply = "one two three four five";
    let prompt = format!("TYPING 150\nREPLY {reply}");
    let s = b
        .begin(start(AgentKind::ClaudeCode, &prompt))
        .await
        .unwrap();
    let events = b.wait_until(&s, |e| turns_ended(e) == 1).await;
    let streamed = deltas(&events);
    assert!(
        streamed.len() >= 2,
        "the text arrived while it was written: {streamed:?}"
    );
    assert!(
        reply.starts_with(&streamed.concat()),
        "the deltas are the start of the message: {streamed:?}"
    );
    assert_eq!(texts(&events), vec![reply], "the complete message follows");
    let last_delta = events
        .iter()
        .rposition(|e| matches!(e.event, StreamEvent::AssistantDelta { .. }));
    let complete = events
        .iter()
        .position(|e| matches!(e.event, StreamEvent::AssistantText { .. }));
    assert!(last_delta < complete, "{events:?}");
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=events.len() as i64).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_fast_block_stores_no_delta_and_many_messages_stay_whole() {
    let b = bench().await;
    let s = b
        .begin(start(
            AgentKind::ClaudeCode,
            "STREAM 20\nREPLY a reply of several words",
        ))
        .await
        .unwrap();
    let events = b.wait_until(&s, |e| turns_ended(e) == 1).await;
    let parts: Vec<String> = (1..=20).map(|i| format!("part {i}")).collect();
    let mut expected: Vec<&str> = parts.iter().map(String::as_str).collect();
    expected.push("a reply of several words");
    assert_eq!(texts(&events), expected);
    // 45 deltas were written, each block's back to back: what the store keeps is at most a
    // flush or two where the machine stalled mid-block, never one row per token.
    assert!(deltas(&events).len() < 45 / 2, "{:?}", deltas(&events));
}
