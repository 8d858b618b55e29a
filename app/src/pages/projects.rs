//! `/`: the registered projects, registering a new one, renaming and removing.

use crate::api;
use crate::components::Erase;
use crate::components::{FieldError, FormError, Nav, any_pending, mutation};
use crate::error::AppError;
use crate::pages::{Loading, loaded, page_data};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use model::{
    Field, Project, ProjectDraft, ProjectInspection, ProjectUpdate, validation::non_blank,
};

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let data = page_data(|| (), |()| api::get_projects_page());
    view! {
        <Title text="Projects · DevLog"/>
        <Suspense fallback=|| view! { <Loading what="projects"/> }>
            {move || Suspend::new(async move {
                loaded(data.await, |data| view! { <ProjectsView data/> })
            })}
        </Suspense>
    }
    .erased()
}

#[component]
fn ProjectsView(data: api::ProjectsPageData) -> impl IntoView {
    let api::ProjectsPageData {
        projects,
        start_folder,
        worktrees_dir,
    } = data;
    let list = RwSignal::new(projects.clone());
    view! {
        <Nav projects/>
        <main class="page projects-page">
            <h1>"Projects"</h1>
            <Show
                when=move || list.with(|l| !l.is_empty())
                fallback=move || {
                    let offer = start_folder.clone();
                    view! {
                        <p class="empty">"No project yet: register a git repository below."</p>
                        {offer.map(|found| view! { <StartFolderOffer found/> })}
                    }
                }
            >
                <ul class="project-list">
                    <For each=move || list.get() key=|p| (p.id, p.name.clone(), p.default_branch.clone()) let(project)>
                        <ProjectRow project list/>
                    </For>
                </ul>
            </Show>
            <RegisterProject worktrees_dir/>
        </main>
    }
    .erased()
}

#[component]
fn ProjectRow(project: Project, list: RwSignal<Vec<Project>>) -> impl IntoView {
    let id = project.id;
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let name = RwSignal::new(project.name.clone());
    let branch = RwSignal::new(project.default_branch.clone());
    let update = mutation(
        error,
        move |update: &ProjectUpdate| api::update_project(id, update.clone()),
        move |updated: Project| {
            editing.set(false);
            list.update(|l| {
                l.iter_mut()
                    .filter(|p| p.id == id)
                    .for_each(|p| *p = updated.clone())
            });
        },
    );
    let forget = mutation(
        error,
        move |()| api::remove_project(id),
        move |()| list.update(|l| l.retain(|p| p.id != id)),
    );
    let pending = any_pending(vec![update.pending(), forget.pending()]);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let changes = ProjectUpdate {
            name: name.get_untracked(),
            default_branch: branch.get_untracked(),
        };
        if let Err(e) = changes.validate() {
            error.set(Some(e.into()));
            return;
        }
        update.dispatch(changes);
    };
    let remove = move |_| {
        forget.dispatch(());
    };
    let board = crate::paths::board(id);
    view! {
        <li class="project" data-project-id=id.to_string()>
            <Show
                when=move || editing.get()
                fallback={
                    let project = project.clone();
                    let board = board.clone();
                    move || view! {
                        <div class="project-summary">
                            <a class="project-name" href=board.clone()>{project.name.clone()}</a>
                            <code class="project-path">{project.path.clone()}</code>
                            <span class="project-branch" title="Default branch">{project.default_branch.clone()}</span>
                        </div>
                    }
                }
            >
                <form class="project-edit" on:submit=save aria-busy=move || pending.get().to_string()>
                    <label>"Name"<input name="name" bind:value=name/></label>
                    <FieldError error field=Field::Name/>
                    <label>"Default branch"<input name="default_branch" bind:value=branch/></label>
                    <FieldError error field=Field::DefaultBranch/>
                    <button type="submit" class="primary" disabled=move || pending.get()>"Save"</button>
                    <button type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                </form>
            </Show>
            <FormError error/>
            <div class="project-actions" class:hidden=move || editing.get()>
                <button type="button" class="rename" on:click=move |_| editing.set(true)>"Rename"</button>
                <Show
                    when=move || confirming.get()
                    fallback=move || view! {
                        <button type="button" class="remove" on:click=move |_| confirming.set(true)>"Remove"</button>
                    }
                >
                    <span class="confirm">
                        "Forget this project? Its files stay on disk."
                        <button type="button" class="danger confirm-remove" disabled=move || pending.get()
                            on:click=remove>"Remove"</button>
                        <button type="button" on:click=move |_| confirming.set(false)>"Keep"</button>
                    </span>
                </Show>
            </div>
        </li>
    }
    .erased()
}

/// On an empty page: the repository the server was started in, registered with one click
/// (its name and default branch as detected).
#[component]
fn StartFolderOffer(found: ProjectInspection) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let navigate = use_navigate();
    let create = mutation(
        error,
        |draft: &ProjectDraft| api::register_project(draft.clone()),
        move |project: Project| navigate(&crate::paths::board(project.id), Default::default()),
    );
    let pending = create.pending();
    let draft = ProjectDraft {
        path: found.path.clone(),
        name: None,
        default_branch: None,
    };
    view! {
        <section class="start-folder" aria-labelledby="start-folder-title">
            <h2 id="start-folder-title">"Start with the repository DevLog was started in?"</h2>
            <p>
                <code id="start-folder-path">{found.path}</code>
                " — "{found.name}", default branch "<code>{found.default_branch}</code>
            </p>
            <button type="button" class="primary" id="register-start-folder"
                disabled=move || pending.get()
                on:click=move |_| {
                    create.dispatch(draft.clone());
                }>
                {move || if pending.get() { "Registering…" } else { "Register this repository" }}
            </button>
            <FormError error/>
        </section>
    }
    .erased()
}

/// Path first; "Check" fills the detected name and branch, which stay editable. Says what
/// DevLog will do to a repository before anything is written.
#[component]
fn RegisterProject(
    /// `<data dir>/worktrees`, where started tasks' worktrees are made.
    worktrees_dir: String,
) -> impl IntoView {
    let path = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let branch = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let navigate = use_navigate();
    let check = mutation(
        error,
        |path: &String| api::inspect_project_path(path.clone()),
        move |found: ProjectInspection| {
            path.set(found.path);
            name.set(found.name);
            branch.set(found.default_branch);
        },
    );
    let create = mutation(
        error,
        |draft: &ProjectDraft| api::register_project(draft.clone()),
        move |project: Project| navigate(&crate::paths::board(project.id), Default::default()),
    );
    let pending = any_pending(vec![check.pending(), create.pending()]);

    let inspect = move |_| {
        check.dispatch(path.get_untracked());
    };
    let register = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = ProjectDraft {
            path: path.get_untracked(),
            name: non_blank(Some(&name.get_untracked())).map(str::to_string),
            default_branch: non_blank(Some(&branch.get_untracked())).map(str::to_string),
        };
        if let Err(e) = draft.path() {
            error.set(Some(e.into()));
            return;
        }
        create.dispatch(draft);
    };
    view! {
        <section class="register" aria-label="Register a project">
            <h2>"Register a git repository"</h2>
            <p class="register-note" id="what-devlog-does">
                "Registering reads the repository and writes nothing to it. Each task you start "
                "gets a git worktree in "<code>{worktrees_dir}</code>" on a new branch "
                <code>"task/<id>-<slug>"</code>", made from the default branch; your working copy "
                "and your branches are left as they are. Removing a project forgets it; its files "
                "stay on disk."
            </p>
            <form on:submit=register aria-busy=move || pending.get().to_string()>
                <label for="project-path">"Path"</label>
                <div class="inline">
                    <input id="project-path" name="path" bind:value=path placeholder="/home/you/code/app" autocomplete="off"/>
                    <button type="button" id="inspect-path" on:click=inspect disabled=move || pending.get()>"Check"</button>
                </div>
                <FieldError error field=Field::Path/>
                <label for="project-name">"Name"</label>
                <input id="project-name" name="name" bind:value=name placeholder="from the folder name"/>
                <FieldError error field=Field::Name/>
                <label for="project-branch">"Default branch"</label>
                <input id="project-branch" name="default_branch" bind:value=branch placeholder="detected"/>
                <FieldError error field=Field::DefaultBranch/>
                <FormError error/>
                <button type="submit" class="primary" id="register-project" disabled=move || pending.get()>
                    {move || if pending.get() { "Registering…" } else { "Register" }}
                </button>
            </form>
        </section>
    }
    .erased()
}
