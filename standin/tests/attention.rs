//! What waits for the user (`Engine::attention`): an unanswered permission request while the
//! session waits, then the task's review once it is answered and done; a failed task.

mod common;

use common::*;
use model::attention::WaitingKind;
use model::{AgentKind, PermissionAnswer, StreamEvent};

#[tokio::test]
async fn a_permission_request_waits_until_answered_then_the_review_does() {
    let b = bench().await;
    assert!(
        b.engine
            .attention(b.project.id)
            .await
            .unwrap()
            .waiting
            .is_empty()
    );
    let s = b
        .begin(start(AgentKind::ClaudeCode, "WRITE_FILE approved.txt hi"))
        .await
        .unwrap();
    let events = b
        .wait_until(&s, |e| {
            e.iter()
                .any(|x| matches!(x.event, StreamEvent::PermissionRequest { .. }))
        })
        .await;
    let request_id = permission_request_id(&events);
    let waiting = b.engine.attention(b.project.id).await.unwrap().waiting;
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0].kind, WaitingKind::Permission);
    assert_eq!(waiting[0].session, Some(s.id));
    assert_eq!(waiting[0].tool.as_deref(), Some("Write"));
    assert_eq!(waiting[0].title, format!("Session {}", s.id));

    b.engine
        .answer_permission(b.project.id, s.id, request_id, PermissionAnswer::allow())
        .await
        .unwrap();
    b.wait_until(&s, |e| turns_ended(e) == 1).await;
    assert!(
        b.engine
            .attention(b.project.id)
            .await
            .unwrap()
            .waiting
            .is_empty()
    );
}

#[tokio::test]
async fn tasks_in_review_and_failed_tasks_wait_for_the_user() {
    let b = bench().await;
    let (failed, session) = b
        .run_task_with("REPLY nothing to change", local(AgentKind::ClaudeCode))
        .await;
    b.until_ended(&session).await;
    let (reviewed, session) = b
        .run_task_with("WRITE_FILE a.txt a", local(AgentKind::Codex))
        .await;
    b.until_ended(&session).await;
    let attention = b.engine.attention(b.project.id).await.unwrap();
    let mut waiting: Vec<_> = attention.waiting.iter().map(|w| (w.task, w.kind)).collect();
    waiting.sort_by_key(|(task, _)| *task);
    assert_eq!(
        waiting,
        [
            (Some(failed.id), WaitingKind::Failed),
            (Some(reviewed.id), WaitingKind::Review)
        ]
    );
    assert!(b.engine.attention(model::ProjectId(999)).await.is_err());
}
