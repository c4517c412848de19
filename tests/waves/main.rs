//! Survey waves end to end: invitations over real SMTP (a server on loopback), the link, the
//! form, the JSON twin, reminders, closing, opting out and the scheduler — on both backends.

#[path = "../common/mod.rs"]
mod common;
#[path = "../mail/sink.rs"]
mod sink;

mod api;
mod backup;
mod bounces;
mod comments;
mod form;
mod languages;
mod lifecycle;
mod optional_dimensions;
mod scales;
mod series;

use std::time::{Duration, Instant};

use common::{Backend, TestApp};
use sink::Sink;
use tandem::mail::MailSettings;

pub const ROSTER: &str = "email,name,side,level,function,region,roles\n\
ann@acme.com,Ann Lee,customer,executive,procurement,EU,point person\n\
bob@acme.com,Bob Roe,customer,staff,engineering,EU,\n\
cy@bolt.com,Cy Poe,supplier,manager,sales,US,point person\n\
di@bolt.com,Di Fox,supplier,staff,operations,US,\n";

/// The application with its mail going to a fresh SMTP sink, a partnership and its roster.
pub struct World {
    pub app: TestApp,
    pub sink: Sink,
    pub partnership: i64,
}

impl World {
    pub async fn new(backend: Backend) -> Option<World> {
        World::build(backend, None, ROSTER, |_| {}).await
    }

    /// [`World::new`] with the mail settings adjusted (e.g. a bounce address).
    pub async fn new_with(
        backend: Backend,
        adjust: impl FnOnce(&mut MailSettings) + Send + 'static,
    ) -> Option<World> {
        World::build(backend, None, ROSTER, adjust).await
    }

    /// A world whose partnership is created from `definition` (the default one when `None`)
    /// and given `roster`.
    pub async fn with(
        backend: Backend,
        definition: Option<serde_json::Value>,
        roster: &str,
    ) -> Option<World> {
        World::build(backend, definition, roster, |_| {}).await
    }

    async fn build(
        backend: Backend,
        definition: Option<serde_json::Value>,
        roster: &str,
        adjust: impl FnOnce(&mut MailSettings) + Send + 'static,
    ) -> Option<World> {
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
            adjust(&mut mail);
            s.mail = mail;
        })
        .await?;
        let partnership = match definition {
            None => app.create_partnership("Acme / Bolt").await,
            Some(definition) => {
                let r = app
                    .post("/api/partnerships")
                    .json(&definition)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
                r.json::<serde_json::Value>().await.unwrap()["id"]
                    .as_i64()
                    .unwrap()
            }
        };
        let r = app
            .post(&format!("/api/partnerships/{partnership}/roster"))
            .header("content-type", "text/csv")
            .body(roster.to_owned())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        Some(World {
            app,
            sink,
            partnership,
        })
    }

    pub async fn open_wave(&self) -> serde_json::Value {
        let r = self
            .app
            .post(&format!("/api/partnerships/{}/waves", self.partnership))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        r.json().await.unwrap()
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

    /// The personal link token in a received message, by recipient.
    pub fn token_for(&self, recipient: &str) -> String {
        let all = self.sink.received();
        let m = all
            .iter()
            .rev()
            .find(|m| m.to.iter().any(|t| t.contains(recipient)))
            .unwrap_or_else(|| panic!("no mail to {recipient}"));
        token_in(&m.part("text/plain").expect("a text part"))
    }
}

pub fn token_in(text: &str) -> String {
    let at = text.find("/s/").expect("a survey link in the mail") + 3;
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
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

/// The eight default items, answered with `value`.
pub fn all_answers(value: u8) -> Vec<(String, String)> {
    ITEMS
        .iter()
        .map(|i| (format!("item.{i}"), value.to_string()))
        .collect()
}

/// Declares one test per backend with a `World`.
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
