//! The security fixes of issue 12, each against today's behaviour, through real HTTP on both
//! backends: text that cannot be stored refused at the door, CSV cells a spreadsheet would
//! run neutralised, tokens kept out of logs, files owner-only, security headers, the
//! sign-in limits, the audit trail and answers unlinked from people when a wave closes.

#[path = "../common/mod.rs"]
mod common;
#[path = "../mail/sink.rs"]
mod sink;

mod audit;
mod csv_injection;
mod files_and_logs;
mod headers;
#[path = "../access/helpers.rs"]
#[allow(dead_code)]
mod helpers;
mod input;
mod sign_in;
mod unlinking;

use std::time::{Duration, Instant};

use common::{Backend, TestApp};
use serde_json::{json, Value};
use sink::Sink;
use tandem::mail::MailSettings;

/// Six people per firm, so every group reaches the default minimum of five.
pub fn roster() -> String {
    let mut csv = String::from("email,name,side,level,function,region,roles\n");
    for i in 0..6 {
        csv.push_str(&format!(
            "c{i}@north.test,C {i},customer,staff,engineering,EU,\n"
        ));
        csv.push_str(&format!("s{i}@south.test,S {i},supplier,staff,sales,US,\n"));
    }
    csv
}

/// The items of the default template.
pub const ITEMS: [&str; 8] = [
    "win_win",
    "shares_rewards",
    "trust",
    "dependable_people",
    "holds_up_end",
    "common_objectives",
    "does_homework",
    "decides_and_sticks",
];

/// The JSON submission of every item answered with `value`, and `comments`.
pub fn submission(value: u8, comments: Value) -> Value {
    let answers: serde_json::Map<String, Value> = ITEMS
        .iter()
        .map(|i| (i.to_string(), json!(value)))
        .collect();
    json!({"answers": answers, "comments": comments})
}

/// The application with its mail going to an SMTP sink, a partnership and [`roster`].
pub struct World {
    pub app: TestApp,
    pub sink: Sink,
    pub partnership: i64,
}

impl World {
    pub async fn new(backend: Backend) -> Option<World> {
        let sink = Sink::start();
        let port = sink.port;
        let app = TestApp::spawn_with(backend, move |s| {
            let mut mail = MailSettings::from_values(
                Some(&format!("smtp://127.0.0.1:{port}?tls=none")),
                Some("Tandem <survey@tandem.test>"),
                &s.data_dir,
            )
            .unwrap();
            mail.delivery.idle_poll = Duration::from_millis(50);
            s.mail = mail;
        })
        .await?;
        let partnership = app.create_partnership("North / South").await;
        let r = app
            .post(&format!("/api/partnerships/{partnership}/roster"))
            .header("content-type", "text/csv")
            .body(roster())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        Some(World {
            app,
            sink,
            partnership,
        })
    }

    /// Opens a wave and waits for its twelve invitations.
    pub async fn open_wave(&self) {
        let r = self
            .app
            .post(&format!("/api/partnerships/{}/waves", self.partnership))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        self.mail(12).await;
    }

    pub async fn close_wave(&self) -> reqwest::Response {
        self.app
            .post(&format!(
                "/api/partnerships/{}/waves/close",
                self.partnership
            ))
            .send()
            .await
            .unwrap()
    }

    /// Waits (polling, with a deadline) until the sink holds `n` messages.
    pub async fn mail(&self, n: usize) -> Vec<sink::Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.sink.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "only {} of {n} mails arrived",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The personal link token in the latest mail to `recipient`.
    pub fn token_for(&self, recipient: &str) -> String {
        let all = self.sink.received();
        let m = all
            .iter()
            .rev()
            .find(|m| m.to.iter().any(|t| t.contains(recipient)))
            .unwrap_or_else(|| panic!("no mail to {recipient}"));
        let text = m.part("text/plain").expect("a text part");
        let at = text.find("/s/").expect("a survey link in the mail") + 3;
        text[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }

    /// Submits `body` (JSON) through `/api/responses/{token}`.
    pub async fn submit(&self, token: &str, body: &Value) -> reqwest::Response {
        self.app
            .client
            .post(self.app.url(&format!("/api/responses/{token}")))
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

/// Declares one test per backend with a [`World`].
#[macro_export]
macro_rules! world_test {
    ($name:ident, |$w:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let Some($w) = $crate::World::new($crate::common::Backend::Sqlite).await else {
                    return;
                };
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
            async fn postgres() {
                let Some($w) = $crate::World::new($crate::common::Backend::Postgres).await else {
                    return;
                };
                $body
            }
        }
    };
}
