use super::*;
use model::ChoiceKind;

fn conversation() -> AcpConversation {
    AcpConversation::new("/work/tree".into(), "first".into(), None)
}

fn json_lines(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A conversation whose session `s1` is open and whose first prompt (id 3) runs.
fn prompting() -> AcpConversation {
    let mut c = conversation();
    c.opening();
    c.hear(r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":1,"agentCapabilities":{}}}"#);
    let heard = c.hear(r#"{"jsonrpc":"2.0","id":2,"result":{"sessionId":"s1"}}"#);
    assert_eq!(json_lines(&heard.replies)[0]["method"], "session/prompt");
    c
}

const PERMISSION: &str = r#"{"jsonrpc":"2.0","id":"p7","method":"session/request_permission","params":{"sessionId":"s1","toolCall":{"toolCallId":"t1","kind":"edit","title":"Write a.txt","locations":[{"path":"/work/tree/a.txt"}]},"options":[{"optionId":"always","name":"Always","kind":"allow_always"},{"optionId":"once","name":"Allow","kind":"allow_once"},{"optionId":"no","name":"Reject","kind":"reject_once"}]}}"#;

#[test]
fn it_opens_with_initialize_then_a_session_in_the_worktree_then_the_prompt() {
    let mut c = conversation();
    let opening = json_lines(&c.opening());
    assert_eq!(opening[0]["method"], "initialize");
    assert_eq!(
        opening[0]["params"]["clientCapabilities"]["terminal"],
        false
    );
    assert_eq!(
        opening[0]["params"]["clientCapabilities"]["fs"]["readTextFile"],
        false
    );
    let heard = c.hear(r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":1}}"#);
    let new = json_lines(&heard.replies);
    assert_eq!(new[0]["method"], "session/new");
    assert_eq!(new[0]["params"]["cwd"], "/work/tree");
    let heard = c.hear(r#"{"jsonrpc":"2.0","id":2,"result":{"sessionId":"s1"}}"#);
    assert_eq!(
        heard.events,
        vec![StreamEvent::AgentSession {
            agent_session_id: "s1".into(),
            model: None
        }]
    );
    let prompt = json_lines(&heard.replies);
    assert_eq!(prompt[0]["params"]["sessionId"], "s1");
    assert_eq!(prompt[0]["params"]["prompt"][0]["text"], "first");
}

#[test]
fn a_message_during_a_prompt_waits_for_its_end() {
    let mut c = prompting();
    assert_eq!(c.user_message("second"), Some(vec![]));
    let heard = c.hear(r#"{"jsonrpc":"2.0","id":3,"result":{"stopReason":"end_turn"}}"#);
    assert!(matches!(
        heard.events.last(),
        Some(StreamEvent::TurnEnded {
            is_error: false,
            ..
        })
    ));
    let next = json_lines(&heard.replies);
    assert_eq!(next[0]["method"], "session/prompt");
    assert_eq!(next[0]["params"]["prompt"][0]["text"], "second");
}

#[test]
fn a_permission_is_answered_with_the_agents_own_option() {
    let always = PermissionAnswer::Allow {
        updated_input: None,
        option: Some("always".into()),
    };
    for (answer, option) in [
        (PermissionAnswer::allow(), "once"),
        (always, "always"),
        (PermissionAnswer::deny("no"), "no"),
    ] {
        let mut c = prompting();
        let heard = c.hear(PERMISSION);
        let [
            StreamEvent::PermissionRequest {
                request_id,
                tool,
                options,
                ..
            },
        ] = &heard.events[..]
        else {
            panic!("{:?}", heard.events);
        };
        assert_eq!((request_id.as_str(), tool.as_str()), ("acp-p7", "edit"));
        let offered: Vec<(&str, &str, ChoiceKind)> = options
            .iter()
            .map(|o| (o.id.as_str(), o.name.as_str(), o.kind))
            .collect();
        assert_eq!(
            offered,
            [
                ("always", "Always", ChoiceKind::AllowAlways),
                ("once", "Allow", ChoiceKind::AllowOnce),
                ("no", "Reject", ChoiceKind::RejectOnce),
            ]
        );
        assert_eq!(
            crate::agents::edited_paths(&heard.events[0]),
            vec!["/work/tree/a.txt".to_string()]
        );
        let reply = json_lines(&c.permission_answer("acp-p7", &answer).unwrap());
        assert_eq!(reply[0]["id"], "p7");
        assert_eq!(reply[0]["result"]["outcome"]["outcome"], "selected");
        assert_eq!(reply[0]["result"]["outcome"]["optionId"], option);
        assert_eq!(
            c.permission_answer("acp-p7", &answer),
            None,
            "answered once"
        );
    }
}

#[test]
fn stop_cancels_the_prompt_and_every_open_permission_request() {
    let mut c = prompting();
    c.hear(PERMISSION);
    let lines = json_lines(&c.interrupt("stop-1").unwrap());
    assert_eq!(lines[0]["id"], "p7");
    assert_eq!(lines[0]["result"]["outcome"]["outcome"], "cancelled");
    assert_eq!(lines[1]["method"], "session/cancel");
    assert_eq!(lines[1]["params"]["sessionId"], "s1");
    let heard = c.hear(r#"{"jsonrpc":"2.0","id":3,"result":{"stopReason":"cancelled"}}"#);
    assert!(matches!(
        heard.events.last(),
        Some(StreamEvent::TurnEnded { is_error: true, reason: Some(r), .. }) if r == "interrupted"
    ));
    assert_eq!(c.interrupt("stop-2"), None, "nothing runs any more");
}

/// Qwen Code 0.15 answers a cancelled prompt with a JSON-RPC error: after a cancel it is the
/// stop, not a failure; the same error unasked for is a failed turn.
#[test]
fn an_error_answer_to_a_cancelled_prompt_is_the_stop() {
    let aborted = r#"{"jsonrpc":"2.0","id":3,"error":{"code":-32603,"message":"Internal error","data":{"details":"Request was aborted."}}}"#;
    let mut c = prompting();
    c.interrupt("stop-1").unwrap();
    let heard = c.hear(aborted);
    assert!(
        matches!(&heard.events[..], [StreamEvent::TurnEnded { is_error: true, reason: Some(r), .. }] if r == "interrupted"),
        "{:?}",
        heard.events
    );
    let mut c = prompting();
    let heard = c.hear(aborted);
    assert!(
        matches!(&heard.events[..], [StreamEvent::Error { .. }, StreamEvent::TurnEnded { reason: Some(r), .. }] if r == "error")
    );
}

#[test]
fn a_request_it_does_not_serve_is_refused_at_once() {
    let mut c = prompting();
    let heard = c.hear(r#"{"jsonrpc":"2.0","id":9,"method":"terminal/create","params":{}}"#);
    let reply = json_lines(&heard.replies);
    assert_eq!(reply[0]["id"], 9);
    assert_eq!(reply[0]["error"]["code"], METHOD_NOT_FOUND);
    assert!(heard.events.is_empty());
}

#[test]
fn streamed_text_grows_one_block_that_is_completed_by_whatever_comes_next() {
    let mut c = prompting();
    let chunk = |text: &str| {
        format!(
            r#"{{"jsonrpc":"2.0","method":"session/update","params":{{"sessionId":"s1","update":{{"sessionUpdate":"agent_message_chunk","content":{{"type":"text","text":"{text}"}}}}}}}}"#
        )
    };
    assert_eq!(
        c.hear(&chunk("Hel")).events,
        vec![StreamEvent::AssistantDelta { text: "Hel".into() }]
    );
    c.hear(&chunk("lo"));
    let heard = c.hear(
        r#"{"jsonrpc":"2.0","method":"session/update","params":{"sessionId":"s1","update":{"sessionUpdate":"plan","entries":[{"content":"Read","priority":"high","status":"completed"},{"content":"Write","priority":"low","status":"in_progress"}]}}}"#,
    );
    assert_eq!(
        heard.events,
        vec![
            StreamEvent::AssistantText {
                text: "Hello".into()
            },
            StreamEvent::Plan {
                entries: vec![
                    model::stream::PlanEntry {
                        content: "Read".into(),
                        status: model::stream::PlanStatus::Completed
                    },
                    model::stream::PlanEntry {
                        content: "Write".into(),
                        status: model::stream::PlanStatus::InProgress
                    },
                ]
            }
        ]
    );
    let end = c.hear(r#"{"jsonrpc":"2.0","id":3,"result":{"stopReason":"end_turn"}}"#);
    assert!(matches!(
        &end.events[..],
        [StreamEvent::TurnEnded { result: Some(r), .. }] if r == "Hello"
    ));
}

#[test]
fn what_it_cannot_read_is_kept_raw() {
    let mut c = prompting();
    for line in [
        "not json",
        "[1]",
        r#"{"jsonrpc":"2.0","id":42,"result":{}}"#,
    ] {
        assert_eq!(
            c.hear(line).events,
            vec![StreamEvent::Raw { line: line.into() }],
            "{line}"
        );
    }
}

#[test]
fn an_error_answer_names_the_providers_message() {
    let error = acp::Error::new(
        401,
        r#"{"error":{"code":401,"message":"API key not valid","status":"UNAUTHENTICATED"}}"#,
    );
    assert_eq!(describe(&error), "API key not valid (401 UNAUTHENTICATED)");
    let error =
        acp::Error::new(-32603, "Internal error").data(json!({"details": "Invalid session"}));
    assert_eq!(describe(&error), "Internal error: Invalid session");
}

/// Gemini CLI 0.61 and Qwen Code 0.15 answer a prompt the provider refused with a 429 so
/// (recorded against the fake model API's `RATE_LIMIT_429`).
#[test]
fn an_error_answer_keeps_its_http_status_so_a_rate_limit_is_recognised() {
    for (message, said) in [
        (
            "You have exhausted your daily quota on this model.",
            "You have exhausted your daily quota on this model. (HTTP 429)",
        ),
        (
            "Rate limit exceeded. Try again later.",
            "Rate limit exceeded. Try again later. (HTTP 429)",
        ),
    ] {
        let described = describe(&acp::Error::new(429, message));
        assert_eq!(described, said);
        assert!(model::rate_limit::RateLimit::recognise(&described, 0).is_some());
    }
    let refused = describe(&acp::Error::new(403, "Permission denied"));
    assert_eq!(refused, "Permission denied (HTTP 403)");
    assert!(model::rate_limit::RateLimit::recognise(&refused, 0).is_none());
}

#[test]
fn a_conversation_it_cannot_load_goes_on_in_a_new_one_with_the_history_as_context() {
    let resume = Resume {
        id: "old-1".into(),
        history: Some("User: REPLY first\nAgent: first".into()),
    };
    let mut c = AcpConversation::new("/work/tree".into(), "next".into(), Some(resume.clone()));
    c.opening();
    let heard =
        c.hear(r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":1,"agentCapabilities":{}}}"#);
    assert!(matches!(&heard.events[..], [StreamEvent::Log { line }] if line.contains("so far")));
    assert_eq!(json_lines(&heard.replies)[0]["method"], "session/new");
    let heard = c.hear(r#"{"jsonrpc":"2.0","id":2,"result":{"sessionId":"s2"}}"#);
    let prompt = json_lines(&heard.replies)[0]["params"]["prompt"].clone();
    assert_eq!(
        prompt,
        serde_json::json!([
            {"type": "text", "text": "User: REPLY first\nAgent: first"},
            {"type": "text", "text": "next"},
        ])
    );

    // An agent that can load it is asked to, and nothing is added to the prompt.
    let mut c = AcpConversation::new("/work/tree".into(), "next".into(), Some(resume));
    c.opening();
    let heard = c.hear(
        r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":1,"agentCapabilities":{"loadSession":true}}}"#,
    );
    let load = json_lines(&heard.replies);
    assert_eq!(load[0]["method"], "session/load");
    assert_eq!(load[0]["params"]["sessionId"], "old-1");
    c.hear(r#"{"jsonrpc":"2.0","method":"session/update","params":{"sessionId":"old-1","update":{"sessionUpdate":"agent_message_chunk","content":{"type":"text","text":"replayed"}}}}"#);
    let heard = c.hear(r#"{"jsonrpc":"2.0","id":2,"result":{}}"#);
    assert_eq!(
        heard.events,
        vec![StreamEvent::AgentSession {
            agent_session_id: "old-1".into(),
            model: None
        }],
        "the replayed history is already stored"
    );
    assert_eq!(
        json_lines(&heard.replies)[0]["params"]["prompt"][0]["text"],
        "next"
    );
}

#[test]
fn a_session_that_could_not_be_opened_is_tried_again_by_the_next_message() {
    let mut c = conversation();
    c.opening();
    assert_eq!(c.user_message("queued while opening"), Some(vec![]));
    c.hear(r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":1}}"#);
    let failed = c.hear(
        r#"{"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"Authentication required"}}"#,
    );
    assert!(matches!(
        failed.events.last(),
        Some(StreamEvent::TurnEnded { is_error: true, .. })
    ));
    assert!(failed.replies.is_empty());
    let again = json_lines(&c.user_message("try again").unwrap());
    assert_eq!(again[0]["method"], "session/new");
    let heard = c.hear(r#"{"jsonrpc":"2.0","id":3,"result":{"sessionId":"s9"}}"#);
    assert_eq!(
        json_lines(&heard.replies)[0]["params"]["prompt"][0]["text"],
        "try again"
    );
}
