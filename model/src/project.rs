//! Registered git projects.

use crate::ids::ProjectId;
use crate::validation::{self, Field, ValidationError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: ProjectId,
    pub name: String,
    /// The canonical path of the repository's top-level work tree.
    pub path: String,
    pub default_branch: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// What the user submits to register a project. Name and branch are optional: blank means
/// "use what was detected".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDraft {
    pub path: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub default_branch: Option<String>,
}

impl ProjectDraft {
    /// The trimmed path; the name and branch are checked against what git detects.
    pub fn path(&self) -> Result<String, ValidationError> {
        validation::required(Field::Path, &self.path, validation::PATH_MAX)
    }
}

/// What the server found at a path: proposals the user may edit before registering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectInspection {
    pub path: String,
    pub name: String,
    pub default_branch: String,
}

/// A rename and/or a new default branch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectUpdate {
    pub name: String,
    pub default_branch: String,
}

impl ProjectUpdate {
    pub fn validate(&self) -> Result<ProjectUpdate, ValidationError> {
        Ok(ProjectUpdate {
            name: project_name(&self.name)?,
            default_branch: validation::branch_name(&self.default_branch)?,
        })
    }
}

pub fn project_name(value: &str) -> Result<String, ValidationError> {
    validation::required(Field::Name, value, validation::NAME_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_validation() {
        let ok = ProjectUpdate {
            name: " api ".into(),
            default_branch: " main ".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.default_branch.as_str()),
            ("api", "main")
        );
        let blank = ProjectUpdate {
            name: "  ".into(),
            default_branch: "main".into(),
        };
        assert_eq!(blank.validate().unwrap_err().field, Field::Name);
        let bad_branch = ProjectUpdate {
            name: "api".into(),
            default_branch: "no spaces".into(),
        };
        assert_eq!(
            bad_branch.validate().unwrap_err().field,
            Field::DefaultBranch
        );
    }

    #[test]
    fn draft_path_is_required() {
        assert!(ProjectDraft::default().path().is_err());
        let d = ProjectDraft {
            path: " /tmp/x ".into(),
            ..Default::default()
        };
        assert_eq!(d.path().unwrap(), "/tmp/x");
    }
}
