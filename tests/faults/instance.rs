//! One `tandem serve` process of a drill: started with the test's database and a relay,
//! waited for through `/readyz`, killed with SIGKILL on purpose or when dropped.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::{TestDb, ADMIN_TOKEN};
use crate::sink::Sink;

pub struct Instance {
    child: Option<Child>,
    pub address: String,
    log: PathBuf,
}

impl Instance {
    /// Starts `tandem serve` on a free port. `name` keeps each instance's data folder and
    /// log apart; `env` adds or overrides variables (e.g. `TANDEM_MAIL_URL`).
    pub fn start(db: &TestDb, name: &str, env: &[(&str, String)]) -> Instance {
        let port = Sink::free_port();
        let data = db.dir.path().join(name);
        let log = db.dir.path().join(format!("{name}.log"));
        let out = File::options()
            .create(true)
            .append(true)
            .open(&log)
            .expect("open the instance log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tandem"));
        cmd.arg("serve")
            .env("DATABASE_URL", &db.url)
            .env("TANDEM_DATA_DIR", &data)
            .env("TANDEM_BIND", format!("127.0.0.1:{port}"))
            .env("TANDEM_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("TANDEM_MAIL_FROM", "Tandem Drill <survey@tandem.test>")
            .env("TANDEM_POOL_SIZE", "4")
            .env("TANDEM_SCHEDULER_INTERVAL", "200ms")
            .env("TANDEM_MAIL_LEASE", "3s")
            .env("TANDEM_MAIL_RETRY_BASE", "1s")
            .env("TANDEM_LOG", "warn")
            .env_remove("TANDEM_TEMPLATES_DIR")
            .env_remove("TANDEM_PUBLIC_URL")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start tandem serve");
        Instance {
            child: Some(child),
            address: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// Waits until `/readyz` answers 200 (migrations applied, database reachable).
    pub async fn ready(&mut self) -> &mut Self {
        let client = reqwest::Client::new();
        let url = format!("{}/readyz", self.address);
        let until = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().unwrap()) {
                panic!(
                    "tandem serve exited ({status}) before it was ready:\n{}",
                    self.log()
                );
            }
            if let Ok(r) = client.get(&url).send().await {
                if r.status() == 200 {
                    return self;
                }
            }
            assert!(
                std::time::Instant::now() < until,
                "tandem serve not ready within 30 s:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// SIGKILL, then reap the process: no shutdown hook runs, nothing is flushed.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}
