//! The board page's hydration data, without the cards' text: the first HTML holds every card it
//! renders, so the serialized resource leaves their [`CardContent`] out and the browser reads it
//! back from those cards (written by `card.rs`) before it hydrates them. On a navigation inside
//! the app there is no such HTML: the server function sends the cards as JSON.

use crate::api::{BoardPageData, CardContent};
use crate::error::AppError;
use leptos::server::codee::{Decoder, Encoder};

type Payload = Result<BoardPageData, AppError>;

/// The encoding of the board page's resource between the server's HTML and hydration.
pub struct BoardPageCodec;

impl Encoder<Payload> for BoardPageCodec {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(payload: &Payload) -> Result<String, Self::Error> {
        match payload {
            Ok(data) => {
                let without_cards = BoardPageData {
                    cards: Vec::new(),
                    ..data.clone()
                };
                serde_json::to_string(&Ok::<_, AppError>(without_cards))
            }
            Err(_) => serde_json::to_string(payload),
        }
    }
}

impl Decoder<Payload> for BoardPageCodec {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(encoded: &str) -> Result<Payload, Self::Error> {
        let mut payload: Payload = crate::pages::from_json(encoded)?;
        if let Ok(data) = &mut payload {
            data.cards = rendered_cards();
        }
        Ok(payload)
    }
}

/// The content of every card in the document, as `card.rs` renders it.
#[cfg(feature = "hydrate")]
fn rendered_cards() -> Vec<CardContent> {
    use leptos::prelude::document;
    use wasm_bindgen::JsCast;
    let Ok(nodes) = document().query_selector_all("article.card[data-task-id]") else {
        return Vec::new();
    };
    (0..nodes.length())
        .filter_map(|i| nodes.item(i)?.dyn_into::<web_sys::Element>().ok())
        .filter_map(|card| read_card(&card))
        .collect()
}

#[cfg(not(feature = "hydrate"))]
fn rendered_cards() -> Vec<CardContent> {
    Vec::new()
}

#[cfg(feature = "hydrate")]
fn read_card(card: &web_sys::Element) -> Option<CardContent> {
    let text = |selector: &str| {
        card.query_selector(selector)
            .ok()
            .flatten()
            .and_then(|el| el.text_content())
    };
    Some(CardContent {
        id: card.get_attribute("data-task-id")?.parse().ok()?,
        title: text(".card-title").unwrap_or_default(),
        description: text(".card-description").unwrap_or_default(),
        priority: model::Priority::parse(&card.get_attribute("data-priority")?)?,
        fail_reason: text(".fail-reason .reason"),
        session: card
            .get_attribute("data-session")
            .and_then(|s| s.parse().ok()),
        usage: text(".card-usage"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Priority, RuntimeSelection, TaskId, TaskSlot, TaskStatus};

    fn page() -> BoardPageData {
        BoardPageData {
            slots: vec![TaskSlot {
                id: TaskId(3),
                status: TaskStatus::Todo,
                sort_order: 0,
            }],
            total: 1,
            cards: vec![CardContent {
                id: TaskId(3),
                title: "A card title that only the HTML should carry".into(),
                description: "and its description".into(),
                priority: Priority::High,
                fail_reason: None,
                session: None,
                usage: Some("$0.05 · 1.0k tokens".into()),
            }],
            titles: Vec::new(),
            runtime: RuntimeSelection::default(),
            activity: Vec::new(),
            dependencies: Vec::new(),
            queue: Vec::new(),
            conflicts: Vec::new(),
        }
    }

    #[test]
    fn the_hydration_data_leaves_the_cards_text_to_the_html() {
        let encoded = BoardPageCodec::encode(&Ok(page())).unwrap();
        assert!(!encoded.contains("only the HTML"), "{encoded}");
        assert!(!encoded.contains("description"), "{encoded}");
        assert!(!encoded.contains("tokens"), "{encoded}");
        // Everything else comes back as it was; the cards are read from the document.
        let decoded = BoardPageCodec::decode(&encoded).unwrap().unwrap();
        assert_eq!(
            decoded,
            BoardPageData {
                cards: Vec::new(),
                ..page()
            }
        );
    }

    #[test]
    fn an_error_goes_through_unchanged() {
        let error: Payload = Err(AppError::NotFound {
            message: "no such project".into(),
        });
        let encoded = BoardPageCodec::encode(&error).unwrap();
        assert_eq!(BoardPageCodec::decode(&encoded).unwrap(), error);
    }
}
