//! Which rows of a long transcript are in the DOM: a window of at most [`MAX_ROWS`] rows
//! that follows the newest while the user is at the bottom, and slides by a page when they
//! scroll to either of its ends. Pure, so its rules are unit-tested.

use std::ops::Range;

/// Rows shown on first paint: the latest part of the session.
pub const TAIL_ROWS: usize = 100;
/// Rows added (and, past [`MAX_ROWS`], taken away at the other end) per slide.
pub const PAGE_ROWS: usize = 80;
/// Rows in the DOM at most, whatever the length of the session.
pub const MAX_ROWS: usize = 240;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    start: usize,
    end: usize,
    /// The newest row is shown and the view keeps showing the newest as rows arrive.
    follow: bool,
}

impl Window {
    /// The latest rows of a transcript of `len` rows, following.
    pub fn tail(len: usize) -> Window {
        Window {
            start: len.saturating_sub(TAIL_ROWS),
            end: len,
            follow: true,
        }
    }

    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    pub fn follows(&self) -> bool {
        self.follow
    }

    /// Rows before the window (in the state, not in the DOM).
    pub fn hidden_before(&self) -> usize {
        self.start
    }

    /// Newer rows than the window shows.
    pub fn hidden_after(&self, len: usize) -> usize {
        len.saturating_sub(self.end)
    }

    /// The transcript now has `len` rows: a following window takes the new ones in (and lets
    /// the oldest go past [`MAX_ROWS`]); one the user scrolled away from keeps its first row
    /// and takes new ones in only up to [`MAX_ROWS`] (what is below the user does not move
    /// them; a short session stays whole).
    pub fn grow(&mut self, len: usize) {
        if self.follow {
            self.end = len;
            self.start = self.start.max(len.saturating_sub(MAX_ROWS));
        } else {
            self.end = self.end.max(self.start + MAX_ROWS);
        }
        self.end = self.end.min(len);
        self.start = self.start.min(self.end);
    }

    /// `count` older rows were put before the ones shown (an earlier page was loaded): the
    /// same rows stay in the window.
    pub fn shift(&mut self, count: usize) {
        self.start += count;
        self.end += count;
    }

    /// Shows a page of older rows; returns whether there was any. Past [`MAX_ROWS`] the
    /// newest shown go, and the window stops following.
    pub fn earlier(&mut self) -> bool {
        if self.start == 0 {
            return false;
        }
        self.start = self.start.saturating_sub(PAGE_ROWS);
        if self.end - self.start > MAX_ROWS {
            self.end = self.start + MAX_ROWS;
            self.follow = false;
        }
        true
    }

    /// Shows a page of newer rows; returns whether there was any. Reaching the newest, it
    /// follows again.
    pub fn later(&mut self, len: usize) -> bool {
        if self.end >= len {
            self.follow = true;
            return false;
        }
        self.end = (self.end + PAGE_ROWS).min(len);
        self.start = self.start.max(self.end.saturating_sub(MAX_ROWS));
        self.follow = self.end == len;
        true
    }

    /// The page scrolled: at the bottom it follows (if the newest is shown); scrolled up by
    /// the user it stops. Anything else (the page grew under a scroll to its end, say) leaves
    /// following as it was.
    pub fn scrolled(&mut self, at_bottom: bool, scrolled_up: bool, len: usize) {
        if at_bottom {
            self.follow = self.end >= len;
        } else if scrolled_up {
            self.follow = false;
        }
    }

    /// Back to the newest rows, following.
    pub fn latest(&mut self, len: usize) {
        *self = Window::tail(len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_following_window_takes_new_rows_and_never_exceeds_its_cap() {
        let mut window = Window::tail(30);
        assert_eq!(window.range(), 0..30);
        window.grow(10_000);
        assert_eq!(window.range(), 10_000 - MAX_ROWS..10_000);
        assert!(window.follows());
        assert_eq!(Window::tail(10_000).range(), 10_000 - TAIL_ROWS..10_000);
    }

    #[test]
    fn scrolled_up_it_stays_put_while_rows_arrive() {
        let mut window = Window::tail(500);
        window.scrolled(false, false, 500);
        assert!(
            window.follows(),
            "the page grew under its scroll to the end"
        );
        window.scrolled(false, true, 500);
        window.grow(900);
        // Filled up to its cap, from where it was: the rows the user reads stay put.
        assert_eq!(window.range(), 400..400 + MAX_ROWS);
        assert_eq!(window.hidden_after(900), 900 - 400 - MAX_ROWS);
        // Back at the bottom of the window: a page of newer rows, not a jump.
        assert!(window.later(900));
        assert_eq!(window.range(), 400 + PAGE_ROWS..400 + MAX_ROWS + PAGE_ROWS);
        assert!(!window.follows());
        window.latest(900);
        assert_eq!(window.range(), 800..900);
        assert!(window.follows());
    }

    #[test]
    fn earlier_pages_slide_the_window_up_to_the_first_row() {
        let mut window = Window::tail(1_000);
        let mut pages = 0;
        while window.earlier() {
            pages += 1;
            assert!(window.range().len() <= MAX_ROWS);
        }
        assert_eq!(window.range(), 0..MAX_ROWS);
        assert_eq!(pages, (900usize).div_ceil(PAGE_ROWS));
        assert!(!window.follows(), "the newest rows left the DOM");
        window.grow(1_100);
        assert_eq!(
            window.range(),
            0..MAX_ROWS,
            "it does not jump away from what is read"
        );
        // A short session scrolled up (to click a button in it) still shows what comes.
        let mut short = Window::tail(10);
        short.scrolled(false, true, 10);
        short.grow(14);
        assert_eq!(short.range(), 0..14);
        while window.later(1_100) {}
        assert_eq!(window.range(), 1_100 - MAX_ROWS..1_100);
        assert!(window.follows());
    }

    #[test]
    fn an_earlier_page_loaded_keeps_the_same_rows_in_view() {
        let mut window = Window::tail(300);
        window.shift(120);
        assert_eq!(window.range(), 320..420);
        assert_eq!(window.hidden_before(), 320);
        let mut short = Window::tail(3);
        assert!(!short.earlier());
        short.scrolled(true, false, 3);
        assert!(short.follows());
    }
}
