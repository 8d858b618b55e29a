//! The property of DESIGN §6: the state the page keeps by applying events as they come equals
//! a fold of the whole history, for any split of the stream. Checked on generated sessions
//! (a seeded generator, so every run checks the same ones) against a reference fold written
//! the simple way (scans instead of indexes), at every split point and for random chunkings
//! with reconnects that replay events already shown.

use super::*;

#[path = "transcript_generator.rs"]
mod generator;
use generator::{Rng, session};

/// What the page shows, folded the plain way: every lookup a scan from the newest row.
#[derive(Debug, PartialEq)]
struct Reference {
    rows: Vec<(i64, Item)>,
    queued: Vec<String>,
    status: Option<SessionStatus>,
}

fn reference_fold(events: &[StoredEvent], session_final: bool) -> Reference {
    let mut rows: Vec<(i64, Item)> = Vec::new();
    let mut calls: Vec<(String, usize)> = Vec::new();
    let mut queued: Vec<String> = Vec::new();
    let mut status = None;
    let mut seen_agent_session = false;
    let growing = |rows: &Vec<(i64, Item)>| {
        rows.iter().rposition(|(_, item)| {
            matches!(
                item,
                Item::Assistant {
                    state: TextState::Growing,
                    ..
                }
            )
        })
    };
    let close = |rows: &mut Vec<(i64, Item)>| {
        for (_, item) in rows.iter_mut() {
            if let Item::Assistant { state, .. } = item {
                *state = TextState::Finished;
            }
        }
    };
    let expire = |rows: &mut Vec<(i64, Item)>| {
        for (_, item) in rows.iter_mut() {
            if let Item::Permission { state, .. } = item
                && *state == PermissionState::Pending
            {
                *state = PermissionState::Expired;
            }
        }
    };
    for stored in events {
        let seq = stored.seq;
        match stored.event.clone() {
            StreamEvent::UserMessage { text } => {
                close(&mut rows);
                if queued.first() == Some(&text) {
                    queued.remove(0);
                }
                rows.push((seq, Item::User(text)));
            }
            StreamEvent::MessageQueued { text } => queued.push(text),
            StreamEvent::AssistantDelta { text } => match growing(&rows) {
                Some(i) => {
                    if let Item::Assistant { text: shown, .. } = &mut rows[i].1 {
                        shown.push_str(&text);
                    }
                }
                None => rows.push((
                    seq,
                    Item::Assistant {
                        text,
                        state: TextState::Growing,
                    },
                )),
            },
            StreamEvent::AssistantText { text } => {
                let complete = Item::Assistant {
                    text,
                    state: TextState::Finished,
                };
                match growing(&rows) {
                    Some(i) => rows[i].1 = complete,
                    None => rows.push((seq, complete)),
                }
            }
            StreamEvent::Reasoning { text } => {
                close(&mut rows);
                rows.push((seq, Item::Thinking(text)));
            }
            StreamEvent::ToolCall { id, name, input } => {
                close(&mut rows);
                calls.push((id, rows.len()));
                let input = pretty(&input);
                rows.push((
                    seq,
                    Item::Tool {
                        name,
                        input,
                        result: None,
                    },
                ));
            }
            StreamEvent::ToolResult {
                id,
                output,
                is_error,
            } => {
                let call = calls
                    .iter()
                    .rev()
                    .find(|(call, _)| *call == id)
                    .map(|(_, i)| *i);
                match call {
                    Some(i) => {
                        if let Item::Tool { result, .. } = &mut rows[i].1 {
                            *result = Some((output, is_error));
                        }
                    }
                    None => rows.push((
                        seq,
                        Item::Tool {
                            name: "tool".into(),
                            input: String::new(),
                            result: Some((output, is_error)),
                        },
                    )),
                }
            }
            StreamEvent::FileChange { paths } => rows.push((seq, Item::Files(paths))),
            StreamEvent::Plan { entries } => {
                let this_turns = rows
                    .iter()
                    .rposition(|(_, item)| matches!(item, Item::Plan(_) | Item::TurnEnd { .. }))
                    .filter(|&i| matches!(rows[i].1, Item::Plan(_)));
                match this_turns {
                    Some(i) => rows[i].1 = Item::Plan(entries),
                    None => {
                        close(&mut rows);
                        rows.push((seq, Item::Plan(entries)));
                    }
                }
            }
            StreamEvent::PermissionRequest {
                request_id,
                tool,
                input,
                description,
                options,
                ..
            } => {
                rows.push((
                    seq,
                    Item::Permission {
                        request_id,
                        tool,
                        input: pretty(&input),
                        description,
                        options,
                        state: PermissionState::Pending,
                    },
                ));
            }
            StreamEvent::PermissionResolved {
                request_id,
                outcome,
            } => {
                settle(&mut rows, &request_id, PermissionState::Resolved(outcome));
            }
            StreamEvent::PermissionWithdrawn { request_id } => {
                settle(&mut rows, &request_id, PermissionState::Expired);
            }
            StreamEvent::TurnEnded {
                is_error,
                result,
                reason,
                cost_usd,
                duration_ms,
                models,
                ..
            } => {
                close(&mut rows);
                expire(&mut rows);
                let stopped = reason.as_deref().is_some_and(model::stream::is_stop_reason);
                let item = Item::TurnEnd {
                    is_error,
                    stopped,
                    result,
                    cost_usd: model::usage::reported_cost(&models).or(cost_usd),
                    duration_ms,
                    tokens: models.iter().map(|m| m.tokens.total()).sum(),
                };
                rows.push((seq, item));
            }
            StreamEvent::Error {
                message,
                retrying: true,
            } => rows.push((seq, Item::Notice(message))),
            StreamEvent::Error {
                message,
                retrying: false,
            } => rows.push((seq, Item::Error(message))),
            StreamEvent::AgentSession {
                agent_session_id, ..
            } => {
                if !seen_agent_session {
                    seen_agent_session = true;
                    let notice = format!("Agent session {agent_session_id}");
                    rows.push((seq, Item::Notice(notice)));
                }
            }
            StreamEvent::Log { line } => rows.push((seq, Item::Log(line))),
            StreamEvent::Raw { line } => rows.push((seq, Item::Raw(line))),
            StreamEvent::StatusChanged { status: s } => status = Some(s),
            StreamEvent::QueueDrained => {}
        }
    }
    if session_final || status.is_some_and(SessionStatus::is_final) {
        close(&mut rows);
        expire(&mut rows);
    }
    Reference {
        rows,
        queued,
        status,
    }
}

/// The latest request with this id, if it still waits.
fn settle(rows: &mut [(i64, Item)], request_id: &str, to: PermissionState) {
    let latest = rows.iter_mut().rev().find_map(|(_, item)| match item {
        Item::Permission {
            request_id: id,
            state,
            ..
        } if id == request_id => Some(state),
        _ => None,
    });
    if let Some(state) = latest
        && *state == PermissionState::Pending
    {
        *state = to;
    }
}

fn observed(transcript: &Transcript) -> Reference {
    Reference {
        rows: transcript
            .rows()
            .iter()
            .map(|r| (r.seq, r.item.clone()))
            .collect(),
        queued: transcript.queued().iter().cloned().collect(),
        status: transcript.status(),
    }
}

/// What a view that re-renders only the rows whose revision moved sees, against the state.
fn check_revisions(before: &[Row], after: &[Row]) {
    assert!(after.len() >= before.len(), "rows are never taken away");
    for (old, new) in before.iter().zip(after) {
        assert_eq!(old.seq, new.seq, "a row keeps its key");
        if old.item != new.item {
            assert_ne!(
                old.revision, new.revision,
                "a changed row has a new revision: {new:?}"
            );
        }
    }
}

const SESSIONS: u64 = 600;

#[test]
fn the_incremental_state_equals_the_fold_at_every_split() {
    for seed in 0..SESSIONS {
        let mut rng = Rng(seed);
        let events = session(&mut rng);
        for session_final in [false, true] {
            let expected = reference_fold(&events, session_final);
            let folded = Transcript::fold(&events, session_final);
            assert_eq!(observed(&folded), expected, "seed {seed}: the fold");
            for split in 0..=events.len() {
                let mut live = Transcript::fold(&events[..split], false);
                let before = live.rows().to_vec();
                for event in &events[split..] {
                    live.apply(event);
                }
                if session_final {
                    live.finish();
                }
                check_revisions(&before, live.rows());
                assert_eq!(observed(&live), expected, "seed {seed}, split at {split}");
            }
        }
    }
}

#[test]
fn random_chunks_and_overlapping_reconnects_give_the_fold() {
    for seed in 0..SESSIONS {
        let mut rng = Rng(seed ^ 0xC0FFEE);
        let events = session(&mut rng);
        let expected = reference_fold(&events, false);
        let mut live = Transcript::default();
        let mut shown = 0;
        let mut before = Vec::new();
        while shown < events.len() {
            // A reconnect may replay a few events already applied: they are ignored.
            let replay_from = shown.saturating_sub(rng.below(3));
            let until = (shown + 1 + rng.below(6)).min(events.len());
            for event in &events[replay_from..until] {
                live.apply(event);
            }
            shown = until;
            check_revisions(&before, live.rows());
            before = live.rows().to_vec();
            assert_eq!(
                observed(&live),
                reference_fold(&events[..shown], false),
                "seed {seed}, after {shown} events"
            );
        }
        assert_eq!(observed(&live), expected, "seed {seed}");
    }
}
