//! Just enough HTTP/1.1 for the agent CLIs: one request per connection, a `Content-Length`
//! body, a response that ends when the connection closes (so a stream needs no chunking).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Request bodies beyond this are refused: the CLIs send a few hundred KB at most.
const MAX_BODY: usize = 32 * 1024 * 1024;
/// A client that sends nothing for this long is dropped (its thread with it).
const READ_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Request {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON; a body that is not is the caller's bug, answered with a 400.
    pub fn json(&self) -> Result<serde_json::Value, Response> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Response::json(
                400,
                serde_json::json!({ "error": e.to_string() }).to_string(),
            )
        })
    }
}

pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl Response {
    pub fn json(status: u16, body: String) -> Response {
        Response {
            status,
            content_type: "application/json",
            body,
        }
    }

    /// Server-sent events, each `(event name, data)`.
    pub fn events(events: Vec<(String, serde_json::Value)>) -> Response {
        let body = events
            .into_iter()
            .map(|(name, data)| format!("event: {name}\ndata: {data}\n\n"))
            .collect();
        Response {
            status: 200,
            content_type: "text/event-stream",
            body,
        }
    }
}

pub fn serve(stream: TcpStream, route: fn(&Request) -> Response) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let Ok(reader) = stream.try_clone() else {
        return;
    };
    let response = match read_request(&mut BufReader::new(reader)) {
        Ok(request) => route(&request),
        Err(reason) => Response::json(400, serde_json::json!({ "error": reason }).to_string()),
    };
    let reason = match response.status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        _ => "Not Found",
    };
    let head = format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: {}\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n",
        response.status, response.content_type
    );
    let mut stream = stream;
    // A client that went away is not an error worth reporting here.
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(response.body.as_bytes()))
        .and_then(|()| stream.flush());
}

fn read_request(reader: &mut impl BufRead) -> Result<Request, String> {
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| e.to_string())?;
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(format!("bad request line {line:?}"));
    };
    let (method, target) = (method.to_string(), target.to_string());
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let mut request = Request {
        method,
        target,
        headers,
        body: Vec::new(),
    };
    if request.header("transfer-encoding").is_some() {
        return Err("chunked request bodies are not supported".to_string());
    }
    let length: usize = request
        .header("content-length")
        .map_or(Ok(0), str::parse)
        .map_err(|_| "bad content-length".to_string())?;
    if length > MAX_BODY {
        return Err("request body too large".to_string());
    }
    request.body = vec![0; length];
    reader
        .read_exact(&mut request.body)
        .map_err(|e| e.to_string())?;
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_request_and_refuses_what_it_cannot_read() {
        let raw =
            b"POST /v1/messages?beta=true HTTP/1.1\r\nX-Api-Key: k\r\nContent-Length: 2\r\n\r\n{}";
        let request = read_request(&mut &raw[..]).unwrap();
        assert_eq!(request.path(), "/v1/messages");
        assert_eq!(request.header("x-api-key"), Some("k"));
        assert!(request.json().is_ok());

        let not_json = Request {
            body: b"{".to_vec(),
            ..request
        };
        assert!(matches!(not_json.json(), Err(Response { status: 400, .. })));
        let chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert!(read_request(&mut &chunked[..]).is_err());
    }
}
