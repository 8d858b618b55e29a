//! `make bench`: DevLog's performance figures, one `name: value unit` line each.
//!
//! - `board_ssr_5k_ms`: median time to render `/p/{id}/board` with 5,000 tasks (none done, so
//!   no column collapsed; each renders its first page of cards), through the real router.
//! - `board_ssr_5k_html_kb`: that page's HTML, uncompressed.
//! - `board_5k_html_compressed_kb`: the same answer asked with Chromium's Accept-Encoding
//!   (`gzip, deflate, br, zstd`: brotli is chosen), bytes on the wire.
//! - `site_wasm_js_gzip_kb`: the wasm + js the board page loads (the main module and the
//!   board route's chunks), gzip -9 (raw sizes beside it).
//! - `rss_idle_mb`: resident memory of the release server after start-up and one board load.

use axum::body::{Body, to_bytes};
use axum::http::{Request, header};
use engine::{Engine, EngineError, store};
use leptos::prelude::LeptosOptions;
use model::{Priority, TaskDraft, TaskStatus};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tower::ServiceExt;

const TASKS: usize = 5_000;
const RUNS: usize = 30;

fn main() {
    let site_root = std::env::args()
        .skip_while(|a| a != "--site-root")
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/site"));
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(board_ssr());
    site_sizes(&site_root);
    rss_idle(&site_root);
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

async fn seeded_engine(data: &Path, repo: &Path) -> (Engine, model::ProjectId) {
    let engine = Engine::open(data).await.expect("engine");
    let project = engine
        .register_project(model::ProjectDraft {
            path: repo.display().to_string(),
            ..Default::default()
        })
        .await
        .expect("project");
    let statuses = [
        TaskStatus::Todo,
        TaskStatus::InQueue,
        TaskStatus::InProgress,
        TaskStatus::Review,
        TaskStatus::Fail,
        TaskStatus::Blocked,
    ];
    let id = project.id;
    engine
        .db()
        .write(move |conn| -> Result<(), EngineError> {
            let tx = conn.transaction()?;
            for i in 0..TASKS {
                let draft = TaskDraft {
                    title: format!("Task number {i}: make the thing better"),
                    description: "A realistic description of a couple of lines, so the card has \
                                  some body text to render."
                        .into(),
                    prompt: "Do it well.".into(),
                    priority: Priority::ALL[i % 4],
                };
                let task = store::tasks::insert(&tx, id, &draft)?;
                let status = statuses[i % statuses.len()];
                let reason = (status == TaskStatus::Fail).then_some("Agent exited with code 1");
                store::tasks::set_status(&tx, id, task.id, status, reason)?;
            }
            Ok(tx.commit()?)
        })
        .await
        .expect("seed");
    (engine, id)
}

async fn board_ssr() {
    let data = tempfile::tempdir().expect("tempdir");
    let repo = tempfile::tempdir().expect("tempdir");
    testkit::init_repo(repo.path(), "main");
    let (engine, project) = seeded_engine(data.path(), repo.path()).await;
    let addr: std::net::SocketAddr = "127.0.0.1:3000".parse().expect("addr");
    let options = LeptosOptions::builder()
        .output_name("devlog")
        .site_addr(addr)
        .build();
    let router = server::build_router(engine, options, server::security::Guard::new(addr, None));
    // Five columns, none collapsed, each with more tasks than a page: a page each but Done.
    let first_cards = 4 * model::board_window::CARDS_PER_PAGE;
    let mut times = Vec::with_capacity(RUNS);
    let mut bytes = 0;
    for run in 0..RUNS + 3 {
        let req = Request::get(format!("/p/{project}/board"))
            .header(header::HOST, "127.0.0.1:3000")
            .body(Body::empty())
            .expect("request");
        let start = Instant::now();
        let res = router.clone().oneshot(req).await.expect("response");
        let body = to_bytes(res.into_body(), usize::MAX).await.expect("body");
        let elapsed = start.elapsed();
        let cards = body.windows(13).filter(|w| w == b"<article id=\"").count();
        assert_eq!(
            cards, first_cards,
            "the first page of every column rendered"
        );
        bytes = body.len();
        if run >= 3 {
            times.push(elapsed.as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    println!("board_ssr_5k_ms: {:.1} ms", times[times.len() / 2]);
    println!("board_ssr_5k_html_kb: {:.0} KB", bytes as f64 / 1024.0);

    let req = Request::get(format!("/p/{project}/board"))
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ACCEPT_ENCODING, "gzip, deflate, br, zstd")
        .body(Body::empty())
        .expect("request");
    let res = router.oneshot(req).await.expect("response");
    assert_eq!(
        res.headers()
            .get(header::CONTENT_ENCODING)
            .map(|v| v.as_bytes()),
        Some(&b"br"[..]),
        "the board is sent compressed"
    );
    let wire = to_bytes(res.into_body(), usize::MAX).await.expect("body");
    println!(
        "board_5k_html_compressed_kb: {:.0} KB",
        wire.len() as f64 / 1024.0
    );
}

fn gzip_len(path: &Path) -> u64 {
    let out = Command::new("gzip")
        .arg("-9")
        .arg("-c")
        .arg(path)
        .output()
        .expect("gzip");
    out.stdout.len() as u64
}

/// The main module's file: `devlog.<ext>` (`cargo xtask build`, cargo-leptos), or
/// `devlog.<hash>.<ext>` when cargo-leptos hashed the names.
fn built_file(pkg: &Path, ext: &str) -> PathBuf {
    let plain = pkg.join(format!("devlog.{ext}"));
    if plain.exists() {
        return plain;
    }
    std::fs::read_dir(pkg)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .find(|path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            name.starts_with("devlog.") && path.extension().is_some_and(|e| e == ext)
        })
        .unwrap_or(plain)
}

/// What the board page loads: the main wasm and js, the split loader, and the chunks the split
/// manifest lists for the board's route (every page's code is a chunk of its own).
fn board_page_files(pkg: &Path) -> Option<(Vec<PathBuf>, Vec<PathBuf>)> {
    let wasm = vec![built_file(pkg, "wasm")];
    let mut js = vec![built_file(pkg, "js")];
    let entries: Vec<PathBuf> = std::fs::read_dir(pkg)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    let named = |prefix: &str, ext: &str| {
        entries.iter().find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(ext))
        })
    };
    let Some(manifest) = named("__wasm_split_manifest", ".json") else {
        return Some((wasm, js)); // not split: one wasm holds every page
    };
    js.extend(named("__wasm_split", ".js").cloned());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(manifest).ok()?).ok()?;
    let chunks = manifest
        .as_object()?
        .iter()
        .find(|(route, _)| route.contains("board_route"))?
        .1
        .as_array()?
        .iter()
        .filter_map(|chunk| chunk.as_str())
        .filter_map(|chunk| named(&format!("{chunk}."), ".wasm").cloned())
        .collect::<Vec<_>>();
    Some((wasm.into_iter().chain(chunks).collect(), js))
}

fn site_sizes(site_root: &Path) {
    let Ok(layout) = server::site::SiteLayout::of(site_root) else {
        eprintln!("no site in {}: run `make build` first", site_root.display());
        return;
    };
    let pkg = site_root.join(layout.pkg_dir);
    if !built_file(&pkg, "wasm").exists() {
        eprintln!("no site in {}: run `make build` first", pkg.display());
        return;
    }
    let Some((wasm, js)) = board_page_files(&pkg) else {
        eprintln!("no board route in the split manifest in {}", pkg.display());
        return;
    };
    let size = |files: &[PathBuf]| -> u64 {
        files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum()
    };
    let gzip = |files: &[PathBuf]| -> u64 { files.iter().map(|f| gzip_len(f)).sum() };
    let kb = |b: u64| b as f64 / 1024.0;
    println!("site_wasm_kb: {:.0} KB", kb(size(&wasm)));
    println!("site_js_kb: {:.0} KB", kb(size(&js)));
    println!(
        "site_wasm_js_gzip_kb: {:.0} KB",
        kb(gzip(&wasm) + gzip(&js))
    );
}

/// The body of a 2xx answer to `GET path`.
fn http_get(addr: &str, path: &str) -> Option<String> {
    let response = ureq::get(format!("http://{addr}{path}")).call().ok()?;
    response.into_body().read_to_string().ok()
}

fn rss_idle(site_root: &Path) {
    let binary = workspace_root().join("target/release/devlog");
    if !binary.exists() {
        eprintln!("no {}: run `make build` first", binary.display());
        return;
    }
    let data = tempfile::tempdir().expect("tempdir");
    let repo = tempfile::tempdir().expect("tempdir");
    testkit::init_repo(repo.path(), "main");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(&binary)
        .args(["--addr", &addr, "--site-root"])
        .arg(site_root)
        .arg("--data-dir")
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start server");
    let deadline = Instant::now() + Duration::from_secs(30);
    while http_get(&addr, "/healthz").is_none() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = http_get(&addr, "/");
    // Let start-up allocations settle before reading the figure.
    std::thread::sleep(Duration::from_secs(1));
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let rss_kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN);
    println!("rss_idle_mb: {:.1} MB", rss_kb / 1024.0);
    let _ = child.kill();
    let _ = child.wait();
}
