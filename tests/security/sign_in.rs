//! Sign-in abuse: the limit is counted before any password is hashed and cannot be raced,
//! spraying many emails from one address is throttled, at most two hashes run at once,
//! unknown set-password links cost no hash, weak passwords are refused, and failures do not
//! grow the audit log without bound.

use std::collections::BTreeMap;
use std::sync::Arc;

use reqwest::{Client, StatusCode};
use tandem::app::settings::Settings;
use tandem::auth::passwords::HashGate;
use tandem::db::DatabaseUrl;
use tandem::server::Application;

use crate::both_backends;
use crate::common::{csrf_of, Backend, TestApp, TestDb, ADMIN_TOKEN};
use crate::helpers::{add_user, browser, sign_in, user_add, user_add_with_password, PASSWORD};

/// Declares one test per backend with the app and its password-hashing gate.
macro_rules! gated_test {
    ($name:ident, |$app:ident, $gate:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let Some(($app, $gate)) = spawn_with_gate(Backend::Sqlite).await else {
                    return;
                };
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
            async fn postgres() {
                let Some(($app, $gate)) = spawn_with_gate(Backend::Postgres).await else {
                    return;
                };
                $body
            }
        }
    };
}

/// Like [`TestApp::spawn`], keeping a handle on the server's hashing gate.
async fn spawn_with_gate(backend: Backend) -> Option<(TestApp, Arc<HashGate>)> {
    let db = TestDb::fresh(backend)?;
    let mut settings = Settings::embedded(db.dir.path().join("data"));
    settings.database_url = DatabaseUrl::parse(&db.url).unwrap();
    settings.bind = "127.0.0.1:0".parse().unwrap();
    settings.admin_token = Some(ADMIN_TOKEN.into());
    settings.pool_size = 4;
    settings.scheduler_interval = None;
    let app = Application::build(settings)
        .await
        .expect("application builds");
    let gate = app.state().hashing.clone();
    let port = app.port();
    tokio::spawn(app.run_until_stopped());
    Some((
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            port,
            db,
            client: Client::new(),
        },
        gate,
    ))
}

/// `n` browsers with the sign-in form open, each with its CSRF token.
async fn sign_in_forms(app: &TestApp, n: usize) -> Vec<(Client, String)> {
    let mut forms = Vec::new();
    for _ in 0..n {
        let client = browser();
        let page = client.get(app.url("/login")).send().await.unwrap();
        let csrf = csrf_of(&page.text().await.unwrap());
        forms.push((client, csrf));
    }
    forms
}

/// Sends every form at once, `email_of(i)` with a wrong password; the statuses counted.
async fn all_at_once(
    app: &TestApp,
    forms: Vec<(Client, String)>,
    email_of: impl Fn(usize) -> String,
) -> BTreeMap<u16, usize> {
    let url = app.url("/login");
    let tasks: Vec<_> = forms
        .into_iter()
        .enumerate()
        .map(|(i, (client, csrf))| {
            let url = url.clone();
            let email = email_of(i);
            tokio::spawn(async move {
                client
                    .post(url)
                    .form(&[
                        ("email", email.as_str()),
                        ("password", "not the password at all"),
                        ("csrf", &csrf),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut counts = BTreeMap::new();
    for t in tasks {
        *counts.entry(t.await.unwrap()).or_default() += 1;
    }
    counts
}

both_backends!(
    forty_concurrent_wrong_passwords_for_one_email_let_exactly_five_through,
    |app| {
        add_user(&app, "ann@example.com", &["--role", "admin"]);
        let forms = sign_in_forms(&app, 40).await;

        let counts = all_at_once(&app, forms, |_| "ann@example.com".into()).await;

        assert_eq!(counts.get(&429), Some(&35), "{counts:?}");
        let checked = counts.get(&422).unwrap_or(&0) + counts.get(&503).unwrap_or(&0);
        assert_eq!(checked, 5, "{counts:?}");
    }
);

both_backends!(password_spraying_from_one_address_is_throttled, |app| {
    let client = browser();
    let mut statuses = Vec::new();

    for i in 0..22 {
        let r = sign_in(
            &app,
            &client,
            &format!("user{i}@example.com"),
            "Spring2026!!",
        )
        .await;
        statuses.push(r.status());
    }

    assert!(
        statuses[..20]
            .iter()
            .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY),
        "{statuses:?}"
    );
    assert_eq!(statuses[20..], [StatusCode::TOO_MANY_REQUESTS; 2]);
});

gated_test!(
    concurrent_sign_ins_never_hash_more_than_two_passwords_at_once,
    |app, gate| {
        let forms = sign_in_forms(&app, 20).await;

        let counts = all_at_once(&app, forms, |i| format!("user{i}@example.com")).await;

        assert!(gate.peak() <= HashGate::CONCURRENT, "peak {}", gate.peak());
        assert_eq!(
            gate.entered() as usize,
            counts.get(&422).copied().unwrap_or(0),
            "every checked password went through the gate: {counts:?}"
        );
        assert_eq!(
            counts.get(&422).unwrap_or(&0) + counts.get(&503).unwrap_or(&0),
            20,
            "{counts:?}"
        );
    }
);

gated_test!(
    an_unknown_set_password_link_is_refused_without_hashing,
    |app, gate| {
        let client = browser();
        let page = client.get(app.url("/login")).send().await.unwrap();
        let csrf = csrf_of(&page.text().await.unwrap());

        for _ in 0..10 {
            let r = client
                .post(app.url(&format!("/set-password/{}", tandem::secrets::new_token())))
                .form(&[
                    ("password", PASSWORD),
                    ("confirm", PASSWORD),
                    ("csrf", &csrf),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND);
        }

        assert_eq!(gate.entered(), 0, "no password was hashed");
    }
);

both_backends!(
    blank_repeated_and_common_passwords_are_refused_with_a_reason,
    |app| {
        let link = user_add(&app, &["--email", "ann@example.com", "--role", "admin"])
            .assert_ok()
            .last_line()
            .to_owned();
        let client = browser();
        let page = client.get(&link).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let csrf = csrf_of(&page.text().await.unwrap());

        for (weak, reason) in [
            ("            ", "only spaces"),
            ("aaaaaaaaaaaa", "one character repeated"),
            ("Password1234", "most common"),
        ] {
            let r = client
                .post(&link)
                .form(&[("password", weak), ("confirm", weak), ("csrf", &csrf)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{weak:?}");
            assert!(r.text().await.unwrap().contains(reason), "{weak:?}");
        }
        let cli = user_add_with_password(
            &app,
            &["--email", "bob@example.com", "--role", "admin"],
            "            ",
        );
        assert_ne!(cli.status, 0);
        assert!(cli.stderr.contains("only spaces"), "{}", cli.stderr);
        assert_eq!(app.db.count("users WHERE password_hash IS NOT NULL"), 0);
    }
);

both_backends!(
    failed_sign_ins_are_counted_not_each_written_to_the_audit_log,
    |app| {
        add_user(&app, "ann@example.com", &["--role", "admin"]);
        let client = browser();

        for _ in 0..12 {
            sign_in(&app, &client, "ann@example.com", "guessing guessing").await;
        }

        assert_eq!(app.db.count("audit_log WHERE action = 'sign_in.failed'"), 1);
        assert_eq!(
            app.db.count("audit_log WHERE action = 'sign_in.throttled'"),
            1
        );
        let r = sign_in(&app, &client, "ann@example.com", PASSWORD).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    }
);
