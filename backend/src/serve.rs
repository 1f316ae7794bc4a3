//! Serving, over HTTP or TLS (axum-server), with what a public listener needs against clients that
//! connect and then hold on: a cap on open connections; a deadline for a connection's first
//! request head, which also ends a connection that never sends a byte (HTTP/1 only, so that no
//! protocol sniffing waits without a deadline); a deadline for the TLS handshake; and on SIGTERM a
//! graceful shutdown that finishes the requests in flight, drops idle and stalled connections, and
//! returns within a bound.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum_server::accept::{Accept, DefaultAcceptor};
use axum_server::tls_rustls::RustlsConfig;
use axum_server::Handle;
use hyper_util::rt::TokioTimer;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Deadlines and caps on connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Open connections at most (`PLAID_LINK_MAX_CONNECTIONS`); one more is closed at once. Keep it
    /// below the process's descriptor limit (`ulimit -n`).
    pub max_connections: u32,
    /// How long a client has to send a request's whole head, from the moment it connected (or
    /// finished the last request on a kept-alive connection) (`PLAID_LINK_REQUEST_HEAD_MS`).
    pub request_head_ms: u32,
    /// How long a client has to finish its TLS handshake (`PLAID_LINK_TLS_HANDSHAKE_MS`).
    pub tls_handshake_ms: u32,
    /// How long a shutdown waits for the requests in flight (`PLAID_LINK_SHUTDOWN_GRACE_MS`).
    pub shutdown_grace_ms: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 512,
            request_head_ms: 10_000,
            tls_handshake_ms: 10_000,
            shutdown_grace_ms: 10_000,
        }
    }
}

fn ms(ms: u32) -> Duration {
    Duration::from_millis(ms.into())
}

/// Serves `app` on `listener` until `shutdown` resolves, then shuts down gracefully within the
/// limits' grace.
pub async fn serve(
    listener: std::net::TcpListener,
    app: Router,
    tls: Option<RustlsConfig>,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let handle = Handle::new();
    let stopping = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        let grace_ms = limits.shutdown_grace_ms;
        tracing::info!(grace_ms, "shutting down: no new connections; finishing the requests in flight");
        stopping.graceful_shutdown(Some(ms(grace_ms)));
    });
    let capped =
        Capped { inner: DefaultAcceptor, slots: Arc::new(Semaphore::new(limits.max_connections as usize)) };
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    match tls {
        Some(config) => {
            let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(config)
                .handshake_timeout(ms(limits.tls_handshake_ms))
                .acceptor(capped);
            let mut server = axum_server::from_tcp(listener)?.acceptor(acceptor).handle(handle);
            configure(server.http_builder(), limits);
            server.http1_only().first_request_timeout(ms(limits.request_head_ms)).serve(app).await
        }
        None => {
            let mut server = axum_server::from_tcp(listener)?.acceptor(capped).handle(handle);
            configure(server.http_builder(), limits);
            server.http1_only().first_request_timeout(ms(limits.request_head_ms)).serve(app).await
        }
    }
}

/// Every request head, not only the first, within the deadline.
fn configure(
    builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
    limits: Limits,
) {
    builder.http1().timer(TokioTimer::new()).header_read_timeout(ms(limits.request_head_ms));
}

/// An acceptor that holds one of a bounded number of slots for each connection, for as long as
/// the connection lives; a connection that finds none is closed at once.
#[derive(Clone)]
struct Capped<A> {
    inner: A,
    slots: Arc<Semaphore>,
}

impl<A, I, S> Accept<I, S> for Capped<A>
where
    A: Accept<I, S> + Clone + Send + Sync + 'static,
    A::Future: Send,
    I: Send + 'static,
    S: Send + 'static,
{
    type Stream = A::Stream;
    type Service = Held<A::Service>;
    type Future = std::pin::Pin<Box<dyn Future<Output = io::Result<(Self::Stream, Self::Service)>> + Send>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        let slot = self.slots.clone().try_acquire_owned();
        let inner = self.inner.clone();
        Box::pin(async move {
            let slot = slot.map_err(|_| io::Error::other("too many open connections"))?;
            let (stream, service) = inner.accept(stream, service).await?;
            Ok((stream, Held { service, _slot: Arc::new(slot) }))
        })
    }
}

/// A connection's service, holding the connection's slot: the slot is freed when the connection's
/// last request is done with it.
#[derive(Clone)]
struct Held<S> {
    service: S,
    _slot: Arc<OwnedSemaphorePermit>,
}

impl<S, R> tower::Service<R> for Held<S>
where
    S: tower::Service<R>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.service.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        self.service.call(request)
    }
}
