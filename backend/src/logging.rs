//! Monitoring, as Plaid's guidance asks: one JSON line per API request on stderr, with Plaid's
//! `request_id` on every Plaid error. JSON escapes every value, so text a client sent (a Link
//! session id, a bank's name) cannot forge a line or a field. Nothing logged holds a token.

/// Logs JSON lines to stderr (`RUST_LOG`-style filtering is left to the log pipeline).
pub fn init() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_current_span(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    /// Collects what the subscriber writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_value_a_client_chose_cannot_forge_a_line_or_a_field() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt().json().with_writer(move || writer.clone()).finish();
        tracing::subscriber::with_default(subscriber, || {
            let hostile = "s1\n{\"route\":\"forged\",\"status\":200}\"";
            tracing::info!(route = "POST /api/exchange_public_token", status = 200u16, note = hostile, "api");
        });
        let out = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(out.lines().count(), 1, "{out}");
        let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(line["fields"]["route"], "POST /api/exchange_public_token");
        assert_eq!(line["fields"]["note"], "s1\n{\"route\":\"forged\",\"status\":200}\"");
    }
}
