//! The error every server function returns: typed, serialisable, and mapped to an HTTP status
//! in one place (`AppError::status`), so a page can show it next to the control it is about.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
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
            | ServerFnErrorErr::Deserialization(m) => AppError::BadRequest { message: m },
            ServerFnErrorErr::Request(m) => AppError::Network { message: m },
            other => AppError::Internal {
                message: other.to_string(),
            },
        }
    }
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
            E::Git(message) => AppError::Internal { message },
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
}
