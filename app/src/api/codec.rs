//! The input encoding of every server function: JSON, as server_fn's own `Json`, but only a
//! JSON object whose keys are the function's arguments.
//!
//! server_fn's `Json` decodes the generated arguments struct with plain serde, which takes a
//! positional array for a struct and drops keys it does not know, and its macro cannot put
//! `#[serde(deny_unknown_fields)]` on the struct it generates. So this decoder refuses a body
//! that is not an object, and reports every key serde ignored (`serde_ignored` sees them as
//! the struct's own derive skips them): the names come from the arguments struct itself,
//! never from a list kept by hand.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// `#[server(input = StrictJson)]`: a `POST` whose body is the JSON object of the arguments.
pub type StrictJson = Post<StrictJsonEncoding>;

pub struct StrictJsonEncoding;

impl ContentType for StrictJsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for StrictJsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for StrictJsonEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for StrictJsonEncoding {
    type Error = ArgsError;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        decode_args(&bytes)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ArgsError {
    #[error(
        "the body must be a JSON object of the function's named arguments, e.g. \
         {{\"project\": 1}}, not {0}"
    )]
    NotAnObject(&'static str),
    #[error("unknown argument `{0}`")]
    UnknownArgument(String),
    #[error("unknown field `{0}`")]
    UnknownField(String),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
}

/// The arguments in `body`, refusing anything but an object with exactly the keys `T` takes
/// (at any depth: a nested object's unknown key is refused too).
pub fn decode_args<T: DeserializeOwned>(body: &[u8]) -> Result<T, ArgsError> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => {}
        Some(b'[') => return Err(ArgsError::NotAnObject("an array")),
        Some(_) => return Err(ArgsError::NotAnObject("another JSON value")),
        None => return Err(ArgsError::NotAnObject("an empty body")),
    }
    let mut ignored: Option<String> = None;
    let mut top_level = false;
    let mut de = serde_json::Deserializer::from_slice(body);
    let args = serde_ignored::deserialize(&mut de, |path| {
        if ignored.is_none() {
            top_level = matches!(
                path,
                serde_ignored::Path::Map {
                    parent: serde_ignored::Path::Root,
                    ..
                }
            );
            ignored = Some(path.to_string());
        }
    })?;
    de.end()?;
    match ignored {
        Some(name) if top_level => Err(ArgsError::UnknownArgument(name)),
        Some(path) => Err(ArgsError::UnknownField(path)),
        None => Ok(args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Draft {
        title: String,
        #[serde(default)]
        priority: Option<String>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Args {
        project: i64,
        draft: Draft,
    }

    fn decode(body: &str) -> Result<Args, String> {
        decode_args::<Args>(body.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn an_object_of_the_arguments_is_decoded() {
        let args = decode(r#" {"project": 1, "draft": {"title": "x"}} "#).unwrap();
        assert_eq!(args.project, 1);
        assert_eq!(args.draft.title, "x");
    }

    #[test]
    fn positional_arrays_and_other_values_are_refused() {
        for body in [
            r#"[1, {"title": "x"}]"#,
            "  [1]",
            "\"x\"",
            "7",
            "null",
            "",
            "  ",
        ] {
            let message = decode(body).unwrap_err();
            assert!(
                message.contains("must be a JSON object"),
                "{body}: {message}"
            );
        }
    }

    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let err = decode(r#"{"project": 1, "draft": {"title": "x"}, "colour": "red"}"#);
        assert_eq!(err.unwrap_err(), "unknown argument `colour`");
        let err = decode(r#"{"project": 1, "draft": {"title": "x", "colour": 1}}"#);
        assert_eq!(err.unwrap_err(), "unknown field `draft.colour`");
    }

    #[test]
    fn malformed_json_keeps_serde_s_message() {
        let err = decode(r#"{"project": "one", "draft": {"title": "x"}}"#).unwrap_err();
        assert!(err.contains("invalid type: string"), "{err}");
        let err = decode(r#"{"project": 1, "draft": {"title": "x"}} trailing"#).unwrap_err();
        assert!(err.contains("trailing characters"), "{err}");
    }
}
