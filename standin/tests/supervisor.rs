//! The engine's session supervisor driving this stand-in agent through the real protocols:
//! turns, queued follow-ups, permission round trips, crash and watchdog restart, kill of the
//! whole process group, Codex's one process per turn, and start-up reconciliation.
//! (These tests live here because only this package can name the stand-in's binary.)

mod common;

use common::*;
use engine::{Engine, EngineConfig};
use model::{
    AgentKind, PermissionAnswer, PermissionOutcome, Session, SessionStatus, StreamEvent, TaskStatus,
};
use std::path::PathBuf;
use std::time::Duration;

/// The agents whose one process takes every turn of a session: Claude Code on stream-json,
/// Gemini CLI and an agent declared on the server over ACP. The tests below run for each.
const ONE_PROCESS_AGENTS: [AgentKind; 3] =
    [AgentKind::ClaudeCode, AgentKind::Gemini, AgentKind::Acp];

/// The tool name a file write is asked for under.
fn write_tool(agent: AgentKind) -> &'static str {
    match agent {
        AgentKind::Gemini | AgentKind::Acp => "edit",
        _ => "Write",
    }
}

#[tokio::test]
async fn turns_and_a_follow_up_on_one_process() {
    for agent in ONE_PROCESS_AGENTS {
        turns_and_a_follow_up_on_one_process_of(agent).await;
    }
}

async fn turns_and_a_follow_up_on_one_process_of(agent: AgentKind) {
    let b = bench().await;
    let s = b.begin(start(agent, "REPLY hello")).await.unwrap();
    assert_eq!(s.status, SessionStatus::Pending);
    b.wait_until(&s, |e| turns_ended(e) == 1).await;
    let pid = |b: &Bench, s: &Session| {
        let s = s.clone();
        let db = b.engine.db().clone();
        async move {
            db.read(move |c| -> Result<Option<i64>, engine::EngineError> {
                Ok(
                    c.query_row("SELECT pid FROM sessions WHERE id = ?1", [s.id.0], |r| {
                        r.get(0)
                    })?,
                )
            })
            .await
            .unwrap()
        }
    };
    let first_pid = pid(&b, &s).await;
    b.send(s.id, "REPLY again".into()).await.unwrap();
    let events = b.wait_until(&s, |e| turns_ended(e) == 2).await;
    assert_eq!(texts(&events), vec!["hello", "again"]);
    assert_eq!(
        pid(&b, &s).await,
        first_pid,
        "{agent}: one process across turns"
    );
    // Claude repeats its session id each turn; an ACP agent names its session once.
    let ids = agent_ids(&events);
    assert!(!ids.is_empty());
    assert!(ids.iter().all(|id| *id == ids[0]), "{agent}: {ids:?}");
    assert_eq!(b.status(&s).await, SessionStatus::Idle);
    let stored = b.engine.session(b.project.id, s.id).await.unwrap();
    assert_eq!(stored.agent_session_id.as_deref(), Some(ids[0].as_str()));
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=events.len() as i64).collect::<Vec<_>>());
}

#[tokio::test]
async fn follow_ups_sent_during_a_turn_are_queued_in_order() {
    for agent in ONE_PROCESS_AGENTS {
        follow_ups_sent_during_a_turn_are_queued_in_order_of(agent).await;
    }
}

async fn follow_ups_sent_during_a_turn_are_queued_in_order_of(agent: AgentKind) {
    let b = bench().await;
    let s = b
        .begin(start(agent, "SLOW 400\nREPLY first"))
        .await
        .unwrap();
    for text in ["REPLY second", "REPLY third"] {
        b.send(s.id, text.into()).await.unwrap();
    }
    let events = b.wait_until(&s, |e| turns_ended(e) == 3).await;
    assert_eq!(texts(&events), vec!["first", "second", "third"]);
    assert_eq!(
        count(&events, |e| matches!(e, StreamEvent::MessageQueued { .. })),
        2
    );
    assert_eq!(
        count(&events, |e| matches!(e, StreamEvent::QueueDrained)),
        1
    );
    let users: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.event {
            StreamEvent::UserMessage { text } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        users,
        vec!["SLOW 400\nREPLY first", "REPLY second", "REPLY third"]
    );
}

#[tokio::test]
async fn a_permission_request_waits_for_the_answer_and_holds_the_queue() {
    for agent in ONE_PROCESS_AGENTS {
        a_permission_request_waits_for_the_answer_and_holds_the_queue_of(agent).await;
    }
}

async fn a_permission_request_waits_for_the_answer_and_holds_the_queue_of(agent: AgentKind) {
    let b = bench().await;
    let s = b
        .begin(start(agent, "WRITE_FILE approved.txt hi"))
        .await
        .unwrap();
    let events = b
        .wait_until(&s, |e| {
            count(e, |x| matches!(x, StreamEvent::PermissionRequest { .. })) == 1
        })
        .await;
    let request_id = events
        .iter()
        .find_map(|e| match &e.event {
            StreamEvent::PermissionRequest {
                request_id, tool, ..
            } => {
                assert_eq!(tool, write_tool(agent));
                Some(request_id.clone())
            }
            _ => None,
        })
        .unwrap();
    assert!(!b.repo.path().join("approved.txt").exists());
    // A follow-up now waits behind the pending request.
    b.send(s.id, "REPLY after".into()).await.unwrap();
    assert!(
        b.engine
            .answer_permission(b.project.id, s.id, "nope".into(), PermissionAnswer::allow())
            .await
            .is_err()
    );
    // An option the request does not offer as an allow is refused, and the request waits on.
    let not_an_allow = PermissionAnswer::Allow {
        updated_input: None,
        option: Some("cancel".into()),
    };
    let refused = b
        .engine
        .answer_permission(b.project.id, s.id, request_id.clone(), not_an_allow)
        .await
        .unwrap_err()
        .to_string();
    let why = match agent {
        AgentKind::ClaudeCode => "takes a plain allow or deny",
        // The declared agent is the stand-in too: Gemini's options.
        _ => "'Reject' does not allow the tool",
    };
    assert!(refused.contains(why), "{refused}");
    b.engine
        .answer_permission(
            b.project.id,
            s.id,
            request_id.clone(),
            PermissionAnswer::allow(),
        )
        .await
        .unwrap();
    let events = b.wait_until(&s, |e| turns_ended(e) == 2).await;
    assert!(b.repo.path().join("approved.txt").exists());
    assert!(events.iter().any(|e| e.event
        == StreamEvent::PermissionResolved {
            request_id: request_id.clone(),
            outcome: PermissionOutcome::Allowed
        }));
    assert_eq!(texts(&events).last().map(String::as_str), Some("after"));
}

#[tokio::test]
async fn a_denied_write_is_not_made() {
    for agent in ONE_PROCESS_AGENTS {
        a_denied_write_is_not_made_by(agent).await;
    }
}

async fn a_denied_write_is_not_made_by(agent: AgentKind) {
    let b = bench().await;
    let s = b
        .begin(start(agent, "WRITE_FILE denied.txt hi"))
        .await
        .unwrap();
    let events = b
        .wait_until(&s, |e| {
            count(e, |x| matches!(x, StreamEvent::PermissionRequest { .. })) == 1
        })
        .await;
    let request_id = permission_request_id(&events);
    let deny = PermissionAnswer::deny("no");
    b.engine
        .answer_permission(b.project.id, s.id, request_id.clone(), deny)
        .await
        .unwrap();
    let events = b.wait_until(&s, |e| turns_ended(e) == 1).await;
    assert!(events.iter().any(|e| e.event
        == StreamEvent::PermissionResolved {
            request_id: request_id.clone(),
            outcome: PermissionOutcome::Denied
        }));
    // Claude shows the refusal as the tool's result; an ACP agent is told by the option.
    if agent == AgentKind::ClaudeCode {
        assert!(events.iter().any(
            |e| matches!(&e.event, StreamEvent::ToolResult { is_error: true, output, .. } if output == "no")
        ));
    }
    assert!(!b.repo.path().join("denied.txt").exists());
}

#[tokio::test]
async fn an_unanswered_permission_request_times_out_as_a_deny() {
    for agent in ONE_PROCESS_AGENTS {
        an_unanswered_permission_request_times_out_as_a_deny_of(agent).await;
    }
}

async fn an_unanswered_permission_request_times_out_as_a_deny_of(agent: AgentKind) {
    let b = bench_with(|c| c.permission_timeout = Duration::from_millis(300)).await;
    let s = b
        .begin(start(agent, "WRITE_FILE late.txt hi"))
        .await
        .unwrap();
    let events = b.wait_until(&s, |e| turns_ended(e) == 1).await;
    assert!(events.iter().any(|e| matches!(
        e.event,
        StreamEvent::PermissionResolved {
            outcome: PermissionOutcome::TimedOut,
            ..
        }
    )));
    assert!(!b.repo.path().join("late.txt").exists());
    assert_eq!(b.status(&s).await, SessionStatus::Idle);
}

#[tokio::test]
async fn a_crash_mid_turn_is_restarted_once_with_resume() {
    for agent in ONE_PROCESS_AGENTS {
        a_crash_mid_turn_is_restarted_once_with_resume_of(agent).await;
    }
}

async fn a_crash_mid_turn_is_restarted_once_with_resume_of(agent: AgentKind) {
    let b = bench().await;
    let marker = b.repo.path().join(".crashed");
    let s = b.begin(start(agent, "REPLY one")).await.unwrap();
    b.wait_until(&s, |e| turns_ended(e) == 1).await;
    b.send(
        s.id,
        format!("CRASH_ONCE {}\nREPLY recovered", marker.display()),
    )
    .await
    .unwrap();
    let events = b.wait_until(&s, |e| turns_ended(e) == 2).await;
    assert_eq!(texts(&events).last().map(String::as_str), Some("recovered"));
    assert!(events.iter().any(|e| matches!(&e.event, StreamEvent::Error { retrying: true, message } if message.contains("restarting"))));
    let ids = agent_ids(&events);
    if agent == AgentKind::ClaudeCode {
        assert!(
            ids.windows(2).all(|w| w[0] == w[1]),
            "resumed the same session: {ids:?}"
        );
    } else {
        // The stand-in, like Gemini CLI, cannot load a session: the new one is given the
        // conversation so far, and the session says so.
        assert_eq!(ids.len(), 2, "{ids:?}");
        assert!(events.iter().any(|e| matches!(&e.event, StreamEvent::Log { line }
            if line.contains("could not resume") && line.contains("given the conversation so far"))));
    }
    assert_eq!(b.status(&s).await, SessionStatus::Idle);
}

#[tokio::test]
async fn a_second_death_fails_the_session_and_its_task() {
    let b = bench().await;
    // A task's session ends with its turn, so the crash is in the first one: it dies, is
    // restarted once with resume, and dies again.
    let (task, s) = b.run_task("CRASH").await;
    assert_eq!(
        b.engine.task(b.project.id, task.id).await.unwrap().status,
        TaskStatus::InProgress
    );
    b.wait_until(&s, |e| {
        e.iter().any(|x| {
            x.event
                == StreamEvent::StatusChanged {
                    status: model::SessionStatus::Failed,
                }
        })
    })
    .await;
    let session = b.engine.session(b.project.id, s.id).await.unwrap();
    assert_eq!(session.status, SessionStatus::Failed);
    assert_eq!(session.exit_signal, Some(libc::SIGABRT));
    let task = b.engine.task(b.project.id, task.id).await.unwrap();
    assert_eq!(task.status, TaskStatus::Fail);
    assert!(task.fail_reason.unwrap().contains("killed by signal"));
}

#[tokio::test]
async fn kill_stops_the_whole_process_group() {
    let b = bench().await;
    let s = b.begin(start(AgentKind::ClaudeCode, "HANG")).await.unwrap();
    b.wait_until(&s, |e| !agent_ids(e).is_empty()).await;
    let pgid = b.pgid(&s).await;
    assert!(group_alive(pgid));
    b.engine.kill_session(b.project.id, s.id).await.unwrap();
    assert_eq!(b.status(&s).await, SessionStatus::Killed);
    tokio::time::timeout(WAIT, async {
        while group_alive(pgid) && !zombie_only(pgid) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the process group died");
    assert!(b.send(s.id, "hi".into()).await.is_err());
}

/// Every process left in the group is a zombie (dead, waiting to be reaped).
/// Whether any process of group `pgid` exists.
fn group_alive(pgid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence and permission.
    pgid > 1 && unsafe { libc::kill(-pgid, 0) } == 0
}

fn zombie_only(pgid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pgid}/stat"))
        .map(|s| {
            s.rsplit_once(") ")
                .is_some_and(|(_, rest)| rest.starts_with('Z'))
        })
        .unwrap_or(true)
}

/// Stop turn, and the events once the first turn has ended.
async fn stop_the_first_turn(b: &Bench, s: &Session) -> Vec<model::StoredEvent> {
    b.engine
        .interrupt_session(b.project.id, s.id)
        .await
        .unwrap();
    b.wait_until(s, |e| turns_ended(e) == 1).await
}

#[tokio::test]
async fn interrupt_stops_the_turn_and_keeps_the_session() {
    for agent in ONE_PROCESS_AGENTS {
        interrupt_stops_the_turn_and_keeps_the_session_of(agent).await;
    }
}

async fn interrupt_stops_the_turn_and_keeps_the_session_of(agent: AgentKind) {
    let b = bench().await;
    let s = b.begin(start(agent, "SLOW 60000")).await.unwrap();
    b.wait_until(&s, |e| !agent_ids(e).is_empty()).await;
    let events = stop_the_first_turn(&b, &s).await;
    // Claude says `aborted_streaming`, an ACP agent `cancelled` (read as `interrupted`).
    assert!(events.iter().any(|e| matches!(&e.event, StreamEvent::TurnEnded { is_error: true, reason: Some(r), .. } if model::stream::is_stop_reason(r))), "{agent}");
    b.send(s.id, "REPLY still here".into()).await.unwrap();
    let events = b.wait_until(&s, |e| turns_ended(e) == 2).await;
    assert_eq!(
        texts(&events).last().map(String::as_str),
        Some("still here")
    );
}

/// Stop while an ACP agent waits for a permission: the request is answered "cancelled" and
/// withdrawn from the page, the turn ends stopped, and nothing was written.
#[tokio::test]
async fn a_stop_while_a_permission_waits_withdraws_it() {
    for agent in [AgentKind::Gemini, AgentKind::Acp] {
        let b = bench().await;
        let s = b
            .begin(start(agent, "WRITE_FILE never.txt no"))
            .await
            .unwrap();
        b.wait_until(&s, |e| {
            count(e, |x| matches!(x, StreamEvent::PermissionRequest { .. })) == 1
        })
        .await;
        let events = stop_the_first_turn(&b, &s).await;
        assert_eq!(
            count(&events, |x| matches!(
                x,
                StreamEvent::PermissionWithdrawn { .. }
            )),
            1,
            "{agent}"
        );
        assert!(events.iter().any(|e| matches!(&e.event, StreamEvent::TurnEnded { reason: Some(r), .. } if r == "interrupted")), "{agent}");
        assert!(!b.repo.path().join("never.txt").exists());
    }
}

/// Gemini CLI ignores `session/cancel` while it retries a failing model API: Stop must still
/// end the turn, by stopping the process after the grace, and the session must go on.
#[tokio::test]
async fn a_stop_the_agent_ignores_stops_its_process_and_the_session_goes_on() {
    for agent in [AgentKind::Gemini, AgentKind::Acp] {
        let b = bench().await;
        let s = b.begin(start(agent, "DEAF\nHANG")).await.unwrap();
        b.wait_until(&s, |e| !agent_ids(e).is_empty()).await;
        let events = stop_the_first_turn(&b, &s).await;
        assert!(events.iter().any(|e| matches!(&e.event, StreamEvent::TurnEnded { is_error: true, reason: Some(r), .. } if r == "interrupted")), "{agent}");
        assert!(events.iter().any(|e| matches!(&e.event, StreamEvent::Log { line } if line.contains("did not stop its turn"))), "{agent}");
        assert_eq!(
            b.engine.session(b.project.id, s.id).await.unwrap().status,
            SessionStatus::Idle
        );
        // A new process takes the next message (the conversation so far as context).
        b.send(s.id, "REPLY after the stop".into()).await.unwrap();
        let events = b.wait_until(&s, |e| turns_ended(e) == 2).await;
        assert_eq!(
            texts(&events).last().map(String::as_str),
            Some("after the stop")
        );
    }
}

#[tokio::test]
async fn codex_runs_one_process_per_turn_and_resumes_its_thread() {
    let b = bench().await;
    let s = b
        .begin(start(
            AgentKind::Codex,
            "WRITE_FILE codex.txt from codex\nREPLY done",
        ))
        .await
        .unwrap();
    b.wait_until(&s, |e| turns_ended(e) == 1).await;
    assert!(
        b.repo.path().join("codex.txt").exists(),
        "workspace-write by default"
    );
    b.send(s.id, "REPLY second".into()).await.unwrap();
    let events = b.wait_until(&s, |e| turns_ended(e) == 2).await;
    let ids = agent_ids(&events);
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1], "the second turn resumed the first thread");
    assert_eq!(texts(&events), vec!["done", "second"]);
    // Codex exits after its turn's last event: its exit is recorded just after.
    let session = b.session_when(&s, |row| row.exit_code.is_some()).await;
    assert_eq!(session.exit_code, Some(0));
}

#[tokio::test]
async fn a_missing_cli_fails_the_session_and_releases_its_task() {
    let b = bench_with(|c| c.claude_bin = PathBuf::from("/nonexistent/claude")).await;
    let (task, s) = b.run_task("REPLY hi").await;
    b.wait_until(&s, |e| {
        e.iter().any(|x| {
            x.event
                == StreamEvent::StatusChanged {
                    status: model::SessionStatus::Failed,
                }
        })
    })
    .await;
    let session = b.engine.session(b.project.id, s.id).await.unwrap();
    assert!(session.fail_reason.unwrap().contains("was not found"));
    let task = b.engine.task(b.project.id, task.id).await.unwrap();
    assert_eq!(task.status, TaskStatus::Fail);
    assert!(task.fail_reason.unwrap().contains("was not found"));
}

#[tokio::test]
async fn bad_starts_are_refused_and_write_nothing() {
    let b = bench().await;
    for bad in [start(AgentKind::ClaudeCode, "   "), {
        let (mut st, runtime) = start(AgentKind::ClaudeCode, "hi");
        st.permission = Some(model::PermissionPolicy::ReadOnly);
        (st, runtime)
    }] {
        assert!(b.begin(bad).await.is_err());
    }
    assert!(
        b.engine
            .list_sessions(b.project.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn reconciliation_fails_interrupted_sessions_and_stops_orphans() {
    let b = bench().await;
    let (task, s) = b.run_task("HANG").await;
    b.wait_until(&s, |e| !agent_ids(e).is_empty()).await;
    let pgid = b.pgid(&s).await;
    // A new engine on the same data directory, as after a crash of the server.
    let data_dir = b.engine.db().path().parent().unwrap().to_path_buf();
    let restarted = Engine::open_with(
        &data_dir,
        EngineConfig {
            kill_grace: Duration::from_millis(200),
            ..EngineConfig::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(restarted.reconcile().await.unwrap(), 1);
    let session = restarted.session(b.project.id, s.id).await.unwrap();
    assert_eq!(session.status, SessionStatus::Failed);
    assert_eq!(session.fail_reason.as_deref(), Some("server restarted"));
    let task = restarted.task(b.project.id, task.id).await.unwrap();
    assert_eq!(
        (task.status, task.fail_reason.as_deref()),
        (TaskStatus::Fail, Some("server restarted"))
    );
    tokio::time::timeout(WAIT, async {
        while group_alive(pgid) && !zombie_only(pgid) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the orphan was stopped");
}
