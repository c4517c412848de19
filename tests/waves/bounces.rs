//! Bounces end to end: a wave's invitations go out with VERP envelope senders (read from the
//! SMTP sink), delivery status notifications written for them (tests/fixtures/bounces) are
//! ingested from a Maildir, an mbox file and the webhook, and the roster, the reminders and
//! the wave status then tell who cannot be reached.

use std::path::{Path, PathBuf};

use chrono::TimeDelta;
use serde_json::{json, Value};
use tandem::auth::Role;
use tandem::mail::{BounceSettings, MailSettings};
use tandem::waves::lifecycle;

use crate::common::{run_cli_env, Backend};
use crate::{all_answers, World};

const BOUNCES: &str = "bounces@tandem.test";

async fn world(backend: Backend) -> Option<World> {
    World::new_with(backend, |m: &mut MailSettings| {
        m.bounces = BounceSettings::parse(Some(BOUNCES), 3).unwrap();
    })
    .await
}

/// Declares one test per backend with a `World` whose mail carries VERP senders.
macro_rules! bounce_test {
    ($name:ident, |$w:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let Some($w) = world(Backend::Sqlite).await else {
                    return;
                };
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
            async fn postgres() {
                let Some($w) = world(Backend::Postgres).await else {
                    return;
                };
                $body
            }
        }
    };
}

/// A fixture report about the mail the sink received for `recipient`: its VERP envelope
/// sender and its Message-ID filled in.
fn report_for(w: &World, fixture: &str, recipient: &str) -> String {
    let all = w.sink.received();
    let m = all
        .iter()
        .find(|m| m.to.iter().any(|t| t == recipient))
        .unwrap_or_else(|| panic!("no mail to {recipient}"));
    assert!(
        m.from.starts_with("bounces+") && m.from.ends_with("@tandem.test"),
        "the envelope sender is a VERP address: {}",
        m.from
    );
    let message_id = m.header("Message-ID").expect("a Message-ID");
    let path = format!(
        "{}/tests/fixtures/bounces/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path)
        .unwrap()
        .replace("@@VERP@@", &m.from)
        .replace("@@RCPT@@", recipient)
        .replace("@@MSGID@@", message_id.trim())
}

/// A Maildir holding `messages` in new/.
fn maildir(w: &World, name: &str, messages: &[String]) -> PathBuf {
    let dir = w.app.db.dir.path().join(name);
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    for (i, m) in messages.iter().enumerate() {
        std::fs::write(dir.join("new").join(format!("1734426723.M{i}P1.mx")), m).unwrap();
    }
    dir
}

fn ingest(w: &World, path: &Path, extra_env: &[(&str, &str)]) -> crate::common::CliOutput {
    let mut env = vec![("TANDEM_BOUNCE_ADDRESS", BOUNCES)];
    env.extend_from_slice(extra_env);
    let out = run_cli_env(
        &w.app.db,
        &["bounces", "ingest", path.to_str().unwrap()],
        &env,
    );
    out.assert_ok();
    out
}

async fn people(w: &World) -> Vec<Value> {
    let r = w
        .app
        .get(&format!("/api/partnerships/{}/people", w.partnership))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Vec<Value>>().await.unwrap()
}

fn person<'a>(list: &'a [Value], email: &str) -> &'a Value {
    list.iter()
        .find(|p| p["email"] == email)
        .unwrap_or_else(|| panic!("{email} is on the roster"))
}

async fn wave_status(w: &World) -> Value {
    let r = w
        .app
        .get(&format!("/api/partnerships/{}/waves", w.partnership))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Vec<Value>>().await.unwrap().remove(0)
}

/// Queues the reminders due `days` after opening, outside the app as the scheduler would
/// (the app's worker finds them on its next idle poll); returns the outbox rows written.
async fn remind(w: &World, days: i64) -> usize {
    let pool = w.app.db.pool();
    let links = tandem::mail::Links {
        base_url: w.app.address.clone(),
    };
    let at = tandem::db::now() + TimeDelta::days(days);
    lifecycle::send_due_reminders(&mut pool.get().unwrap(), at, &links).unwrap()
}

fn outbox_rows(w: &World, kind: &str, recipient: &str) -> Vec<(String, Option<String>)> {
    use diesel::prelude::*;
    use tandem::db::schema::outbox;
    outbox::table
        .filter(outbox::kind.eq(kind))
        .filter(outbox::recipient.eq(recipient))
        .select((outbox::status, outbox::last_error))
        .load(&mut w.app.db.pool().get().unwrap())
        .unwrap()
}

bounce_test!(
    a_hard_bounce_in_a_maildir_marks_the_address_undeliverable_everywhere,
    |w| {
        w.open_wave().await;
        w.mail(4).await;
        let bob = w.token_for("bob@acme.com");
        let r = w
            .app
            .client
            .post(w.app.url(&format!("/s/{bob}")))
            .form(&all_answers(4))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success() || r.status().is_redirection());
        let dir = maildir(
            &w,
            "Maildir",
            &[report_for(&w, "postfix_hard.eml", "ann@acme.com")],
        );

        let first = ingest(&w, &dir, &[]);
        let again = ingest(&w, &dir, &[]);

        assert_eq!(
            first.last_line(),
            "bounces ingested from 1 messages: 1 hard, 0 soft, 0 already recorded, 0 ignored"
        );
        assert_eq!(
            again.last_line(),
            "bounces ingested from 1 messages: 0 hard, 0 soft, 1 already recorded, 0 ignored",
            "the same report ingested twice is recorded once"
        );
        assert_eq!(w.app.db.count("mail_bounces"), 1);
        assert_eq!(w.app.db.count("audit_log WHERE action = 'mail.bounce'"), 1);
        assert_eq!(
            w.app
                .db
                .count("audit_log WHERE action = 'mail.bounces_ingested'"),
            2
        );
        // the roster, by API and page
        let list = people(&w).await;
        let ann = &person(&list, "ann@acme.com")["undeliverable"];
        assert!(
            ann["reason"]
                .as_str()
                .unwrap()
                .starts_with("5.1.1: 550 5.1.1"),
            "{ann}"
        );
        assert!(person(&list, "bob@acme.com")["undeliverable"].is_null());
        let admin = w
            .app
            .signed_in("admin@example.com", Role::Admin, vec![])
            .await;
        let page = admin
            .get(
                w.app
                    .url(&format!("/admin/partnerships/{}/roster", w.partnership)),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("1 undeliverable address."), "{html}");
        assert!(html.contains("<td>undeliverable</td>"), "{html}");
        let home = admin.get(w.app.url("/")).send().await.unwrap();
        let home = home.text().await.unwrap();
        let link = format!("href=\"/admin/partnerships/{}/roster\"", w.partnership);
        assert!(
            home.contains(&link),
            "the home page links administrators to the roster"
        );
        // a reminder is not sent to her: its outbox row says why
        assert_eq!(remind(&w, 4).await, 3, "Ann, Cy and Di are behind");
        let rows = outbox_rows(&w, "reminder", "ann@acme.com");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, "undeliverable");
        let why = rows[0].1.as_deref().unwrap();
        assert!(
            why.starts_with("undeliverable: the address bounced hard on "),
            "{why}"
        );
        assert!(why.contains("5.1.1"), "{why}");
        let mails = w.mail(6).await;
        assert_eq!(
            mails.iter().filter(|m| m.to[0] == "ann@acme.com").count(),
            1,
            "only the invitation reached the relay"
        );
        // the wave's status counts the bounce and gives the rate over delivered invitations
        let status = wave_status(&w).await;
        assert_eq!(status["invited"], 4);
        assert_eq!(status["bounced"], 1);
        assert_eq!(status["delivered"], 3);
        assert_eq!(status["responded"], 1);
        assert_eq!(status["response_rate"], 0.25);
        let over_delivered = status["response_rate_delivered"].as_f64().unwrap();
        assert!((over_delivered - 1.0 / 3.0).abs() < 1e-9, "{status}");
        let cli = run_cli_env(
            &w.app.db,
            &[
                "wave",
                "status",
                "--partnership",
                &w.partnership.to_string(),
            ],
            &[],
        );
        cli.assert_ok();
        assert!(
            cli.stdout.contains("bounced 1 (33 % of the 3 delivered)"),
            "{}",
            cli.stdout
        );
    }
);

bounce_test!(
    webhook_and_mbox_reports_are_recorded_and_every_other_message_is_named,
    |w| {
        w.open_wave().await;
        w.mail(4).await;
        let exchange = report_for(&w, "exchange.eml", "cy@bolt.com");

        let post = |body: String, content_type: &'static str| {
            w.app
                .post("/api/bounces")
                .header("content-type", content_type)
                .body(body)
                .send()
        };
        let r = post(exchange.clone(), "message/rfc822").await.unwrap();
        assert_eq!(r.status(), 200);
        let first: Value = r.json().await.unwrap();
        let r = post(exchange.clone(), "message/rfc822").await.unwrap();
        let second: Value = r.json().await.unwrap();
        let r = post(exchange, "application/json").await.unwrap();
        assert_eq!(r.status(), 415, "the webhook takes the raw message");
        let r = post(
            report_for(&w, "not_a_bounce.eml", "di@bolt.com"),
            "message/rfc822",
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 422);
        let refusal = r.text().await.unwrap();

        assert_eq!(first["outcomes"][0]["outcome"], "recorded", "{first}");
        assert_eq!(first["outcomes"][0]["kind"], "hard");
        assert_eq!(first["outcomes"][0]["status"], "5.1.10");
        assert_eq!(second["outcomes"][0]["outcome"], "duplicate", "{second}");
        assert_eq!(
            w.app.db.count(
                "audit_log WHERE action = 'mail.bounces_ingested' AND target = 'webhook' \
                 AND details LIKE '1 messages: 0 hard, 0 soft, 1 already recorded, 0 ignored%'"
            ),
            1,
            "each post is audited with what it came to"
        );
        assert!(
            refusal.contains("not a delivery status notification"),
            "{refusal}"
        );

        // an mbox: a modern Exim report, an ordinary reply, and a report whose VERP tag was
        // tampered with
        let forged = report_for(&w, "exim_plain.eml", "bob@acme.com");
        let verp = w
            .sink
            .received()
            .into_iter()
            .find(|m| m.to[0] == "bob@acme.com")
            .unwrap()
            .from;
        let (head, _tag) = verp.rsplit_once('-').unwrap();
        let forged = forged.replace(&verp, &format!("{head}-0000000000000000@tandem.test"));
        let mbox = [
            report_for(&w, "exim_multipart.eml", "di@bolt.com"),
            report_for(&w, "not_a_bounce.eml", "di@bolt.com"),
            forged,
        ]
        .iter()
        .map(|m| format!("From MAILER-DAEMON Thu Dec 17 10:01:44 2026\n{m}\n"))
        .collect::<String>();
        let path = crate::common::write_file(&w.app.db, "bounces.mbox", mbox.as_bytes());
        let out = ingest(&w, &path, &[]);
        let shown = path.display().to_string();
        assert_eq!(
            out.last_line(),
            "bounces ingested from 3 messages: 1 hard, 0 soft, 0 already recorded, 2 ignored",
            "{}",
            out.stdout
        );
        assert!(
            out.stdout.contains(&format!(
                "ignored {shown}#2: not a delivery status notification"
            )),
            "{}",
            out.stdout
        );
        assert!(
            out.stdout.contains(&format!(
                "ignored {shown}#3: the VERP address names outbox mail"
            )) && out.stdout.contains("does not match it (forged or mangled)"),
            "{}",
            out.stdout
        );
        let list = people(&w).await;
        assert!(!person(&list, "cy@bolt.com")["undeliverable"].is_null());
        assert!(!person(&list, "di@bolt.com")["undeliverable"].is_null());
        assert!(
            person(&list, "bob@acme.com")["undeliverable"].is_null(),
            "a forged report changes nothing"
        );
        assert_eq!(wave_status(&w).await["bounced"], 2);
        let listed = run_cli_env(&w.app.db, &["bounces", "list"], &[]);
        listed.assert_ok();
        assert_eq!(listed.stdout.lines().count(), 2, "{}", listed.stdout);
        assert!(listed.stdout.contains("d***@bolt.com"), "{}", listed.stdout);
    }
);

bounce_test!(
    soft_bounces_keep_the_address_until_they_span_the_days_limit,
    |w| {
        w.open_wave().await;
        w.mail(4).await;
        let delayed = report_for(&w, "postfix_delayed.eml", "bob@acme.com");
        let dir = maildir(&w, "Maildir", std::slice::from_ref(&delayed));

        let out = ingest(&w, &dir, &[]);

        assert_eq!(
            out.last_line(),
            "bounces ingested from 1 messages: 0 hard, 1 soft, 0 already recorded, 0 ignored"
        );
        assert!(person(&people(&w).await, "bob@acme.com")["undeliverable"].is_null());
        // the address keeps getting mail: Bob's reminder goes out
        assert_eq!(remind(&w, 4).await, 4);
        let mails = w.mail(8).await;
        assert_eq!(
            mails.iter().filter(|m| m.to[0] == "bob@acme.com").count(),
            2
        );

        // later reports of the same delay, on the clock of the ingest: under three days after
        // the first still soft, from three days on hard
        let settings = BounceSettings::parse(Some(BOUNCES), 3).unwrap();
        let again = |n: u32| {
            delayed.replace(
                "<20261217134011.9C8D7E6F5A@relay.tandem.test>",
                &format!("<later-{n}@relay.tandem.test>"),
            )
        };
        let pool = w.app.db.pool();
        let mut conn = pool.get().unwrap();
        let at = |days: i64| tandem::db::now() + TimeDelta::days(days);
        let two_days = tandem::services::bounces::ingest_message(
            &mut conn,
            &settings,
            "test",
            again(1).as_bytes(),
            "test",
            at(2),
        )
        .unwrap();
        let four_days = tandem::services::bounces::ingest_message(
            &mut conn,
            &settings,
            "test",
            again(2).as_bytes(),
            "test",
            at(4),
        )
        .unwrap();
        // Cy soft-bounces once now and again forty days later: not one lasting failure
        let cy = |n: u32| {
            report_for(&w, "postfix_delayed.eml", "cy@bolt.com").replace(
                "<20261217134011.9C8D7E6F5A@relay.tandem.test>",
                &format!("<cy-{n}@relay.tandem.test>"),
            )
        };
        let mut kinds = Vec::new();
        for (n, days) in [(1, 0), (2, 40)] {
            let r = tandem::services::bounces::ingest_message(
                &mut conn,
                &settings,
                "test",
                cy(n).as_bytes(),
                "test",
                at(days),
            )
            .unwrap();
            kinds.push(json!(r.outcomes[0])["kind"].clone());
        }
        drop(conn);

        assert_eq!(
            kinds,
            vec![json!("soft"), json!("soft")],
            "a soft bounce 40 days after the last one starts afresh"
        );
        assert_eq!(json!(two_days.outcomes[0])["kind"], "soft");
        let hard = json!(four_days.outcomes[0]);
        assert_eq!(hard["kind"], "hard", "{hard}");
        assert_eq!(hard["escalated"], true);
        assert_eq!(hard["now_undeliverable"], true);
        let list = people(&w).await;
        let bob = &person(&list, "bob@acme.com")["undeliverable"];
        assert!(
            bob["reason"]
                .as_str()
                .unwrap()
                .contains("soft bounces for 3 days or more"),
            "{bob}"
        );
    }
);
