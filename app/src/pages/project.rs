//! `/p/{project}/…`: what every page of a project shares, drawn once around the page's
//! `<Outlet/>` — the top bar with its project switcher, the "· {project} · DevLog" end of the
//! title — and the project itself, in context for the page ([`current_project`]).
//!
//! The page below is built only once the project is loaded, so it never asks for data of a
//! project that does not exist; an unknown project is this layout's error, not each page's.

use crate::api;
use crate::components::Erase;
use crate::components::Nav;
use crate::components::activity::ActivityHub;
use crate::components::attention::AttentionState;
use crate::error::AppError;
use crate::pages::{ErrorPanel, Loading, page_data};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use model::{Project, ProjectId};

#[derive(Params, Clone, Debug, PartialEq)]
struct ProjectParams {
    project: Option<ProjectId>,
}

/// The project of the page being shown, as [`ProjectLayout`] loaded it.
#[derive(Clone, Debug)]
struct CurrentProject(Project);

/// The project whose page this is: every page under `/p/{project}` is rendered inside
/// [`ProjectLayout`], which provides it (`routes.rs` hands it to the page as a prop).
pub fn current_project() -> Option<Project> {
    use_context::<CurrentProject>().map(|CurrentProject(project)| project)
}

#[component]
pub fn ProjectLayout() -> impl IntoView {
    let params = use_params::<ProjectParams>();
    let project = Memo::new(move |_| params.read().as_ref().ok().and_then(|p| p.project));
    let frame = page_data(
        move || project.get(),
        |project| async move {
            match project {
                Some(project) => api::get_project_frame(project).await,
                None => Err(AppError::NotFound {
                    message: "no such project".into(),
                }),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <Loading what="the project"/> }>
            {move || Suspend::new(async move {
                match frame.await {
                    Ok(api::ProjectFrame { project, projects, attention }) => {
                        let name = project.name.clone();
                        let current = project.id;
                        let activity = ActivityHub::follow(current);
                        let attention = AttentionState::new(current, attention, activity);
                        provide_context(CurrentProject(project));
                        provide_context(activity);
                        provide_context(attention);
                        view! {
                            // `try_`: the title may be asked for once a switch of project
                            // has dropped this one's count.
                            <Title formatter=move |page: String| {
                                let title = format!("{page} · {name} · DevLog");
                                attention.now.try_with(|now| now.title(&title)).unwrap_or(title)
                            }/>
                            <Nav projects current/>
                            <Outlet/>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <Nav projects=vec![]/><ErrorPanel error/> }.erased(),
                }
            })}
        </Suspense>
    }
}
