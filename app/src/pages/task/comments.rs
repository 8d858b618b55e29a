//! Comments on lines of the diff: a line's number is a button that selects it (shift extends
//! the selection within the file and side), a form under the selection keeps a comment, kept
//! comments show under their last line, and the retry form sends them ("Send N comments").

use crate::api;
use crate::components::{Erase, FieldError, FormError, mutation};
use crate::error::AppError;
use leptos::prelude::*;
use model::comment::{CommentDraft, LineSide, ReviewComment};
use model::{Field, ProjectId, TaskId};

/// The lines a comment is being written on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineSelection {
    pub path: String,
    pub side: LineSide,
    pub start: u32,
    pub end: u32,
}

/// The review's comments, shared by the diff's lines and the retry form (context of the task
/// view, given by a `Provider` so that each render of the page has its own); `enabled` while
/// comments can be sent: a task in review or failed, with its diff.
#[derive(Clone, Copy)]
pub struct ReviewComments {
    pub project: ProjectId,
    pub task: TaskId,
    enabled: bool,
    /// Kept and not sent yet.
    pub kept: RwSignal<Vec<ReviewComment>>,
    pub selection: RwSignal<Option<LineSelection>>,
    /// What the open form holds: outlives a change of selection within the form's range.
    pub draft: RwSignal<String>,
}

impl ReviewComments {
    pub fn new(project: ProjectId, task: TaskId, kept: Vec<ReviewComment>, enabled: bool) -> Self {
        ReviewComments {
            project,
            task,
            enabled,
            kept: RwSignal::new(kept),
            selection: RwSignal::new(None),
            draft: RwSignal::new(String::new()),
        }
    }

    /// The page's comments, when they can be written.
    pub fn here() -> Option<Self> {
        use_context::<ReviewComments>().filter(|c| c.enabled)
    }

    /// A click on line `line`'s number: that line, or (`extend`, same file and side) the range
    /// from the selection's first line to it.
    pub fn select(self, path: &str, side: LineSide, line: u32, extend: bool) {
        self.selection.update(|selection| {
            let start = match selection {
                Some(s) if extend && s.path == path && s.side == side => s.start.min(line),
                _ => line,
            };
            let end = match selection {
                Some(s) if extend && s.path == path && s.side == side => s.start.max(line),
                _ => line,
            };
            *selection = Some(LineSelection {
                path: path.to_string(),
                side,
                start,
                end,
            });
        });
    }

    pub fn is_selected(self, path: &str, side: LineSide, line: u32) -> bool {
        self.selection.with(|s| {
            s.as_ref().is_some_and(|s| {
                s.path == path && s.side == side && (s.start..=s.end).contains(&line)
            })
        })
    }
}

/// What goes under one line of the diff: the comments that end on it, and the form when the
/// selection ends on it.
#[component]
pub fn LineExtras(path: String, side: LineSide, line: u32) -> impl IntoView {
    let Some(comments) = ReviewComments::here() else {
        return ().erased();
    };
    let here = path.clone();
    let kept = Memo::new(move |_| {
        comments.kept.with(|kept| {
            kept.iter()
                .filter(|c| c.path == here && c.side == side && c.end == line)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let form_here = Memo::new(move |_| {
        comments.selection.with(|s| {
            s.as_ref()
                .filter(|s| s.path == path && s.side == side && s.end == line)
                .cloned()
        })
    });
    view! {
        {move || {
            let kept = kept.get();
            (!kept.is_empty()).then(|| view! {
                <div class="line-extras">
                    {kept.into_iter().map(|c| view! { <KeptComment comment=c/> }).collect_view()}
                </div>
            })
        }}
        {move || form_here.get().map(|selection| view! {
            <div class="line-extras"><CommentForm selection/></div>
        })}
    }
    .erased()
}

#[component]
fn KeptComment(comment: ReviewComment) -> impl IntoView {
    let Some(comments) = ReviewComments::here() else {
        return ().erased();
    };
    let error = RwSignal::new(None::<AppError>);
    let id = comment.id;
    let delete = mutation(
        error,
        move |()| api::delete_review_comment(comments.project, comments.task, id),
        move |()| comments.kept.update(|kept| kept.retain(|c| c.id != id)),
    );
    let pending = delete.pending();
    view! {
        <div class="review-comment" data-comment=id.to_string()>
            <p class="comment-location muted">{comment.location()}</p>
            <p class="comment-body">{comment.body.clone()}</p>
            <button type="button" class="delete-comment" disabled=move || pending.get()
                on:click=move |_| { delete.dispatch(()); }>"Delete"</button>
            <FormError error/>
        </div>
    }
    .erased()
}

#[component]
fn CommentForm(selection: LineSelection) -> impl IntoView {
    let Some(comments) = ReviewComments::here() else {
        return ().erased();
    };
    let error = RwSignal::new(None::<AppError>);
    let add = mutation(
        error,
        move |draft: &CommentDraft| {
            api::add_review_comment(comments.project, comments.task, draft.clone())
        },
        move |kept: ReviewComment| {
            comments.kept.update(|all| all.push(kept));
            comments.selection.set(None);
            comments.draft.set(String::new());
        },
    );
    let pending = add.pending();
    let lines = if selection.start == selection.end {
        format!("line {}", selection.start)
    } else {
        format!("lines {}–{}", selection.start, selection.end)
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = CommentDraft {
            path: selection.path.clone(),
            side: selection.side,
            start: selection.start,
            end: selection.end,
            body: comments.draft.get_untracked(),
        };
        // The server's own rule, so the form refuses exactly what the server would.
        match draft.validate() {
            Ok(draft) => {
                add.dispatch(draft);
            }
            Err(e) => error.set(Some(e.into())),
        }
    };
    view! {
        <form class="comment-form" id="comment-form" on:submit=submit aria-busy=move || pending.get().to_string()>
            <label for="comment-body">{format!("Comment on {lines}")}</label>
            <textarea id="comment-body" rows="3" bind:value=comments.draft autofocus=true></textarea>
            <FieldError error field=Field::Comment/>
            <FormError error/>
            <div class="comment-buttons">
                <button type="submit" class="primary" id="comment-add" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Add comment" }}
                </button>
                <button type="button" id="comment-cancel" on:click=move |_| comments.selection.set(None)>"Cancel"</button>
            </div>
        </form>
    }
    .erased()
}

/// The unsent comments as the retry form lists them.
#[component]
pub fn PendingComments(comments: ReviewComments) -> impl IntoView {
    move || {
        let kept = comments.kept.get();
        (!kept.is_empty()).then(|| view! {
            <div class="pending-comments">
                <p>{format!("{} comment{} on the diff, sent with your feedback:", kept.len(), if kept.len() == 1 { "" } else { "s" })}</p>
                <ul id="pending-comments">
                    {kept.into_iter().map(|c| view! { <li><code>{c.location()}</code>" "{c.body}</li> }).collect_view()}
                </ul>
            </div>
        })
    }
}
