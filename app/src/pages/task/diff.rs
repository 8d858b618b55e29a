//! The review of a task's changes: a file list to jump from, then every file's unified diff —
//! expanded up to a budget of lines (the big and binary ones collapsed, with their size, their
//! patch fetched when opened), numbered and coloured by language; long patches and long file
//! lists paginated.

use super::comments::{LineExtras, ReviewComments};
use crate::api;
use crate::components::Erase;
use crate::error::AppError;
use leptos::prelude::*;
use model::comment::LineSide;
use model::highlight::{Language, language_of, tokens};
use model::review::{DiffLine, DiffLineKind, FileChange, FilePatch, TaskDiff};
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
        (Some(diff), None) => view! { <ChangedFiles project task diff/> }.erased(),
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
fn ChangedFiles(project: ProjectId, task: TaskId, diff: TaskDiff) -> impl IntoView {
    let pager = (diff.pages > 1).then(|| {
        let (page, pages) = (diff.page, diff.pages);
        view! {
            <nav class="pager" aria-label="Pages of changed files">
                {(page > 0).then(|| view! { <a href=format!("?page={}", page - 1)>"← Previous files"</a> })}
                <span>{format!(" Page {} of {} ", page + 1, pages)}</span>
                {(page + 1 < pages).then(|| view! { <a href=format!("?page={}", page + 1)>"More files →"</a> })}
            </nav>
        }
    });
    let index = diff
        .files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            view! {
                <li><a href=format!("#diff-file-{i}")><code>{file.path.clone()}</code></a>" "<Counts file=file.clone()/></li>
            }
        })
        .collect_view();
    let mut patches = diff.patches;
    let files = diff
        .files
        .into_iter()
        .enumerate()
        .map(|(index, file)| {
            let initial = patches
                .iter()
                .position(|p| p.path == file.path)
                .map(|at| patches.swap_remove(at));
            view! { <FileDiff project task index file initial/> }
        })
        .collect_view();
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
        <nav class="diff-index" aria-label="Changed files"><ol>{index}</ol></nav>
        <ul class="diff-files">{files}</ul>
        {pager}
    }
}

#[component]
fn Counts(file: FileChange) -> impl IntoView {
    match (file.added, file.removed) {
        (Some(a), Some(r)) => view! {
            <span class="added">{format!("+{a}")}</span>" "<span class="removed">{format!("−{r}")}</span>
        }
        .erased(),
        _ => view! { <span class="muted">"binary file"</span> }.erased(),
    }
}

#[component]
fn FileDiff(
    project: ProjectId,
    task: TaskId,
    index: usize,
    file: FileChange,
    /// The first page of its patch, when the file opens expanded.
    initial: Option<FilePatch>,
) -> impl IntoView {
    let expanded = initial.is_some();
    let patch = RwSignal::new(initial.map(Ok::<_, AppError>));
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
    let collapsed_why = (!expanded && !file.is_binary()).then_some(view! {
        <span class="muted collapsed-why">" · collapsed: open to load"</span>
    });
    view! {
        <li class="file-diff" id=format!("diff-file-{index}") data-path=file.path.clone()>
            <details open=expanded on:toggle=on_toggle>
                <summary>
                    <code class="file-path">{file.path.clone()}</code>" "<Counts file=file.clone()/>
                    {file.untracked.then_some(view! { <span class="muted">" (new, uncommitted)"</span> })}
                    {collapsed_why}
                </summary>
                {move || loading.get().then(|| view! { <p class="loading" aria-busy="true">"Loading the diff…"</p> })}
                {move || patch.get().map(|result| match result {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.erased(),
                    Ok(p) if p.binary => view! { <p class="muted">"Binary file: no line diff."</p> }.erased(),
                    Ok(p) => view! { <PatchLines patch=p load/> }.erased(),
                })}
            </details>
        </li>
    }
}

#[component]
fn PatchLines(patch: FilePatch, load: Callback<usize>) -> impl IntoView {
    let (page, pages) = (patch.page, patch.pages);
    let language = language_of(&patch.path);
    let comments = ReviewComments::here();
    let path = patch.path.clone();
    // One handler for the file's line numbers (each a button while comments can be written).
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(comments) = comments else { return };
        let Some((side, line)) = clicked_line(&ev) else {
            return;
        };
        comments.select(&path, side, line, ev.shift_key());
    };
    let lines = patch
        .lines
        .into_iter()
        .map(|line| view! { <PatchLine path=patch.path.clone() line language comments/> })
        .collect_view();
    view! {
        <div class="patch" on:click=on_click>{lines}</div>
        {(pages > 1).then(|| view! {
            <nav class="pager" aria-label="Pages of this file's diff">
                <button type="button" disabled={page == 0} on:click=move |_| load.run(page.saturating_sub(1))>"← Earlier lines"</button>
                <span>{format!(" Lines page {} of {} ", page + 1, pages)}</span>
                <button type="button" disabled={page + 1 >= pages} on:click=move |_| load.run(page + 1)>"More lines →"</button>
            </nav>
        })}
    }
}

/// The side and number of the line-number button a click landed on.
fn clicked_line(ev: &leptos::ev::MouseEvent) -> Option<(LineSide, u32)> {
    use leptos::wasm_bindgen::JsCast;
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    let button = target.closest("button.ln[data-line]").ok()??;
    let side = button.get_attribute("data-side")?.parse().ok()?;
    let line = button.get_attribute("data-line")?.parse().ok()?;
    Some((side, line))
}

#[component]
fn PatchLine(
    path: String,
    line: DiffLine,
    language: Option<&'static Language>,
    /// Present while comments can be written: its number is a button that selects it.
    comments: Option<ReviewComments>,
) -> impl IntoView {
    let (sign, code) = line.code();
    let coloured = match (language, line.kind) {
        (Some(language), DiffLineKind::Added | DiffLineKind::Removed | DiffLineKind::Context) => {
            tokens(language, code)
                .into_iter()
                .map(|(kind, piece)| match kind.class() {
                    Some(class) => view! { <span class=class>{piece.to_string()}</span> }.erased(),
                    None => piece.to_string().erased(),
                })
                .collect_view()
                .erased()
        }
        _ => code.to_string().erased(),
    };
    // Where a comment on this line counts: the task's side, else (a removed line) the base's.
    let anchor = match (line.new, line.old) {
        (Some(new), _) => Some((LineSide::New, new)),
        (None, Some(old)) => Some((LineSide::Old, old)),
        _ => None,
    }
    .filter(|_| comments.is_some());
    let gutter = move |side: LineSide, number: Option<u32>| match (anchor, number) {
        (Some((anchored, _)), Some(n)) if anchored == side => view! {
            <button type="button" class="ln" data-side=side.as_str() data-line=n.to_string()
                aria-label=format!("Comment on line {n}")>{n.to_string()}</button>
        }
        .erased(),
        _ => view! { <span class="ln" aria-hidden="true">{number.map(|n| n.to_string())}</span> }
            .erased(),
    };
    let selected = {
        let path = path.clone();
        move || match (comments, anchor) {
            (Some(comments), Some((side, n))) => comments.is_selected(&path, side, n),
            _ => false,
        }
    };
    view! {
        <div class=line_class(line.kind) class:selected=selected>
            {gutter(LineSide::Old, line.old)}
            {gutter(LineSide::New, line.new)}
            <span class="code">{sign.to_string()}{coloured}</span>
        </div>
        {anchor.map(|(side, n)| view! { <LineExtras path side line=n/> })}
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
