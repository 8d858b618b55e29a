//! A tool call's input as a person judges it (`model::tool_input`): the path and the start of
//! the content a write puts there, an edit's old → new diff, a command's line. Shared by the
//! permission cards and the transcript's tool cards; a tool it does not know shows its JSON.

use crate::components::Erase;
use leptos::prelude::*;
use model::tool_input::{DiffLine, ToolInput, size};

/// `input` is the call's JSON as the transcript keeps it (pretty-printed).
#[component]
pub fn ToolInputView(tool: String, input: String) -> impl IntoView {
    let parsed = crate::pages::from_json::<serde_json::Value>(&input)
        .map(|value| ToolInput::of(&tool, &value))
        .unwrap_or(ToolInput::Other);
    match parsed {
        ToolInput::Write {
            path,
            start,
            bytes,
            lines,
            cut,
        } => {
            let about = format!("{} · {lines} line(s)", size(bytes));
            let rest = cut.then(|| {
                let shown = format!(
                    "Only the start is shown: {} of {}.",
                    size(start.len()),
                    size(bytes)
                );
                view! { <p class="muted tool-cut">{shown}</p> }
            });
            view! {
                <div class="tool-view tool-write">
                    <p class="tool-path"><span class="tool-verb">"Writes "</span><code>{path}</code>" "<span class="muted">{about}</span></p>
                    <pre class="tool-code"><code>{start}</code></pre>
                    {rest}
                </div>
            }
            .erased()
        }
        ToolInput::Edit { path, diffs } => {
            let shown = diffs
                .into_iter()
                .map(|diff| {
                    let lines = diff
                        .into_iter()
                        .map(|line| {
                            let (class, mark, text) = match line {
                                DiffLine::Same(t) => ("diff-same", "  ", t),
                                DiffLine::Removed(t) => ("diff-del", "- ", t),
                                DiffLine::Added(t) => ("diff-add", "+ ", t),
                            };
                            view! { <span class=class>{mark}{text}</span> }
                        })
                        .collect_view();
                    view! { <pre class="tool-diff"><code>{lines}</code></pre> }
                })
                .collect_view();
            view! {
                <div class="tool-view tool-edit">
                    <p class="tool-path"><span class="tool-verb">"Edits "</span><code>{path}</code></p>
                    {shown}
                </div>
            }
            .erased()
        }
        ToolInput::Command {
            command,
            cwd,
            description,
        } => view! {
            <div class="tool-view tool-command">
                {description.map(|d| view! { <p class="muted">{d}</p> })}
                <pre class="tool-command-line"><code>{format!("$ {command}")}</code></pre>
                <p class="muted tool-cwd">{match cwd {
                    Some(cwd) => view! { "in " <code>{cwd}</code> }.erased(),
                    None => view! { "in the session's folder" }.erased(),
                }}</p>
            </div>
        }
        .erased(),
        ToolInput::Other => view! { <pre class="tool-input">{input}</pre> }.erased(),
    }
}
