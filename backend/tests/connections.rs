//! The listener against clients that connect and hold on: TLS handshakes, idle connections, request
//! heads, the cap on connections, and the shutdown.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What a loaded two-core machine may add to a deadline before the server acts on it.
const SLACK: Duration = Duration::from_millis(1_000);

/// Whether the server closed the connection within `bound` (a read ends, or fails).
async fn closed_within<S: AsyncRead + Unpin>(stream: &mut S, bound: Duration) -> bool {
    let mut buffer = [0u8; 256];
    loop {
        match tokio::time::timeout(bound, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

/// Checks that the server closes `stream`, opened at `opened`, at its `deadline`: still open just
/// before it, closed by the deadline plus [`SLACK`].
async fn closed_at_the_deadline<S: AsyncRead + Unpin>(
    stream: &mut S,
    opened: tokio::time::Instant,
    deadline: Duration,
) {
    let early = (opened + deadline).saturating_duration_since(tokio::time::Instant::now());
    // Before the deadline the read must not end (the connection sends nothing, so it cannot return).
    if !early.is_zero() {
        assert!(!closed_within(stream, early).await, "closed before its {deadline:?} deadline");
    }
    let left = (opened + deadline + SLACK).saturating_duration_since(tokio::time::Instant::now());
    assert!(closed_within(stream, left).await, "still open {SLACK:?} after its {deadline:?} deadline");
}

/// A TLS connection to the server, trusting `cert` (and nothing else), its handshake done.
async fn tls(addr: &str, cert: &str) -> tokio_rustls::client::TlsStream<TcpStream> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::CertificateDer::pem_file_iter(cert).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(addr).await.unwrap();
    connector.connect("127.0.0.1".try_into().unwrap(), tcp).await.unwrap()
}

fn addr(s: &Running) -> String {
    s.base.split("://").nth(1).unwrap().to_owned()
}

#[tokio::test]
async fn a_client_that_never_finishes_its_tls_handshake_is_dropped() {
    let dir = std::env::temp_dir().join(format!("plaid-tls-{}", rand_suffix()));
    let (cert, key) = certificate(&dir);
    let db = dir.join("items.db");
    let settings = [
        ("PLAID_LINK_TLS_CERT", cert.as_str()),
        ("PLAID_LINK_TLS_KEY", key.as_str()),
        ("PLAID_LINK_TLS_HANDSHAKE_MS", "200"),
    ];
    let s = start_with(TestDb::Sqlite(db), &settings).await;
    let opened = tokio::time::Instant::now();
    let mut idle = TcpStream::connect(addr(&s)).await.unwrap();
    // It sends nothing; the server closes the connection once the handshake time is up.
    closed_at_the_deadline(&mut idle, opened, Duration::from_millis(200)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn connections_that_send_nothing_or_half_a_request_head_are_closed_at_the_deadline() {
    let s = start_with(TestDb::sqlite(), &[("PLAID_LINK_REQUEST_HEAD_MS", "300")]).await;
    let mut streams = Vec::new();
    for _ in 0..20 {
        let opened = tokio::time::Instant::now();
        streams.push((TcpStream::connect(addr(&s)).await.unwrap(), opened));
        let opened = tokio::time::Instant::now();
        let mut half = TcpStream::connect(addr(&s)).await.unwrap();
        half.write_all(b"GET /api/items HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").await.unwrap();
        streams.push((half, opened));
    }
    for (stream, opened) in &mut streams {
        closed_at_the_deadline(stream, *opened, Duration::from_millis(300)).await;
    }
    let (status, _) = s.post("/plaid/link/token/create", serde_json::json!({})).await;
    assert_eq!(status, 400, "the server still answers");
}

#[tokio::test]
async fn over_tls_a_connection_that_sends_nothing_after_its_handshake_is_closed_at_the_deadline() {
    let dir = std::env::temp_dir().join(format!("plaid-tls-idle-{}", rand_suffix()));
    let (cert, key) = certificate(&dir);
    let settings = [
        ("PLAID_LINK_TLS_CERT", cert.as_str()),
        ("PLAID_LINK_TLS_KEY", key.as_str()),
        ("PLAID_LINK_REQUEST_HEAD_MS", "300"),
    ];
    let s = start_with(TestDb::Sqlite(dir.join("items.db")), &settings).await;
    let mut idle = Vec::new();
    for _ in 0..10 {
        // The head's time runs from the handshake's end, which comes after the connect.
        let opened = tokio::time::Instant::now();
        idle.push((tls(&addr(&s), &cert).await, opened));
    }
    let opened = tokio::time::Instant::now();
    let mut half = tls(&addr(&s), &cert).await;
    half.write_all(b"POST /api/link_token HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.unwrap();
    idle.push((half, opened));
    for (stream, opened) in &mut idle {
        closed_at_the_deadline(stream, *opened, Duration::from_millis(300)).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_connection_beyond_the_cap_is_closed_at_once_and_ordinary_requests_go_on() {
    let s = start_with(
        TestDb::sqlite(),
        &[("PLAID_LINK_MAX_CONNECTIONS", "8"), ("PLAID_LINK_REQUEST_HEAD_MS", "1000")],
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(TcpStream::connect(addr(&s)).await.unwrap());
    }
    let mut over = TcpStream::connect(addr(&s)).await.unwrap();
    assert!(closed_within(&mut over, Duration::from_millis(500)).await, "the ninth connection was kept");
    for stream in &mut held {
        assert!(
            closed_within(stream, Duration::from_millis(1_000) + SLACK).await,
            "kept past the head deadline"
        );
    }
    // The slots are free again once the idle ones are gone.
    let response = s.http.get(format!("{}/api/items", s.base)).send().await.unwrap();
    assert_eq!(response.status(), 200);
}

#[test]
fn sigterm_does_not_wait_for_a_client_holding_half_a_request_head() {
    use std::io::{BufRead, Write};
    let grace = Duration::from_millis(1_000);
    let mut backend =
        Process::start(&[("PLAID_LINK_REQUEST_HEAD_MS", "60000"), ("PLAID_LINK_SHUTDOWN_GRACE_MS", "1000")]);
    let stalled = std::net::TcpStream::connect(&backend.addr).unwrap();
    // A whole request answered on the connection first: the server holds it, kept alive.
    (&stalled).write_all(b"GET /api/items HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut answer = std::io::BufReader::new(&stalled);
    let mut status = String::new();
    answer.read_line(&mut status).unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    (&stalled).write_all(b"GET /api/items HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").unwrap();
    backend.terminate();
    let exited = backend.exited_within(Duration::from_secs(10));
    assert!(
        exited.is_some_and(|took| took < grace + SLACK),
        "still running {:?} after SIGTERM, with a {grace:?} grace: {exited:?}",
        grace + SLACK
    );
}

#[tokio::test]
async fn over_tls_a_request_whose_body_is_arriving_at_sigterm_is_answered_before_the_exit() {
    let dir = std::env::temp_dir().join(format!("plaid-tls-drain-{}", rand_suffix()));
    let (cert, key) = certificate(&dir);
    let mut backend = Process::start(&[
        ("PLAID_LINK_TLS_CERT", cert.as_str()),
        ("PLAID_LINK_TLS_KEY", key.as_str()),
        ("PLAID_LINK_SHUTDOWN_GRACE_MS", "5000"),
    ]);
    let mut stream = tls(&backend.addr, &cert).await;
    // A call that reads its whole body and asks nothing of anyone else (in local mode the backend
    // reaches Plaid's stand-in through its own listener, which takes no new connection once stopping).
    // `Expect: 100-continue`: the server says "100 Continue" once its handler reads the body, so
    // the test knows the request is in flight before it sends the signal.
    let head = format!(
        "POST /plaid/link/session HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 19\r\nExpect: 100-continue\r\n\r\n",
        backend.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.flush().await.unwrap();
    let mut interim = [0u8; 25];
    tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut interim)).await.unwrap().unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(b"{\"link_token\": ").await.unwrap();
    stream.flush().await.unwrap();
    backend.terminate();
    // The shutdown has begun (it says so) before the rest of the body is sent.
    let started = tokio::time::Instant::now();
    while !backend.log.lock().unwrap().iter().any(|line| line.contains("shutting down")) {
        assert!(started.elapsed() < Duration::from_secs(10), "no shutdown in the log");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stream.write_all(b"\"x\"}").await.unwrap();
    stream.flush().await.unwrap();
    let mut answer = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut answer)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "the request in flight was not answered: {answer:?}");
    assert!(answer.contains("First Platypus Bank"), "{answer}");
    assert!(backend.exited_within(Duration::from_secs(10)).is_some(), "still running after SIGTERM");
    let _ = std::fs::remove_dir_all(&dir);
}
