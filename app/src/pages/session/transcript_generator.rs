//! Generated sessions for the property test: a seeded generator and a vocabulary of events.

use super::super::*;

/// A small deterministic generator (splitmix64): no crate, the same sequences every run.
pub struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, options: &[T]) -> T {
        options[self.below(options.len())]
    }
}

/// Few ids and words, so that results meet their calls, answers their requests, and queued
/// messages their runs.
fn event(rng: &mut Rng) -> StreamEvent {
    let id = |rng: &mut Rng| rng.pick(&["a", "b", "c"]).to_string();
    let words = |rng: &mut Rng| {
        rng.pick(&["one", "two", "**three**", "", "four\nfive"])
            .to_string()
    };
    match rng.below(19) {
        0..=2 => StreamEvent::AssistantDelta { text: words(rng) },
        3..=4 => StreamEvent::AssistantText { text: words(rng) },
        5 => StreamEvent::Reasoning { text: words(rng) },
        6 => StreamEvent::ToolCall {
            id: id(rng),
            name: "Bash".into(),
            input: serde_json::json!({"command": words(rng)}),
        },
        7 => StreamEvent::ToolResult {
            id: rng.pick(&["a", "b", "c", "unknown"]).to_string(),
            output: words(rng),
            is_error: rng.below(2) == 0,
        },
        8 => StreamEvent::PermissionRequest {
            request_id: id(rng),
            tool_use_id: None,
            tool: "Write".into(),
            input: serde_json::json!({}),
            description: None,
            options: Vec::new(),
        },
        9 => StreamEvent::PermissionResolved {
            request_id: id(rng),
            outcome: [
                PermissionOutcome::Allowed,
                PermissionOutcome::Denied,
                PermissionOutcome::TimedOut,
            ][rng.below(3)],
        },
        10 => StreamEvent::PermissionWithdrawn {
            request_id: id(rng),
        },
        11 => StreamEvent::TurnEnded {
            is_error: rng.below(2) == 0,
            result: Some(words(rng)),
            reason: Some(rng.pick(&["completed", "interrupted", "max_turns"]).into()),
            cost_usd: Some(0.01),
            duration_ms: Some(5),
            num_turns: None,
            usage: None,
            models: (rng.below(2) == 0)
                .then(|| model::usage::ModelUsage {
                    model: None,
                    tokens: model::usage::Tokens {
                        input: rng.below(100) as u64,
                        output: 3,
                        ..Default::default()
                    },
                    cost_usd: None,
                    cumulative: false,
                })
                .into_iter()
                .collect(),
        },
        12 => StreamEvent::Error {
            message: words(rng),
            retrying: rng.below(2) == 0,
        },
        13 => StreamEvent::AgentSession {
            agent_session_id: id(rng),
            model: None,
        },
        14 => StreamEvent::UserMessage { text: words(rng) },
        15 => StreamEvent::MessageQueued { text: words(rng) },
        16 => StreamEvent::StatusChanged {
            status: rng.pick(&[SessionStatus::Running, SessionStatus::Idle]),
        },
        17 => StreamEvent::Log { line: words(rng) },
        _ => match rng.below(4) {
            0 => StreamEvent::QueueDrained,
            1 => StreamEvent::Raw { line: words(rng) },
            2 => StreamEvent::Plan {
                entries: vec![model::stream::PlanEntry {
                    content: words(rng),
                    status: rng.pick(&model::stream::PlanStatus::ALL),
                }],
            },
            _ => StreamEvent::FileChange {
                paths: vec![words(rng)],
            },
        },
    }
}

/// A session's events: a final status only ever comes last, as in a real stream.
pub fn session(rng: &mut Rng) -> Vec<StoredEvent> {
    let len = rng.below(48);
    let mut events: Vec<StreamEvent> = (0..len).map(|_| event(rng)).collect();
    if rng.below(4) == 0 {
        let status = rng.pick(&[
            SessionStatus::Completed,
            SessionStatus::Failed,
            SessionStatus::Killed,
        ]);
        events.push(StreamEvent::StatusChanged { status });
    }
    // Seqs grow, with gaps now and then (another page, events refused by the store).
    let mut seq = 0;
    events
        .into_iter()
        .map(|event| {
            seq += 1 + (rng.below(8) == 0) as i64;
            StoredEvent { seq, at: 0, event }
        })
        .collect()
}
