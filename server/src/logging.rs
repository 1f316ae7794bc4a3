//! Monitoring, as Plaid's guidance asks: one JSON line per API request on stderr, with Plaid's
//! `request_id` on every Plaid error. JSON escapes every value, so text a client sent (a Link
//! session id, a bank's name) cannot forge a line or a field; and every such value is clipped
//! ([`clip`]), and every note bounded ([`MAX_NOTE`]), so that it cannot grow a line either. Nothing
//! logged holds a token. Refusals (4xx) have a budget ([`REFUSALS_PER_SECOND`]): past it they are
//! counted, and the count is one line, so that no client grows the log faster than that.

use std::fmt;
use std::sync::Mutex;

/// How many characters of a value a client chose go into a log line.
pub const MAX_VALUE: usize = 64;
/// How many bytes a log line's note holds at most, whatever went into it.
pub const MAX_NOTE: usize = 512;

/// A value a client chose, as a log line shows it: its first [`MAX_VALUE`] characters, and how
/// long it was when it was longer.
pub struct Clipped<'a>(&'a str);

/// See [`Clipped`].
pub fn clip(value: &str) -> Clipped<'_> {
    Clipped(value)
}

impl fmt::Display for Clipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(MAX_VALUE) {
            None => f.write_str(self.0),
            Some((cut, _)) => write!(f, "{}… ({} bytes)", &self.0[..cut], self.0.len()),
        }
    }
}

/// How many refused requests (4xx) an instance logs a second, one line each; the others of that
/// second are counted in one line (`"refusals not logged"`), written with the next line after it.
pub const REFUSALS_PER_SECOND: u32 = 10;

/// The refusals of the current second: how many were logged, how many were not.
struct Refusals {
    second: u64,
    logged: u32,
    unlogged: u64,
}

static REFUSALS: Mutex<Refusals> = Mutex::new(Refusals { second: 0, logged: 0, unlogged: 0 });

/// Whether this request's line is within the budget, and the count of an earlier second's unlogged
/// refusals to report first.
fn budget(refused: bool, now: u64) -> (bool, Option<(u64, u64)>) {
    let Ok(mut refusals) = REFUSALS.lock() else { return (true, None) };
    let mut earlier = None;
    if refusals.second != now {
        if refusals.unlogged > 0 {
            earlier = Some((refusals.second, refusals.unlogged));
        }
        *refusals = Refusals { second: now, logged: 0, unlogged: 0 };
    }
    if !refused {
        return (true, earlier);
    }
    if refusals.logged < REFUSALS_PER_SECOND {
        refusals.logged += 1;
        (true, earlier)
    } else {
        refusals.unlogged += 1;
        (false, earlier)
    }
}

/// One structured line per request: route, status and a note that never holds a token, a secret
/// or a session id. A Plaid error's note carries Plaid's `request_id`, which Plaid's support asks
/// for. Server errors are warnings; refusals beyond [`REFUSALS_PER_SECOND`] are only counted.
pub fn request(route: &str, status: u16, note: &str) {
    let (logged, earlier) = budget((400..500).contains(&status), crate::unix_now());
    if let Some((second, count)) = earlier {
        tracing::warn!(second, count, "refusals not logged");
    }
    if !logged {
        return;
    }
    let note = match note.char_indices().take_while(|(at, _)| *at < MAX_NOTE).last() {
        Some((at, c)) if at + c.len_utf8() < note.len() => &note[..at],
        _ => note,
    };
    if status >= 500 {
        tracing::warn!(route, status, note, "api");
    } else {
        tracing::info!(route, status, note, "api");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_long_value_is_clipped_and_says_how_long_it_was() {
        let long = "x".repeat(300_000);
        let shown = super::clip(&long).to_string();
        assert!(shown.len() < 100, "{}", shown.len());
        assert!(shown.ends_with("… (300000 bytes)"), "{shown}");
        assert_eq!(super::clip("short").to_string(), "short");
        assert_eq!(super::clip(&"é".repeat(70)).to_string().chars().filter(|c| *c == 'é').count(), 64);
    }

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
