//! The `plaid-link-dev` binary as a process of its own, and the TLS certificate it is served with.

use std::sync::Arc;

use super::{rand_suffix, TEST_KEY_BASE64};

/// A server certificate for 127.0.0.1 made for the test (not a CA: TLS clients refuse a CA as a
/// server), as the end-to-end suite makes its own; its chain and key files.
pub fn certificate(dir: &std::path::Path) -> (String, String) {
    std::fs::create_dir_all(dir).unwrap();
    let (cert, key, config) = (dir.join("cert.pem"), dir.join("key.pem"), dir.join("openssl.cnf"));
    std::fs::write(
        &config,
        "[req]\ndistinguished_name = dn\nx509_extensions = server\nprompt = no\n[dn]\nCN = 127.0.0.1\n\
         [server]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
         extendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1\n",
    )
    .unwrap();
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-config"])
        .arg(&config)
        .args([
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    (cert.display().to_string(), key.display().to_string())
}

/// The `plaid-link-dev` binary, run as a process of its own (for what only a process shows: its
/// signals, its exit, its log lines), on a free loopback port; killed when dropped.
pub struct Process {
    pub child: std::process::Child,
    pub addr: String,
    /// Every line it wrote on stderr (its log), as they come.
    pub log: Arc<std::sync::Mutex<Vec<String>>>,
    pub dir: std::path::PathBuf,
}

impl Process {
    /// Started with these settings besides the test's own (local mode, its own database).
    pub fn start(settings: &[(&str, &str)]) -> Self {
        use std::io::BufRead;
        let dir = std::env::temp_dir().join(format!("plaid-process-{}", rand_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_plaid-link-dev"));
        command
            .env_clear()
            .env("PLAID_ENV", "local")
            .env("PLAID_LINK_ADDR", "127.0.0.1:0")
            .env("PLAID_LINK_DB", dir.join("items.db"))
            .env("TOKEN_ENCRYPTION_KEY", TEST_KEY_BASE64)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for (name, value) in settings {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap();
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let addr =
            first.split("://").nth(1).and_then(|rest| rest.split_whitespace().next()).unwrap().to_owned();
        Self { child, addr, log, dir }
    }

    /// A JSON POST with these cookies, as a page sends it (start it with `PLAID_LINK_CSRF=off`).
    pub async fn post(&self, path: &str, cookie: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("http://{}{path}", self.addr))
            .header("content-type", "application/json")
            .header("cookie", cookie)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Through the stand-in's Link, as a user would: a public token for the first bank.
    pub async fn link_through(&self, link_token: &str) -> String {
        link_through(&format!("http://{}/plaid", self.addr), link_token).await
    }

    /// Its log, once it holds a line for each of `requests` API requests (or 5 s have passed).
    pub async fn log_after(&self, requests: usize) -> Vec<String> {
        for _ in 0..500 {
            let log = self.log.lock().unwrap().clone();
            if request_lines(&log) >= requests {
                return log;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        self.log.lock().unwrap().clone()
    }

    /// SIGTERM, as a process manager stops it.
    pub fn terminate(&self) {
        let killed =
            std::process::Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        assert!(killed.unwrap().success());
    }

    /// Waits (bounded) for it to exit; how long that took.
    pub fn exited_within(&mut self, bound: std::time::Duration) -> Option<std::time::Duration> {
        let started = std::time::Instant::now();
        while started.elapsed() < bound {
            if self.child.try_wait().unwrap().is_some() {
                return Some(started.elapsed());
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// How many of `log`'s lines are the one line each API request writes.
pub fn request_lines(log: &[String]) -> usize {
    log.iter().filter(|line| line.contains(r#""message":"api""#)).count()
}

/// Through the Link of the stand-in at `plaid` (a backend's own `/plaid`, or one served apart), as a
/// user would: a public token for the first bank.
pub async fn link_through(plaid: &str, link_token: &str) -> String {
    let step = |path: &str, body: serde_json::Value| {
        reqwest::Client::new().post(format!("{plaid}/link/{path}")).json(&body).send()
    };
    let read = |response: reqwest::Result<reqwest::Response>| async {
        response.unwrap().json::<serde_json::Value>().await.unwrap()
    };
    let login = serde_json::json!({"link_token": link_token, "institution_id": "ins_109508",
                                   "username": "user_good", "password": "pass_good"});
    let signed_in = read(step("credentials", login).await).await;
    let done = serde_json::json!({"link_token": link_token, "institution_id": "ins_109508",
                                  "accounts": signed_in["accounts"]});
    let completed = read(step("complete", done).await).await;
    completed["public_token"].as_str().expect("a public token").to_owned()
}
