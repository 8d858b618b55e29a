//! The top bar: home link, the project's pages, the project switcher, the shortcuts and the
//! theme.

use super::Erase;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use model::{Project, ProjectId};

#[component]
pub fn Nav(
    /// Every registered project, for the switcher.
    projects: Vec<Project>,
    /// The project whose pages are shown, if any.
    #[prop(optional)]
    current: Option<ProjectId>,
) -> impl IntoView {
    let navigate = use_navigate();
    let switch = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        if let Ok(id) = value.parse::<ProjectId>() {
            navigate(&crate::paths::board(id), Default::default());
        }
    };
    view! {
        <header class="topbar">
            <a class="brand" href="/">"DevLog"</a>
            <nav aria-label="Main">
                <a href="/">"Projects"</a>
                {current.map(|id| view! {
                    <a href=crate::paths::board(id)>"Board"</a>
                    <a href=crate::paths::sessions(id)>"Sessions"</a>
                    <a href=crate::paths::worktrees(id)>"Worktrees"</a>
                    <a href=crate::paths::locks(id)>"Locks"</a>
                    <a href=crate::paths::usage(id)>"Usage"</a>
                    <a href=crate::paths::settings(id)>"Settings"</a>
                })}
            </nav>
            {(!projects.is_empty()).then(|| view! {
                <label class="switcher">
                    <span>"Project"</span>
                    <select id="project-switcher" on:change=switch>
                        {current
                            .is_none()
                            .then(|| view! { <option value="" selected>"Choose a project…"</option> })}
                        {projects
                            .iter()
                            .map(|p| {
                                view! {
                                    <option value=p.id.to_string() selected=current == Some(p.id)>
                                        {p.name.clone()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            })}
            <div class="topbar-tools">
                {current.map(|project| view! { <super::shortcuts::Shortcuts project/> })}
                <super::theme::ThemeToggle/>
            </div>
        </header>
    }
    .erased()
}
