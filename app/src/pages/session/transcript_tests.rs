use super::*;
use serde_json::json;

fn ev(seq: i64, event: StreamEvent) -> StoredEvent {
    StoredEvent { seq, at: 0, event }
}

fn numbered(events: Vec<StreamEvent>) -> Vec<StoredEvent> {
    (1..)
        .zip(events)
        .map(|(seq, event)| ev(seq, event))
        .collect()
}

fn items(transcript: &Transcript) -> Vec<Item> {
    transcript
        .rows()
        .iter()
        .map(|row| row.item.clone())
        .collect()
}

fn text(t: &str) -> StreamEvent {
    StreamEvent::AssistantText { text: t.into() }
}

fn delta(t: &str) -> StreamEvent {
    StreamEvent::AssistantDelta { text: t.into() }
}

fn assistant(text: &str, state: TextState) -> Item {
    Item::Assistant {
        text: text.into(),
        state,
    }
}

#[test]
fn a_stopped_turn_is_told_from_a_failed_one() {
    let end = |reason: &str| StreamEvent::TurnEnded {
        is_error: true,
        result: None,
        reason: Some(reason.into()),
        cost_usd: None,
        duration_ms: None,
        num_turns: None,
        usage: None,
        models: Vec::new(),
    };
    let folded = Transcript::fold(
        &numbered(vec![end("aborted_streaming"), end("max_turns")]),
        false,
    );
    let stopped: Vec<bool> = folded
        .rows()
        .iter()
        .map(|row| matches!(row.item, Item::TurnEnd { stopped: true, .. }))
        .collect();
    assert_eq!(stopped, [true, false]);
}

#[test]
fn tool_results_join_their_call_and_bump_its_revision() {
    let events = numbered(vec![
        StreamEvent::ToolCall {
            id: "t1".into(),
            name: "Bash".into(),
            input: json!({"command": "ls"}),
        },
        StreamEvent::ToolResult {
            id: "t1".into(),
            output: "a.txt".into(),
            is_error: false,
        },
    ]);
    let folded = Transcript::fold(&events, false);
    assert_eq!(folded.rows().len(), 1);
    assert_eq!(folded.rows()[0].revision, 1);
    assert!(
        matches!(&folded.rows()[0].item, Item::Tool { result: Some((out, false)), .. } if out == "a.txt")
    );
}

#[test]
fn permissions_are_pending_until_answered_or_the_session_ends() {
    let request = |id: &str| StreamEvent::PermissionRequest {
        request_id: id.into(),
        tool_use_id: None,
        tool: "Write".into(),
        input: json!({}),
        description: None,
        options: Vec::new(),
    };
    let events = numbered(vec![
        request("a"),
        request("b"),
        StreamEvent::PermissionResolved {
            request_id: "a".into(),
            outcome: PermissionOutcome::Denied,
        },
    ]);
    let state = |t: &Transcript, i: usize| match &t.rows()[i].item {
        Item::Permission { state, .. } => state.clone(),
        other => panic!("not a permission: {other:?}"),
    };
    let folded = Transcript::fold(&events, false);
    assert_eq!(
        state(&folded, 0),
        PermissionState::Resolved(PermissionOutcome::Denied)
    );
    assert_eq!(state(&folded, 1), PermissionState::Pending);
    let ended = Transcript::fold(&events, true);
    assert_eq!(state(&ended, 1), PermissionState::Expired);
}

#[test]
fn queued_messages_leave_the_queue_when_they_run() {
    let events = numbered(vec![
        StreamEvent::UserMessage { text: "one".into() },
        StreamEvent::MessageQueued { text: "two".into() },
        StreamEvent::MessageQueued {
            text: "three".into(),
        },
        StreamEvent::UserMessage { text: "two".into() },
    ]);
    let folded = Transcript::fold(&events, false);
    assert_eq!(folded.queued().iter().collect::<Vec<_>>(), ["three"]);
}

#[test]
fn deltas_grow_one_block_that_the_complete_text_supersedes() {
    let mut transcript = Transcript::default();
    let events = numbered(vec![delta("Hel"), delta("lo, wor"), text("Hello, world.")]);
    transcript.apply(&events[0]);
    transcript.apply(&events[1]);
    assert_eq!(
        items(&transcript),
        [assistant("Hello, wor", TextState::Growing)]
    );
    assert_eq!(
        transcript.rows()[0].seq,
        1,
        "keyed by the event that opened it"
    );
    transcript.apply(&events[2]);
    assert_eq!(
        items(&transcript),
        [assistant("Hello, world.", TextState::Finished)]
    );
    assert_eq!(transcript.rows()[0].revision, 2);
}

#[test]
fn separate_messages_stay_separate_blocks() {
    let folded = Transcript::fold(&numbered(vec![text("part 1"), text("part 2")]), false);
    assert_eq!(
        items(&folded),
        [
            assistant("part 1", TextState::Finished),
            assistant("part 2", TextState::Finished)
        ]
    );
}

#[test]
fn a_block_that_never_completes_is_finished_by_the_turn_end() {
    let end = StreamEvent::TurnEnded {
        is_error: true,
        result: None,
        reason: Some("aborted_streaming".into()),
        cost_usd: None,
        duration_ms: None,
        num_turns: None,
        usage: None,
        models: Vec::new(),
    };
    let folded = Transcript::fold(
        &numbered(vec![delta("half a thou"), end, delta("new")]),
        false,
    );
    assert_eq!(folded.rows().len(), 3);
    assert_eq!(
        folded.rows()[0].item,
        assistant("half a thou", TextState::Finished)
    );
    assert_eq!(folded.rows()[2].item, assistant("new", TextState::Growing));
}

#[test]
fn an_event_already_shown_is_not_applied_again() {
    let events = numbered(vec![text("a"), text("b")]);
    let mut transcript = Transcript::fold(&events, false);
    assert!(!transcript.apply(&events[1]));
    assert!(!transcript.apply(&events[0]));
    assert_eq!(transcript.rows().len(), 2);
    assert_eq!(transcript.last_seq(), 2);
}

#[test]
fn a_final_status_ends_the_session_and_what_waited() {
    let request = StreamEvent::PermissionRequest {
        request_id: "r".into(),
        tool_use_id: None,
        tool: "Write".into(),
        input: json!({}),
        description: None,
        options: Vec::new(),
    };
    let status = |s: &str| StreamEvent::StatusChanged {
        status: SessionStatus::parse(s).unwrap(),
    };
    let mut transcript = Transcript::fold(
        &numbered(vec![request, delta("half"), status("idle")]),
        false,
    );
    assert_eq!(transcript.status(), Some(SessionStatus::Idle));
    transcript.apply(&ev(4, status("killed")));
    assert!(transcript.status().is_some_and(SessionStatus::is_final));
    assert!(matches!(
        &transcript.rows()[0].item,
        Item::Permission {
            state: PermissionState::Expired,
            ..
        }
    ));
    assert_eq!(
        transcript.rows()[1].item,
        assistant("half", TextState::Finished)
    );
}

#[path = "transcript_property.rs"]
mod property;
