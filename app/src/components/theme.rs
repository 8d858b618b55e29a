//! Light, dark, or the system's scheme: the toggle in the top bar. The page's colours are
//! `light-dark()` pairs in the style sheet; a chosen theme is `data-theme` on `<html>`, set
//! before the first paint by [`THEME_SCRIPT`] from what this browser remembered.

use leptos::prelude::*;

/// Where the choice is remembered (a preference, not a secret).
pub const THEME_KEY: &str = "devlog.theme";

/// Run in `<head>` before the style sheet applies, so a dark page never flashes light.
pub const THEME_SCRIPT: &str = r#"try{var t=localStorage.getItem("devlog.theme");if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}"#;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// The system's scheme (`prefers-color-scheme`).
    System,
    Light,
    Dark,
}

impl Theme {
    /// As remembered and as `data-theme` (`None`: the system's).
    pub fn as_attr(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }

    pub fn from_attr(value: Option<&str>) -> Theme {
        match value {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::System,
        }
    }

    /// The one a click on the toggle chooses next.
    pub fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "Theme: system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
        }
    }

    fn icon(self) -> &'static str {
        match self {
            Theme::System => "◐",
            Theme::Light => "☀",
            Theme::Dark => "☾",
        }
    }
}

/// Cycles system → light → dark; remembered in this browser.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    // The server cannot know the choice: the first render says "system" on both sides and
    // the browser reads what it remembered once hydrated.
    let theme = RwSignal::new(Theme::System);
    Effect::new(move |_| theme.set(Theme::from_attr(super::prefs::get(THEME_KEY).as_deref())));
    let choose = move |_| {
        let next = theme.get_untracked().next();
        super::prefs::set(THEME_KEY, next.as_attr());
        apply(next);
        theme.set(next);
    };
    view! {
        <button type="button" id="theme-toggle" class="topbar-button" on:click=choose
            title="Light, dark, or as the system">
            <span aria-hidden="true">{move || theme.get().icon()}</span>
            <span class="topbar-button-text">{move || theme.get().label()}</span>
        </button>
    }
}

/// Sets `data-theme` on `<html>`.
fn apply(theme: Theme) {
    #[cfg(feature = "hydrate")]
    if let Some(root) = document().document_element() {
        let _ = match theme.as_attr() {
            Some(value) => root.set_attribute("data-theme", value),
            None => root.remove_attribute("data-theme"),
        };
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = theme;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_toggle_cycles_and_round_trips_its_attribute() {
        for theme in [Theme::System, Theme::Light, Theme::Dark] {
            assert_eq!(Theme::from_attr(theme.as_attr()), theme);
        }
        assert_eq!(Theme::System.next().next().next(), Theme::System);
        assert_eq!(Theme::from_attr(Some("neon")), Theme::System);
    }

    #[test]
    fn the_script_reads_the_key_the_toggle_writes() {
        assert!(THEME_SCRIPT.contains(&format!("\"{THEME_KEY}\"")));
    }
}
