//! A long board over HTTP: the first HTML holds a page of each open column and no done card,
//! its hydration data leaves the cards' text to the HTML, and more cards come on demand.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use engine::{Engine, EngineError, store};
use model::board_window::CARDS_PER_PAGE;
use model::{TaskDraft, TaskId, TaskStatus};
use serde_json::{Value, json};

use crate::common::{self, HOST};
use crate::support::{call, json, seeded, send};

pub const QUEUED: usize = CARDS_PER_PAGE + 30;
const DONE: usize = 3;

/// `QUEUED` tasks to do, then `DONE` done ones; their ids in that order.
pub async fn long_board(engine: &Engine, project: model::ProjectId) -> Vec<TaskId> {
    engine
        .db()
        .write(move |conn| -> Result<Vec<TaskId>, EngineError> {
            let tx = conn.transaction()?;
            let mut ids = Vec::new();
            for i in 0..QUEUED + DONE {
                let draft = TaskDraft {
                    title: format!("Long board task {i}."),
                    description: format!("Description of task {i}."),
                    ..Default::default()
                };
                let task = store::tasks::insert(&tx, project, &draft)?;
                if i >= QUEUED {
                    store::tasks::set_status(&tx, project, task.id, TaskStatus::Done, None)?;
                }
                ids.push(task.id);
            }
            tx.commit()?;
            Ok(ids)
        })
        .await
        .unwrap()
}

pub fn get(path: &str, accept_encoding: Option<&str>) -> Request<Body> {
    let mut req = Request::get(path).header(header::HOST, HOST);
    if let Some(encodings) = accept_encoding {
        req = req.header(header::ACCEPT_ENCODING, encodings);
    }
    req.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn the_first_html_holds_a_page_of_each_open_column_and_no_done_card() {
    let s = seeded().await;
    long_board(&s.engine, s.project.id).await;
    let (status, html) = send(&s.router, get(&format!("/p/{}/board", s.project.id), None)).await;
    assert_eq!(status, StatusCode::OK);
    // The seed task and the first page of the long ones, all in Queued; no done card.
    assert_eq!(html.matches("<article id=\"task-").count(), CARDS_PER_PAGE);
    assert!(html.contains("Long board task 0."));
    assert!(html.contains(&format!("Long board task {}.", CARDS_PER_PAGE - 2)));
    assert!(!html.contains(&format!("Long board task {}.", CARDS_PER_PAGE - 1)));
    assert!(
        !html.contains(&format!("Long board task {QUEUED}.")),
        "a done card"
    );
    let hidden = QUEUED + 1 - CARDS_PER_PAGE;
    assert!(html.contains(&format!("Show {hidden} more")), "{html}");
    assert!(html.contains(&format!("{} active · 0 queued · 0 failed", QUEUED + 1)));

    // The hydration data places every task but does not repeat a card's text.
    // The resource is a JSON string in a script: `__RESOLVED_RESOURCES[0] = "…";`.
    let data = &html[html
        .find("__RESOLVED_RESOURCES[0]")
        .expect("hydration data")..];
    let data = &data[..data.find("</script>").expect("end of the hydration data")];
    let seed_slot = format!(r#"[{},\"todo\","#, s.task.id);
    assert!(data.contains(&seed_slot), "{data}");
    assert!(!data.contains("Long board task"), "{data}");
    assert!(!data.contains("Description of task"), "{data}");
    assert_eq!(html.matches("Description of task 0.").count(), 1);
}

#[tokio::test]
async fn more_cards_come_on_demand_and_only_of_this_project() {
    let s = seeded().await;
    let ids = long_board(&s.engine, s.project.id).await;
    let other_repo = common::git_repo();
    let other = s
        .engine
        .register_project(model::ProjectDraft {
            path: other_repo.path().display().to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    let asked = json!({"project": s.project.id, "tasks": [ids[60], ids[QUEUED], 999_999]});
    let (status, text) = send(&s.router, call("get_board_cards", asked.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let titles: Vec<Value> = json(&text)["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].clone())
        .collect();
    assert_eq!(
        titles,
        vec![
            json!("Long board task 60."),
            json!(format!("Long board task {QUEUED}."))
        ]
    );

    let foreign = json!({"project": other.id, "tasks": [ids[0]]});
    let (status, text) = send(&s.router, call("get_board_cards", foreign.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(json(&text)["cards"], json!([]));

    let too_many = json!({"project": s.project.id, "tasks": vec![ids[0]; 501]});
    let (status, _) = send(&s.router, call("get_board_cards", too_many.to_string())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
