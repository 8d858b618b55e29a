//! One column of the board: its first cards (see [`model::board_window`]), more on demand, and
//! the events of all of its cards (`events.rs`).

use super::card::TaskCard;
use super::events;
use super::state::BoardState;
use super::view_model::CardView;
use crate::components::Erase;
use leptos::prelude::*;
use model::BoardColumn;
use model::board_window::{CARDS_PER_PAGE, ColumnWindow, column_window};

#[component]
pub fn Column(
    column: BoardColumn,
    state: BoardState,
    needs_me_only: Signal<bool>,
    show_done: RwSignal<bool>,
    /// The group a phone shows.
    group: RwSignal<BoardColumn>,
) -> impl IntoView {
    let shown = RwSignal::new(CARDS_PER_PAGE);
    let collapsed = move || column.starts_collapsed() && !show_done.get();
    let hidden = move || needs_me_only.get() && !column.needs_me();
    let order = Memo::new(move |_| {
        let only_needs_me = needs_me_only.get();
        state.slots.with(|slots| column.order(slots, only_needs_me))
    });
    let window = Memo::new(move |_| {
        if collapsed() {
            return ColumnWindow::default();
        }
        let shown = shown.get();
        order.with(|order| {
            state
                .cards
                .with(|cards| column_window(order, shown, |id| cards.contains_key(&id)))
        })
    });
    // Effects run in the browser only: the server renders the cards it sent with the page.
    Effect::new(move |_| {
        let missing = window.with(|w| w.missing.clone());
        if !missing.is_empty() {
            state.load_cards(missing);
        }
    });
    let cards = Memo::new(move |_| {
        window.with(|w| {
            w.rendered
                .iter()
                .filter_map(|id| state.card_view(*id))
                .collect::<Vec<CardView>>()
        })
    });
    let show_more = move |_| {
        let missing = window.with_untracked(|w| w.missing.clone());
        if missing.is_empty() {
            shown.update(|n| *n += CARDS_PER_PAGE);
        } else {
            // A fetch that failed: ask again.
            state.load_cards(missing);
        }
    };

    view! {
        <section
            class=format!("column column-{}", column.as_str())
            class:hidden=hidden
            class:phone-hidden=move || group.get() != column
            data-column=column.as_str()
            aria-label=column.label()
            on:click=move |ev| events::on_click(state, ev)
            on:change=move |ev| events::on_change(state, ev)
            on:keydown=move |ev| events::on_keydown(state, column, ev)
            on:dragstart=move |ev| events::on_dragstart(state, ev)
            on:dragend=move |ev| events::on_dragend(state, ev)
            on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
            on:drop=move |ev| events::on_drop(state, column, ev)
        >
            <h2>
                {column.label()}
                <span class="column-count">{move || order.with(Vec::len)}</span>
            </h2>
            {column.starts_collapsed().then(|| view! {
                <button type="button" class="toggle-done" aria-expanded=move || show_done.get().to_string()
                    on:click=move |_| show_done.update(|v| *v = !*v)>
                    {move || if show_done.get() { "Hide done tasks" } else { "Show done tasks" }}
                </button>
            })}
            <Show when=move || !collapsed()>
                <div class="cards">
                    <For each=move || cards.get() key=|card| card.clone() let(card)>
                        <TaskCard view=card state/>
                    </For>
                    {move || order.with(Vec::is_empty).then(|| view! { <p class="empty">"Nothing here."</p> })}
                    {move || {
                        let (more, loading) = window.with(|w| (w.more, !w.missing.is_empty()));
                        (more > 0).then(|| view! {
                            <button type="button" class="show-more" aria-busy=loading.to_string() on:click=show_more>
                                {if loading {
                                    "Loading…".to_string()
                                } else if more <= CARDS_PER_PAGE {
                                    format!("Show {more} more")
                                } else {
                                    format!("Show {CARDS_PER_PAGE} more ({more} not shown)")
                                }}
                            </button>
                        })
                    }}
                </div>
            </Show>
        </section>
    }
    .erased()
}
