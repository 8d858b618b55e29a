//! Local-server safety (DESIGN §7): a page on another site must not be able to drive DevLog.
//!
//! - DNS rebinding: requests whose `Host` is not the address DevLog serves are refused, with
//!   or without a token (a rebound name reaches the same socket with the same cookie).
//! - CSRF: state-changing requests whose `Origin` is foreign (or `Sec-Fetch-Site` says
//!   cross-site) are refused, and so is one that is neither `application/json` nor proven
//!   same-origin: a form on any site can post `text/plain` that reads as JSON, and a browser
//!   may omit `Origin`, but no page can send `application/json` elsewhere without a CORS
//!   preflight DevLog never answers. Scripts (curl) send JSON without either header.
//! - A non-loopback bind requires an access token on every request (a bearer header, or a
//!   cookie set by opening `/?token=…` once).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, SameSite};
use std::net::SocketAddr;
use std::sync::Arc;
use subtle::ConstantTimeEq;

const TOKEN_COOKIE: &str = "devlog_token";

#[derive(Clone)]
pub struct Guard {
    inner: Arc<GuardConfig>,
}

struct GuardConfig {
    /// Lower-case `host:port` values this server answers to.
    hosts: Vec<String>,
    /// Bound to every address (`0.0.0.0`, `::`): a request may also name the address of the
    /// socket it came in on, which is what the user typed to reach it.
    any_address: bool,
    token: Option<String>,
}

/// The local address of the connection a request came in on, set by [`crate::serve`].
#[derive(Debug, Clone, Copy)]
pub struct LocalAddr(pub SocketAddr);

/// `host:port` as a `Host` header names it.
fn host_port(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(v4) => format!("{}:{}", v4.ip(), v4.port()),
        SocketAddr::V6(v6) => format!("[{}]:{}", v6.ip(), v6.port()),
    }
}

impl Guard {
    pub fn new(addr: SocketAddr, token: Option<String>) -> Guard {
        let port = addr.port();
        let mut hosts = vec![format!("localhost:{port}"), host_port(addr)];
        let any_address = addr.ip().is_unspecified();
        if any_address || addr.ip().is_loopback() {
            hosts.push(format!("127.0.0.1:{port}"));
            hosts.push(format!("[::1]:{port}"));
        }
        hosts.dedup();
        Guard {
            inner: Arc::new(GuardConfig {
                hosts,
                any_address,
                token,
            }),
        }
    }

    fn host_allowed(&self, host: &str, local: Option<LocalAddr>) -> bool {
        let host = host.to_ascii_lowercase();
        if self.inner.hosts.contains(&host) {
            return true;
        }
        let Some(LocalAddr(local)) = local.filter(|_| self.inner.any_address) else {
            return false;
        };
        // A dual-stack socket sees an IPv4 client as `::ffff:a.b.c.d`, which it typed as
        // `a.b.c.d`.
        let canonical = SocketAddr::new(local.ip().to_canonical(), local.port());
        host == host_port(local) || host == host_port(canonical)
    }

    fn origin_allowed(&self, origin: &str, local: Option<LocalAddr>) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|host| self.host_allowed(host, local))
    }

    fn token_presented(&self, headers: &HeaderMap, expected: &str) -> bool {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let cookie = token_cookie(headers);
        [bearer.map(str::to_string), cookie]
            .into_iter()
            .flatten()
            .any(|given| tokens_match(&given, expected))
    }
}

/// The value of the token cookie among the request's cookies, if it sent one.
fn token_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == TOKEN_COOKIE)
        .map(|c| c.value().to_string())
}

/// Compares in constant time, so the answer's timing does not reveal how much of a guess was
/// right.
fn tokens_match(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

fn refuse(status: StatusCode, message: String) -> Response {
    tracing::warn!(%status, %message, "request refused");
    (status, message).into_response()
}

pub async fn guard(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let local = req.extensions().get::<LocalAddr>().copied();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
        .unwrap_or("");
    if !guard.host_allowed(host, local) {
        return refuse(
            StatusCode::FORBIDDEN,
            format!(
                "DevLog refuses requests for host '{host}' (DNS rebinding protection); \
                 open it at http://{}/",
                guard.inner.hosts.get(1).map_or("127.0.0.1", String::as_str)
            ),
        );
    }
    if let Some(expected) = guard.inner.token.as_deref()
        && !guard.token_presented(headers, expected)
    {
        return token_login(&req, expected);
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let origin = headers
            .get(header::ORIGIN)
            .map(|v| v.to_str().unwrap_or(""));
        if let Some(origin) = origin
            && !guard.origin_allowed(origin, local)
        {
            return refuse(
                StatusCode::FORBIDDEN,
                format!("DevLog refuses state-changing requests from origin '{origin}'"),
            );
        }
        let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        if matches!(fetch_site, Some("cross-site" | "same-site")) {
            return refuse(
                StatusCode::FORBIDDEN,
                "DevLog refuses state-changing requests from other sites".to_string(),
            );
        }
        // Past the checks above a present Origin is DevLog's own.
        let same_origin = origin.is_some() || fetch_site == Some("same-origin");
        if !same_origin && !is_json(headers) {
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "DevLog takes a state-changing request only as application/json or from its \
                 own pages (CSRF protection)"
                    .to_string(),
            );
        }
    }
    next.run(req).await
}

/// Whether the body is declared `application/json` (parameters such as a charset allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// Without a valid token: `GET …?token=<right token>` sets the cookie and redirects to the
/// same path; anything else is 401.
fn token_login(req: &Request, expected: &str) -> Response {
    let given = req.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(name, _)| name == "token")
            .map(|(_, value)| value.into_owned())
    });
    match given {
        Some(token) if *req.method() == Method::GET && tokens_match(&token, expected) => {
            let cookie = Cookie::build((TOKEN_COOKIE, expected))
                .http_only(true)
                .same_site(SameSite::Strict)
                .path("/");
            Response::builder()
                .status(StatusCode::SEE_OTHER)
                .header(header::LOCATION, on_this_site(req.uri().path()))
                .header(header::SET_COOKIE, cookie.to_string())
                .body(Body::empty())
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        _ => refuse(
            StatusCode::UNAUTHORIZED,
            "DevLog needs its access token: open /?token=<token> or send 'Authorization: Bearer <token>'"
                .to_string(),
        ),
    }
}

/// `path` if a browser reads it as a path on this site, else `/`: `//host` and `/\host` are
/// read as another site (a scheme-relative URL).
fn on_this_site(path: &str) -> &str {
    let mut chars = path.chars();
    match (chars.next(), chars.next()) {
        (Some('/'), Some('/' | '\\')) => "/",
        (Some('/'), _) => path,
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_allowed_others_not() {
        let g = Guard::new("127.0.0.1:3000".parse().unwrap(), None);
        for ok in [
            "127.0.0.1:3000",
            "localhost:3000",
            "LOCALHOST:3000",
            "[::1]:3000",
        ] {
            assert!(g.host_allowed(ok, None), "{ok}");
        }
        for bad in [
            "evil.example:3000",
            "127.0.0.1:3001",
            "localhost",
            "",
            "127.0.0.1.nip.io:3000",
        ] {
            assert!(!g.host_allowed(bad, None), "{bad}");
        }
        assert!(g.origin_allowed("http://localhost:3000", None));
        assert!(!g.origin_allowed("http://evil.example", None));
        assert!(!g.origin_allowed("null", None));
        assert!(!g.origin_allowed("https://localhost:3000", None));
    }

    #[test]
    fn a_non_loopback_bind_answers_to_its_address_and_localhost_only() {
        let g = Guard::new("192.168.1.5:3000".parse().unwrap(), Some("t".repeat(16)));
        assert!(g.host_allowed("192.168.1.5:3000", None));
        assert!(g.host_allowed("localhost:3000", None));
        assert!(!g.host_allowed("evil.example:3000", None));
        // Any address: the one the connection came in on, not just any address.
        let any = Guard::new("0.0.0.0:3000".parse().unwrap(), Some("t".repeat(16)));
        let lan = Some(LocalAddr("192.168.1.5:3000".parse().unwrap()));
        assert!(any.host_allowed("192.168.1.5:3000", lan));
        assert!(!any.host_allowed("192.168.1.6:3000", lan));
        assert!(!any.host_allowed("192.168.1.5:3000", None));
        assert!(!any.host_allowed("evil.example:3000", lan));
        let mapped = Some(LocalAddr("[::ffff:10.0.0.2]:3000".parse().unwrap()));
        let dual = Guard::new("[::]:3000".parse().unwrap(), Some("t".repeat(16)));
        assert!(dual.host_allowed("10.0.0.2:3000", mapped));
        // A specific bind does not widen to whatever a connection says.
        assert!(!g.host_allowed("10.0.0.2:3000", mapped));
    }

    #[test]
    fn a_login_redirect_stays_on_this_site() {
        assert_eq!(on_this_site("/p/1/board"), "/p/1/board");
        assert_eq!(on_this_site("/"), "/");
        for off_site in ["//evil.example", "/\\evil.example", "", "evil.example"] {
            assert_eq!(on_this_site(off_site), "/", "{off_site}");
        }
    }

    #[test]
    fn json_is_recognised_with_parameters_and_in_any_case() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, v.parse().unwrap());
            is_json(&h)
        };
        assert!(with("application/json"));
        assert!(with("Application/JSON; charset=utf-8"));
        assert!(!with("text/plain"));
        assert!(!with("application/json-seq"));
        assert!(!with("application/x-www-form-urlencoded"));
        assert!(!is_json(&HeaderMap::new()));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("abc", "abcd"));
        assert!(!tokens_match("", "abc"));
    }

    #[test]
    fn the_token_cookie_is_found_among_others_and_only_by_its_name() {
        let with = |values: &[&str]| {
            let mut h = HeaderMap::new();
            for v in values {
                h.append(header::COOKIE, v.parse().unwrap());
            }
            token_cookie(&h)
        };
        assert_eq!(
            with(&["a=1; devlog_token=t0k; b=2"]).as_deref(),
            Some("t0k")
        );
        assert_eq!(with(&["a=1", "devlog_token=t0k"]).as_deref(), Some("t0k"));
        assert_eq!(with(&["devlog_tokenx=t0k; xdevlog_token=t0k"]), None);
        assert_eq!(with(&[]), None);
    }
}
