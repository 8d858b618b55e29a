//! Settings > Notifications: a browser notification (and a chime) when a session asks for a
//! permission or a task reaches review or fails while DevLog's tab is hidden. Asked for on
//! this click only, never on page load; remembered by this browser.

use crate::components::Erase;
use crate::components::notify::{self, NotifyState};
use leptos::prelude::*;

#[component]
pub fn NotificationsForm() -> impl IntoView {
    // What the browser says is known only once hydrated: the server renders "checking".
    let state = RwSignal::new(None::<NotifyState>);
    let wanted = RwSignal::new(false);
    let sound = RwSignal::new(false);
    Effect::new(move |_| {
        state.set(Some(notify::state()));
        wanted.set(notify::wanted());
        sound.set(notify::sound_wanted());
    });
    let asking = RwSignal::new(false);
    let turn_on = move |_| {
        asking.set(true);
        leptos::task::spawn_local(async move {
            let now = notify::turn_on().await;
            state.set(Some(now));
            wanted.set(now == NotifyState::Granted);
            asking.set(false);
        });
    };
    let turn_off = move |_| {
        notify::set_wanted(false);
        wanted.set(false);
    };
    let said = move || {
        match (state.get(), wanted.get()) {
        (None, _) => "Checking this browser…".to_string(),
        (Some(NotifyState::Unsupported), _) => "This browser cannot show notifications here.".into(),
        (Some(NotifyState::Denied), _) => "The browser blocks DevLog's notifications: allow them in its site settings, then turn them on here.".into(),
        (Some(NotifyState::Granted), true) => "✓ On: you are notified while DevLog's tab is hidden.".into(),
        (Some(_), _) => "Off.".into(),
    }
    };
    let can_turn_on = move || {
        matches!(
            state.get(),
            Some(NotifyState::NotAsked | NotifyState::Granted)
        ) && !wanted.get()
    };
    view! {
        <section class="runtime-form notifications" id="notifications">
            <h2>"Notifications"</h2>
            <p class="muted">"When a session asks for a permission, or a task reaches review or fails, while this tab is hidden. The tab's title always counts what waits for you."</p>
            <p id="notifications-state" role="status">{said}</p>
            <div class="actions">
                <button type="button" class="primary" id="notifications-on"
                    disabled=move || !can_turn_on() || asking.get() on:click=turn_on>
                    {move || if asking.get() { "Asking the browser…" } else { "Turn on notifications" }}
                </button>
                <button type="button" id="notifications-off" disabled=move || !wanted.get() on:click=turn_off>
                    "Turn off"
                </button>
                <label>
                    <input type="checkbox" id="notifications-sound" prop:checked=move || sound.get()
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            notify::set_sound(on);
                            sound.set(on);
                        }/>
                    " Play a chime with each"
                </label>
            </div>
        </section>
    }
    .erased()
}
