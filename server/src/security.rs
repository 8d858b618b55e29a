//! Local-server safety (DESIGN §7): a page on another site must not be able to drive DevLog.
//!
//! - DNS rebinding: requests whose `Host` is not the address DevLog serves are refused.
//! - CSRF: state-changing requests whose `Origin` is foreign (or `Sec-Fetch-Site` says
//!   cross-site) are refused. Scripts that send neither header (curl) are allowed.
//! - A non-loopback bind requires an access token on every request (a bearer header, or a
//!   cookie set by opening `/?token=…` once).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

const TOKEN_COOKIE: &str = "devlog_token";

#[derive(Clone)]
pub struct Guard {
    inner: Arc<GuardConfig>,
}

struct GuardConfig {
    /// Lower-case `host:port` values this server answers to.
    hosts: Vec<String>,
    token: Option<String>,
}

impl Guard {
    pub fn new(addr: SocketAddr, token: Option<String>) -> Guard {
        let port = addr.port();
        let mut hosts = vec![format!("localhost:{port}")];
        match addr {
            SocketAddr::V4(v4) => hosts.push(format!("{}:{port}", v4.ip())),
            SocketAddr::V6(v6) => hosts.push(format!("[{}]:{port}", v6.ip())),
        }
        if addr.ip().is_unspecified() || addr.ip().is_loopback() {
            hosts.push(format!("127.0.0.1:{port}"));
            hosts.push(format!("[::1]:{port}"));
        }
        hosts.dedup();
        Guard {
            inner: Arc::new(GuardConfig { hosts, token }),
        }
    }

    fn host_allowed(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.inner.hosts.contains(&host)
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|host| self.host_allowed(host))
    }

    fn token_presented(&self, headers: &HeaderMap, expected: &str) -> bool {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().strip_prefix(TOKEN_COOKIE)?.strip_prefix('='))
            .next();
        [bearer, cookie]
            .into_iter()
            .flatten()
            .any(|given| constant_time_eq(given.as_bytes(), expected.as_bytes()))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn refuse(status: StatusCode, message: String) -> Response {
    tracing::warn!(%status, %message, "request refused");
    (status, message).into_response()
}

pub async fn guard(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    if let Some(expected) = guard.inner.token.as_deref() {
        if !guard.token_presented(headers, expected) {
            return token_login(&req, expected);
        }
    } else {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| req.uri().authority().map(|a| a.as_str()))
            .unwrap_or("");
        if !guard.host_allowed(host) {
            return refuse(
                StatusCode::FORBIDDEN,
                format!(
                    "DevLog refuses requests for host '{host}' (DNS rebinding protection); \
                     open it at http://{}/",
                    guard.inner.hosts.get(1).map_or("127.0.0.1", String::as_str)
                ),
            );
        }
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("");
            if !guard.origin_allowed(origin) {
                return refuse(
                    StatusCode::FORBIDDEN,
                    format!("DevLog refuses state-changing requests from origin '{origin}'"),
                );
            }
        }
        let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        if matches!(fetch_site, Some("cross-site" | "same-site")) {
            return refuse(
                StatusCode::FORBIDDEN,
                "DevLog refuses state-changing requests from other sites".to_string(),
            );
        }
    }
    next.run(req).await
}

/// Without a valid token: `GET …?token=<right token>` sets the cookie and redirects to the
/// same path; anything else is 401.
fn token_login(req: &Request, expected: &str) -> Response {
    let given = req.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|pair| pair.strip_prefix("token="))
            .map(str::to_string)
    });
    match given {
        Some(token) if *req.method() == Method::GET && constant_time_eq(token.as_bytes(), expected.as_bytes()) => {
            Response::builder()
                .status(StatusCode::SEE_OTHER)
                .header(header::LOCATION, req.uri().path())
                .header(
                    header::SET_COOKIE,
                    format!("{TOKEN_COOKIE}={expected}; HttpOnly; SameSite=Strict; Path=/"),
                )
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
            assert!(g.host_allowed(ok), "{ok}");
        }
        for bad in [
            "evil.example:3000",
            "127.0.0.1:3001",
            "localhost",
            "",
            "127.0.0.1.nip.io:3000",
        ] {
            assert!(!g.host_allowed(bad), "{bad}");
        }
        assert!(g.origin_allowed("http://localhost:3000"));
        assert!(!g.origin_allowed("http://evil.example"));
        assert!(!g.origin_allowed("null"));
        assert!(!g.origin_allowed("https://localhost:3000"));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
