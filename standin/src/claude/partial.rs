//! Claude Code's partial messages (`--include-partial-messages`): a text block streamed as
//! `stream_event` lines around its `assistant` line, in the real CLI's order.

use super::{Session, TurnEnd};
use crate::script::{emit, id};
use serde_json::{Value, json};

impl Session {
    /// A text message as the model writes it: with `--include-partial-messages`, framed by
    /// `stream_event`s and written a word per `text_delta` (a `TYPING` pause between two),
    /// in the real CLI's order — the block's `assistant` line comes before its
    /// `content_block_stop`. An interrupt during a pause ends the turn mid-message.
    pub(super) fn say(&mut self, text: &str) -> Option<TurnEnd> {
        if !self.partial {
            self.text(text);
            return None;
        }
        let message_id = id("msg_");
        self.count_spend();
        self.stream_event(
            &message_id,
            json!({"type": "message_start", "message": {
            "id": message_id, "type": "message", "role": "assistant", "model": self.model,
            "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": self.spend, "output_tokens": 0}}}),
        );
        self.stream_event(
            &message_id,
            json!({"type": "content_block_start", "index": 0,
            "content_block": {"type": "text", "text": ""}}),
        );
        for (i, word) in text.split_inclusive(' ').enumerate() {
            if i > 0 && !self.typing.is_zero() {
                let pause = self.typing;
                if let Some(end) = self.wait(Some(pause)) {
                    return Some(end);
                }
            }
            self.stream_event(
                &message_id,
                json!({"type": "content_block_delta", "index": 0,
                "delta": {"type": "text_delta", "text": word}}),
            );
        }
        self.message(
            "assistant",
            &message_id,
            json!([{"type": "text", "text": text}]),
        );
        self.stream_event(
            &message_id,
            json!({"type": "content_block_stop", "index": 0}),
        );
        self.stream_event(&message_id, json!({"type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": 0}}));
        self.stream_event(&message_id, json!({"type": "message_stop"}));
        None
    }

    fn stream_event(&self, message_id: &str, event: Value) {
        emit(&json!({
            "type": "stream_event", "event": event, "session_id": self.session_id,
            "parent_tool_use_id": null, "uuid": id("uuid-"), "api_message_id": message_id,
        }));
    }
}
