//! The report of a day, a week or a month (`model::work_report`) as one self-contained HTML
//! file: its styles inline, its chart inline SVG, no script, no link to the server — it can be
//! mailed, archived or opened offline. Rendered on the server only.

use crate::pages::DailyChart;
use leptos::prelude::*;
use leptos::tachys::view::RenderHtml;
use model::usage::UsageTotal;
use model::work_report::{ReportedTask, WorkReport};
use model::{TaskStatus, time::format_utc};

/// The report's whole HTML document.
pub fn report_html(report: WorkReport) -> String {
    let title = format!(
        "{} · report of {} — DevLog",
        report.project,
        report.period.title(report.usage.range)
    );
    let body = Owner::new().with(|| view! { <ReportBody report/> }.to_html());
    let title = html_escape(&title);
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;color:#1d2330;margin:2rem auto;\
max-width:60rem;padding:0 1rem}h1{font-size:1.4rem}.muted{color:#5b6474}\
.counts{display:flex;gap:1.5rem;flex-wrap:wrap;list-style:none;padding:0}\
.counts li{border:1px solid #d8dde6;border-radius:8px;padding:.5rem .9rem}\
.counts strong{font-size:1.3rem;display:block}\
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.9rem}\
caption{text-align:left;font-weight:600;padding:.3rem 0}\
th,td{padding:.4rem .6rem;border-bottom:1px solid #d8dde6;text-align:left;vertical-align:top}\
thead th{font-size:.8rem;color:#5b6474;background:#eceff4}\
.usage-chart{margin:1rem 0}.usage-chart svg{display:block;width:100%;height:8rem}\
.usage-chart .bar{fill:#2f5bd3}.usage-chart .axis{stroke:#d8dde6}\
.chart-days{display:flex;justify-content:space-between;font-size:.8rem;color:#5b6474}\
.usage-chart details{display:none}figcaption{font-size:.85rem;color:#5b6474}";

#[component]
fn ReportBody(report: WorkReport) -> impl IntoView {
    let range = report.usage.range;
    let counts = [
        (TaskStatus::Review, "in review"),
        (TaskStatus::Done, "done (merged)"),
        (TaskStatus::Fail, "failed"),
    ]
    .map(|(status, what)| {
        view! { <li><strong>{report.count(status)}</strong>{format!("{} {what}", status.icon())}</li> }
    });
    let total = report.usage.total;
    let spent = if total.is_empty() {
        "Nothing recorded.".to_string()
    } else {
        format!("Used: {}.", total.label())
    };
    let agents = report
        .usage
        .by_agent
        .iter()
        .map(|(agent, total)| view! { <tr><td>{agent.clone()}</td><td>{cost(total)}</td></tr> })
        .collect_view();
    let tasks = report.tasks.iter().cloned().map(task_row).collect_view();
    let worked = report.tasks.len();
    view! {
        <h1>{format!("{} · {}", report.project, report.period.title(range))}</h1>
        <p class="muted">{format!("From {} to {} (UTC). Made {}.", range.from, range.to, format_utc(report.generated_at))}</p>
        <p>{format!("{worked} task(s) worked on. ")}{spent}</p>
        <ul class="counts">{counts}</ul>
        <DailyChart days=report.usage.days.clone() by_cost=total.priced/>
        <table>
            <caption>"By agent"</caption>
            <thead><tr><th>"Agent"</th><th>"Cost"</th></tr></thead>
            <tbody>{agents}</tbody>
        </table>
        <table>
            <caption>"Tasks worked on, the costliest first"</caption>
            <thead><tr><th>"Task"</th><th>"Now"</th><th>"Agents"</th><th>"Attempts"</th><th>"Cost"</th></tr></thead>
            <tbody>{tasks}</tbody>
        </table>
    }
}

fn task_row(task: ReportedTask) -> impl IntoView {
    let attempts = if task.failed_attempts > 0 {
        format!("{} ({} failed)", task.attempts, task.failed_attempts)
    } else {
        task.attempts.to_string()
    };
    view! {
        <tr>
            <td>{format!("#{} {}", task.task, task.title)}</td>
            <td>{format!("{} {}", task.status.icon(), task.status.label())}</td>
            <td>{task.agents.join(", ")}</td>
            <td>{attempts}</td>
            <td>{cost(&task.total)}</td>
        </tr>
    }
}

fn cost(total: &UsageTotal) -> String {
    if total.is_empty() {
        "—".into()
    } else {
        total.label()
    }
}
