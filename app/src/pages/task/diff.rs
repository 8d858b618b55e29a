//! The review of a task's changes: files with +/− counts against the base branch, each
//! patch fetched when its file is opened, long patches and long file lists paginated.

use crate::api;
use crate::components::Erase;
use crate::error::AppError;
use leptos::prelude::*;
use model::review::{DiffLineKind, FileChange, FilePatch, TaskDiff};
use model::{ProjectId, TaskId};

#[component]
pub fn DiffView(
    project: ProjectId,
    task: TaskId,
    diff: Option<TaskDiff>,
    diff_error: Option<String>,
) -> impl IntoView {
    let body = match (diff, diff_error) {
        (_, Some(error)) => view! { <p class="form-error" role="alert">{error}</p> }.erased(),
        (None, None) => view! { <p class="empty">"No changes yet: the task has not run."</p> }.erased(),
        (Some(diff), None) if diff.total_files == 0 => view! {
            <p class="empty" id="no-changes">{format!("No changes on {} against {}.", diff.branch, diff.base)}</p>
        }
        .erased(),
        (Some(diff), None) => {
            let pager = (diff.pages > 1).then(|| {
                let page = diff.page;
                let pages = diff.pages;
                view! {
                    <nav class="pager" aria-label="Pages of changed files">
                        {(page > 0).then(|| view! { <a href=format!("?page={}", page - 1)>"← Previous files"</a> })}
                        <span>{format!(" Page {} of {} ", page + 1, pages)}</span>
                        {(page + 1 < pages).then(|| view! { <a href=format!("?page={}", page + 1)>"More files →"</a> })}
                    </nav>
                }
            });
            view! {
                <p class="diff-summary" id="diff-summary">
                    {format!(
                        "{} file{} changed on {} against {}: ",
                        diff.total_files,
                        if diff.total_files == 1 { "" } else { "s" },
                        diff.branch,
                        diff.base
                    )}
                    <span class="added">{format!("+{}", diff.total_added)}</span>" "
                    <span class="removed">{format!("−{}", diff.total_removed)}</span>
                </p>
                <ul class="diff-files">
                    {diff.files.into_iter().map(|file| view! { <FileDiff project task file/> }).collect_view()}
                </ul>
                {pager}
            }
            .erased()
        }
    };
    view! {
        <section class="review" aria-label="Changes">
            <h2>"Changes"</h2>
            {body}
        </section>
    }
    .erased()
}

#[component]
fn FileDiff(project: ProjectId, task: TaskId, file: FileChange) -> impl IntoView {
    let patch = RwSignal::new(None::<Result<FilePatch, AppError>>);
    let loading = RwSignal::new(false);
    let path = file.path.clone();
    let load = Callback::new(move |page: usize| {
        let path = path.clone();
        loading.set(true);
        leptos::task::spawn_local(async move {
            let result = api::get_file_patch(project, task, path, Some(page)).await;
            loading.set(false);
            patch.set(Some(result));
        });
    });
    let on_toggle = move |ev: leptos::ev::Event| {
        let open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
        if open && patch.with_untracked(Option::is_none) {
            load.run(0);
        }
    };
    let counts = match (file.added, file.removed) {
        (Some(a), Some(r)) => view! {
            <span class="added">{format!("+{a}")}</span>" "<span class="removed">{format!("−{r}")}</span>
        }
        .erased(),
        _ => view! { <span class="muted">"binary file"</span> }.erased(),
    };
    view! {
        <li class="file-diff" data-path=file.path.clone()>
            <details on:toggle=on_toggle>
                <summary>
                    <code class="file-path">{file.path.clone()}</code>" "{counts}
                    {file.untracked.then_some(view! { <span class="muted">" (new, uncommitted)"</span> })}
                </summary>
                {move || loading.get().then(|| view! { <p class="loading" aria-busy="true">"Loading the diff…"</p> })}
                {move || patch.get().map(|result| match result {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.erased(),
                    Ok(p) if p.binary => view! { <p class="muted">"Binary file: no line diff."</p> }.erased(),
                    Ok(p) => {
                        let (page, pages) = (p.page, p.pages);
                        view! {
                            <pre class="patch">{p.lines.into_iter().map(|l| view! {
                                <span class=line_class(l.kind)>{l.text}"\n"</span>
                            }).collect_view()}</pre>
                            {(pages > 1).then(|| view! {
                                <nav class="pager" aria-label="Pages of this file's diff">
                                    <button type="button" disabled={page == 0} on:click=move |_| load.run(page.saturating_sub(1))>"← Earlier lines"</button>
                                    <span>{format!(" Lines page {} of {} ", page + 1, pages)}</span>
                                    <button type="button" disabled={page + 1 >= pages} on:click=move |_| load.run(page + 1)>"More lines →"</button>
                                </nav>
                            })}
                        }
                        .erased()
                    }
                })}
            </details>
        </li>
    }
}

fn line_class(kind: DiffLineKind) -> &'static str {
    match kind {
        DiffLineKind::Meta => "line meta",
        DiffLineKind::Hunk => "line hunk",
        DiffLineKind::Context => "line context",
        DiffLineKind::Added => "line added",
        DiffLineKind::Removed => "line removed",
    }
}
