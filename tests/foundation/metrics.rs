//! Observability: `GET /metrics` (who may read it, what moves when people answer and a wave
//! opens, no token in any label), JSON logs carrying the request id that `X-Request-Id`
//! returns, and CLI progress that stays out of logs that are not a terminal.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::{self, Backend, TestApp, ADMIN_TOKEN};
use crate::sink::Sink;
use tandem::mail::MailSettings;

const ROSTER: &str = "email,name,side,level,function,region,roles\n\
ann@acme.com,Ann Lee,customer,executive,procurement,EU,point person\n\
bob@acme.com,Bob Roe,customer,staff,engineering,EU,\n\
cy@bolt.com,Cy Poe,supplier,manager,sales,US,point person\n\
di@bolt.com,Di Fox,supplier,staff,operations,US,\n";

const ITEMS: [&str; 8] = [
    "win_win",
    "shares_rewards",
    "trust",
    "dependable_people",
    "holds_up_end",
    "common_objectives",
    "does_homework",
    "decides_and_sticks",
];

/// The value of one series in an exposition (`name{labels}` exactly as rendered), 0 when
/// the series is absent.
fn value(exposition: &str, series: &str) -> f64 {
    exposition
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            let (name, v) = l.rsplit_once(' ')?;
            (name == series).then(|| v.parse::<f64>().expect("a number"))
        })
        .unwrap_or(0.0)
}

async fn scrape(app: &TestApp) -> String {
    let r = app.get("/metrics").send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

/// An application whose mail goes to an SMTP sink, with a partnership of four people.
async fn world(backend: Backend) -> Option<(TestApp, Sink, i64)> {
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
    let partnership = app.create_partnership("Acme / Bolt").await;
    let r = app
        .post(&format!("/api/partnerships/{partnership}/roster"))
        .header("content-type", "text/csv")
        .body(ROSTER)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    Some((app, sink, partnership))
}

fn token_in(text: &str) -> String {
    let at = text.find("/s/").expect("a survey link in the mail") + 3;
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

mod access {
    use super::*;

    crate::both_backends!(metrics_need_the_admin_token, |app| {
        let anonymous = app.client.get(app.url("/metrics")).send().await.unwrap();
        assert_eq!(anonymous.status(), 401);
        let wrong = app
            .client
            .get(app.url("/metrics"))
            .bearer_auth("not-the-token")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);

        let r = app.get("/metrics").send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["content-type"].to_str().unwrap(),
            "text/plain; version=0.0.4"
        );
        let body = r.text().await.unwrap();
        for name in [
            "tandem_waves_open",
            "tandem_mail_outbox_oldest_pending_age_seconds",
            "tandem_db_pool_connections{state=\"max\"} 4",
            "tandem_scheduler_ticks_total",
            "tandem_report_cache_requests_total",
        ] {
            assert!(body.contains(name), "{name} missing from\n{body}");
        }
    });

    mod the_public_setting_opens_metrics {
        use super::*;

        async fn check(backend: Backend) {
            let Some(app) = TestApp::spawn_with(backend, |s| s.metrics_public = true).await else {
                return;
            };
            let r = app.client.get(app.url("/metrics")).send().await.unwrap();
            assert_eq!(r.status(), 200);
            assert!(r.text().await.unwrap().contains("tandem_waves_open 0"));
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn sqlite() {
            check(Backend::Sqlite).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        #[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
        async fn postgres() {
            check(Backend::Postgres).await;
        }
    }
}

mod counting {
    use super::*;

    async fn opening_a_wave_and_answering_move_the_counters_exactly(backend: Backend) {
        let Some((app, sink, partnership)) = world(backend).await else {
            return;
        };
        let before = scrape(&app).await;

        // Act: open a wave (four invitations), wait until the worker has sent them.
        let r = app
            .post(&format!("/api/partnerships/{partnership}/waves"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let deadline = Instant::now() + Duration::from_secs(20);
        let after_open = loop {
            let now = scrape(&app).await;
            let sent = value(&now, "tandem_mail_delivered_total{outcome=\"sent\"}")
                - value(&before, "tandem_mail_delivered_total{outcome=\"sent\"}");
            // The worker counts a mail when the relay accepts it and marks its row sent when
            // the batch is recorded, a moment later: wait for both.
            let recorded = value(&now, "tandem_mail_outbox_messages{state=\"sent\"}")
                - value(&before, "tandem_mail_outbox_messages{state=\"sent\"}");
            if sent >= 4.0 && recorded >= 4.0 && sink.received().len() >= 4 {
                break now;
            }
            assert!(Instant::now() < deadline, "the invitations were not sent");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(
            value(&after_open, "tandem_waves_open") - value(&before, "tandem_waves_open"),
            1.0
        );
        let outbox = |text: &str| {
            ["pending", "sent", "failed"]
                .iter()
                .map(|s| {
                    value(
                        text,
                        &format!("tandem_mail_outbox_messages{{state=\"{s}\"}}"),
                    )
                })
                .sum::<f64>()
        };
        assert_eq!(
            outbox(&after_open) - outbox(&before),
            4.0,
            "four mails queued"
        );
        assert_eq!(
            value(&after_open, "tandem_mail_outbox_messages{state=\"sent\"}")
                - value(&before, "tandem_mail_outbox_messages{state=\"sent\"}"),
            4.0
        );
        assert_eq!(
            value(&after_open, "tandem_mail_delivered_total{outcome=\"sent\"}")
                - value(&before, "tandem_mail_delivered_total{outcome=\"sent\"}"),
            4.0
        );
        assert_eq!(
            value(&after_open, "tandem_mail_outbox_oldest_pending_age_seconds"),
            0.0,
            "nothing pending once sent"
        );

        // Act: two answers through the form, one through the JSON API.
        let tokens: Vec<String> = sink
            .received()
            .iter()
            .map(|m| token_in(&m.part("text/plain").expect("a text part")))
            .collect();
        assert_eq!(tokens.len(), 4);
        let no_redirects = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let form: Vec<(String, String)> = ITEMS
            .iter()
            .map(|i| (format!("item.{i}"), "4".to_owned()))
            .collect();
        for token in &tokens[..2] {
            let r = no_redirects
                .post(app.url(&format!("/s/{token}")))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303);
        }
        let answers: serde_json::Map<String, serde_json::Value> = ITEMS
            .iter()
            .map(|i| (i.to_string(), serde_json::json!(3)))
            .collect();
        let r = app
            .client
            .post(app.url(&format!("/api/responses/{}", tokens[2])))
            .json(&serde_json::json!({ "answers": answers }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        // A link that does not exist is counted under the same pattern, and stores nothing.
        let r = no_redirects
            .post(app.url("/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);

        let after = scrape(&app).await;
        let delta = |series: &str| value(&after, series) - value(&after_open, series);
        assert_eq!(
            delta("tandem_responses_stored_total{channel=\"form\"}"),
            2.0
        );
        assert_eq!(delta("tandem_responses_stored_total{channel=\"api\"}"), 1.0);
        assert_eq!(
            delta(
                "tandem_http_requests_total{method=\"POST\",route=\"/s/{token}\",status=\"303\"}"
            ),
            2.0
        );
        assert_eq!(
            delta(
                "tandem_http_requests_total{method=\"POST\",route=\"/s/{token}\",status=\"404\"}"
            ),
            1.0
        );
        assert_eq!(
            delta(
                "tandem_http_requests_total{method=\"POST\",route=\"/api/responses/{token}\",status=\"200\"}"
            ),
            1.0
        );
        assert_eq!(
            delta(
                "tandem_http_request_duration_seconds_count{method=\"POST\",route=\"/s/{token}\"}"
            ),
            3.0
        );
        // Labels are patterns: no link token anywhere in the exposition.
        for token in &tokens {
            assert!(
                !after.contains(token.as_str()),
                "a link token leaked into /metrics"
            );
        }
        assert!(!after.contains("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        assert!(!after.contains(&format!("/partnerships/{partnership}/")));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        opening_a_wave_and_answering_move_the_counters_exactly(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
    async fn postgres() {
        opening_a_wave_and_answering_move_the_counters_exactly(Backend::Postgres).await;
    }

    crate::both_backends!(the_dashboard_cache_counts_a_miss_then_a_hit, |app| {
        let id = app.create_partnership("Cache / Count").await;
        let r = app
            .post(&format!("/api/partnerships/{id}/history"))
            .header("content-type", "text/csv")
            .body(std::fs::read(common::fixture("responses.csv")).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let admin = app
            .signed_in("admin@example.com", tandem::auth::Role::Admin, vec![])
            .await;
        let before = scrape(&app).await;
        for _ in 0..2 {
            let r = admin
                .get(app.url(&format!("/partnerships/{id}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
        let after = scrape(&app).await;
        let delta = |series: &str| value(&after, series) - value(&before, series);
        assert_eq!(
            delta("tandem_report_cache_requests_total{cache=\"dashboard\",result=\"miss\"}"),
            1.0
        );
        assert_eq!(
            delta("tandem_report_cache_requests_total{cache=\"dashboard\",result=\"hit\"}"),
            1.0
        );
        assert_eq!(
            delta("tandem_http_requests_total{method=\"GET\",route=\"/partnerships/{id}\",status=\"200\"}"),
            2.0
        );
    });
}

mod scheduler {
    use super::*;

    /// With the scheduler on (every 50 ms), passes are counted and timed.
    async fn scheduler_passes_are_counted_and_timed(backend: Backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.scheduler_interval = Some(Duration::from_millis(50))
        })
        .await
        else {
            return;
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = scrape(&app).await;
            let ok = value(&text, "tandem_scheduler_ticks_total{outcome=\"ok\"}");
            if ok >= 2.0 {
                assert_eq!(
                    value(&text, "tandem_scheduler_ticks_total{outcome=\"error\"}"),
                    0.0
                );
                // (A pass may finish between reading the two series: no exact equality.)
                assert!(value(&text, "tandem_scheduler_tick_duration_seconds_count") >= 1.0);
                break;
            }
            assert!(
                Instant::now() < deadline,
                "no scheduler pass counted:\n{text}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        scheduler_passes_are_counted_and_timed(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
    async fn postgres() {
        scheduler_passes_are_counted_and_timed(Backend::Postgres).await;
    }
}

/// Lines read from a child's pipe on a thread, so the test can wait for one with a deadline.
fn lines_of(pipe: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for(
    rx: &mpsc::Receiver<String>,
    seen: &mut Vec<String>,
    found: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                seen.push(line.clone());
                if found(&line) {
                    return line;
                }
            }
            Err(_) => panic!("not found in the log:\n{}", seen.join("\n")),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_request_id_the_response_returns() {
    let db = common::TestDb::fresh(Backend::Sqlite).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", &db.url)
        .env("TANDEM_DATA_DIR", db.dir.path().join("data"))
        .env("TANDEM_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("TANDEM_LOG", "info")
        .env("TANDEM_LOG_FORMAT", "json")
        .env_remove("TANDEM_TEMPLATES_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tandem serve");
    let stderr = lines_of(child.stderr.take().unwrap());
    let stdout = lines_of(child.stdout.take().unwrap());
    let mut seen = Vec::new();
    let listening = wait_for(&stderr, &mut seen, |l| l.contains("is listening"));
    let listening: serde_json::Value = serde_json::from_str(&listening).expect("a JSON line");
    let port = listening["fields"]["port"]
        .as_u64()
        .expect("the port field");
    let client = reqwest::Client::new();

    // The caller's id is kept when it is well-formed…
    let r = client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .header("x-request-id", "trace-42.a_b")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-request-id"], "trace-42.a_b");
    // …and replaced when it is not.
    let r = client
        .get(format!("http://127.0.0.1:{port}/readyz"))
        .header("x-request-id", "no spaces allowed")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let generated = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(generated.len(), 32, "{generated}");

    let kept = wait_for(&stderr, &mut seen, |l| l.contains("GET /healthz"));
    let replaced = wait_for(&stderr, &mut seen, |l| l.contains("GET /readyz"));
    child.kill().unwrap();
    child.wait().unwrap();
    seen.extend(stderr.iter());
    let out: Vec<String> = stdout.iter().collect();

    let kept: serde_json::Value = serde_json::from_str(&kept).unwrap();
    assert_eq!(kept["span"]["request_id"], "trace-42.a_b", "{kept}");
    assert_eq!(kept["fields"]["status"], 200);
    assert_eq!(kept["target"], "tandem::http");
    let replaced: serde_json::Value = serde_json::from_str(&replaced).unwrap();
    assert_eq!(replaced["span"]["request_id"], generated.as_str());
    for line in seen.iter().chain(out.iter()) {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
    }
}

#[test]
fn an_unknown_log_format_is_refused() {
    let db = common::TestDb::fresh(Backend::Sqlite).unwrap();
    let out = common::run_cli_env(&db, &["migrate"], &[("TANDEM_LOG_FORMAT", "xml")]);
    assert_ne!(out.status, 0);
    assert!(out.stderr.contains("TANDEM_LOG_FORMAT"), "{}", out.stderr);
}

crate::both_backends!(
    an_import_without_a_terminal_prints_no_bar_and_its_summary,
    |app| {
        let id = app.create_partnership("Quiet / Import").await;
        let file = common::write_file(&app.db, "roster.csv", ROSTER.as_bytes());
        let out = app.cli(&[
            "roster",
            "import",
            "--partnership",
            &id.to_string(),
            file.to_str().unwrap(),
        ]);
        out.assert_ok();
        assert!(
            out.stdout.contains("roster imported: 4 added"),
            "{}",
            out.stdout
        );
        let history = app.cli(&[
            "responses",
            "import",
            "--partnership",
            &id.to_string(),
            common::fixture("responses.csv").to_str().unwrap(),
        ]);
        history.assert_ok();
        assert!(
            history.stdout.contains("2920 answers"),
            "{}",
            history.stdout
        );
        for o in [&out, &history] {
            assert!(!o.stdout.contains('\r') && !o.stderr.contains('\r'));
            assert!(
                !o.stderr.contains('\u{1b}'),
                "no terminal escapes: {}",
                o.stderr
            );
        }
    }
);

/// Every series the service exposes is in `docs/operations.md`, and the sample Grafana
/// dashboard asks only for series that exist.
#[test]
fn the_docs_and_the_grafana_dashboard_name_real_series() {
    // Series with labels show once they have a value: give each one, as a scrape does.
    let m = tandem::metrics::Metrics::new();
    m.observe_request("GET", "/healthz", 200, Duration::from_millis(1));
    m.mail_outbox.with_label_values(&["pending"]).set(0);
    m.db_pool.with_label_values(&["idle"]).set(0);
    let exposed: Vec<String> = m
        .render()
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| l.split(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(exposed.len(), 11, "{exposed:?}");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let ops = std::fs::read_to_string(root.join("docs/operations.md")).unwrap();
    for name in &exposed {
        assert!(
            ops.contains(&format!("`{name}`")),
            "{name} is not in docs/operations.md"
        );
    }
    let grafana = std::fs::read_to_string(root.join("docs/grafana-tandem.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&grafana).expect("the dashboard is JSON");
    let mut asked = 0;
    for (at, _) in grafana.match_indices("tandem_") {
        let name: String = grafana[at..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        let series = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(&name);
        assert!(exposed.iter().any(|e| e == series), "{name} does not exist");
        asked += 1;
    }
    assert!(asked >= 11);
}
