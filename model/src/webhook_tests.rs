use super::*;
use crate::{ProjectId, SessionId, TaskId};

fn failed() -> WebhookEvent {
    WebhookEvent {
        project: ProjectId(2),
        project_name: "repo".into(),
        waiting: Waiting {
            kind: WaitingKind::Failed,
            task: Some(TaskId(4)),
            title: "Fix <login> & co".into(),
            session: None,
            tool: None,
        },
        reason: Some("Invalid API key".into()),
        url: "http://127.0.0.1:3000/p/2/tasks/4".into(),
    }
}

#[test]
fn a_flag_names_the_project_the_shape_and_the_url() {
    assert_eq!(
        WebhookSpec::from_flag("repo=ntfy:https://ntfy.sh/devlog"),
        Ok(WebhookSpec {
            project: "repo".into(),
            url: "https://ntfy.sh/devlog".into(),
            shape: WebhookShape::Ntfy,
        })
    );
    let slack = WebhookSpec::from_flag("*=slack:https://hooks.slack.com/services/T/B/x").unwrap();
    assert_eq!(slack.shape, WebhookShape::Slack);
    let json = WebhookSpec::from_flag(" 7 = http://127.0.0.1:9/hook ").unwrap();
    assert_eq!(
        (json.project.as_str(), json.shape),
        ("7", WebhookShape::Json)
    );
    assert_eq!(json.url, "http://127.0.0.1:9/hook");
}

#[test]
fn a_bad_flag_is_refused_with_what_was_wrong() {
    for bad in [
        "repo",
        "=https://x.test",
        "repo=",
        "repo=ftp://x.test",
        "repo=slack:x.test",
    ] {
        assert!(WebhookSpec::from_flag(bad).is_err(), "{bad}");
    }
    assert_eq!(
        WebhookSpec::from_flag("repo=file:///etc/passwd")
            .unwrap_err()
            .to_string(),
        "a webhook's URL must start with http:// or https://, got \"file:///etc/passwd\""
    );
}

#[test]
fn a_spec_is_for_its_project_by_name_or_id_or_for_all() {
    let by_name = WebhookSpec::from_flag("repo=https://x.test/h").unwrap();
    assert!(by_name.is_for(ProjectId(2), "repo"));
    assert!(!by_name.is_for(ProjectId(2), "other"));
    let by_id = WebhookSpec::from_flag("2=https://x.test/h").unwrap();
    assert!(by_id.is_for(ProjectId(2), "other"));
    assert!(!by_id.is_for(ProjectId(3), "other"));
    let all = WebhookSpec::from_flag("*=https://x.test/h").unwrap();
    assert!(all.is_for(ProjectId(9), "anything"));
}

#[test]
fn the_json_shape_carries_the_event_the_task_and_a_link() {
    let body: serde_json::Value =
        serde_json::from_str(&payload(WebhookShape::Json, &failed()).body).unwrap();
    assert_eq!(body["event"], "task_failed");
    assert_eq!(
        body["project"],
        serde_json::json!({"id": 2, "name": "repo"})
    );
    assert_eq!(
        body["task"],
        serde_json::json!({"id": 4, "title": "Fix <login> & co"})
    );
    assert_eq!(body["reason"], "Invalid API key");
    assert_eq!(
        body["message"],
        "repo: Task #4 Fix <login> & co failed: Invalid API key"
    );
    assert_eq!(body["url"], "http://127.0.0.1:3000/p/2/tasks/4");
}

#[test]
fn the_ntfy_shape_is_text_with_title_click_and_tags() {
    let mut event = failed();
    event.project_name = "répo".into();
    let ntfy = payload(WebhookShape::Ntfy, &event);
    assert_eq!(
        ntfy.body,
        "répo: Task #4 Fix <login> & co failed: Invalid API key"
    );
    assert_eq!(
        ntfy.headers,
        vec![
            ("Title", "DevLog - r?po".to_string()),
            ("Click", "http://127.0.0.1:3000/p/2/tasks/4".to_string()),
            ("Tags", "x".to_string()),
        ]
    );
}

#[test]
fn the_slack_shape_escapes_the_text_and_links_the_page() {
    let mut event = failed();
    event.waiting = Waiting {
        kind: WaitingKind::Permission,
        session: Some(SessionId(9)),
        tool: Some("Bash".into()),
        ..event.waiting
    };
    event.reason = None;
    event.url = "http://127.0.0.1:3000/p/2/sessions/9".into();
    let body: serde_json::Value =
        serde_json::from_str(&payload(WebhookShape::Slack, &event).body).unwrap();
    assert_eq!(
        body["text"],
        "repo: Task #4 Fix &lt;login&gt; &amp; co asks for permission: Bash \
         <http://127.0.0.1:3000/p/2/sessions/9|Open in DevLog>"
    );
    assert_eq!(event.name(), "permission_requested");
}
