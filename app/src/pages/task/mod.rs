//! `/p/{project}/tasks/{task}`: one task, leading with the work — what the agent last said,
//! then its changes — then what can be done next (start; merge, PR, request changes, mark
//! done), its dependencies and its attempts.

mod actions;
mod budget;
mod comments;
mod dependencies;
mod diff;
mod live_diff;
mod merge;

use crate::api::{self, TaskPageData};
use crate::components::Changes;
use crate::components::Erase;
use crate::components::time::When;
use crate::error::AppError;
use crate::markdown::to_safe_html;
use crate::pages::{Loading, loaded, page_data};
use actions::Actions;
use budget::TaskBudgetForm;
use comments::ReviewComments;
use dependencies::Dependencies;
use diff::DiffView;
use leptos::context::Provider;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params, use_query};
use leptos_router::params::Params;
pub(crate) use live_diff::LiveDiff;
use model::usage::UsageTotal;
use model::{Project, ProjectId, Session, TaskId, TaskStatus};

#[derive(Params, Clone, Debug, PartialEq)]
struct TaskParams {
    task: Option<TaskId>,
}

#[derive(Params, Clone, Debug, PartialEq)]
struct TaskQuery {
    /// The page of the review's file list.
    page: Option<usize>,
}

#[component]
pub fn TaskPage(project: Project) -> impl IntoView {
    let params = use_params::<TaskParams>();
    let query = use_query::<TaskQuery>();
    let changes = Changes::new();
    // Above the view a change rebuilds: what the user is typing there outlives the reload.
    let retry_feedback = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<String>);
    let key = move || {
        let task = params.read().as_ref().ok().and_then(|p| p.task);
        let page = query.read().as_ref().ok().and_then(|q| q.page);
        (task, page, changes.count())
    };
    let id = project.id;
    let data = page_data(key, move |(task, page, _)| async move {
        match task {
            Some(task) => api::get_task_review(id, task, page).await,
            None => Err(AppError::NotFound {
                message: "no such task".into(),
            }),
        }
    });
    view! {
        // A Transition: after a change, the page stays as it was until it is loaded again.
        <Transition fallback=|| view! { <Loading what="the task"/> }>
            {move || Suspend::new(async move {
                loaded(data.await, |data| view! { <TaskView project=id data changes retry_feedback notice/> })
            })}
        </Transition>
    }
    .erased()
}

#[component]
fn TaskView(
    project: ProjectId,
    data: TaskPageData,
    changes: Changes,
    retry_feedback: RwSignal<String>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let TaskPageData {
        review,
        runtime,
        tasks,
        dependencies,
        queue_state,
        merge,
        comments,
        live_after,
        usage,
        budget,
    } = data;
    let task = review.task.clone();
    let status = task.status;
    let sessions = review.sessions.clone();
    let has_worktree = review.diff.is_some();
    // Lines can be commented on while a new attempt can take the comments.
    let comments = ReviewComments::new(
        project,
        task.id,
        comments,
        has_worktree && status.can_retry(),
    );
    view! {
        <Title text=task.title.clone()/>
        <Provider value=comments>
        <main class="page task-page">
            <header class="task-header">
                <p class="muted"><a href=crate::paths::board_card(project, task.id)>"← Board"</a></p>
                <h1 id="task-title">{task.title.clone()}</h1>
                <p class="task-facts">
                    <span id="task-status" class=format!("status-badge status-{}", status.as_str())>
                        <span aria-hidden="true">{status.icon()}</span>" "{status.label()}
                    </span>
                    <span class=format!("priority priority-{}", task.priority.as_str())>{task.priority.label()}</span>
                    {task.branch.clone().map(|b| view! { <code class="branch" id="task-branch">{b}</code> })}
                    {task.pr_url.clone().map(|url| view! {
                        <a id="pr-link" href=url.clone() rel="noopener noreferrer" target="_blank">{format!("Pull request: {url}")}</a>
                    })}
                </p>
                {task.worktree_path.clone().map(|w| view! { <p class="muted">"Worktree: "<code>{w}</code></p> })}
                {(!task.description.is_empty()).then(|| view! { <p class="task-description">{task.description.clone()}</p> })}
                {task.fail_reason.clone().map(|reason| view! {
                    <p class="fail-reason" id="task-fail-reason" role="status"><strong>"Why it failed: "</strong>{reason}</p>
                })}
            </header>
            {review.final_answer.map(|answer| view! {
                <section class="final-answer" aria-label="The agent's answer">
                    <h2>"What the agent said"</h2>
                    <div class="md" id="final-answer" inner_html=to_safe_html(&answer)></div>
                </section>
            })}
            {match (status, task.session_id, live_after) {
                // While the agent works, the diff follows its edits.
                (TaskStatus::InProgress, Some(session), Some(after)) => {
                    let edits = RwSignal::new(0);
                    live_diff::follow_edits(crate::paths::session_events(project, session), after, edits);
                    view! { <LiveDiff project task=task.id edits=edits.into() initial=review.diff open=true/> }.erased()
                }
                _ => view! { <DiffView task=task.id project=project diff=review.diff diff_error=review.diff_error/> }.erased(),
            }}
            <Actions task=task.clone() runtime changes retry_feedback merge notice has_worktree/>
            <Dependencies task=task.clone() tasks dependencies queue_state changes/>
            <TaskBudgetForm project task=task.id budget/>
            <section class="attempts" aria-label="Attempts">
                <h2>{format!("Attempts ({})", sessions.len())}</h2>
                {(!usage.is_empty()).then(|| view! {
                    <p class="task-usage" id="task-usage">
                        "Used in all: "{UsageTotal::sum(usage.iter().map(|(_, u)| u)).label()}
                    </p>
                })}
                {if sessions.is_empty() {
                    view! { <p class="empty">"Not started yet."</p> }.erased()
                } else {
                    view! {
                        <ol class="attempt-list">
                            {sessions.into_iter().map(|s| {
                                let used = usage.iter().find(|(id, _)| *id == s.id).map(|(_, u)| *u);
                                view! { <Attempt session=s used/> }
                            }).collect_view()}
                        </ol>
                    }.erased()
                }}
            </section>
        </main>
        </Provider>
    }
    .erased()
}

#[component]
fn Attempt(
    session: Session,
    /// What the attempt used, if any usage was recorded.
    used: Option<UsageTotal>,
) -> impl IntoView {
    let status = session.status;
    view! {
        <li class="attempt">
            <span class=format!("status-badge session-{}", status.as_str())>
                <span aria-hidden="true">{status.icon()}</span>" "{status.label()}
            </span>
            " "
            <a href=crate::paths::session(session.project_id, session.id)>{format!("Session {}", session.id)}</a>
            <span class="muted">{format!(" · {} · ", session.runtime.summary())}<When ms=session.created_at/></span>
            {used.map(|u| view! { <span class="attempt-usage">{format!(" · {}", u.label())}</span> })}
            {session.fail_reason.map(|r| view! { <span class="fail-reason">" — "{r}</span> })}
        </li>
    }
}
