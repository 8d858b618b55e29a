//! Input validation rules shared by the forms and the server functions.
//!
//! Whitespace-only values count as absent everywhere: a rule first trims, then checks.

use serde::{Deserialize, Serialize};
use std::fmt;

crate::wire_enum! {
    /// The input a validation error is about, so a page can show it next to that control.
    pub enum Field {
        Title = "title",
        Description = "description",
        Prompt = "prompt",
        Priority = "priority",
        Status = "status",
        Name = "name",
        Path = "path",
        DefaultBranch = "default_branch",
        Position = "position",
        Feedback = "feedback",
        ConcurrencyLimit = "concurrency_limit",
        Comment = "comment",
        Line = "line",
        CopyFiles = "copy_files",
        SetupCommand = "setup_command",
        DateFrom = "from",
        DateTo = "to",
        Prices = "prices",
        TaskBudget = "task_budget",
        DailyBudget = "daily_budget",
    }
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Title => "Title",
            Field::Description => "Description",
            Field::Prompt => "Prompt",
            Field::Priority => "Priority",
            Field::Status => "Status",
            Field::Name => "Name",
            Field::Path => "Path",
            Field::DefaultBranch => "Default branch",
            Field::Position => "Position",
            Field::Feedback => "Feedback",
            Field::ConcurrencyLimit => "Concurrent tasks",
            Field::Comment => "Comment",
            Field::Line => "Lines",
            Field::CopyFiles => "Files to copy",
            Field::SetupCommand => "Set-up command",
            Field::DateFrom => "From",
            Field::DateTo => "To",
            Field::Prices => "Prices",
            Field::TaskBudget => "Task budget",
            Field::DailyBudget => "Daily budget",
        }
    }
}

/// A rejected input: which field, and a message the user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}: {message}", field.label())]
pub struct ValidationError {
    pub field: Field,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: Field, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 20_000;
pub const PROMPT_MAX: usize = 100_000;
pub const NAME_MAX: usize = 100;
pub const PATH_MAX: usize = 4_096;
pub const BRANCH_MAX: usize = 200;

/// Trims `value` and refuses it when blank or longer than `max` characters.
pub fn required(field: Field, value: &str, max: usize) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(field, "is required"));
    }
    bounded(field, trimmed, max)
}

/// Keeps `value` as written (free text keeps its newlines and indentation) but refuses it when
/// longer than `max` characters; a whitespace-only value becomes empty.
pub fn optional_text(field: Field, value: &str, max: usize) -> Result<String, ValidationError> {
    if value.trim().is_empty() {
        return Ok(String::new());
    }
    bounded(field, value, max)
}

fn bounded(field: Field, value: &str, max: usize) -> Result<String, ValidationError> {
    let len = value.chars().count();
    if len > max {
        return Err(ValidationError::new(
            field,
            format!("is too long ({len} characters; at most {max})"),
        ));
    }
    Ok(value.to_string())
}

/// `Some(trimmed)` for a non-blank value, `None` for an absent or whitespace-only one.
pub fn non_blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// A git branch name as `git check-ref-format --branch` would accept it (the common rules).
pub fn branch_name(value: &str) -> Result<String, ValidationError> {
    let name = required(Field::DefaultBranch, value, BRANCH_MAX)?;
    let bad = |why: &str| Err(ValidationError::new(Field::DefaultBranch, why.to_string()));
    if name.starts_with('-') || name.starts_with('/') || name.ends_with('/') {
        return bad("must not start with '-' or '/', nor end with '/'");
    }
    if name.ends_with(".lock") || name.ends_with('.') {
        return bad("must not end with '.lock' or '.'");
    }
    if name.contains("..") || name.contains("//") || name.contains("@{") {
        return bad("must not contain '..', '//' or '@{'");
    }
    if name
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c))
    {
        return bad("must not contain spaces or any of ~ ^ : ? * [ \\");
    }
    Ok(name)
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_match_their_json() {
        for f in [Field::Title, Field::DefaultBranch, Field::Path] {
            assert_eq!(
                serde_json::to_string(&f).unwrap(),
                format!("\"{}\"", f.as_str())
            );
        }
    }

    #[test]
    fn required_trims_and_refuses_blank_and_whitespace() {
        assert_eq!(required(Field::Title, "  fix it \n", 10).unwrap(), "fix it");
        for blank in ["", " ", "\t\n  "] {
            let err = required(Field::Title, blank, 10).unwrap_err();
            assert_eq!(err.field, Field::Title);
            assert_eq!(err.to_string(), "Title: is required");
        }
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(required(Field::Title, &"é".repeat(10), 10).is_ok());
        let err = required(Field::Title, &"é".repeat(11), 10).unwrap_err();
        assert!(err.message.contains("11 characters; at most 10"), "{err}");
    }

    #[test]
    fn optional_text_keeps_formatting_but_drops_whitespace_only() {
        assert_eq!(
            optional_text(Field::Prompt, "  step 1\n  step 2", 100).unwrap(),
            "  step 1\n  step 2"
        );
        assert_eq!(optional_text(Field::Prompt, " \n ", 100).unwrap(), "");
        assert!(optional_text(Field::Prompt, &"x".repeat(101), 100).is_err());
    }

    #[test]
    fn non_blank_treats_whitespace_as_absent() {
        assert_eq!(non_blank(Some("  ")), None);
        assert_eq!(non_blank(None), None);
        assert_eq!(non_blank(Some(" main ")), Some("main"));
    }

    #[test]
    fn branch_names_follow_git_rules() {
        for ok in ["main", "release/1.2", "feature-x", "v1"] {
            assert_eq!(branch_name(ok).unwrap(), ok);
        }
        for bad in [
            "", "  ", "-x", "a..b", "a b", "x.lock", "a:b", "a~1", "/a", "a/", "a//b", "a@{1",
        ] {
            assert!(branch_name(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
