//! What the board page renders of a long board. Every task has a [`TaskSlot`] (where it sits,
//! no text), which is all the page needs to count, filter and order the whole board; a column
//! renders only its first cards ([`column_window`]) and the rest on demand, and a collapsed
//! column renders none until it is opened.

use crate::board::{BoardColumn, needs_me};
use crate::ids::TaskId;
use crate::task::{Task, TaskStatus};
use serde::{Deserialize, Serialize};

/// How many cards a column renders at first, and how many more each "Show more" adds.
pub const CARDS_PER_PAGE: usize = 50;

/// Where a task sits on the board, without its text. Sent as `[id, status, sort_order]`: a
/// board holds thousands of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "(TaskId, TaskStatus, i64)", into = "(TaskId, TaskStatus, i64)")]
pub struct TaskSlot {
    pub id: TaskId,
    pub status: TaskStatus,
    /// Position within its column (lower first).
    pub sort_order: i64,
}

impl From<(TaskId, TaskStatus, i64)> for TaskSlot {
    fn from((id, status, sort_order): (TaskId, TaskStatus, i64)) -> Self {
        TaskSlot {
            id,
            status,
            sort_order,
        }
    }
}

impl From<TaskSlot> for (TaskId, TaskStatus, i64) {
    fn from(slot: TaskSlot) -> Self {
        (slot.id, slot.status, slot.sort_order)
    }
}

impl From<&Task> for TaskSlot {
    fn from(task: &Task) -> Self {
        TaskSlot {
            id: task.id,
            status: task.status,
            sort_order: task.sort_order,
        }
    }
}

impl BoardColumn {
    /// A column whose cards are not rendered until the user opens it.
    pub fn starts_collapsed(self) -> bool {
        self == BoardColumn::Done
    }

    /// The ids of this column in board order (sort order, then id), only the tasks that need
    /// the user when `needs_me_only`.
    pub fn order(self, slots: &[TaskSlot], needs_me_only: bool) -> Vec<TaskId> {
        let mut in_column: Vec<&TaskSlot> = slots
            .iter()
            .filter(|s| BoardColumn::of(s.status) == self)
            .filter(|s| !needs_me_only || needs_me(s.status))
            .collect();
        in_column.sort_by_key(|s| (s.sort_order, s.id));
        in_column.into_iter().map(|s| s.id).collect()
    }
}

/// What a column renders out of its `order`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ColumnWindow {
    /// The cards to render, top to bottom.
    pub rendered: Vec<TaskId>,
    /// Cards within the first `shown` whose text is not loaded yet: to fetch.
    pub missing: Vec<TaskId>,
    /// How many cards of the column are not rendered.
    pub more: usize,
}

/// The first `shown` cards of `order`, cut at the first one whose text is not `known`, so a
/// column never renders a card below a gap.
pub fn column_window(
    order: &[TaskId],
    shown: usize,
    known: impl Fn(TaskId) -> bool,
) -> ColumnWindow {
    let wanted = &order[..shown.min(order.len())];
    let ready = wanted.iter().take_while(|id| known(**id)).count();
    ColumnWindow {
        rendered: wanted[..ready].to_vec(),
        missing: wanted[ready..]
            .iter()
            .copied()
            .filter(|id| !known(*id))
            .collect(),
        more: order.len() - ready,
    }
}

/// The cards the first HTML of a board holds: the first page of every column that is open at
/// first, in column order.
pub fn first_cards(slots: &[TaskSlot]) -> Vec<TaskId> {
    BoardColumn::ALL
        .into_iter()
        .filter(|c| !c.starts_collapsed())
        .flat_map(|c| {
            let mut order = c.order(slots, false);
            order.truncate(CARDS_PER_PAGE);
            order
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(id: i64, status: TaskStatus, sort_order: i64) -> TaskSlot {
        TaskSlot {
            id: TaskId(id),
            status,
            sort_order,
        }
    }

    fn ids(raw: &[i64]) -> Vec<TaskId> {
        raw.iter().copied().map(TaskId).collect()
    }

    #[test]
    fn a_slot_is_sent_as_a_triple() {
        let json = serde_json::to_string(&slot(7, TaskStatus::InQueue, 3)).unwrap();
        assert_eq!(json, r#"[7,"in_queue",3]"#);
        let back: TaskSlot = serde_json::from_str(&json).unwrap();
        assert_eq!(back, slot(7, TaskStatus::InQueue, 3));
    }

    #[test]
    fn order_is_by_sort_order_then_id_and_filters_what_needs_me() {
        let slots = vec![
            slot(1, TaskStatus::Blocked, 2),
            slot(2, TaskStatus::Fail, 1),
            slot(3, TaskStatus::Fail, 1),
            slot(4, TaskStatus::Todo, 0),
        ];
        assert_eq!(BoardColumn::Failed.order(&slots, false), ids(&[2, 3, 1]));
        // Blocked is parked by the user: it does not need them.
        assert_eq!(BoardColumn::Failed.order(&slots, true), ids(&[2, 3]));
        assert_eq!(BoardColumn::Queued.order(&slots, true), ids(&[]));
    }

    #[test]
    fn a_window_is_the_first_cards_whose_text_is_known() {
        let order = ids(&[1, 2, 3, 4, 5]);
        let all = column_window(&order, 3, |_| true);
        assert_eq!(all.rendered, ids(&[1, 2, 3]));
        assert!(all.missing.is_empty());
        assert_eq!(all.more, 2);

        // Card 2 is not loaded: 1 renders, 2 and 4 are fetched, nothing renders below the gap.
        let gap = column_window(&order, 4, |id| id != TaskId(2) && id != TaskId(4));
        assert_eq!(gap.rendered, ids(&[1]));
        assert_eq!(gap.missing, ids(&[2, 4]));
        assert_eq!(gap.more, 4);

        let short = column_window(&order, 50, |_| true);
        assert_eq!(short.rendered, order);
        assert_eq!(short.more, 0);
        assert_eq!(column_window(&[], 50, |_| true), ColumnWindow::default());
    }

    #[test]
    fn the_first_html_holds_a_page_of_each_open_column_and_nothing_done() {
        let mut slots: Vec<TaskSlot> = (0..(CARDS_PER_PAGE as i64 + 10))
            .map(|i| slot(i, TaskStatus::Todo, i))
            .collect();
        slots.push(slot(1000, TaskStatus::Review, 0));
        slots.push(slot(1001, TaskStatus::Done, 0));
        let first = first_cards(&slots);
        assert_eq!(first.len(), CARDS_PER_PAGE + 1);
        assert_eq!(first[0], TaskId(0));
        assert_eq!(first[CARDS_PER_PAGE - 1], TaskId(CARDS_PER_PAGE as i64 - 1));
        assert_eq!(first[CARDS_PER_PAGE], TaskId(1000));
        assert!(!first.contains(&TaskId(1001)));
    }
}
