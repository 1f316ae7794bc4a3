//! The reference backend's log lines: JSON on stderr (what `plaid-link-server` logs, one line per
//! API request, is described in its `logging` module).

/// Logs JSON lines to stderr (`RUST_LOG`-style filtering is left to the log pipeline). The
/// database driver says only what went wrong: its notices ("relation … already exists") are noise.
pub fn init() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let lines = tracing_subscriber::fmt::layer()
        .json()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_current_span(false);
    let levels = tracing_subscriber::filter::Targets::new()
        .with_default(tracing::Level::INFO)
        .with_target("sqlx", tracing::Level::WARN);
    let _ = tracing_subscriber::registry().with(lines).with(levels).try_init();
}
