//! A database outage, as a test makes one: a TCP relay between the backends and PostgreSQL that
//! the test stops (every connection cut, new ones refused, as a stopped server does) and restarts
//! on the same port.

use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub struct Relay {
    port: u16,
    target: String,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    /// A relay to the PostgreSQL server of `url`; its own URL is [`Relay::url`].
    pub async fn start(url: &str) -> Self {
        let target = url.split('@').nth(1).unwrap().split('/').next().unwrap().to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let relay = Self { port, target, tasks: Arc::default() };
        relay.serve(listener);
        relay
    }

    /// `url` with this relay in place of the server.
    pub fn url(&self, url: &str) -> String {
        url.replace(&self.target, &format!("127.0.0.1:{}", self.port))
    }

    fn serve(&self, listener: TcpListener) {
        let (target, tasks) = (self.target.clone(), self.tasks.clone());
        let accepting = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                let relayed = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                tasks.lock().unwrap().push(relayed);
            }
        });
        self.tasks.lock().unwrap().push(accepting);
    }

    /// The database goes away: open connections are cut, and new ones refused (once this returns,
    /// every socket is closed).
    pub async fn stop(&self) {
        let tasks: Vec<_> = self.tasks.lock().unwrap().drain(..).collect();
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            let _ = task.await;
        }
    }

    /// The database is back, on the same address.
    pub async fn restart(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.serve(listener);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.tasks.lock().unwrap().drain(..).for_each(|task| task.abort());
    }
}
