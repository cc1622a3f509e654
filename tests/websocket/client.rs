//! The clients: tokio-tungstenite for WebSocket handshakes, and a few
//! lines of HTTP/1.1 over a TCP stream for plain requests.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::common::call::Answer;

/// Long enough for a loaded CI machine; a hang fails instead of blocking.
const PATIENCE: Duration = Duration::from_secs(20);

/// Opens a WebSocket to `url` with `headers` added to (or replacing those
/// of) tungstenite's handshake request. `Ok` with the first text message
/// when the server switched protocols (101); `Err` with the server's
/// answer when it refused the handshake.
pub async fn upgrade(url: &str, headers: &[(&str, &str)]) -> Result<String, Answer> {
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            http::HeaderValue::from_str(value).unwrap(),
        );
    }
    let connected = timeout(PATIENCE, tokio_tungstenite::connect_async(request))
        .await
        .unwrap_or_else(|_| panic!("handshake with {url} timed out"));
    match connected {
        Ok((mut socket, response)) => {
            assert_eq!(response.status(), 101, "{url}");
            let message = timeout(PATIENCE, socket.next())
                .await
                .unwrap_or_else(|_| panic!("no message from {url}"))
                .expect("the socket closed before its first message")
                .unwrap();
            let _ = socket.close(None).await;
            match message {
                Message::Text(text) => Ok(text.as_str().to_owned()),
                other => panic!("{url}: expected a text message, got {other:?}"),
            }
        }
        Err(tungstenite::Error::Http(response)) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            // tungstenite keeps what followed the head in the same reads:
            // the whole body here, as both servers write a short refusal
            // in one go. A cut body would fail the JSON checks below.
            let body = response.body().clone().unwrap_or_default();
            let length: Option<usize> = headers
                .get("content-length")
                .map(|value| value.to_str().unwrap().parse().unwrap());
            assert_eq!(length, Some(body.len()), "{url}: body as received");
            Err(Answer {
                status,
                headers,
                body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            })
        }
        Err(other) => panic!("{url}: the handshake failed without an answer: {other}"),
    }
}

/// `method path` over HTTP/1.1 with `headers`, without any WebSocket
/// handshake: the server's status, headers and JSON body (or the body as a
/// JSON string when it is not JSON).
pub async fn plain(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        read_response(&mut stream).await
    };
    timeout(PATIENCE, exchange)
        .await
        .unwrap_or_else(|_| panic!("{method} {path} on {addr} timed out"))
}

/// One response with a `content-length` body, read without waiting for
/// the connection to close (it may be kept alive).
async fn read_response(stream: &mut tokio::net::TcpStream) -> Answer {
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let read = stream.read(&mut chunk).await.unwrap();
        assert!(read > 0, "connection closed inside the response head");
        received.extend_from_slice(&chunk[..read]);
    };
    let head = std::str::from_utf8(&received[..head_end])
        .unwrap()
        .to_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut headers = http::HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        headers.append(
            http::HeaderName::from_bytes(name.trim().as_bytes()).unwrap(),
            http::HeaderValue::from_str(value.trim()).unwrap(),
        );
    }
    let length: usize = headers
        .get("content-length")
        .unwrap_or_else(|| panic!("no content-length in {head:?}"))
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body_start = head_end + 4;
    while received.len() < body_start + length {
        let read = stream.read(&mut chunk).await.unwrap();
        assert!(read > 0, "connection closed inside the body");
        received.extend_from_slice(&chunk[..read]);
    }
    let body = &received[body_start..body_start + length];
    Answer {
        status,
        headers,
        body: serde_json::from_slice(body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned())),
    }
}
