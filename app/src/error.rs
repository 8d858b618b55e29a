//! The error every server function returns: typed, serialisable, and mapped to an HTTP status
//! in one place (`AppError::status`), so a page can show it next to the control it is about.
//! The status is set when the error becomes the answer (`FromServerFnError::ser`), so the API
//! answers 404, 409, 422… rather than server_fn's blanket 500.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::{Bytes, Encodes};
use model::text::cut_chars;
use model::{Field, TransitionError, ValidationError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    /// An input broke a rule; `field` says which control to show it next to.
    #[error("{field}: {message}")]
    Invalid { field: Field, message: String },
    /// The request is valid but the current state refuses it (e.g. an illegal move).
    #[error("{message}")]
    Refused { message: String },
    #[error("Not found: {message}")]
    NotFound { message: String },
    /// It exists, but not in the project the request named.
    #[error("Forbidden: {message}")]
    Forbidden { message: String },
    /// The request itself was malformed (wrong JSON shape, missing argument).
    #[error("Bad request: {message}")]
    BadRequest { message: String },
    /// The browser could not reach the server.
    #[error("Could not reach DevLog's server: {message}")]
    Network { message: String },
    #[error("Server error: {message}")]
    Internal { message: String },
}

impl AppError {
    /// The HTTP status the API answers with for this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } => 422,
            AppError::Refused { .. } => 409,
            AppError::NotFound { .. } => 404,
            AppError::Forbidden { .. } => 403,
            AppError::BadRequest { .. } => 400,
            AppError::Network { .. } => 503,
            AppError::Internal { .. } => 500,
        }
    }

    /// The input this error is about, if it is about one.
    pub fn field(&self) -> Option<Field> {
        match self {
            AppError::Invalid { field, .. } => Some(*field),
            _ => None,
        }
    }

    /// The message alone, for showing next to a control that already names the field.
    pub fn message(&self) -> String {
        match self {
            AppError::Invalid { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        AppError::Internal {
            message: message.into(),
        }
    }
}

impl From<ValidationError> for AppError {
    fn from(err: ValidationError) -> Self {
        AppError::Invalid {
            field: err.field,
            message: err.message,
        }
    }
}

impl From<TransitionError> for AppError {
    fn from(err: TransitionError) -> Self {
        AppError::Refused {
            message: err.to_string(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m)
            | ServerFnErrorErr::MissingArg(m)
            | ServerFnErrorErr::Deserialization(m) => AppError::BadRequest {
                message: shorten_quotes(&m),
            },
            ServerFnErrorErr::Request(m) => AppError::Network {
                message: shorten_quotes(&m),
            },
            other => AppError::Internal {
                message: shorten_quotes(&other.to_string()),
            },
        }
    }

    /// The error as the answer's body; on the server, the answer also takes its status.
    fn ser(&self) -> Bytes {
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            let status = http::StatusCode::from_u16(self.status())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            response.set_status(status);
        }
        // An error that cannot be encoded (it cannot happen with these fields) says so.
        <JsonEncoding as Encodes<AppError>>::encode(self).unwrap_or_else(|e| {
            Bytes::from(format!(
                r#"{{"kind":"internal","message":"the error could not be encoded: {e}"}}"#
            ))
        })
    }
}

/// How much of a refused value an error quotes: enough to recognise it. serde quotes the
/// whole value it refused, and echoing a 270,000-character argument back is no help to anyone.
const QUOTED_CHARS: usize = 40;
/// A backstop for a message that carries input some other way than in quotes.
const MESSAGE_CHARS: usize = 600;

/// `message` with every `"…"` or `` `…` `` part cut to [`QUOTED_CHARS`] (what serde's errors
/// quote: `invalid type: string "…", expected i64`, ``unknown field `…` ``), and the whole cut
/// to [`MESSAGE_CHARS`], so what follows a quote (`expected …`, the position) stays readable.
fn shorten_quotes(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = if rest[open..].starts_with('"') {
            '"'
        } else {
            '`'
        };
        out.push_str(&rest[..=open]);
        let inner = &rest[open + 1..];
        match closing_quote(inner, quote) {
            Some(close) => {
                out.push_str(&cut_chars(&inner[..close], QUOTED_CHARS));
                out.push(quote);
                rest = &inner[close + 1..];
            }
            None => {
                out.push_str(&cut_chars(inner, QUOTED_CHARS));
                rest = "";
            }
        }
        if out.len() > MESSAGE_CHARS * 4 {
            // Past the backstop already (a character is at most 4 bytes): the rest is cut.
            rest = "";
            break;
        }
    }
    out.push_str(rest);
    cut_chars(&out, MESSAGE_CHARS)
}

/// Where the quote opened just before `text` closes; serde writes `"` strings with Rust's
/// escapes (`\"`), backtick ones as they are.
fn closing_quote(text: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quote == '"' => escaped = true,
            c if c == quote => return Some(at),
            _ => {}
        }
    }
    None
}

#[cfg(feature = "ssr")]
impl From<engine::EngineError> for AppError {
    fn from(err: engine::EngineError) -> Self {
        use engine::EngineError as E;
        match err {
            E::Validation(v) => v.into(),
            E::Transition(t) => t.into(),
            E::NotFound(what) => AppError::NotFound { message: what },
            E::Refused(message) => AppError::Refused { message },
            E::Forbidden(message) => AppError::Forbidden { message },
            // The repository refused (its state, not a bug of ours), with the folder named.
            E::Git(message) => AppError::Refused { message },
            E::Store(e) => {
                tracing::error!(error = %e, "database error");
                AppError::internal("the database failed; see the server log")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answer takes the error's status where the error is encoded, whatever its size (a
    /// middleware that re-read bodies once left a large one at 500).
    #[cfg(feature = "ssr")]
    #[test]
    fn an_error_sets_its_answers_status_when_it_is_encoded() {
        use leptos::prelude::{Owner, provide_context};
        for (err, status) in [
            (
                AppError::NotFound {
                    message: "x".repeat(3 << 20),
                },
                404,
            ),
            (
                AppError::Refused {
                    message: "busy".into(),
                },
                409,
            ),
            (AppError::internal("boom"), 500),
        ] {
            let owner = Owner::new();
            let response = owner.with(|| {
                let response = leptos_axum::ResponseOptions::default();
                provide_context(response.clone());
                let body = err.ser();
                assert_eq!(AppError::de(body), err);
                response
            });
            let set = response.0.read().unwrap().status;
            assert_eq!(set.map(|s| s.as_u16()), Some(status));
        }
    }

    #[test]
    fn errors_round_trip_as_tagged_json() {
        let err = AppError::Invalid {
            field: Field::Title,
            message: "is required".into(),
        };
        let json = serde_json::to_string(&err).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"invalid","field":"title","message":"is required"}"#
        );
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), err);
        assert_eq!(err.status(), 422);
        assert_eq!(err.field(), Some(Field::Title));
    }

    #[test]
    fn malformed_requests_are_bad_requests() {
        for e in [
            ServerFnErrorErr::Args("x".into()),
            ServerFnErrorErr::MissingArg("x".into()),
            ServerFnErrorErr::Deserialization("x".into()),
        ] {
            assert_eq!(AppError::from_server_fn_error(e).status(), 400);
        }
    }

    #[test]
    fn errors_quote_only_a_prefix_of_the_bad_input() {
        let huge = "7".repeat(270_000);
        let serde_message = serde_json::from_str::<i64>(&format!("\"{huge}\""))
            .unwrap_err()
            .to_string();
        let err = AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(serde_message));
        let message = err.message();
        assert!(message.len() < 200, "{message}");
        assert!(
            message.starts_with("Bad request: invalid type: string \"7777"),
            "{message}"
        );
        assert!(message.contains("…\", expected i64 at line 1"), "{message}");

        let field = format!("unknown field `{huge}`, expected `project`");
        let err = AppError::from_server_fn_error(ServerFnErrorErr::Args(field));
        assert!(err.message().ends_with("…`, expected `project`"), "{err}");
    }

    #[test]
    fn quotes_are_cut_at_their_own_end_escapes_included() {
        assert_eq!(
            shorten_quotes(r#"string "a\"b", expected `x`"#),
            r#"string "a\"b", expected `x`"#
        );
        let long = format!("unterminated \"{}", "é".repeat(100));
        assert_eq!(
            shorten_quotes(&long),
            format!("unterminated \"{}…", "é".repeat(QUOTED_CHARS))
        );
        let unquoted = "x".repeat(5_000);
        assert_eq!(shorten_quotes(&unquoted).chars().count(), MESSAGE_CHARS + 1);
    }
}
