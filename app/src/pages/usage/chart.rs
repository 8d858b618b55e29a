//! The Usage page's daily chart: one bar per day of the range, as SVG the server renders (no
//! chart library in the wasm). The bars are the cost when any is known, else the tokens; each
//! says its day and figures on hover (`<title>`), and a table of the same figures is one
//! click away for those who do not read charts.

use leptos::prelude::*;
use model::time::Day;
use model::usage::{UsageTotal, compact, dollars};

/// The chart's drawing units: each day's slot, and the bars' full height.
const SLOT: f64 = 10.0;
const HEIGHT: f64 = 100.0;

/// What a bar measures.
fn value(total: &UsageTotal, by_cost: bool) -> f64 {
    if by_cost {
        total.cost_usd
    } else {
        total.tokens.total() as f64
    }
}

fn figure(value: f64, by_cost: bool) -> String {
    if by_cost {
        dollars(value)
    } else {
        format!("{} tokens", compact(value as u64))
    }
}

#[component]
pub fn DailyChart(days: Vec<(Day, UsageTotal)>, by_cost: bool) -> impl IntoView {
    let highest = days
        .iter()
        .map(|(_, t)| value(t, by_cost))
        .fold(0.0_f64, f64::max);
    let width = SLOT * days.len() as f64;
    let what = if by_cost { "Cost" } else { "Tokens" };
    let (first, last) = (
        days.first().map(|(d, _)| d.to_string()).unwrap_or_default(),
        days.last().map(|(d, _)| d.to_string()).unwrap_or_default(),
    );
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, (day, total))| {
            let v = value(total, by_cost);
            let height = if highest > 0.0 {
                v / highest * HEIGHT
            } else {
                0.0
            };
            let tip = if total.is_empty() {
                format!("{day}: nothing")
            } else {
                format!("{day}: {}", total.label())
            };
            view! {
                <rect class="bar" data-day=day.to_string() data-value=format!("{v}")
                    x=format!("{:.1}", i as f64 * SLOT + 1.0) width=format!("{:.1}", SLOT - 2.0)
                    y=format!("{:.2}", HEIGHT - height) height=format!("{height:.2}")>
                    <title>{tip}</title>
                </rect>
            }
        })
        .collect_view();
    let rows = days
        .iter()
        .filter(|(_, total)| !total.is_empty())
        .map(|(day, total)| view! { <tr><th scope="row">{day.to_string()}</th><td>{total.label()}</td></tr> })
        .collect_view();
    view! {
        <figure class="usage-chart" id="usage-chart">
            <figcaption>
                {format!("{what} per day · highest {}", figure(highest, by_cost))}
            </figcaption>
            <svg role="img" viewBox=format!("0 0 {width} {HEIGHT}") preserveAspectRatio="none"
                aria-label=format!("{what} per day from {first} to {last}; the highest day {}", figure(highest, by_cost))>
                <line class="axis" x1="0" y1=HEIGHT x2=width y2=HEIGHT vector-effect="non-scaling-stroke"/>
                {bars}
            </svg>
            <div class="chart-days"><span>{first}</span><span>{last}</span></div>
            <details>
                <summary>"The days as a table"</summary>
                <table class="usage" id="usage-days"><tbody>{rows}</tbody></table>
            </details>
        </figure>
    }
}
