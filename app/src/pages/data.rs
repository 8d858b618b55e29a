//! A page's data: a [`Resource`] serialized into the server's HTML and read back by hydration.
//!
//! Every JSON the browser reads — a server function's answer (server_fn decodes it from bytes),
//! a page's hydration data, an event of a stream — is decoded by `serde_json::from_slice`.
//! serde monomorphises each type's `Deserialize` once per kind of input: decoding the
//! hydration data from `&str`, as Leptos's default `JsonSerdeCodec` does, compiled a second
//! copy of every page type's decoder into the wasm (measured: ~140 KB of the 410 KB of
//! deserializers before wasm-opt).

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

/// JSON in the page, decoded from its bytes (see the module's text).
pub struct PageJson;

impl<T: Serialize> Encoder<T> for PageJson {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for PageJson {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(encoded: &str) -> Result<T, Self::Error> {
        from_json(encoded)
    }
}

/// `encoded` read as `T`, by the one decoder the wasm holds for `T`.
pub fn from_json<T: DeserializeOwned>(encoded: &str) -> Result<T, serde_json::Error> {
    serde_json::from_slice(encoded.as_bytes())
}

/// A page's data, loaded on the server and hydrated in the browser: `Resource::new` with
/// [`PageJson`] for its encoding.
///
/// `fetcher` makes one server call. The server may render a page more than once for one
/// request and still writes the resources of a discarded render into the page; a second call
/// after an `.await` in such a render runs where the request's context is gone, answers "the
/// engine is not available", and the browser may hydrate that slot (server test
/// `pages::no_page_hydrates_an_error_of_a_discarded_render`).
pub fn page_data<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, PageJson>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Priority, TaskDraft};

    #[test]
    fn page_json_reads_back_what_it_wrote() {
        let draft = TaskDraft {
            title: "Ünïcode ✓".into(),
            priority: Priority::High,
            ..TaskDraft::default()
        };
        let encoded = <PageJson as Encoder<TaskDraft>>::encode(&draft).unwrap();
        assert_eq!(
            <PageJson as Decoder<TaskDraft>>::decode(&encoded).unwrap(),
            draft
        );
    }

    #[test]
    fn page_json_refuses_what_is_not_json_of_the_type() {
        assert!(from_json::<TaskDraft>("{\"title\": 3}").is_err());
        assert!(from_json::<TaskDraft>("not json").is_err());
    }
}
