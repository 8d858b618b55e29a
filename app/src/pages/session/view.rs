//! The session page's view of its transcript: the pure [`Transcript`] and [`Window`], and
//! the signals the DOM reads — one per row shown, so an event touches one row's DOM. Events
//! are applied as they arrive (O(1) each); the DOM is brought up to date once per animation
//! frame, at a cost bounded by the window, not by the session.

use super::transcript::{Row, Transcript};
use super::window::Window;
use crate::api::EventPage;
use leptos::prelude::*;
use model::{ProjectId, SessionId, SessionStatus, StoredEvent};
use std::collections::HashMap;
use std::ops::Range;

/// A row in the DOM: its key (the seq that opened it) and the signal its view reads.
#[derive(Clone)]
pub struct ShownRow {
    pub key: i64,
    pub row: ArcRwSignal<Row>,
}

struct Shown {
    key: i64,
    revision: u32,
    row: ArcRwSignal<Row>,
}

struct PageState {
    transcript: Transcript,
    /// The events the transcript holds, oldest first: folded again, once, when an older page
    /// arrives (a tool's result may belong to a call in it).
    events: Vec<StoredEvent>,
    session_final: bool,
    window: Window,
    /// Older events remain on the server.
    has_earlier: bool,
    loading_earlier: bool,
    /// An animation frame is already asked for.
    frame_pending: bool,
    shown: Vec<Shown>,
    shown_range: Range<usize>,
    /// Rows were folded again: revisions restarted, so shown rows are compared by content.
    refolded: bool,
}

/// Cheap to copy: everything lives in the reactive arena.
#[derive(Clone, Copy)]
pub struct TranscriptView {
    project: ProjectId,
    session: SessionId,
    state: StoredValue<PageState>,
    pub rows: RwSignal<Vec<ShownRow>>,
    pub status: RwSignal<Option<SessionStatus>>,
    pub queued: RwSignal<Vec<String>>,
    /// Older rows exist, shown by "Show earlier" (in memory, or a page to fetch).
    pub earlier: RwSignal<bool>,
    /// Newer rows than the window shows (the user scrolled away from the newest).
    pub newer: RwSignal<usize>,
    /// Counts the live events after which the worktree's files may have changed: the live
    /// diff loads again on each.
    pub edits: RwSignal<u32>,
    /// Counts the live turns that ended: what the session used is read again on each.
    pub turns_ended: RwSignal<u32>,
}

impl TranscriptView {
    /// The first render: a fold of the events the page was served with (the latest part of
    /// the history), its latest rows shown.
    pub fn new(
        (project, session): (ProjectId, SessionId),
        events: Vec<StoredEvent>,
        has_earlier: bool,
        session_final: bool,
    ) -> Self {
        let transcript = Transcript::fold(&events, session_final);
        let window = Window::tail(transcript.rows().len());
        let state = PageState {
            transcript,
            events,
            session_final,
            window,
            has_earlier,
            loading_earlier: false,
            frame_pending: false,
            shown: Vec::new(),
            shown_range: 0..0,
            refolded: false,
        };
        let view = TranscriptView {
            project,
            session,
            state: StoredValue::new(state),
            rows: RwSignal::new(Vec::new()),
            status: RwSignal::new(None),
            queued: RwSignal::new(Vec::new()),
            earlier: RwSignal::new(false),
            newer: RwSignal::new(0),
            edits: RwSignal::new(0),
            turns_ended: RwSignal::new(0),
        };
        view.sync();
        view
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn ids(&self) -> (ProjectId, SessionId) {
        (self.project, self.session)
    }

    /// In the browser: starts at the newest rows, and follows the user's scrolling.
    pub fn follow_the_page(&self) {
        browser::watch_scroll(*self);
    }

    /// The seq the live stream resumes after.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn last_seq(&self) -> i64 {
        self.state.with_value(|s| s.transcript.last_seq())
    }

    /// The events shown end the session: nothing more will come.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn ended(&self) -> bool {
        self.state
            .with_value(|s| s.transcript.status().is_some_and(SessionStatus::is_final))
    }

    /// A live event: applied now, shown at the next frame.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn push(&self, event: StoredEvent) {
        let may_change_files = event.event.may_change_files();
        let turn_ended = matches!(event.event, model::StreamEvent::TurnEnded { .. });
        let applied = self
            .state
            .try_update_value(|s| {
                let applied = s.transcript.apply(&event);
                if applied {
                    s.events.push(event);
                }
                applied
            })
            .unwrap_or(false);
        if applied {
            self.schedule_frame();
            if may_change_files {
                self.edits.update(|n| *n = n.wrapping_add(1));
            }
            if turn_ended {
                self.turns_ended.update(|n| *n = n.wrapping_add(1));
            }
        }
    }

    /// Shows a page of older rows, fetching one from the server when all in memory are shown.
    pub fn show_earlier(&self) {
        let slid = self
            .state
            .try_update_value(|s| s.window.earlier())
            .unwrap_or(false);
        if slid {
            self.sync_in_place();
        } else {
            self.fetch_earlier();
        }
    }

    /// Back to the newest rows, following them.
    pub fn show_latest(&self) {
        self.state.update_value(|s| {
            let len = s.transcript.rows().len();
            s.window.latest(len);
        });
        self.sync();
        browser::scroll_to_end();
    }

    /// The page scrolled: at the bottom the window follows (or shows the next page of newer
    /// rows), scrolled up by the user it stops following; near the top it shows older rows.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn scrolled(&self, at_bottom: bool, scrolled_up: bool, near_top: bool) {
        let (changed, fetch) = self
            .state
            .try_update_value(|s| {
                let len = s.transcript.rows().len();
                // Rows that arrived since the last frame are not "newer rows" to page
                // through: a following window takes them in first.
                s.window.grow(len);
                let mut changed = at_bottom && s.window.later(len);
                if !changed {
                    s.window.scrolled(at_bottom, scrolled_up, len);
                }
                let mut fetch = false;
                if near_top && !at_bottom {
                    changed |= s.window.earlier();
                    fetch = s.window.hidden_before() == 0 && s.has_earlier;
                }
                (changed, fetch)
            })
            .unwrap_or_default();
        if changed {
            self.sync_in_place();
        }
        if fetch {
            self.fetch_earlier();
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn follows(&self) -> bool {
        self.state.with_value(|s| s.window.follows())
    }

    /// An older page arrived: the history is folded again with it (once per page, on the
    /// user's scroll, never per event), the rows shown stay in view, and a page of the new
    /// ones is shown above them.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn prepend(&self, page: EventPage) {
        self.state.update_value(|s| {
            s.loading_earlier = false;
            s.has_earlier = page.has_earlier;
            let first_shown = s.shown.first().map(|shown| shown.key);
            let mut events = page.events;
            events.append(&mut s.events);
            s.events = events;
            s.transcript = Transcript::fold(&s.events, s.session_final);
            s.refolded = true;
            let rows = s.transcript.rows();
            if let Some(key) = first_shown {
                let at = rows.partition_point(|row| row.seq < key);
                let moved_by = at.saturating_sub(s.window.hidden_before());
                s.window.shift(moved_by);
            }
            s.window.grow(rows.len());
            s.window.earlier();
        });
        self.sync_in_place();
    }

    fn fetch_earlier(&self) {
        let before = self
            .state
            .try_update_value(|s| {
                if !s.has_earlier || s.loading_earlier {
                    return None;
                }
                s.loading_earlier = true;
                s.events.first().map(|e| e.seq)
            })
            .flatten();
        if let Some(before) = before {
            browser::fetch_earlier(*self, before);
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn fetch_failed(&self) {
        self.state.update_value(|s| s.loading_earlier = false);
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn schedule_frame(&self) {
        let first = self
            .state
            .try_update_value(|s| !std::mem::replace(&mut s.frame_pending, true))
            .unwrap_or(false);
        if first {
            browser::on_next_frame(*self);
        }
    }

    /// Once per animation frame while events arrive.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn frame(&self) {
        self.state.update_value(|s| s.frame_pending = false);
        self.sync();
        if self.follows() {
            browser::scroll_to_end();
        }
    }

    /// [`sync`](Self::sync) for a window that slid: the row at its top stays where it is on
    /// the screen, so the user reads on where they were (the browser's own scroll anchoring
    /// does not act at the very top of a page, where older rows are put).
    fn sync_in_place(&self) {
        let first = self
            .state
            .with_value(|s| s.shown.first().map(|shown| shown.key));
        let restore = first.map(browser::keep_in_place);
        self.sync();
        if let Some(restore) = restore {
            restore();
        }
    }

    /// Brings the signals up to the state: the window's rows (a row's signal is set only when
    /// its revision moved), the queue, the status and the window's edges.
    fn sync(&self) {
        let mut sets: Vec<(ArcRwSignal<Row>, Row)> = Vec::new();
        let synced = self.state.try_update_value(|s| {
            let len = s.transcript.rows().len();
            s.window.grow(len);
            let range = s.window.range();
            let rows = s.transcript.rows();
            let by_content = std::mem::take(&mut s.refolded);
            let relisted = if range == s.shown_range && !by_content {
                for (shown, row) in s.shown.iter_mut().zip(&rows[range.clone()]) {
                    if shown.revision != row.revision {
                        shown.revision = row.revision;
                        sets.push((shown.row.clone(), row.clone()));
                    }
                }
                None
            } else {
                let mut old: HashMap<i64, Shown> =
                    s.shown.drain(..).map(|shown| (shown.key, shown)).collect();
                s.shown = rows[range.clone()]
                    .iter()
                    .map(|row| match old.remove(&row.seq) {
                        Some(mut shown) => {
                            let moved = shown.revision != row.revision;
                            if moved || (by_content && shown.row.with_untracked(|r| r != row)) {
                                shown.revision = row.revision;
                                sets.push((shown.row.clone(), row.clone()));
                            }
                            shown
                        }
                        None => Shown {
                            key: row.seq,
                            revision: row.revision,
                            row: ArcRwSignal::new(row.clone()),
                        },
                    })
                    .collect();
                s.shown_range = range;
                Some(
                    s.shown
                        .iter()
                        .map(|shown| ShownRow {
                            key: shown.key,
                            row: shown.row.clone(),
                        })
                        .collect::<Vec<_>>(),
                )
            };
            let earlier = s.window.hidden_before() > 0 || s.has_earlier;
            let newer = s.window.hidden_after(len);
            let queued: Vec<String> = s.transcript.queued().iter().cloned().collect();
            (relisted, s.transcript.status(), queued, earlier, newer)
        });
        // Signals are set outside the state's lock: their effects may read it.
        let Some((relisted, status, queued, earlier, newer)) = synced else {
            return;
        };
        for (signal, row) in sets {
            signal.set(row);
        }
        if let Some(rows) = relisted {
            self.rows.set(rows);
        }
        set_if_changed(self.status, status);
        set_if_changed(self.queued, queued);
        set_if_changed(self.earlier, earlier);
        set_if_changed(self.newer, newer);
    }
}

fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|current| *current != value) {
        signal.set(value);
    }
}

/// The browser's half: frames, scrolling and fetching (on the server, no-ops).
#[path = "view_browser.rs"]
mod browser;
