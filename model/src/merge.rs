//! Merging a task's branch locally: the strategies, what DevLog knows before it merges (behind,
//! conflicts, the target's work tree), and the request a user sends.

use serde::{Deserialize, Serialize};

crate::wire_enum! {
    /// How a task's branch goes into the target branch.
    pub enum MergeStrategy {
        /// The target moves to the task's last commit; only when the target has nothing the
        /// task's branch lacks.
        FastForward = "fast_forward",
        /// A commit with both as parents: the task's commits stay in the history.
        MergeCommit = "merge_commit",
        /// One commit on the target holding the task's whole change.
        Squash = "squash",
    }
}

impl MergeStrategy {
    /// What the user reads in the strategy picker.
    pub fn label(self) -> &'static str {
        match self {
            MergeStrategy::FastForward => "Fast-forward",
            MergeStrategy::MergeCommit => "Merge commit",
            MergeStrategy::Squash => "Squash into one commit",
        }
    }
}

/// A merge as the user asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeRequest {
    pub strategy: MergeStrategy,
    /// A local branch; `None` is the project's default branch.
    #[serde(default)]
    pub target: Option<String>,
    /// The commit message of a merge commit or a squash; `None` is DevLog's default.
    #[serde(default)]
    pub message: Option<String>,
}

/// A finished merge: the task (now done) and where its work went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeOutcome {
    pub task: crate::task::Task,
    pub target: String,
    /// The target's new commit.
    pub commit: String,
}

/// What merging the task's branch into `target` would do, computed without touching any work
/// tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergePreview {
    pub branch: String,
    pub target: String,
    /// Commits of the task's branch the target does not have, counting uncommitted work in the
    /// task's worktree as the one commit a merge makes of it first.
    pub ahead: u32,
    /// Commits of the target the task's branch does not have: a fast-forward needs 0.
    pub behind: u32,
    /// Files both sides changed in ways git cannot join; empty when the merge is clean.
    pub conflicts: Vec<String>,
    /// Uncommitted work in the task's worktree, which a merge commits first.
    pub uncommitted: bool,
    /// The work tree the target branch is checked out in, if any: the merge updates it.
    pub target_worktree: Option<String>,
    /// Why that work tree cannot take a merge now (uncommitted changes, a merge in progress).
    pub target_blocked: Option<String>,
    /// The local branches a task can be merged into, the default first.
    pub branches: Vec<String>,
    /// The squash's default message: the task's title and the agent's last answer.
    pub default_message: String,
}

impl MergePreview {
    /// Why `strategy` cannot run now, or `None` when it can.
    pub fn refusal(&self, strategy: MergeStrategy) -> Option<String> {
        if let Some(blocked) = &self.target_blocked {
            return Some(blocked.clone());
        }
        if !self.conflicts.is_empty() {
            return Some(format!(
                "{} conflicts with {} in {}: resolve them in the task's worktree, or request changes naming them.",
                self.branch,
                self.target,
                self.conflicts.join(", ")
            ));
        }
        if self.ahead == 0 {
            return Some(format!(
                "{} has nothing {} does not already have.",
                self.branch, self.target
            ));
        }
        if strategy == MergeStrategy::FastForward && self.behind > 0 {
            return Some(format!(
                "{} is {} commit{} behind {}: a fast-forward is not possible. Rebase onto {}, or merge with a merge commit or a squash.",
                self.branch,
                self.behind,
                if self.behind == 1 { "" } else { "s" },
                self.target,
                self.target
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preview() -> MergePreview {
        MergePreview {
            branch: "task/1-x".into(),
            target: "main".into(),
            ahead: 2,
            behind: 0,
            conflicts: vec![],
            uncommitted: false,
            target_worktree: Some("/repo".into()),
            target_blocked: None,
            branches: vec!["main".into()],
            default_message: "x".into(),
        }
    }

    #[test]
    fn a_clean_branch_ahead_of_its_target_merges_every_way() {
        for strategy in MergeStrategy::ALL {
            assert_eq!(preview().refusal(strategy), None, "{strategy:?}");
        }
    }

    #[test]
    fn a_branch_behind_cannot_fast_forward_but_can_merge_or_squash() {
        let p = MergePreview {
            behind: 3,
            ..preview()
        };
        let why = p.refusal(MergeStrategy::FastForward).unwrap();
        assert!(why.contains("3 commits behind main"), "{why}");
        assert_eq!(p.refusal(MergeStrategy::MergeCommit), None);
        assert_eq!(p.refusal(MergeStrategy::Squash), None);
    }

    #[test]
    fn conflicts_a_blocked_target_and_nothing_to_merge_refuse_every_strategy() {
        let conflicting = MergePreview {
            conflicts: vec!["a.txt".into(), "b.txt".into()],
            ..preview()
        };
        let blocked = MergePreview {
            target_blocked: Some("/repo has uncommitted changes".into()),
            ..preview()
        };
        let empty = MergePreview {
            ahead: 0,
            ..preview()
        };
        for strategy in MergeStrategy::ALL {
            assert!(
                conflicting
                    .refusal(strategy)
                    .unwrap()
                    .contains("a.txt, b.txt")
            );
            assert_eq!(
                blocked.refusal(strategy).as_deref(),
                Some("/repo has uncommitted changes")
            );
            assert!(empty.refusal(strategy).unwrap().contains("nothing"));
        }
    }

    #[test]
    fn strategies_have_one_wire_name_each() {
        for strategy in MergeStrategy::ALL {
            assert_eq!(MergeStrategy::parse(strategy.as_str()), Some(strategy));
        }
        let request: MergeRequest = serde_json::from_str(r#"{"strategy":"squash"}"#).unwrap();
        assert_eq!(request.strategy, MergeStrategy::Squash);
        assert_eq!(request.target, None);
        assert!(serde_json::from_str::<MergeRequest>(r#"{"strategy":"octopus"}"#).is_err());
    }
}
