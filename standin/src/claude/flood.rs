//! `FLOOD n` for the benchmarks: the stand-in must out-run the server it measures, so its
//! flood lines are formatted directly instead of through a `Value` each.

use super::Session;
use crate::script::{self, id};
use serde_json::Value;

impl Session {
    /// `FLOOD n`: the lines `text` would print for each flood line (the same JSON, keys in
    /// the same order), formatted directly — the stand-in must out-run the server it is used
    /// to measure, and building a `Value` per line could not.
    pub(super) fn flood(&self, n: u32) {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        for i in 1..=n {
            // A flood line is plain ASCII without quotes or backslashes: nothing to escape.
            let line = self.assistant_text_line(&script::flood_line(i), &id("msg_"), &id("uuid-"));
            let written = writeln!(out, "{line}").and_then(|()| out.flush());
            if written.is_err() {
                return;
            }
        }
    }

    /// The line `message_value` makes for an assistant text, formatted directly (keys in
    /// serde_json's order). `text` must need no escaping, as flood lines do not.
    fn assistant_text_line(&self, text: &str, message_id: &str, uuid: &str) -> String {
        let model = Value::from(self.model.as_str());
        let session = Value::from(self.session_id.as_str());
        format!(
            r#"{{"message":{{"content":[{{"text":"{text}","type":"text"}}],"id":"{message_id}","model":{model},"role":"assistant","type":"message"}},"parent_tool_use_id":null,"session_id":{session},"type":"assistant","uuid":"{uuid}"}}"#
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    #[test]
    fn a_flood_line_is_the_line_a_text_message_makes() {
        let (_tx, input) = channel();
        let claude = Session {
            session_id: "standin-session-1".into(),
            model: "standin-claude".into(),
            ask: false,
            edits_allowed: false,
            input,
            queued: Vec::new(),
            last_error: false,
            partial: false,
            typing: Duration::ZERO,
            results: 0,
            spend: 0,
            spent: std::cell::Cell::new(0),
            spent_before: 0,
            deaf: false,
        };
        let text = script::flood_line(7);
        let fast: Value =
            serde_json::from_str(&claude.assistant_text_line(&text, "msg_1", "uuid-1")).unwrap();
        let slow = claude.message_value(
            "assistant",
            "msg_1",
            "uuid-1",
            json!([{"type": "text", "text": text}]),
        );
        assert_eq!(fast, slow);
    }
}
