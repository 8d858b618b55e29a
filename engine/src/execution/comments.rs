//! Line comments of a review: kept with the task as they are written, and sent to the agent
//! as the feedback of a new attempt ("Send N comments"), each with its file, lines and code.

use super::StartOptions;
use super::review::worktree_of;
use crate::git::worktree;
use crate::store::{self, StoreError};
use crate::{Engine, EngineError, EngineResult};
use model::comment::{CommentDraft, LineSide, ReviewComment, feedback_of};
use model::schedule::StartOutcome;
use model::{ProjectId, RuntimeRequest, TaskId};
use std::path::Path;

/// Comments one review holds before they must be sent: with their excerpts, at most
/// 15 × (4,000 + 10 × 200) characters, within a prompt's 100,000.
const COMMENTS_MAX: usize = 15;
/// Lines of code quoted with one comment, at most, and characters of each.
const EXCERPT_LINES: usize = 10;
const EXCERPT_LINE_CHARS: usize = 200;

impl Engine {
    /// The task's comments not sent yet.
    pub async fn review_comments(
        &self,
        project: ProjectId,
        task: TaskId,
    ) -> EngineResult<Vec<ReviewComment>> {
        self.task(project, task).await?;
        Ok(self
            .db()
            .read(move |conn| {
                store::comments::pending(conn, project, task).map_err(StoreError::from)
            })
            .await?)
    }

    /// Keeps a comment on lines of one of the task's changed files.
    pub async fn add_review_comment(
        &self,
        project: ProjectId,
        task: TaskId,
        draft: CommentDraft,
    ) -> EngineResult<ReviewComment> {
        let draft = draft.validate()?;
        let project_row = self.project(project).await?;
        let task_row = self.task(project, task).await?;
        if !task_row.status.can_retry() {
            return Err(EngineError::Refused(
                "Comments go to the agent with a new attempt: only a task in review or failed takes them.".into(),
            ));
        }
        if self.review_comments(project, task).await?.len() >= COMMENTS_MAX {
            return Err(EngineError::Refused(format!(
                "This review already holds {COMMENTS_MAX} comments: send them first."
            )));
        }
        let dir = worktree_of(&task_row)?;
        let files = worktree::changed_files(&dir, &project_row.default_branch)
            .await
            .map_err(|e| EngineError::git_in(&dir, e))?;
        if !files.iter().any(|f| f.path == draft.path) {
            return Err(EngineError::NotFound(format!(
                "changed file {} of this task",
                draft.path
            )));
        }
        let excerpt = match draft.side {
            LineSide::New => excerpt(&dir.join(&draft.path), draft.start, draft.end).await,
            LineSide::Old => None,
        };
        let now = store::now_ms();
        Ok(self
            .db()
            .write(move |conn| {
                store::comments::insert(conn, project, task, &draft, excerpt.as_deref(), now)
                    .map_err(StoreError::from)
            })
            .await?)
    }

    pub async fn delete_review_comment(
        &self,
        project: ProjectId,
        task: TaskId,
        id: i64,
    ) -> EngineResult<()> {
        let deleted = self
            .db()
            .write(move |conn| {
                store::comments::delete(conn, project, task, id).map_err(StoreError::from)
            })
            .await?;
        if deleted {
            Ok(())
        } else {
            Err(EngineError::NotFound(format!("comment {id}")))
        }
    }

    /// A new attempt whose feedback is `note` and every comment not sent yet; the comments
    /// are marked sent once the attempt is started or queued.
    pub async fn send_review_comments(
        &self,
        project: ProjectId,
        task: TaskId,
        note: Option<String>,
        request: RuntimeRequest,
        options: StartOptions,
    ) -> EngineResult<StartOutcome> {
        let comments = self.review_comments(project, task).await?;
        if comments.is_empty() {
            return Err(EngineError::Refused(
                "There are no comments to send: write one on a line of the diff first.".into(),
            ));
        }
        let feedback = feedback_of(note.as_deref().unwrap_or(""), &comments);
        let outcome = self
            .retry_task(project, task, feedback, request, options)
            .await?;
        let session = match &outcome {
            StartOutcome::Started { session, .. } => Some(session.id),
            StartOutcome::Queued { .. } => None,
        };
        let ids: Vec<i64> = comments.iter().map(|c| c.id).collect();
        let now = store::now_ms();
        self.db()
            .write(move |conn| -> Result<(), StoreError> {
                let tx = conn.transaction()?;
                store::comments::mark_sent(&tx, task, &ids, session, now)?;
                Ok(tx.commit()?)
            })
            .await?;
        Ok(outcome)
    }
}

/// Lines `start..=end` of a text file as they are now, shortened for a prompt.
async fn excerpt(file: &Path, start: u32, end: u32) -> Option<String> {
    let bytes = tokio::fs::read(file).await.ok()?;
    if bytes.contains(&0) {
        return None;
    }
    let text = String::from_utf8_lossy(&bytes);
    let first = usize::try_from(start).ok()?.checked_sub(1)?;
    let count = usize::try_from(end - start + 1).ok()?.min(EXCERPT_LINES);
    let lines: Vec<String> = text
        .lines()
        .skip(first)
        .take(count)
        .map(|line| line.chars().take(EXCERPT_LINE_CHARS).collect())
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}
