//! Registering and managing projects.

use crate::git::{self, GitError};
use crate::store::{self, StoreError};
use crate::{Engine, EngineError, EngineResult};
use model::project::project_name;
use model::validation::{self, Field, ValidationError};
use model::{Project, ProjectDraft, ProjectId, ProjectInspection, ProjectUpdate};
use std::path::Path;

impl From<GitError> for EngineError {
    fn from(err: GitError) -> Self {
        match err {
            GitError::Missing(_)
            | GitError::NotADirectory(_)
            | GitError::NotARepository(_)
            | GitError::NoCommits(_) => {
                EngineError::Validation(ValidationError::new(Field::Path, err.to_string()))
            }
            GitError::NoSuchBranch(_) => {
                EngineError::Validation(ValidationError::new(Field::DefaultBranch, err.to_string()))
            }
            GitError::Unavailable(_) | GitError::Failed { .. } => EngineError::Git(err.to_string()),
        }
    }
}

impl Engine {
    /// What registering `path` would create: the repository's top level, a name from its
    /// folder and the detected default branch.
    pub async fn inspect_project_path(&self, path: &str) -> EngineResult<ProjectInspection> {
        let path = validation::required(Field::Path, path, validation::PATH_MAX)?;
        let info = git::inspect(Path::new(&path)).await?;
        Ok(ProjectInspection {
            path: info.toplevel.to_string_lossy().into_owned(),
            name: folder_name(&info.toplevel),
            default_branch: detected_branch(info.default_branch)?,
        })
    }

    /// Registers a git work tree. Nothing is written unless every check passes.
    pub async fn register_project(&self, draft: ProjectDraft) -> EngineResult<Project> {
        let path = draft.path()?;
        let info = git::inspect(Path::new(&path)).await?;
        let toplevel = info.toplevel.to_string_lossy().into_owned();
        let name = match validation::non_blank(draft.name.as_deref()) {
            Some(name) => project_name(name)?,
            None => folder_name(&info.toplevel),
        };
        let default_branch = match validation::non_blank(draft.default_branch.as_deref()) {
            Some(branch) => {
                let branch = validation::branch_name(branch)?;
                git::require_branch(&info.toplevel, &branch).await?;
                branch
            }
            None => detected_branch(info.default_branch)?,
        };
        self.db()
            .write(move |conn| {
                let tx = conn.transaction().map_err(StoreError::from)?;
                if let Some(existing) = store::projects::find_by_path(&tx, &toplevel)? {
                    return Err(EngineError::Refused(format!(
                        "{toplevel} is already registered as '{}'",
                        existing.name
                    )));
                }
                let project = store::projects::insert(&tx, &name, &toplevel, &default_branch)?;
                tx.commit().map_err(StoreError::from)?;
                Ok(project)
            })
            .await
    }

    pub async fn list_projects(&self) -> EngineResult<Vec<Project>> {
        self.db()
            .read(|conn| Ok(store::projects::list(conn)?))
            .await
    }

    pub async fn project(&self, id: ProjectId) -> EngineResult<Project> {
        self.db()
            .read(move |conn| store::projects::get(conn, id)?.ok_or_else(|| project_not_found(id)))
            .await
    }

    /// Renames a project and/or changes its default branch (which must exist).
    pub async fn update_project(
        &self,
        id: ProjectId,
        update: ProjectUpdate,
    ) -> EngineResult<Project> {
        let update = update.validate()?;
        let project = self.project(id).await?;
        if update.default_branch != project.default_branch {
            git::require_branch(Path::new(&project.path), &update.default_branch).await?;
        }
        self.db()
            .write(move |conn| {
                store::projects::update(conn, id, &update.name, &update.default_branch)?
                    .ok_or_else(|| project_not_found(id))
            })
            .await
    }
}

/// The proposed project name: the repository's folder name.
fn folder_name(toplevel: &Path) -> String {
    toplevel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project".to_string())
}

fn detected_branch(detected: Option<String>) -> Result<String, ValidationError> {
    detected.ok_or_else(|| {
        ValidationError::new(
            Field::DefaultBranch,
            "could not be detected (detached HEAD and no origin/HEAD): enter it",
        )
    })
}

pub(crate) fn project_not_found(id: ProjectId) -> EngineError {
    EngineError::NotFound(format!("project {id}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::temp_engine;
    use testkit::init_repo;

    #[tokio::test]
    async fn registers_a_repository_with_detected_name_and_branch() {
        let (engine, _db) = temp_engine().await;
        let repos = tempfile::tempdir().unwrap();
        let repo = repos.path().join("my-app");
        std::fs::create_dir(&repo).unwrap();
        init_repo(&repo, "trunk");

        let project = engine
            .register_project(ProjectDraft {
                path: format!("  {}  ", repo.display()),
                name: Some("   ".into()),
                default_branch: None,
            })
            .await
            .unwrap();
        assert_eq!(project.name, "my-app");
        assert_eq!(project.default_branch, "trunk");
        assert_eq!(project.path, repo.canonicalize().unwrap().to_string_lossy());

        let again = engine
            .register_project(ProjectDraft {
                path: repo.display().to_string(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(again.to_string().contains("already registered"), "{again}");
        assert_eq!(engine.list_projects().await.unwrap(), vec![project]);
    }

    #[tokio::test]
    async fn refuses_bad_paths_and_branches_without_writing() {
        let (engine, _db) = temp_engine().await;
        let plain = tempfile::tempdir().unwrap();
        for draft in [
            ProjectDraft::default(),
            ProjectDraft {
                path: plain.path().join("missing").display().to_string(),
                ..Default::default()
            },
            ProjectDraft {
                path: plain.path().display().to_string(),
                ..Default::default()
            },
        ] {
            let err = engine.register_project(draft).await.unwrap_err();
            assert!(
                matches!(&err, EngineError::Validation(v) if v.field == Field::Path),
                "{err:?}"
            );
        }
        let repo = tempfile::tempdir().unwrap();
        init_repo(repo.path(), "main");
        let err = engine
            .register_project(ProjectDraft {
                path: repo.path().display().to_string(),
                name: None,
                default_branch: Some("develop".into()),
            })
            .await
            .unwrap_err();
        assert!(
            matches!(&err, EngineError::Validation(v) if v.field == Field::DefaultBranch),
            "{err:?}"
        );
        assert!(engine.list_projects().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn rename_change_branch_and_remove_leave_files_alone() {
        let (engine, _db) = temp_engine().await;
        let repo = tempfile::tempdir().unwrap();
        init_repo(repo.path(), "main");
        crate::git::git(repo.path(), &["branch", "release"])
            .await
            .unwrap();
        let project = engine
            .register_project(ProjectDraft {
                path: repo.path().display().to_string(),
                ..Default::default()
            })
            .await
            .unwrap();
        let renamed = engine
            .update_project(
                project.id,
                ProjectUpdate {
                    name: " Renamed ".into(),
                    default_branch: "release".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (renamed.name.as_str(), renamed.default_branch.as_str()),
            ("Renamed", "release")
        );
        let missing_branch = engine
            .update_project(
                project.id,
                ProjectUpdate {
                    name: "x".into(),
                    default_branch: "nope".into(),
                },
            )
            .await;
        assert!(missing_branch.is_err());
        assert_eq!(engine.project(project.id).await.unwrap().name, "Renamed");

        engine.remove_project(project.id).await.unwrap();
        assert!(engine.list_projects().await.unwrap().is_empty());
        assert!(repo.path().join("README.md").exists());
        assert!(repo.path().join(".git").exists());
        assert!(matches!(
            engine.remove_project(project.id).await,
            Err(EngineError::NotFound(_))
        ));
    }
}
