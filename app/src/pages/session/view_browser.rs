//! The browser's half of the transcript view: animation frames, scrolling and fetching older
//! pages. On the server there is no live stream, so none of it is reached: the same names are
//! no-ops there.

#[cfg(feature = "hydrate")]
pub use hydrate::*;
#[cfg(not(feature = "hydrate"))]
pub use server::*;

#[cfg(feature = "hydrate")]
mod hydrate {
    use super::super::TranscriptView;
    use leptos::prelude::*;

    /// How close to the bottom counts as at the bottom (the sticky composer, rounding).
    const BOTTOM_SLACK: f64 = 48.0;

    pub fn on_next_frame(view: TranscriptView) {
        request_animation_frame(move || view.frame());
    }

    pub fn watch_scroll(view: TranscriptView) {
        // Where the last scroll event left the page: only a move up is the user's own.
        let last_y = std::cell::Cell::new(0.0);
        let listener = window_event_listener(leptos::ev::scroll, move |_| {
            let page = window();
            let y = page.scroll_y().unwrap_or(0.0);
            let scrolled_up = y < last_y.replace(y) - 1.0;
            let viewport = page
                .inner_height()
                .ok()
                .and_then(|h| h.as_f64())
                .unwrap_or(0.0);
            let height = document()
                .document_element()
                .map_or(0.0, |root| f64::from(root.scroll_height()));
            // Within a screen of the top: the oldest rows shown are about to be reached.
            let at_bottom = y + viewport >= height - BOTTOM_SLACK;
            view.scrolled(at_bottom, scrolled_up, y < viewport);
        });
        on_cleanup(move || listener.remove());
        // The first paint shows the latest part of the session: start at its end.
        Effect::new(move |_| scroll_to_end());
    }

    /// After the DOM took this frame's rows in: render effects run as tasks, so this one,
    /// queued after them, finds the transcript's new height.
    pub fn scroll_to_end() {
        leptos::task::spawn_local(async {
            let height = document()
                .document_element()
                .map_or(0, |root| root.scroll_height());
            window().scroll_to_with_x_and_y(0.0, f64::from(height));
        });
    }

    /// Notes where row `key` is on the screen; the returned closure puts it back there once
    /// the DOM has changed.
    pub fn keep_in_place(key: i64) -> impl FnOnce() {
        let before = screen_top(key);
        move || {
            let Some(before) = before else { return };
            leptos::task::spawn_local(async move {
                if let Some(after) = screen_top(key)
                    && (after - before).abs() >= 1.0
                {
                    window().scroll_by_with_x_and_y(0.0, after - before);
                }
            });
        }
    }

    /// Where the row keyed `key` is, from the top of the viewport.
    fn screen_top(key: i64) -> Option<f64> {
        use wasm_bindgen::JsCast;
        let row = document()
            .query_selector(&format!("ol.transcript > li[data-seq='{key}']"))
            .ok()
            .flatten()?
            .dyn_into::<web_sys::HtmlElement>()
            .ok()?;
        Some(f64::from(row.offset_top()) - window().scroll_y().ok()?)
    }

    pub fn fetch_earlier(view: TranscriptView, before: i64) {
        let (project, session) = view.ids();
        leptos::task::spawn_local(async move {
            match crate::api::get_session_events(project, session, before, None).await {
                Ok(page) => view.prepend(page),
                Err(_) => view.fetch_failed(),
            }
        });
    }
}

#[cfg(not(feature = "hydrate"))]
mod server {
    use super::super::TranscriptView;

    #[allow(dead_code)]
    pub fn on_next_frame(_: TranscriptView) {}
    pub fn watch_scroll(_: TranscriptView) {}
    pub fn keep_in_place(_: i64) -> impl FnOnce() {
        || {}
    }
    pub fn scroll_to_end() {}
    pub fn fetch_earlier(_: TranscriptView, _: i64) {}
}
