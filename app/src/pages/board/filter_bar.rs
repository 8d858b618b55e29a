//! The board's search box and filters. Their state is the page's address (`model::board_filter`):
//! each change replaces the address, the board loads what it names, and a reload or a shared
//! link shows the same board.

use crate::paths;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use model::board_filter::{BoardFilter, MAX_SEARCH_CHARS};
use model::{AgentKind, Priority, ProjectId};
use std::time::Duration;

/// How long typing pauses before the board is searched (one request per pause, not per key).
const TYPING_PAUSE: Duration = Duration::from_millis(250);

/// The filter of the page's address.
pub fn from_address() -> Memo<BoardFilter> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| BoardFilter::from_query(q.latest_values().map(|(k, v)| (k.as_ref(), v))))
    })
}

/// Shows the board a filter names, in place of this address (the back button leaves the
/// board, not each keystroke). Made where the router is in context: a timer's callback has none.
fn shower(project: ProjectId) -> impl Fn(&BoardFilter) + Clone + 'static {
    let navigate = use_navigate();
    move |filter: &BoardFilter| {
        let query = filter.to_query();
        let mut url = paths::board(project);
        if !query.is_empty() {
            url = format!("{url}?{query}");
        }
        navigate(
            &url,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    }
}

#[component]
pub fn FilterBar(project: ProjectId, filter: Memo<BoardFilter>) -> impl IntoView {
    let show = shower(project);
    let navigate = {
        let show = show.clone();
        move |change: &dyn Fn(&mut BoardFilter)| {
            let mut next = filter.get_untracked();
            change(&mut next);
            show(&next);
        }
    };
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let typed = show.clone();
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let show = typed.clone();
        let handle = set_timeout_with_handle(
            move || {
                let mut next = filter.get_untracked();
                next.text = text;
                show(&next);
            },
            TYPING_PAUSE,
        );
        pending.set_value(handle.ok());
    };
    let by_priority = navigate.clone();
    let priority = move |ev: leptos::ev::Event| {
        let value = Priority::parse(&event_target_value(&ev));
        by_priority(&|f| f.priority = value);
    };
    let agent = move |ev: leptos::ev::Event| {
        let value = AgentKind::parse(&event_target_value(&ev));
        navigate(&|f| f.agent = value);
    };
    let active = move || filter.with(|f| f.narrows() || f.needs_me);
    view! {
        <form class="board-filter" role="search" aria-label="Search and filter tasks"
            on:submit=|ev| ev.prevent_default()>
            <label for="board-search" class="sr-only">"Search tasks"</label>
            <input type="search" id="board-search" data-shortcut="/" aria-keyshortcuts="/"
                placeholder="Search title, description, prompt  ( / )"
                maxlength=MAX_SEARCH_CHARS.to_string()
                prop:value=move || filter.with(|f| f.text.clone())
                on:input=on_input/>
            <select id="filter-priority" aria-label="Priority" on:change=priority>
                <option value="" selected=move || filter.with(|f| f.priority.is_none())>"Any priority"</option>
                {Priority::ALL.into_iter().rev().map(|p| view! {
                    <option value=p.as_str() selected=move || filter.with(|f| f.priority == Some(p))>{p.label()}</option>
                }).collect_view()}
            </select>
            <select id="filter-agent" aria-label="Agent" on:change=agent>
                <option value="" selected=move || filter.with(|f| f.agent.is_none())>"Any agent"</option>
                {AgentKind::ALL.into_iter().map(|a| view! {
                    <option value=a.as_str() selected=move || filter.with(|f| f.agent == Some(a))>{a.label()}</option>
                }).collect_view()}
            </select>
            <button type="button" id="clear-filter" class:hidden=move || !active()
                on:click=move |_| show(&BoardFilter::default())>
                "Clear"
            </button>
        </form>
    }
}

/// "Needs me (2)": shows only the columns that wait for the user; kept in the address too.
#[component]
pub fn NeedsMe(project: ProjectId, count: Signal<usize>) -> impl IntoView {
    let filter = from_address();
    let show = shower(project);
    view! {
        <button type="button" id="needs-me" aria-pressed=move || filter.with(|f| f.needs_me).to_string()
            on:click=move |_| {
                let mut next = filter.get_untracked();
                next.needs_me = !next.needs_me;
                show(&next);
            }>
            {move || format!("Needs me ({})", count.get())}
        </button>
    }
}
