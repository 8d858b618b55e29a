//! `/p/{project}/usage?from=…&to=…`: what the project's agents used over a range of days —
//! a daily chart, totals by agent and by model, the costliest tasks — and its export.

mod chart;

use crate::api;
use crate::components::Erase;
use crate::pages::{Loading, loaded, page_data};
pub use chart::DailyChart;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query;
use leptos_router::params::Params;
use model::usage::UsageTotal;
use model::usage_report::{ExportFormat, TaskUsage, UsageReport};
use model::work_report::Period;
use model::{Project, ProjectId};

#[derive(Params, Clone, Debug, PartialEq)]
struct UsageQuery {
    from: Option<String>,
    to: Option<String>,
}

#[component]
pub fn UsagePage(project: Project) -> impl IntoView {
    let query = use_query::<UsageQuery>();
    let range = move || {
        query
            .read()
            .as_ref()
            .map(|q| (q.from.clone(), q.to.clone()))
            .unwrap_or_default()
    };
    let id = project.id;
    let data = page_data(range, move |(from, to)| api::get_usage(id, from, to));
    view! {
        <Title text="Usage"/>
        <main class="page usage-page">
            <h1>{format!("{} · Usage", project.name)}</h1>
            <Transition fallback=|| view! { <Loading what="usage"/> }>
                {move || Suspend::new(async move {
                    let report = data.await;
                    // The range shown, or the one asked for when it was refused (to fix it).
                    let (from, to) = match &report {
                        Ok(r) => (Some(r.range.from.to_string()), Some(r.range.to.to_string())),
                        Err(_) => range(),
                    };
                    let report = loaded(report, |report| view! { <ReportView project=id report/> });
                    view! { <RangeForm from to/> {report} }.erased()
                })}
            </Transition>
        </main>
    }
    .erased()
}

/// The range's two dates; a GET form, so the range is in the address (reload, share).
#[component]
fn RangeForm(from: Option<String>, to: Option<String>) -> impl IntoView {
    view! {
        <form class="usage-range" method="get" id="usage-range">
            <label>"From " <input type="date" name="from" id="usage-from" value=from/></label>
            <label>"To " <input type="date" name="to" id="usage-to" value=to/></label>
            <button type="submit" class="primary">"Show"</button>
            <span class="muted">"Days in UTC, both included; a year at most."</span>
        </form>
    }
}

#[component]
fn ReportView(project: ProjectId, report: UsageReport) -> impl IntoView {
    let UsageReport {
        range,
        total,
        days,
        by_agent,
        by_model,
        top_tasks,
    } = report;
    let summary = if total.is_empty() {
        format!("Nothing recorded from {} to {}.", range.from, range.to)
    } else {
        format!("{} from {} to {}.", total.label(), range.from, range.to)
    };
    let export = |format: ExportFormat, label: &'static str| {
        view! {
            <a class="button" id=format!("export-{}", format.as_str()) download
                href=crate::paths::usage_export(project, range, format)>{label}</a>
        }
    };
    view! {
        <p id="usage-total" role="status">{summary}</p>
        <DailyChart days by_cost=total.priced/>
        <div class="actions">
            {export(ExportFormat::Csv, "Export CSV")}
            {export(ExportFormat::Json, "Export JSON")}
            <span class="muted">"Each model's use in each turn of the range."</span>
        </div>
        <div class="actions" id="usage-reports">
            <span>{format!("Report of {}: ", range.to)}</span>
            {Period::ALL.map(|period| view! {
                <a class="button" id=format!("report-{}", period.as_str()) download
                    href=crate::paths::usage_report(project, period, range.to)>
                    {match period { Period::Day => "the day", Period::Week => "its week", Period::Month => "its month" }}
                </a>
            })}
            <span class="muted">"What was done (tasks reviewed, merged, failed), by which agent, at what cost: one HTML file."</span>
        </div>
        <div class="usage-tables">
            <TotalsTable id="usage-by-agent" caption="By agent" rows=by_agent/>
            <TotalsTable id="usage-by-model" caption="By model" rows=by_model/>
        </div>
        <TopTasks project tasks=top_tasks/>
    }
    .erased()
}

/// One line per agent (or model): its cost and its tokens by kind.
#[component]
fn TotalsTable(
    id: &'static str,
    caption: &'static str,
    rows: Vec<(String, UsageTotal)>,
) -> impl IntoView {
    let body = rows
        .into_iter()
        .map(|(name, total)| {
            let label = name.clone();
            view! { <tr data-name=name><th scope="row">{label}</th><UsageCells total/></tr> }
        })
        .collect_view();
    view! {
        <table class="usage" id=id>
            <caption>{caption}</caption>
            <thead><tr><th scope="col">""</th><UsageHeads/></tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
}

#[component]
fn UsageHeads() -> impl IntoView {
    view! {
        <th scope="col">"Cost"</th>
        <th scope="col">"Input"</th>
        <th scope="col">"Output"</th>
        <th scope="col">"Cache read"</th>
        <th scope="col">"Cache write"</th>
    }
}

#[component]
fn UsageCells(total: UsageTotal) -> impl IntoView {
    let t = total.tokens;
    let cost = cost_text(&total);
    let n = model::usage::compact;
    view! {
        <td class="cost">{cost}</td>
        <td>{n(t.input)}</td>
        <td>{n(t.output)}</td>
        <td>{n(t.cache_read)}</td>
        <td>{n(t.cache_write)}</td>
    }
}

/// "$1.20", "$1.20 (estimated)", "no price" — what a cell of a Cost column says.
fn cost_text(total: &UsageTotal) -> String {
    if !total.priced {
        return "no price".into();
    }
    let mut text = model::usage::dollars(total.cost_usd);
    if total.estimated {
        text.push_str(" (estimated)");
    }
    if total.unpriced {
        text.push_str(" + unpriced tokens");
    }
    text
}

#[component]
fn TopTasks(project: ProjectId, tasks: Vec<TaskUsage>) -> impl IntoView {
    let empty = tasks.is_empty();
    let rows = tasks
        .into_iter()
        .map(|TaskUsage { task, title, total }| {
            view! {
                <tr data-task=task.0>
                    <th scope="row"><a href=crate::paths::task(project, task)>{format!("#{task} {title}")}</a></th>
                    <UsageCells total/>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="usage" id="usage-top-tasks">
            <caption>"Costliest tasks"</caption>
            <thead><tr><th scope="col">"Task"</th><UsageHeads/></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {empty.then(|| view! { <p class="muted">"No task of the board used anything in this range."</p> })}
    }
}
