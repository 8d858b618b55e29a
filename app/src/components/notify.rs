//! Browser notifications and the attention sound. Both are the user's choice, made by a click
//! in Settings (never asked on page load) and remembered in this browser's localStorage — a
//! preference, not a secret. Only the browser can show them: on the server every question
//! answers "no".

/// Where this browser stands on notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyState {
    /// The browser has no notifications (or the page is not a secure context).
    Unsupported,
    /// Not asked yet.
    NotAsked,
    Granted,
    /// The user (or the browser's policy) refused: only the browser's site settings undo it.
    Denied,
}

#[cfg(feature = "hydrate")]
const WANTED_KEY: &str = "devlog.notifications";
#[cfg(feature = "hydrate")]
const SOUND_KEY: &str = "devlog.sound";

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    use web_sys::{Notification, NotificationOptions, NotificationPermission};

    pub fn remembered(key: &str) -> bool {
        crate::components::prefs::get(key).as_deref() == Some("on")
    }

    pub fn remember(key: &str, on: bool) {
        crate::components::prefs::set(key, on.then_some("on"));
    }

    fn supported() -> bool {
        web_sys::window()
            .is_some_and(|w| js_sys::Reflect::has(&w, &"Notification".into()).unwrap_or(false))
    }

    pub fn state() -> NotifyState {
        if !supported() {
            return NotifyState::Unsupported;
        }
        match Notification::permission() {
            NotificationPermission::Granted => NotifyState::Granted,
            NotificationPermission::Denied => NotifyState::Denied,
            _ => NotifyState::NotAsked,
        }
    }

    pub async fn request() -> NotifyState {
        if !supported() {
            return NotifyState::Unsupported;
        }
        if let Ok(promise) = Notification::request_permission() {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        }
        state()
    }

    pub fn page_hidden() -> bool {
        web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden())
    }

    /// A notification saying `text`; a click on it brings the tab forward at `link`.
    pub fn show(text: &str, link: &str) {
        let options = NotificationOptions::new();
        options.set_body(text);
        options.set_tag(link); // one per thing: a second for the same replaces the first
        let Ok(notification) = Notification::new_with_options("DevLog", &options) else {
            return;
        };
        let link = link.to_string();
        let onclick = Closure::<dyn FnMut()>::new(move || {
            if let Some(window) = web_sys::window() {
                let _ = window.focus();
                let _ = window.location().set_href(&link);
            }
        });
        notification.set_onclick(Some(onclick.as_ref().unchecked_ref()));
        onclick.forget(); // lives as long as the notification may be clicked
        if remembered(SOUND_KEY) {
            beep();
        }
    }

    /// A short two-tone chime through WebAudio (no file to fetch).
    pub fn beep() {
        let Ok(audio) = web_sys::AudioContext::new() else {
            return;
        };
        let now = audio.current_time();
        for (i, hz) in [880.0_f32, 1320.0].into_iter().enumerate() {
            let (Ok(tone), Ok(gain)) = (audio.create_oscillator(), audio.create_gain()) else {
                return;
            };
            let start = now + 0.15 * i as f64;
            tone.frequency().set_value(hz);
            gain.gain().set_value(0.08);
            let _ = tone
                .connect_with_audio_node(&gain)
                .and_then(|_| gain.connect_with_audio_node(&audio.destination()));
            let _ = tone.start_with_when(start);
            let _ = tone.stop_with_when(start + 0.12);
        }
    }
}

/// Where this browser stands on notifications.
pub fn state() -> NotifyState {
    #[cfg(feature = "hydrate")]
    return browser::state();
    #[cfg(not(feature = "hydrate"))]
    NotifyState::Unsupported
}

/// Asks the browser for permission (call it from a click), and remembers that the user wants
/// notifications when granted.
pub async fn turn_on() -> NotifyState {
    #[cfg(feature = "hydrate")]
    {
        let state = browser::request().await;
        browser::remember(WANTED_KEY, state == NotifyState::Granted);
        state
    }
    #[cfg(not(feature = "hydrate"))]
    NotifyState::Unsupported
}

/// Sets whether the user wants notifications (granted permission stays the browser's).
pub fn set_wanted(on: bool) {
    #[cfg(feature = "hydrate")]
    browser::remember(WANTED_KEY, on);
    #[cfg(not(feature = "hydrate"))]
    let _ = on;
}

/// The user turned notifications on and the browser allows them.
pub fn wanted() -> bool {
    #[cfg(feature = "hydrate")]
    return browser::remembered(WANTED_KEY) && browser::state() == NotifyState::Granted;
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Whether a notification also plays a chime.
pub fn sound_wanted() -> bool {
    #[cfg(feature = "hydrate")]
    return browser::remembered(SOUND_KEY);
    #[cfg(not(feature = "hydrate"))]
    false
}

pub fn set_sound(on: bool) {
    #[cfg(feature = "hydrate")]
    {
        browser::remember(SOUND_KEY, on);
        if on {
            browser::beep(); // what it will sound like
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = on;
}

#[cfg(feature = "hydrate")]
pub use browser::{page_hidden, show};
