//! A task's life through the engine with a real git repository and the stand-in agent:
//! execute into a worktree, the outcome of the attempt (review, or fail with the reason),
//! retry with feedback, concurrent starts, the review diff and the pull request.

mod common;

use common::*;
use engine::execution::StartOptions;
use model::{
    AgentKind, PermissionPolicy, RuntimeRequest, Session, SessionStatus, StoredEvent, StreamEvent,
    Task, TaskStatus,
};
use std::path::Path;

impl Bench {
    async fn execute(&self, task: &Task, agent: AgentKind) -> Session {
        started(
            self.engine
                .execute_task(self.project.id, task.id, local(agent), Default::default())
                .await
                .unwrap(),
        )
    }

    async fn reload(&self, task: &Task) -> Task {
        self.engine.task(self.project.id, task.id).await.unwrap()
    }

    /// Like [`Bench::outcome`], allowing every permission the agent asks for on the way.
    async fn outcome_allowing(&self, session: &Session, task: &Task) -> (SessionStatus, Task) {
        let mut allowed: Vec<String> = Vec::new();
        loop {
            let waiting = |events: &[StoredEvent]| {
                events.iter().find_map(|e| match &e.event {
                    StreamEvent::PermissionRequest { request_id, .. }
                        if !allowed.contains(request_id) =>
                    {
                        Some(request_id.clone())
                    }
                    _ => None,
                })
            };
            let events = self
                .wait_until(session, |e| {
                    e.iter().any(is_final_status) || waiting(e).is_some()
                })
                .await;
            let Some(request_id) = waiting(&events) else {
                break;
            };
            self.engine
                .answer_permission(
                    self.project.id,
                    session.id,
                    request_id.clone(),
                    model::PermissionAnswer::allow(),
                )
                .await
                .unwrap();
            allowed.push(request_id);
        }
        self.outcome(session, task).await
    }

    /// Waits for the session's final status, then returns the task as it was left.
    async fn outcome(&self, session: &Session, task: &Task) -> (SessionStatus, Task) {
        self.wait_until(session, |e| e.iter().any(is_final_status))
            .await;
        let status = self.status(session).await;
        (status, self.reload(task).await)
    }
}

fn is_final_status(e: &StoredEvent) -> bool {
    matches!(&e.event, StreamEvent::StatusChanged { status } if status.is_final())
}

fn first_prompt(events: &[StoredEvent]) -> String {
    events
        .iter()
        .find_map(|e| match &e.event {
            StreamEvent::UserMessage { text } => Some(text.clone()),
            _ => None,
        })
        .unwrap()
}

#[tokio::test]
async fn changes_in_the_worktree_send_the_task_to_review_with_a_diff() {
    let b = bench().await;
    let task = b
        .task_with("Add a greeting", "WRITE_FILE hello.txt hello world")
        .await;
    let s = b.execute(&task, AgentKind::Codex).await;
    let (status, task) = b.outcome(&s, &task).await;
    assert_eq!(
        (status, task.status),
        (SessionStatus::Completed, TaskStatus::Review)
    );
    assert_eq!(task.session_id, None);
    let branch = task.branch.clone().unwrap();
    assert_eq!(branch, format!("task/{:08}-add-a-greeting", task.id.0));
    let worktree = task.worktree_path.clone().unwrap();
    assert!(worktree.starts_with(&b.engine.data_dir().display().to_string()));
    assert!(Path::new(&worktree).join("hello.txt").exists());
    assert!(
        !b.repo.path().join("hello.txt").exists(),
        "the user's checkout is untouched"
    );
    let prompt = first_prompt(&b.events(&s).await);
    assert!(
        prompt.contains(&format!("Branch: {branch} (from main)")),
        "{prompt}"
    );

    let review = b
        .engine
        .task_review(b.project.id, task.id, 0)
        .await
        .unwrap();
    let diff = review.diff.unwrap();
    assert_eq!(diff.files.len(), 1);
    assert_eq!(
        (diff.files[0].path.as_str(), diff.files[0].added),
        ("hello.txt", Some(1))
    );
    assert_eq!(review.sessions.len(), 1);
    let patch = b
        .engine
        .task_file_patch(b.project.id, task.id, "hello.txt".into(), 0)
        .await
        .unwrap();
    assert!(patch.lines.iter().any(|l| l.text == "+hello world"));
    // A long file's patch comes a page at a time: 1,000 lines and the headers make 3.
    let long: String = (1..=1_000).map(|i| format!("line {i}\n")).collect();
    std::fs::write(Path::new(&worktree).join("long.txt"), long).unwrap();
    let per_page = model::review::LINES_PER_PAGE;
    let first = b
        .engine
        .task_file_patch(b.project.id, task.id, "long.txt".into(), 0)
        .await
        .unwrap();
    assert_eq!((first.lines.len(), first.pages), (per_page, 3));
    let last = b
        .engine
        .task_file_patch(b.project.id, task.id, "long.txt".into(), 99)
        .await
        .unwrap();
    assert_eq!(
        last.page,
        last.pages - 1,
        "a page past the end is the last one"
    );
    assert_eq!(
        last.lines.last().map(|l| l.text.as_str()),
        Some("+line 1000")
    );
    // Only a changed file can be read this way.
    assert!(
        b.engine
            .task_file_patch(b.project.id, task.id, "../../etc/passwd".into(), 0)
            .await
            .is_err()
    );
}

/// Start, a failed attempt, Retry with feedback, Retry from review: the same for every agent
/// (whatever an agent asks on the way is allowed).
#[tokio::test]
async fn a_clean_exit_without_changes_fails_the_task_and_retry_with_feedback_recovers_it() {
    for agent in [
        AgentKind::Codex,
        AgentKind::ClaudeCode,
        AgentKind::Gemini,
        AgentKind::Acp,
    ] {
        a_clean_exit_fails_and_retry_recovers_it_with(agent).await;
    }
}

async fn a_clean_exit_fails_and_retry_recovers_it_with(agent: AgentKind) {
    let b = bench().await;
    let task = b.task_with("Do nothing", "REPLY nothing to do").await;
    let s = b.execute(&task, agent).await;
    let (status, failed) = b.outcome_allowing(&s, &task).await;
    assert_eq!(status, SessionStatus::Completed);
    assert_eq!(failed.status, TaskStatus::Fail);
    assert_eq!(
        failed.fail_reason.as_deref(),
        Some("Agent finished without changes")
    );

    let blank = b
        .engine
        .retry_task(
            b.project.id,
            task.id,
            "   ".into(),
            local(agent),
            Default::default(),
        )
        .await
        .map(started);
    assert!(blank.is_err(), "feedback is required");
    let retry = b
        .engine
        .retry_task(
            b.project.id,
            task.id,
            "Please write it.\nWRITE_FILE done.txt written".into(),
            local(agent),
            Default::default(),
        )
        .await
        .map(started)
        .unwrap();
    let (_, reviewed) = b.outcome_allowing(&retry, &task).await;
    assert_eq!(reviewed.status, TaskStatus::Review);
    assert_eq!(
        reviewed.worktree_path, failed.worktree_path,
        "the same worktree"
    );
    let prompt = first_prompt(&b.events(&retry).await);
    assert!(
        prompt.contains("## Previous attempt feedback\n\nPlease write it."),
        "{prompt}"
    );
    assert!(
        prompt.contains("It failed: Agent finished without changes"),
        "{prompt}"
    );
    assert!(prompt.contains("> nothing to do"), "{prompt}");

    // From review, a retry works in the same worktree and sees the earlier work.
    let again = b
        .engine
        .retry_task(
            b.project.id,
            task.id,
            "Add a second file.\nWRITE_FILE more.txt more".into(),
            local(agent),
            Default::default(),
        )
        .await
        .map(started)
        .unwrap();
    let (_, reviewed) = b.outcome_allowing(&again, &task).await;
    assert_eq!(reviewed.status, TaskStatus::Review);
    let worktree = Path::new(reviewed.worktree_path.as_deref().unwrap()).to_path_buf();
    assert!(worktree.join("done.txt").exists() && worktree.join("more.txt").exists());
    let review = b
        .engine
        .task_review(b.project.id, task.id, 0)
        .await
        .unwrap();
    assert_eq!(review.sessions.len(), 3, "earlier attempts stay as records");
    // Retry is for review and fail only.
    b.engine
        .move_task(b.project.id, task.id, TaskStatus::Done)
        .await
        .unwrap();
    let done = b
        .engine
        .retry_task(
            b.project.id,
            task.id,
            "more".into(),
            local(agent),
            Default::default(),
        )
        .await
        .map(started);
    assert!(
        done.unwrap_err()
            .to_string()
            .contains("only a task in review or failed")
    );
}

#[tokio::test]
async fn a_crash_or_a_failed_exit_fails_the_task_with_a_readable_reason() {
    let b = bench().await;
    for (prompt, agent, reason) in [
        ("CRASH", AgentKind::ClaudeCode, "killed by signal"),
        ("EXIT 3", AgentKind::Codex, "Agent exited with code 3"),
        // A CLI that refuses to start says why on stderr: the reason quotes it.
        (
            "STDERR cannot be used with root privileges\nEXIT 1",
            AgentKind::ClaudeCode,
            "Agent exited with code 1 in the middle of a turn: cannot be used with root privileges",
        ),
        ("FAIL_AUTH", AgentKind::ClaudeCode, "Invalid API key"),
    ] {
        // The title is the prompt's first line: a directive there is not at a line's start.
        let title = prompt.lines().next().unwrap_or(prompt);
        let task = b.task_with(title, prompt).await;
        let s = b.execute(&task, agent).await;
        let (status, task) = b.outcome(&s, &task).await;
        assert_eq!(
            (status, task.status),
            (SessionStatus::Failed, TaskStatus::Fail),
            "{prompt}"
        );
        let got = task.fail_reason.unwrap();
        assert!(got.contains(reason), "{prompt}: {got}");
        assert_eq!(task.session_id, None);
    }
}

#[tokio::test]
async fn a_missing_cli_fails_the_task_and_keeps_the_session_as_a_record() {
    let b = bench_with(|c| c.codex_bin = "/nonexistent/codex".into()).await;
    let task = b.task_with("t", "WRITE_FILE a.txt a").await;
    let s = b.execute(&task, AgentKind::Codex).await;
    let (status, task) = b.outcome(&s, &task).await;
    assert_eq!(
        (status, task.status),
        (SessionStatus::Failed, TaskStatus::Fail)
    );
    assert!(
        task.fail_reason
            .unwrap()
            .starts_with("Codex CLI is not installed")
    );
    let session = b.engine.session(b.project.id, s.id).await.unwrap();
    assert!(session.fail_reason.unwrap().contains("/nonexistent/codex"));
}

#[tokio::test]
async fn two_concurrent_starts_make_exactly_one_session() {
    let b = bench().await;
    let task = b.task_with("t", "SLOW 300\nWRITE_FILE a.txt a").await;
    let (one, two) = tokio::join!(
        b.engine.execute_task(
            b.project.id,
            task.id,
            local(AgentKind::Codex),
            Default::default()
        ),
        b.engine.execute_task(
            b.project.id,
            task.id,
            local(AgentKind::Codex),
            Default::default()
        ),
    );
    let (won, lost) = match (one.map(started), two.map(started)) {
        (Ok(s), Err(e)) | (Err(e), Ok(s)) => (s, e),
        other => panic!("exactly one start must win: {other:?}"),
    };
    assert!(lost.to_string().contains("already running"), "{lost}");
    let sessions = b.engine.list_sessions(b.project.id).await.unwrap();
    assert_eq!(sessions.len(), 1);
    let (_, task) = b.outcome(&won, &task).await;
    assert_eq!(task.status, TaskStatus::Review);
}

#[tokio::test]
async fn a_claude_task_session_ends_with_its_turn() {
    let b = bench().await;
    let task = b.task_with("t", "WRITE_FILE claude.txt from claude").await;
    let s = started(
        b.engine
            .execute_task(
                b.project.id,
                task.id,
                local(AgentKind::ClaudeCode),
                StartOptions::permission(PermissionPolicy::AcceptEdits),
            )
            .await
            .unwrap(),
    );
    let (status, task) = b.outcome(&s, &task).await;
    assert_eq!(
        (status, task.status),
        (SessionStatus::Completed, TaskStatus::Review)
    );
    let session = b.engine.session(b.project.id, s.id).await.unwrap();
    assert_eq!(
        session.exit_code,
        Some(0),
        "Claude exits when its stdin closes"
    );
}

#[tokio::test]
async fn create_pr_says_what_is_missing_then_pushes_and_stores_the_url() {
    let tools = tempfile::tempdir().unwrap();
    let gh = tools.path().join("gh");
    std::fs::write(
        &gh,
        "#!/bin/sh\n[ \"$1\" = --version ] && { echo 'gh version 2'; exit 0; }\necho 'Creating pull request'\necho https://github.com/example/shop/pull/7\n",
    )
    .unwrap();
    let mut perms = std::fs::metadata(&gh).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&gh, perms).unwrap();

    let without_gh = bench_with(|c| c.gh_bin = "/nonexistent/gh".into()).await;
    let task = without_gh.task_with("t", "WRITE_FILE a.txt a").await;
    let s = without_gh.execute(&task, AgentKind::Codex).await;
    without_gh.outcome(&s, &task).await;
    let err = without_gh
        .engine
        .create_pr(without_gh.project.id, task.id)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("The GitHub CLI is not installed"),
        "{err}"
    );

    let b = bench_with(|c| c.gh_bin = gh.clone()).await;
    let task = b.task_with("Ship it", "WRITE_FILE shipped.txt yes").await;
    let s = b.execute(&task, AgentKind::Codex).await;
    b.outcome(&s, &task).await;
    let err = b.engine.create_pr(b.project.id, task.id).await.unwrap_err();
    assert!(err.to_string().contains("no remote 'origin'"), "{err}");
    let origin = tempfile::tempdir().unwrap();
    let run = testkit::git;
    run(origin.path(), &["init", "-q", "--bare"]);
    run(
        b.repo.path(),
        &[
            "remote",
            "add",
            "origin",
            &origin.path().display().to_string(),
        ],
    );
    // The uncommitted work is committed first, as the repository's own identity.
    run(b.repo.path(), &["config", "user.name", "DevLog test"]);
    run(
        b.repo.path(),
        &["config", "user.email", "test@example.invalid"],
    );
    let task = b.engine.create_pr(b.project.id, task.id).await.unwrap();
    assert_eq!(
        task.pr_url.as_deref(),
        Some("https://github.com/example/shop/pull/7")
    );
    let branch = task.branch.unwrap();
    run(
        origin.path(),
        &[
            "rev-parse",
            "--quiet",
            "--verify",
            &format!("refs/heads/{branch}"),
        ],
    );
}

#[tokio::test]
async fn a_task_that_cannot_start_writes_nothing() {
    let b = bench().await;
    let task = b.task_with("t", "WRITE_FILE x.txt x").await;
    let s = b.execute(&task, AgentKind::Codex).await;
    assert_eq!(b.outcome(&s, &task).await.1.status, TaskStatus::Review);
    let err = b
        .engine
        .execute_task(
            b.project.id,
            task.id,
            local(AgentKind::Codex),
            Default::default(),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("only a task to do, blocked or failed"),
        "{err}"
    );
    let incomplete = RuntimeRequest {
        selection: model::RuntimeSelection {
            mode: model::ExecutionMode::Byok,
            ..Default::default()
        },
        secrets: Default::default(),
    };
    let todo = b.task_with("u", "REPLY y").await;
    let err = b
        .engine
        .execute_task(b.project.id, todo.id, incomplete, Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Bring your own key: enter an API key");
    let sessions = b.engine.list_sessions(b.project.id).await.unwrap();
    assert_eq!(sessions.len(), 1, "only the first task's session");
    assert_eq!(b.reload(&todo).await.status, TaskStatus::Todo);
}

#[tokio::test]
async fn a_worktree_that_cannot_be_made_fails_the_attempt_with_the_reason() {
    let b = bench().await;
    let task = b.task_with("Blocked path", "WRITE_FILE a.txt a").await;
    // A file where the worktree's folder must go.
    let parent = b
        .engine
        .data_dir()
        .join("worktrees")
        .join(b.project.id.to_string());
    std::fs::create_dir_all(&parent).unwrap();
    std::fs::write(
        parent.join(format!("{:08}-blocked-path", task.id.0)),
        "in the way",
    )
    .unwrap();
    let err = b
        .engine
        .execute_task(
            b.project.id,
            task.id,
            local(AgentKind::Codex),
            Default::default(),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Could not prepare the task's worktree"),
        "{err}"
    );
    let task = b.reload(&task).await;
    assert_eq!(task.status, TaskStatus::Fail);
    assert!(
        task.fail_reason
            .unwrap()
            .starts_with("Could not prepare the task's worktree")
    );
    let sessions = b.engine.list_sessions(b.project.id).await.unwrap();
    assert_eq!(sessions.len(), 1, "the failed attempt stays as a record");
    assert_eq!(sessions[0].status, SessionStatus::Failed);
}

#[tokio::test]
async fn worktrees_are_listed_and_removal_refuses_the_main_one_and_running_ones() {
    let b = bench().await;
    let task = b.task_with("Long job", "SLOW 60000").await;
    let s = b.execute(&task, AgentKind::Codex).await;
    b.wait_until(&s, |e| !agent_ids(e).is_empty()).await;
    let list = b.engine.worktrees(b.project.id).await.unwrap();
    assert_eq!(list.len(), 2);
    assert!(list[0].is_main);
    let running = &list[1];
    assert_eq!(running.running_session, Some(s.id));
    assert_eq!(running.task.as_ref().map(|t| t.0), Some(task.id));
    for path in [list[0].path.clone(), running.path.clone()] {
        let err = b
            .engine
            .remove_worktree(b.project.id, path)
            .await
            .unwrap_err();
        assert!(matches!(err, engine::EngineError::Refused(_)), "{err}");
    }
    b.engine.kill_session(b.project.id, s.id).await.unwrap();
    b.outcome(&s, &task).await;
    b.engine
        .remove_worktree(b.project.id, running.path.clone())
        .await
        .unwrap();
    assert_eq!(b.engine.worktrees(b.project.id).await.unwrap().len(), 1);
    assert!(!Path::new(&running.path).exists());
    // A later attempt makes it again, on the same branch.
    let retry = started(
        b.engine
            .execute_task(
                b.project.id,
                task.id,
                local(AgentKind::Codex),
                Default::default(),
            )
            .await
            .unwrap(),
    );
    b.wait_until(&retry, |e| !agent_ids(e).is_empty()).await;
    assert!(Path::new(&running.path).exists());
    b.engine.kill_session(b.project.id, retry.id).await.unwrap();
}

#[tokio::test]
async fn a_task_session_left_idle_by_a_crash_is_failed_at_start_up() {
    let b = bench().await;
    let task = b.task_with("t", "HANG").await;
    let s = b.execute(&task, AgentKind::Codex).await;
    b.wait_until(&s, |e| !agent_ids(e).is_empty()).await;
    // As if the server died between the turn's end and the process's exit.
    let id = s.id.0;
    b.engine
        .db()
        .write(move |c| -> Result<usize, engine::EngineError> {
            Ok(c.execute("UPDATE sessions SET status = 'idle' WHERE id = ?1", [id])?)
        })
        .await
        .unwrap();
    let restarted = engine::Engine::open_with(b.engine.data_dir(), b.engine.config().clone())
        .await
        .unwrap();
    assert_eq!(restarted.reconcile().await.unwrap(), 1);
    let task = restarted.task(b.project.id, task.id).await.unwrap();
    assert_eq!(task.status, TaskStatus::Fail);
    assert_eq!(task.fail_reason.as_deref(), Some("server restarted"));
}
