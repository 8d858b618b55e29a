//! Keyboard shortcuts of a project's pages, and the `?` dialog that lists them. None fires while
//! the user types in a field or holds Ctrl, Alt or ⌘.
//!
//! A page opts in by marking its controls: `data-shortcut="n"` is clicked by `n` (the first one
//! enabled), and `data-shortcut="/"` is focused by `/`. Cards (`article.card`) are walked with
//! `j`/`k`, opened with Enter and started with `s`.

use leptos::prelude::*;
use model::ProjectId;

/// What the dialog lists: keys, and what they do.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("n", "New task (board)"),
    ("/", "Search the board"),
    ("j / k", "Next / previous card"),
    ("Enter", "Open the focused card's task"),
    ("s", "Start the focused card"),
    ("a / d", "Approve / deny the pending permission (session)"),
    ("?", "Show these shortcuts"),
    ("Esc", "Close this list, a card's menu or form"),
];

#[component]
pub fn Shortcuts(project: ProjectId) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    #[cfg(feature = "hydrate")]
    browser::listen(project, dialog);
    #[cfg(not(feature = "hydrate"))]
    let _ = project;
    let open = move |_| {
        if let Some(dialog) = dialog.get() {
            let _ = dialog.show_modal();
        }
    };
    view! {
        <button type="button" id="show-shortcuts" class="topbar-button" aria-keyshortcuts="?"
            title="Keyboard shortcuts (?)" on:click=open>
            <span aria-hidden="true">"⌨"</span>
            <span class="topbar-button-text">"Shortcuts"</span>
        </button>
        <dialog id="shortcuts" class="shortcuts" node_ref=dialog aria-labelledby="shortcuts-title">
            <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
            <table>
                <tbody>
                    {SHORTCUTS.iter().map(|(keys, what)| view! {
                        <tr><th scope="row"><kbd>{*keys}</kbd></th><td>{*what}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="muted">"Not while you type in a field."</p>
            <form method="dialog"><button type="submit" class="primary">"Close"</button></form>
        </dialog>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::html::Dialog;
    use leptos::prelude::*;
    use leptos_router::hooks::use_navigate;
    use model::{ProjectId, TaskId};
    use wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlElement, KeyboardEvent};

    pub fn listen(project: ProjectId, dialog: NodeRef<Dialog>) {
        let navigate = use_navigate();
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            if let Some(task) = on_key(&ev, dialog) {
                navigate(&crate::paths::task(project, task), Default::default());
            }
        });
        on_cleanup(move || handle.remove());
    }

    /// Does what `ev`'s key is a shortcut for; the task to open, for Enter on a card.
    fn on_key(ev: &KeyboardEvent, dialog: NodeRef<Dialog>) -> Option<TaskId> {
        if ev.default_prevented()
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.alt_key()
            || ev.is_composing()
        {
            return None;
        }
        if ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .is_some_and(|el| typing_in(&el))
        {
            return None;
        }
        let key = ev.key();
        let mut opened = None;
        let handled = match key.as_str() {
            "?" => dialog
                .get()
                .is_some_and(|d| !d.open() && d.show_modal().is_ok()),
            "/" => focus(r#"[data-shortcut="/"]"#),
            "j" => step_card(1),
            "k" => step_card(-1),
            "Enter" => {
                opened = focused_card()
                    .and_then(|card| card.get_attribute("data-task-id")?.parse().ok());
                opened.is_some()
            }
            "s" => focused_card().is_some_and(|card| click_in(&card, r#"[data-action="start"]"#)),
            "n" => new_task(),
            "a" | "d" => click_in(&document().into(), &format!(r#"[data-shortcut="{key}"]"#)),
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
        opened
    }

    /// A field, a list box or editable text: its keys are the user's words.
    fn typing_in(el: &Element) -> bool {
        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
            || el
                .dyn_ref::<HtmlElement>()
                .is_some_and(HtmlElement::is_content_editable)
    }

    fn focus(selector: &str) -> bool {
        match document()
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<HtmlElement>().ok())
        {
            Some(el) => {
                let _ = el.focus();
                true
            }
            None => false,
        }
    }

    /// Clicks the first enabled element of `selector` under `root`.
    fn click_in(root: &web_sys::Node, selector: &str) -> bool {
        let found = match root.dyn_ref::<Element>() {
            Some(el) => el.query_selector_all(selector),
            None => document().query_selector_all(selector),
        };
        let Ok(found) = found else { return false };
        (0..found.length())
            .filter_map(|i| found.item(i)?.dyn_into::<HtmlElement>().ok())
            .find(|el| !el.has_attribute("disabled"))
            .map(|el| el.click())
            .is_some()
    }

    fn focused_card() -> Option<Element> {
        let active = document().active_element()?;
        active.matches("article.card").ok()?.then_some(active)
    }

    /// Focuses the next (`1`) or previous (`-1`) card on the page; the first when none is.
    fn step_card(delta: i32) -> bool {
        let Ok(cards) = document().query_selector_all("article.card") else {
            return false;
        };
        let cards: Vec<HtmlElement> = (0..cards.length())
            .filter_map(|i| cards.item(i)?.dyn_into::<HtmlElement>().ok())
            .filter(|card| card.offset_parent().is_some()) // not in a hidden column
            .collect();
        if cards.is_empty() {
            return false;
        }
        let active = document()
            .active_element()
            .and_then(|a| a.closest("article.card").ok().flatten());
        let current = active.and_then(|a| cards.iter().position(|c| **c == a));
        let next = match current {
            Some(i) => (i as i32 + delta).clamp(0, cards.len() as i32 - 1) as usize,
            None if delta > 0 => 0,
            None => cards.len() - 1,
        };
        let _ = cards[next].focus();
        true
    }

    /// Opens the board's new-task form (or goes back to it) and puts the cursor in its title.
    fn new_task() -> bool {
        let Some(button) = document()
            .get_element_by_id("new-task")
            .and_then(|b| b.dyn_into::<HtmlElement>().ok())
        else {
            return false;
        };
        if button.get_attribute("aria-expanded").as_deref() != Some("true") {
            button.click();
        }
        request_animation_frame(|| {
            focus("#new-task-title");
        });
        true
    }
}
