//! Settings > Prices: what estimates a cost where a CLI reports tokens but no cost (Codex,
//! Gemini), one model pattern a line. Costs a CLI reports are kept as it said them.

use crate::api;
use crate::components::{Erase, FieldError, FormError, mutation};
use crate::error::AppError;
use leptos::prelude::*;
use model::ProjectId;
use model::prices::PriceTable;

#[component]
pub fn PricesForm(project: ProjectId, prices: PriceTable) -> impl IntoView {
    let text = RwSignal::new(prices.to_text());
    let saved = RwSignal::new(None::<PriceTable>);
    let error = RwSignal::new(None::<AppError>);
    let save = mutation(
        error,
        move |text: &String| api::save_prices(project, text.clone()),
        move |table: PriceTable| {
            text.set(table.to_text());
            saved.set(Some(table));
        },
    );
    let pending = save.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let written = text.get_untracked();
        // The server's own rule, so the form refuses exactly what the server would.
        match PriceTable::parse_text(&written) {
            Ok(_) => {
                save.dispatch(written);
            }
            Err(e) => error.set(Some(e.into())),
        }
    };
    let restore = move |_| {
        saved.set(None);
        error.set(None);
        text.set(PriceTable::default().to_text());
    };
    view! {
        <form class="runtime-form prices" id="prices" novalidate on:submit=submit>
            <h2>"Prices"</h2>
            <p class="muted">"Where an agent's CLI reports tokens but no cost (Codex CLI, Gemini CLI), the cost is estimated with these prices and labelled “estimated”. A model takes the first line whose pattern matches its name ("<code>"*"</code>" is any text, case ignored); a model no line matches shows its tokens only. A new table prices the turns after it: the ones recorded keep their cost."</p>
            <label for="prices-text">"One model a line: pattern, then US$ per million tokens of input, output, cache read, cache write"</label>
            <textarea id="prices-text" rows="12" spellcheck="false" bind:value=text></textarea>
            <FieldError error field=model::Field::Prices/>
            <FormError error/>
            <div class="actions">
                <button type="submit" id="save-prices" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Save prices" }}
                </button>
                <button type="button" id="default-prices" on:click=restore>
                    "Put back the defaults"
                </button>
                <span class="ready" id="prices-state" role="status">{move || saved.get().map(|table| {
                    format!("Saved: {} price(s).", table.prices.len())
                })}</span>
            </div>
        </form>
    }
    .erased()
}
