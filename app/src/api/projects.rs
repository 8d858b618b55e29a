//! Project server functions.

use super::StrictJson;
use crate::error::AppError;
use leptos::prelude::*;
use model::{Project, ProjectDraft, ProjectId, ProjectInspection, ProjectUpdate};

/// The projects page: the projects, where tasks' worktrees go, and the git repository the
/// server was started in when it is not registered (the empty page offers it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProjectsPageData {
    pub projects: Vec<Project>,
    /// The repository around the server's working folder, unless it is registered already.
    pub start_folder: Option<ProjectInspection>,
    /// `<data dir>/worktrees`: each started task's worktree is made below it.
    pub worktrees_dir: String,
}

#[server(endpoint = "get_projects_page", input = StrictJson)]
pub async fn get_projects_page() -> Result<ProjectsPageData, AppError> {
    let engine = super::engine()?;
    let projects = engine.list_projects().await?;
    // The server never changes its working folder: this is the one it was started in.
    let start_folder = match std::env::current_dir() {
        Ok(dir) => engine
            .inspect_project_path(&dir.to_string_lossy())
            .await
            .ok()
            .filter(|found| projects.iter().all(|p| p.path != found.path)),
        Err(_) => None,
    };
    Ok(ProjectsPageData {
        projects,
        start_folder,
        worktrees_dir: engine.data_dir().join("worktrees").display().to_string(),
    })
}

#[server(endpoint = "list_projects", input = StrictJson)]
pub async fn list_projects() -> Result<Vec<Project>, AppError> {
    Ok(super::engine()?.list_projects().await?)
}

/// What every page of a project draws around itself: the project, and the others to switch to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProjectFrame {
    pub project: Project,
    pub projects: Vec<Project>,
    /// What waits for the user in the project: the tab's title counts it.
    pub attention: model::attention::Attention,
}

#[server(endpoint = "get_project_frame", input = StrictJson)]
pub async fn get_project_frame(project: ProjectId) -> Result<ProjectFrame, AppError> {
    let engine = super::engine()?;
    Ok(ProjectFrame {
        project: engine.project(project).await?,
        projects: engine.list_projects().await?,
        attention: engine.attention(project).await?,
    })
}

/// What waits for the user in the project: sessions asking for a permission, tasks in review,
/// failed tasks — read again by every page of the project as its sessions move.
#[server(endpoint = "get_attention", input = StrictJson)]
pub async fn get_attention(project: ProjectId) -> Result<model::attention::Attention, AppError> {
    Ok(super::engine()?.attention(project).await?)
}

#[server(endpoint = "get_project", input = StrictJson)]
pub async fn get_project(project: ProjectId) -> Result<Project, AppError> {
    Ok(super::engine()?.project(project).await?)
}

/// What registering `path` would create (top level, proposed name, detected branch).
#[server(endpoint = "inspect_project_path", input = StrictJson)]
pub async fn inspect_project_path(path: String) -> Result<ProjectInspection, AppError> {
    Ok(super::engine()?.inspect_project_path(&path).await?)
}

#[server(endpoint = "register_project", input = StrictJson)]
pub async fn register_project(draft: ProjectDraft) -> Result<Project, AppError> {
    Ok(super::engine()?.register_project(draft).await?)
}

#[server(endpoint = "update_project", input = StrictJson)]
pub async fn update_project(
    project: ProjectId,
    update: ProjectUpdate,
) -> Result<Project, AppError> {
    Ok(super::engine()?.update_project(project, update).await?)
}

/// Forgets a project; its files on disk are never touched.
#[server(endpoint = "remove_project", input = StrictJson)]
pub async fn remove_project(project: ProjectId) -> Result<(), AppError> {
    Ok(super::engine()?.remove_project(project).await?)
}
