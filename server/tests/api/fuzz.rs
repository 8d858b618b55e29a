//! Malformed requests to every server function (issue 10, done-when): a few thousand cases,
//! generated from a fixed seed, each answered 4xx, and not one row of the database changed.
//!
//! Every case is invalid by construction, so "no row changed" holds for a correct server
//! whatever the arguments happen to look like (a huge but valid title would rightly create a
//! task). Each carries at least one defect that no server function accepts:
//! - the body is not a JSON object (an array, positional arguments included, or a scalar);
//! - it is not JSON at all: a strict prefix of an object, trailing bytes, invalid UTF-8 at a
//!   structural position;
//! - some key holds a boolean or an out-of-range number: no argument of any function is a
//!   boolean, a float or an `Option` of either, and such a key is refused when it is no
//!   argument of this function;
//! - it has a key that is no argument name of any function;
//! - it is not sent as `application/json` and does not come from DevLog's own page, or it
//!   comes from a foreign one: the guard refuses it whatever the body, even a valid one.
//!
//! Around the defect the values are realistic: the seeded project and task ids, ids that do
//! not exist, negative and extreme ones, huge strings, nested junk.

use axum::body::Body;
use axum::http::{Request, header};
use serde_json::{Map, Value, json};

use crate::common::HOST;
use crate::support::{seeded, send};

const CASES: usize = 3_000;
const SEED: u64 = 0x00de_7109_5eed;

/// Every argument name of every server function: realistic keys. The invalidity of a case
/// never depends on this list being complete (see the module's comment).
#[rustfmt::skip]
const ARGUMENTS: &[&str] = &[
    "project", "task", "session", "draft", "update", "path", "status", "position", "start",
    "runtime", "text", "request_id", "answer", "feedback", "permission", "page", "on", "limit",
    "selection",
];

/// Keys of the nested objects (drafts, runtimes, answers), and one that must never be read.
#[rustfmt::skip]
const NESTED: &[&str] = &[
    "title", "description", "prompt", "priority", "name", "default_branch", "path", "mode",
    "agent", "provider", "model", "reasoning_effort", "base_url", "env_var", "selection",
    "secrets", "api_key", "cli_env", "behavior", "message", "task", "permission", "value",
];

#[rustfmt::skip]
const WORDS: &[&str] = &[
    "", " ", "todo", "done", "in_progress", "review", "high", "asap", "claude_code", "codex",
    "byok", "local_cli", "openai", "allow", "deny", "main", "../../etc/passwd", "/", "\u{0}",
    "é✓ 漢字", "<script>alert(1)</script>", "'; DROP TABLE tasks; --", "%s%n", "\\",
];

/// SplitMix64: small, seeded, the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn percent(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
}

struct Gen {
    rng: Rng,
    /// Ids that exist: the seeded project and task.
    real: [i64; 2],
}

impl Gen {
    fn id(&mut self) -> Value {
        let ids = [
            self.real[0],
            self.real[1],
            0,
            -1,
            424_242,
            i64::MAX,
            i64::MIN,
        ];
        json!(*self.rng.pick(&ids))
    }

    fn string(&mut self) -> Value {
        if self.rng.percent(2) {
            let unit = *self.rng.pick(&["x", "é", "\"", "漢"]);
            return json!(unit.repeat(self.rng.pick(&[70_000, 300_000]).to_owned()));
        }
        json!(*self.rng.pick(WORDS))
    }

    /// Any JSON value: what a realistic, clumsy or hostile client puts in an argument.
    fn value(&mut self, depth: u32) -> Value {
        let kinds = if depth == 0 { 6 } else { 8 };
        match self.rng.below(kinds) {
            0 | 1 => self.id(),
            2 => self.string(),
            3 => json!(1.5),
            4 => json!(self.rng.percent(50)),
            5 => Value::Null,
            6 => Value::Array(
                (0..self.rng.below(4))
                    .map(|_| self.value(depth - 1))
                    .collect(),
            ),
            _ => Value::Object(self.object(NESTED, depth - 1)),
        }
    }

    fn object(&mut self, keys: &[&str], depth: u32) -> Map<String, Value> {
        (0..self.rng.below(5))
            .map(|_| (self.rng.pick(keys).to_string(), self.value(depth)))
            .collect()
    }

    /// An object of argument names, the seeded ids more often than not.
    fn arguments(&mut self) -> Map<String, Value> {
        let mut args = self.object(ARGUMENTS, 2);
        if self.rng.percent(60) {
            args.insert("project".into(), json!(self.real[0]));
        }
        if self.rng.percent(40) {
            args.insert("task".into(), json!(self.real[1]));
        }
        if self.rng.percent(30) {
            let draft = json!({ "title": "Fuzz", "prompt": self.string() });
            args.insert("draft".into(), draft);
        }
        args
    }

    fn case(&mut self) -> Case {
        let json_body = |body: Vec<u8>, what| Case {
            body,
            content_type: Some("application/json"),
            origin: None,
            what,
        };
        match self.rng.below(9) {
            0 => {
                let positional = json!([self.real[0], self.real[1], { "title": "Fuzz" }]);
                let value = match self.rng.below(3) {
                    0 => positional,
                    1 => Value::Array((0..self.rng.below(4)).map(|_| self.value(2)).collect()),
                    _ => loop {
                        let v = self.value(0);
                        if !v.is_object() {
                            break v;
                        }
                    },
                };
                json_body(value.to_string().into_bytes(), "not an object")
            }
            1 => {
                let mut args = self.arguments();
                let key = self.rng.pick(ARGUMENTS).to_string();
                args.insert(key, json!(self.rng.percent(50)));
                json_body(Value::Object(args).to_string().into_bytes(), "a boolean")
            }
            2 => {
                let mut args = self.arguments();
                let key = self.rng.pick(ARGUMENTS).to_string();
                args.insert(key, json!("__NUMBER__"));
                let number = *self
                    .rng
                    .pick(&["1e400", "99999999999999999999999", "-1e999", "0.5"]);
                let text = Value::Object(args)
                    .to_string()
                    .replace("\"__NUMBER__\"", number);
                json_body(text.into_bytes(), "a number no argument takes")
            }
            3 => {
                let mut args = self.arguments();
                let unknown = [
                    "zz_unknown",
                    "Project",
                    "project ",
                    "__proto__",
                    "",
                    "draft.title",
                ];
                let key = self.rng.pick(&unknown).to_string();
                let value = self.value(2);
                args.insert(key, value);
                json_body(
                    Value::Object(args).to_string().into_bytes(),
                    "an unknown key",
                )
            }
            4 => {
                let text = Value::Object(self.arguments()).to_string().into_bytes();
                let cut = self.rng.below(text.len());
                json_body(text[..cut].to_vec(), "truncated")
            }
            5 => {
                let mut text = Value::Object(self.arguments()).to_string().into_bytes();
                let garbage = *self.rng.pick(&["x", "}", "{", ",", "]", "\"", "0", "{}"]);
                text.extend_from_slice(garbage.as_bytes());
                json_body(text, "trailing bytes")
            }
            6 => {
                let mut text = Value::Object(self.arguments()).to_string().into_bytes();
                const BAD: [&[u8]; 3] = [&[0xFF], &[0xC0, 0x80], &[0xED, 0xA0, 0x80]];
                let bad = *self.rng.pick(&BAD);
                text.splice(1..1, bad.iter().copied());
                json_body(text, "invalid UTF-8")
            }
            7 => Case {
                body: Value::Object(self.arguments()).to_string().into_bytes(),
                content_type: *self.rng.pick(&[
                    Some("text/plain"),
                    Some("text/plain;charset=UTF-8"),
                    Some("application/x-www-form-urlencoded"),
                    Some("multipart/form-data; boundary=x"),
                    Some("application/jsonx"),
                    None,
                ]),
                origin: None,
                what: "not JSON, not from DevLog's page",
            },
            _ => Case {
                body: Value::Object(self.arguments()).to_string().into_bytes(),
                content_type: Some("application/json"),
                origin: Some(*self.rng.pick(&[
                    "http://evil.example",
                    "null",
                    "https://127.0.0.1:3000",
                    "http://127.0.0.1:3000.evil.example",
                ])),
                what: "a foreign origin",
            },
        }
    }
}

struct Case {
    body: Vec<u8>,
    content_type: Option<&'static str>,
    origin: Option<&'static str>,
    what: &'static str,
}

impl Case {
    fn request(&self, function: &str) -> Request<Body> {
        let mut req = Request::post(format!("/api/{function}")).header(header::HOST, HOST);
        if let Some(content_type) = self.content_type {
            req = req.header(header::CONTENT_TYPE, content_type);
        }
        if let Some(origin) = self.origin {
            req = req.header(header::ORIGIN, origin);
        }
        req.body(Body::from(self.body.clone())).unwrap()
    }
}

/// Every row of every table (and the schema), in a stable order.
fn snapshot(db: &std::path::Path) -> Vec<(String, Vec<String>)> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.push("sqlite_master".into());
    tables
        .into_iter()
        .map(|table| {
            let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
            let columns = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    let values: Vec<rusqlite::types::Value> =
                        (0..columns).map(|i| r.get(i)).collect::<Result<_, _>>()?;
                    Ok(format!("{values:?}"))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            rows.sort_unstable();
            (table, rows)
        })
        .collect()
}

#[tokio::test]
async fn malformed_requests_to_every_server_function_are_4xx_and_change_no_row() {
    let s = seeded().await;
    let db = s.data.path().join("devlog.sqlite3");
    let mut functions: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
        .filter_map(|(path, _)| path.strip_prefix("/api/"))
        .collect();
    functions.sort_unstable();
    assert!(functions.len() > 30, "the registry lists {functions:?}");
    let before = snapshot(&db);
    assert!(
        before
            .iter()
            .any(|(table, rows)| table == "tasks" && rows.len() == 1)
    );

    let mut generator = Gen {
        rng: Rng(SEED),
        real: [s.project.id.0, s.task.id.0],
    };
    let mut failures = Vec::new();
    for n in 0..CASES {
        // Round robin: every function gets its share of every defect.
        let function = functions[n % functions.len()];
        let case = generator.case();
        let (status, text) = send(&s.router, case.request(function)).await;
        if !status.is_client_error() {
            let body = String::from_utf8_lossy(&case.body);
            failures.push(format!(
                "case {n}, {function}, {}: {status} {}\n  body: {}",
                case.what,
                model::text::cut_chars(&text, 200),
                model::text::cut_chars(&body, 200),
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {CASES} cases were not refused with a 4xx:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
    assert_eq!(snapshot(&db), before, "a refused request changed a row");
}
