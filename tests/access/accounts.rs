//! Accounts and the audit log, end to end over real HTTP on both backends: an administrator
//! disables and enables users (sessions and personal tokens stop at once), changes roles and
//! scopes (in force on the next request), sends password resets that arrive over SMTP and
//! work once; the same through the API and the CLI; everyone else is refused; and the audit
//! log reads back filtered, newest first, paged and as CSV — with every change in it.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use diesel::prelude::*;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use tandem::db::schema::{password_tokens, users};

use crate::both_backends;
use crate::common::{Backend, TestApp, ADMIN_TOKEN};
use crate::helpers::{add_user, audit_rows, browser, csrf_of, sign_in, signed_in, PASSWORD};
use crate::sink::Sink;

const ROOT: &str = "root@example.com";
const NOT_VALID: &str = "the token is not valid (unknown or revoked, or its user is disabled)";

fn user_id(app: &TestApp, email: &str) -> i64 {
    let pool = app.db.pool();
    let mut conn = pool.get().unwrap();
    users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(&mut conn)
        .unwrap()
}

fn count_for(app: &TestApp, table: &str, email: &str) -> i64 {
    app.db
        .count(&format!("{table} WHERE user_id = {}", user_id(app, email)))
}

/// A personal API token of `email`, made with `tandem user token create`.
fn token_of(app: &TestApp, email: &str) -> String {
    let out = app.cli(&[
        "user", "token", "create", "--email", email, "--name", "script",
    ]);
    out.assert_ok();
    out.last_line().to_owned()
}

/// A client that sends `Authorization: Bearer <token>` and no cookie.
fn bearer(token: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn json_of(r: Response) -> (StatusCode, Value) {
    let status = r.status();
    let body = r.text().await.unwrap();
    let value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    (status, value)
}

/// The signed-in administrator `root@example.com`.
async fn admin_browser(app: &TestApp) -> Client {
    add_user(app, ROOT, &["--role", "admin"]);
    signed_in(app, ROOT).await
}

/// A user's admin page: status and body.
async fn user_page(app: &TestApp, client: &Client, id: i64) -> (StatusCode, String) {
    let r = client
        .get(app.url(&format!("/admin/users/{id}")))
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Sends one of the user page's forms (`disable`, `enable`, `reset`, `access`) with the
/// page's CSRF token and `fields`.
async fn post_user_form(
    app: &TestApp,
    client: &Client,
    id: i64,
    form: &str,
    fields: &[(&str, &str)],
) -> Response {
    let (status, page) = user_page(app, client, id).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let csrf = csrf_of(&page);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    client
        .post(app.url(&format!("/admin/users/{id}/{form}")))
        .form(&all)
        .send()
        .await
        .unwrap()
}

fn location(r: &Response) -> &str {
    r.headers()["location"].to_str().unwrap()
}

/// The audit rows about (or by) `email`, oldest first, as `actor action`.
async fn audit_of(app: &TestApp, email: &str) -> Vec<String> {
    let (status, body) = json_of(
        app.get(&format!("/api/audit?user={email}&per_page=500"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut rows: Vec<String> = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["actor"].as_str().unwrap(),
                e["action"].as_str().unwrap()
            )
        })
        .collect();
    rows.reverse();
    rows
}

both_backends!(
    disabling_on_the_page_ends_the_session_and_the_token_at_once_and_enabling_restores_sign_in,
    |app| {
        let p = app.create_partnership("Acme").await;
        add_user(
            &app,
            "ann@example.com",
            &["--role", "manager", "--partnership", &p.to_string()],
        );
        let ann = signed_in(&app, "ann@example.com").await;
        let token = token_of(&app, "ann@example.com");
        let id = user_id(&app, "ann@example.com");
        assert_eq!(
            ann.get(app.url("/")).send().await.unwrap().status(),
            StatusCode::OK
        );
        let r = bearer(&token)
            .get(app.url("/api/portfolio"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let root = admin_browser(&app).await;

        let r = root
            .post(app.url(&format!("/admin/users/{id}/disable")))
            .form(&[("csrf", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "no CSRF token, no change"
        );
        assert_eq!(
            ann.get(app.url("/")).send().await.unwrap().status(),
            StatusCode::OK
        );

        let r = post_user_form(&app, &root, id, "disable", &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), format!("/admin/users/{id}?done=disabled"));
        let confirmed = root.get(app.url(location(&r))).send().await.unwrap();
        assert_eq!(confirmed.status(), StatusCode::OK);
        let page = confirmed.text().await.unwrap();
        assert!(
            page.contains(
                "The user is disabled: their sessions have ended and their API tokens are revoked."
            ),
            "{page}"
        );

        let r = ann.get(app.url("/")).send().await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "the open session has ended"
        );
        assert_eq!(location(&r), "/login?next=%2F");
        let (status, body) = json_of(
            bearer(&token)
                .get(app.url("/api/portfolio"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"], NOT_VALID);
        assert_eq!(count_for(&app, "sessions", "ann@example.com"), 0);
        assert_eq!(count_for(&app, "api_tokens", "ann@example.com"), 0);
        let (_, page) = user_page(&app, &root, id).await;
        assert!(
            page.contains("<span id=\"status\">disabled</span>"),
            "{page}"
        );
        let refused = sign_in(&app, &browser(), "ann@example.com", PASSWORD).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let r = post_user_form(&app, &root, id, "enable", &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), format!("/admin/users/{id}?done=enabled"));
        let again = browser();
        let r = sign_in(&app, &again, "ann@example.com", PASSWORD).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), "/");
        assert_eq!(
            again.get(app.url("/")).send().await.unwrap().status(),
            StatusCode::OK
        );
        let r = ann.get(app.url("/")).send().await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "the old session stays ended"
        );
        let r = bearer(&token)
            .get(app.url("/api/portfolio"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "the old token stays revoked"
        );

        assert_eq!(
            audit_of(&app, "ann@example.com").await,
            [
                "cli user.created",
                "cli user.password_set",
                "ann@example.com sign_in.succeeded",
                "cli api_token.created",
                "root@example.com user.disabled",
                "ip 127.0.0.1 sign_in.failed",
                "root@example.com user.enabled",
                "ann@example.com sign_in.succeeded",
            ]
        );
        let (_, body) = json_of(
            app.get("/api/audit?action=user.disabled")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            body["entries"][0]["details"],
            "1 session(s) ended, 1 API token(s) revoked"
        );
    }
);

both_backends!(an_administrator_cannot_disable_or_demote_themself, |app| {
    let root = admin_browser(&app).await;
    let id = user_id(&app, ROOT);

    let r = post_user_form(&app, &root, id, "disable", &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("you cannot disable your own account; ask another administrator"),
        "{page}"
    );

    let (_, page) = user_page(&app, &root, id).await;
    let csrf = csrf_of(&page);
    let (status, body) = json_of(
        root.post(app.url(&format!("/api/users/{id}/disable")))
            .header("X-CSRF-Token", &csrf)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["fields"],
        json!([{"field": "user", "message": "you cannot disable your own account; ask another administrator"}])
    );
    let (status, body) = json_of(
        root.put(app.url(&format!("/api/users/{id}/access")))
            .header("X-CSRF-Token", &csrf)
            .json(&json!({"role": "ombudsman", "all_partnerships": true}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "role");
    assert_eq!(body["fields"].as_array().unwrap().len(), 1);
    assert_eq!(
        root.get(app.url("/admin/users"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(audit_rows(&app, "user.disabled", ROOT), 0);
    assert_eq!(audit_rows(&app, "user.access_changed", ROOT), 0);
});

both_backends!(
    role_and_scope_changes_take_effect_on_the_next_request,
    |app| {
        let a = app.create_partnership("Alpha").await;
        let b = app.create_partnership("Beta").await;
        add_user(
            &app,
            "mia@example.com",
            &["--role", "manager", "--partnership", &a.to_string()],
        );
        let mia = signed_in(&app, "mia@example.com").await;
        let token = token_of(&app, "mia@example.com");
        let id = user_id(&app, "mia@example.com");
        let status = |client: Client, path: String| {
            let url = app.url(&path);
            async move { client.get(url).send().await.unwrap().status() }
        };
        assert_eq!(
            status(mia.clone(), format!("/partnerships/{a}")).await,
            StatusCode::OK
        );
        assert_eq!(
            status(mia.clone(), format!("/partnerships/{b}")).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(bearer(&token), format!("/api/partnerships/{a}/report")).await,
            StatusCode::CONFLICT,
            "in scope: no closed wave yet"
        );
        let root = admin_browser(&app).await;

        // The page: mia moves from Alpha to Beta, customer side only.
        let b_id = b.to_string();
        let r = post_user_form(
            &app,
            &root,
            id,
            "access",
            &[
                ("role", "manager"),
                ("partnerships", &b_id),
                ("side", "customer"),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), format!("/admin/users/{id}?done=access"));
        assert_eq!(
            status(mia.clone(), format!("/partnerships/{a}")).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(mia.clone(), format!("/partnerships/{b}")).await,
            StatusCode::OK
        );
        assert_eq!(
            status(bearer(&token), format!("/api/partnerships/{a}/report")).await,
            StatusCode::NOT_FOUND
        );
        let (_, page) = user_page(&app, &root, id).await;
        assert!(
            page.contains(&format!("sees partnerships {b} (customer side)")),
            "{page}"
        );

        // A refused form names each field and changes nothing.
        let r = post_user_form(
            &app,
            &root,
            id,
            "access",
            &[("role", "ombudsman"), ("side", "supplier")],
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains("id=\"partnerships-error\">an ombudsman sees every partnership or the ones named: choose one of the two<"), "{page}");
        assert!(
            page.contains(
                "id=\"side-error\">only a relationship manager can be limited to one side<"
            ),
            "{page}"
        );

        // The API: an ombudsman of everything; the flag inbox opens at once.
        assert_eq!(
            status(mia.clone(), "/flags".into()).await,
            StatusCode::FORBIDDEN
        );
        let (code, body) = json_of(
            app.client
                .put(app.url(&format!("/api/users/{id}/access")))
                .bearer_auth(ADMIN_TOKEN)
                .json(&json!({"role": "ombudsman", "all_partnerships": true}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(code, StatusCode::OK, "{body}");
        assert_eq!(body["changed"], true);
        assert_eq!(body["user"]["role"], "ombudsman");
        assert_eq!(body["user"]["reach"], "all partnerships");
        assert_eq!(body["user"]["scopes"], json!([]));
        assert_eq!(status(mia.clone(), "/flags".into()).await, StatusCode::OK);
        assert_eq!(
            status(mia.clone(), format!("/partnerships/{a}")).await,
            StatusCode::OK
        );

        let (code, body) = json_of(
            app.client
                .put(app.url(&format!("/api/users/{id}/access")))
                .bearer_auth(ADMIN_TOKEN)
                .json(&json!({"role": "boss", "partnerships": [999_999], "side": "left"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["role", "side", "partnerships"]);
        assert_eq!(
            body["fields"][2]["message"],
            "there is no partnership with id 999999"
        );

        // The CLI: back to a manager of Alpha, both sides.
        let out = app.cli(&[
            "user",
            "role",
            "--email",
            "mia@example.com",
            "--role",
            "manager",
            "--partnership",
            &a.to_string(),
        ]);
        out.assert_ok();
        assert_eq!(
            out.last_line(),
            format!("mia@example.com is now relationship manager (partnerships {a})")
        );
        assert_eq!(
            status(mia.clone(), "/flags".into()).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            status(mia.clone(), format!("/partnerships/{b}")).await,
            StatusCode::NOT_FOUND
        );
        let out = app.cli(&[
            "user",
            "role",
            "--email",
            "mia@example.com",
            "--role",
            "manager",
        ]);
        assert_eq!(out.status, 1);
        assert!(
            out.stderr
                .contains("partnerships: a relationship manager needs at least one partnership"),
            "{}",
            out.stderr
        );

        let (_, body) = json_of(
            app.get("/api/audit?action=user.access_changed&user=mia@example.com")
                .send()
                .await
                .unwrap(),
        )
        .await;
        let rows: Vec<(String, String)> = body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["actor"].as_str().unwrap().to_owned(),
                    e["details"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "cli".to_owned(),
                    "ombudsman; all partnerships → manager; partnerships ".to_owned()
                        + &a.to_string()
                ),
                (
                    "admin-token".to_owned(),
                    format!(
                        "manager; partnerships {b} (customer side) → ombudsman; all partnerships"
                    )
                ),
                (
                    ROOT.to_owned(),
                    format!(
                        "manager; partnerships {a} → manager; partnerships {b} (customer side)"
                    )
                ),
            ]
        );
    }
);

both_backends!(the_api_and_the_cli_disable_and_enable_users, |app| {
    add_user(
        &app,
        "bo@example.com",
        &["--role", "ombudsman", "--all-partnerships"],
    );
    let id = user_id(&app, "bo@example.com");
    let p = app.create_partnership("Acme").await;
    let out = app.cli(&[
        "flags",
        "raise",
        "--partnership",
        &p.to_string(),
        "--title",
        "Late deliveries",
    ]);
    out.assert_ok();
    let flag = out.last_line().to_owned();
    let root = admin_browser(&app).await;
    let assignees = || async {
        let r = root
            .get(app.url(&format!("/flags/{flag}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.text().await.unwrap()
    };
    let option = format!("<option value=\"{id}\">bo@example.com</option>");
    assert!(
        assignees().await.contains(&option),
        "an active ombudsman can take the flag"
    );

    let (status, body) = json_of(
        app.post(&format!("/api/users/{id}/disable"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["changed"], true);
    assert_eq!(body["user"]["disabled"], true);
    assert_eq!(body["user"]["email"], "bo@example.com");
    let (status, body) = json_of(
        app.post(&format!("/api/users/{id}/disable"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["changed"], false, "already disabled: nothing to do");
    assert!(
        !assignees().await.contains("bo@example.com"),
        "a disabled user is not offered as assignee"
    );
    let (status, body) = json_of(app.get(&format!("/api/users/{id}")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["disabled"], true);

    let out = app.cli(&["user", "enable", "--email", "bo@example.com"]);
    out.assert_ok();
    assert_eq!(
        out.last_line(),
        "enabled bo@example.com: they can sign in again"
    );
    let out = app.cli(&["user", "disable", "--email", "BO@example.com"]);
    out.assert_ok();
    assert_eq!(
        out.last_line(),
        "disabled bo@example.com: their sessions have ended and their API tokens are revoked"
    );
    let out = app.cli(&["user", "disable", "--email", "nobody@example.com"]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("there is no user with email nobody@example.com"),
        "{}",
        out.stderr
    );
    let (status, body) = json_of(
        app.post(&format!("/api/users/{id}/enable"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["changed"], true);
    assert_eq!(body["user"]["disabled"], false);

    let (status, body) = json_of(app.post("/api/users/999999/disable").send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "there is no user with id 999999");
    let (status, body) = json_of(app.get("/api/users").send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_array().unwrap().len(), 2);
    assert_eq!(body[0]["email"], "bo@example.com");
    assert_eq!(body[0]["reach"], "all partnerships");
    assert_eq!(body[1]["email"], ROOT);
    assert_eq!(body[1]["role"], "admin");

    assert_eq!(
        audit_of(&app, "bo@example.com").await,
        [
            "cli user.created",
            "cli user.password_set",
            "admin-token user.disabled",
            "cli user.enabled",
            "cli user.disabled",
            "admin-token user.enabled",
        ]
    );
});

both_backends!(
    everyone_but_administrators_is_refused_every_new_route,
    |app| {
        let p = app.create_partnership("Acme").await;
        add_user(
            &app,
            "mia@example.com",
            &["--role", "manager", "--partnership", &p.to_string()],
        );
        add_user(
            &app,
            "om@example.com",
            &["--role", "ombudsman", "--all-partnerships"],
        );
        let target = user_id(&app, "mia@example.com");
        let pages_get = [
            "/admin/users".to_owned(),
            format!("/admin/users/{target}"),
            "/admin/audit".to_owned(),
        ];
        let pages_post =
            ["disable", "enable", "reset", "access"].map(|f| format!("/admin/users/{target}/{f}"));
        for email in ["mia@example.com", "om@example.com"] {
            let client = signed_in(&app, email).await;
            let (_, csrf) = crate::helpers::home(&app, &client).await;
            for path in &pages_get {
                let r = client.get(app.url(path)).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::FORBIDDEN, "{email} GET {path}");
                assert!(r
                    .text()
                    .await
                    .unwrap()
                    .contains("this is only for administrators"));
            }
            for path in &pages_post {
                let r = client
                    .post(app.url(path))
                    .form(&[("csrf", csrf.as_str()), ("role", "admin")])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::FORBIDDEN, "{email} POST {path}");
            }
            let token = token_of(&app, email);
            for client in [bearer(&token), client.clone()] {
                for (method, path) in api_routes(target) {
                    let r = client
                        .request(method.clone(), app.url(&path))
                        .header("X-CSRF-Token", &csrf)
                        .json(&json!({"role": "admin"}))
                        .send()
                        .await
                        .unwrap();
                    let (status, body) = json_of(r).await;
                    assert_eq!(status, StatusCode::FORBIDDEN, "{email} {method} {path}");
                    assert_eq!(body["error"], "this route is for administrators");
                }
            }
        }
        let anonymous = browser();
        for path in &pages_get {
            let r = anonymous.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
            assert!(location(&r).starts_with("/login?next="));
        }
        for (method, path) in api_routes(target) {
            let r = anonymous
                .request(method.clone(), app.url(&path))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        }
        let pool = app.db.pool();
        let mut conn = pool.get().unwrap();
        let (role, disabled): (String, bool) = users::table
            .find(target)
            .select((users::role, users::disabled))
            .first(&mut conn)
            .unwrap();
        assert_eq!(
            (role.as_str(), disabled),
            ("manager", false),
            "nothing changed"
        );
        assert_eq!(app.db.count("outbox"), 0);
    }
);

fn api_routes(target: i64) -> Vec<(reqwest::Method, String)> {
    use reqwest::Method;
    vec![
        (Method::GET, "/api/users".into()),
        (Method::GET, format!("/api/users/{target}")),
        (Method::POST, format!("/api/users/{target}/disable")),
        (Method::POST, format!("/api/users/{target}/enable")),
        (Method::PUT, format!("/api/users/{target}/access")),
        (Method::POST, format!("/api/users/{target}/password-reset")),
        (Method::GET, "/api/audit".into()),
        (Method::GET, "/api/audit?format=csv".into()),
    ]
}

/// The application with its mail going to a fresh SMTP sink; links point at
/// `https://tandem.example`.
async fn with_mail(backend: Backend) -> Option<(TestApp, Sink)> {
    let sink = Sink::start();
    let port = sink.port;
    let app = TestApp::spawn_with(backend, move |s| {
        let mut mail = tandem::mail::MailSettings::from_values(
            Some(&format!("smtp://127.0.0.1:{port}?tls=none")),
            Some("Tandem <accounts@tandem.test>"),
            &s.data_dir,
        )
        .unwrap();
        mail.delivery.idle_poll = Duration::from_millis(50);
        s.mail = mail;
        s.public_base_url = Some("https://tandem.example".into());
    })
    .await?;
    Some((app, sink))
}

/// Waits, polling with a deadline, until the sink holds `n` messages.
async fn mails(sink: &Sink, n: usize) -> Vec<crate::sink::Received> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = sink.received();
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

/// The set-password path in a reset mail (both parts carry the same link).
fn reset_path(mail: &crate::sink::Received) -> String {
    let text = mail.part("text/plain").expect("a text part");
    let html = mail.part("text/html").expect("an HTML part");
    let start = text
        .find("https://tandem.example/set-password/")
        .unwrap_or_else(|| panic!("no link in:\n{text}"));
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    link.trim_start_matches("https://tandem.example").to_owned()
}

/// Opens a set-password link in a fresh browser and sends `password` twice.
async fn set_password(app: &TestApp, path: &str, password: &str) -> (StatusCode, String) {
    let client = browser();
    let page = client.get(app.url(path)).send().await.unwrap();
    if page.status() != StatusCode::OK {
        return (page.status(), page.text().await.unwrap());
    }
    let csrf = csrf_of(&page.text().await.unwrap());
    let r = client
        .post(app.url(path))
        .form(&[
            ("password", password),
            ("confirm", password),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn a_password_reset_arrives_by_mail_and_its_link_works_once(backend: Backend) {
    let Some((app, sink)) = with_mail(backend).await else {
        return;
    };
    add_user(
        &app,
        "ann@example.com",
        &["--role", "ombudsman", "--all-partnerships"],
    );
    let id = user_id(&app, "ann@example.com");
    let ann = signed_in(&app, "ann@example.com").await;
    let root = admin_browser(&app).await;

    let r = post_user_form(&app, &root, id, "reset", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/admin/users/{id}?done=reset"));
    let got = mails(&sink, 1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to.len(), 1);
    assert!(got[0].to[0].contains("ann@example.com"), "{:?}", got[0].to);
    assert_eq!(
        got[0].header("Subject").as_deref(),
        Some("Set a new password for Tandem")
    );
    let path = reset_path(&got[0]);
    let stored: String = {
        let pool = app.db.pool();
        let mut conn = pool.get().unwrap();
        password_tokens::table
            .filter(password_tokens::user_id.eq(id))
            .filter(password_tokens::used_at.is_null())
            .select(password_tokens::token_hash)
            .first(&mut conn)
            .unwrap()
    };
    let token = path.trim_start_matches("/set-password/");
    assert_eq!(
        stored,
        tandem::secrets::hash(token),
        "only the hash is stored"
    );
    assert_eq!(
        ann.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::OK,
        "sending a reset signs nobody out"
    );

    let new_password = "a brand new passphrase 2026";
    let (status, page) = set_password(&app, &path, new_password).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Your password is saved"));
    let r = ann.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the other sessions ended"
    );
    let old = sign_in(&app, &browser(), "ann@example.com", PASSWORD).await;
    assert_eq!(old.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let new = sign_in(&app, &browser(), "ann@example.com", new_password).await;
    assert_eq!(new.status(), StatusCode::SEE_OTHER);

    let (status, page) = set_password(&app, &path, "yet another passphrase 1").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a second use is refused");
    assert!(page.contains("This link cannot be used"), "{page}");
    let r = browser()
        .post(app.url(&path))
        .form(&[("password", "x"), ("confirm", "x"), ("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "no form token: refused before anything"
    );

    // The API: a second link, which then expires.
    let (status, body) = json_of(
        app.post(&format!("/api/users/{id}/password-reset"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["user"], "ann@example.com");
    let got = mails(&sink, 2).await;
    let expiring = reset_path(&got[1]);
    {
        let pool = app.db.pool();
        let mut conn = pool.get().unwrap();
        let past = NaiveDate::from_ymd_opt(2020, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        diesel::update(password_tokens::table.filter(password_tokens::used_at.is_null()))
            .set(password_tokens::expires_at.eq(past))
            .execute(&mut conn)
            .unwrap();
    }
    let (status, page) = set_password(&app, &expiring, "yet another passphrase 1").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an expired link is refused");
    assert!(page.contains("This link cannot be used"), "{page}");

    // The CLI: a third link; a newer link voids the one before.
    let out = crate::common::run_cli_env(
        &app.db,
        &["user", "reset", "--email", "ann@example.com"],
        &[("TANDEM_PUBLIC_URL", "https://tandem.example")],
    );
    out.assert_ok();
    assert!(
        out.last_line().starts_with(
            "password reset mail queued for ann@example.com (the link works once, until "
        ),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("/set-password/"),
        "the CLI does not print the link"
    );
    let got = mails(&sink, 3).await;
    let cli_link = reset_path(&got[2]);
    let (status, body) = json_of(
        app.post(&format!("/api/users/{id}/password-reset"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, _) = set_password(&app, &cli_link, "yet another passphrase 1").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "voided by the newer link");

    // A disabled user gets no reset.
    app.post(&format!("/api/users/{id}/disable"))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(
        app.post(&format!("/api/users/{id}/password-reset"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body["error"],
        "ann@example.com is disabled: enable the account before sending a password reset"
    );
    let got = mails(&sink, 4).await;
    assert_eq!(got.len(), 4);
    assert_eq!(app.db.count("outbox WHERE kind = 'password_reset'"), 4);

    let rows = audit_of(&app, "ann@example.com").await;
    let resets: Vec<&String> = rows
        .iter()
        .filter(|r| r.contains("password_reset_sent"))
        .collect();
    assert_eq!(
        resets,
        [
            "root@example.com user.password_reset_sent",
            "admin-token user.password_reset_sent",
            "cli user.password_reset_sent",
            "admin-token user.password_reset_sent",
        ]
    );
    assert_eq!(
        audit_rows(&app, "user.password_set", "ann@example.com"),
        2,
        "the CLI's and the link's"
    );
    let (_, body) = json_of(
        app.get("/api/audit?action=user.password_set&user=ann@example.com")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["entries"][0]["actor"], "ann@example.com");
    assert_eq!(body["entries"][0]["details"], "through a one-time link");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_arrives_by_mail_and_its_link_works_once_sqlite() {
    a_password_reset_arrives_by_mail_and_its_link_works_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
async fn a_password_reset_arrives_by_mail_and_its_link_works_once_postgres() {
    a_password_reset_arrives_by_mail_and_its_link_works_once(Backend::Postgres).await;
}

/// Writes an audit row at a fixed time in the past (before anything the test's setup wrote).
fn past_row(
    app: &TestApp,
    day: &str,
    actor: &str,
    action: &str,
    target: &str,
    details: &str,
) -> i64 {
    let pool = app.db.pool();
    let mut conn = pool.get().unwrap();
    let at = NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    tandem::auth::audit::audit_at(&mut conn, at, actor, action, target, details).unwrap();
    use tandem::db::schema::audit_log;
    audit_log::table
        .order(audit_log::id.desc())
        .select(audit_log::id)
        .first(&mut conn)
        .unwrap()
}

async fn audit_ids(app: &TestApp, query: &str) -> (Vec<i64>, Value, Option<String>) {
    let r = app
        .get(&format!("/api/audit?{query}"))
        .send()
        .await
        .unwrap();
    let link = r
        .headers()
        .get("link")
        .map(|v| v.to_str().unwrap().to_owned());
    let (status, body) = json_of(r).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    let ids = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    (ids, body, link)
}

both_backends!(the_audit_api_filters_orders_pages_and_exports_csv, |app| {
    let p = app.create_partnership("Acme").await;
    let other = app.create_partnership("Other").await;
    let out = app.cli(&[
        "flags",
        "raise",
        "--partnership",
        &p.to_string(),
        "--title",
        "Invoices disputed",
    ]);
    out.assert_ok();
    let flag: i64 = out.last_line().parse().unwrap();
    let pt = format!("partnership {p}");
    let ft = format!("flag {flag}");
    let r1 = past_row(
        &app,
        "2020-01-01",
        "root@example.com",
        "user.disabled",
        "ann@example.com",
        "1 session(s) ended",
    );
    let r2 = past_row(
        &app,
        "2020-01-02",
        "cli",
        "user.enabled",
        "ann@example.com",
        "",
    );
    let r3 = past_row(
        &app,
        "2020-01-03",
        "admin-token",
        "import.roster",
        &pt,
        "=HYPERLINK(\"http://evil.example\")",
    );
    let r4 = past_row(
        &app,
        "2020-01-04",
        "om@example.com",
        "flag.acknowledged",
        &ft,
        "",
    );
    let r5 = past_row(
        &app,
        "2020-01-05",
        "om@example.com",
        "flag.resolved",
        &ft,
        "+1 settled",
    );
    let r6 = past_row(
        &app,
        "2021-06-01",
        "root@example.com",
        "user.access_changed",
        "bob@example.com",
        "manager → admin",
    );
    let r7 = past_row(
        &app,
        "2021-06-02",
        "cli",
        "import.roster",
        &format!("partnership {other}"),
        "",
    );
    let range = "from=2020-01-01&to=2021-12-31";

    let (ids, body, _) = audit_ids(&app, range).await;
    assert_eq!(ids, [r7, r6, r5, r4, r3, r2, r1], "newest first");
    assert_eq!(body["total"], 7);
    assert_eq!(body["next"], Value::Null);
    assert_eq!(body["entries"][6]["at"], "2020-01-01T10:00:00Z");
    let (ids, _, _) = audit_ids(&app, &format!("{range}&partnership={p}")).await;
    assert_eq!(ids, [r5, r4, r3], "the partnership and its flags");
    let (ids, body, _) = audit_ids(&app, &format!("partnership={p}")).await;
    let about = app
        .db
        .count(&format!("audit_log WHERE target IN ('{pt}', '{ft}')"));
    assert!(
        about > 3,
        "the partnership's creation and the flag's opening are there too"
    );
    assert_eq!(body["total"], about);
    assert_eq!(ids.len() as i64, about);
    assert_eq!(
        &ids[ids.len() - 3..],
        [r5, r4, r3],
        "newest first: today's rows lead"
    );
    let (ids, _, _) = audit_ids(&app, &format!("{range}&user=ann@example.com")).await;
    assert_eq!(ids, [r2, r1], "done to ann");
    let (ids, _, _) = audit_ids(&app, &format!("{range}&user=OM@example.com")).await;
    assert_eq!(ids, [r5, r4], "done by om");
    let (ids, _, _) = audit_ids(&app, &format!("{range}&action=flag.*")).await;
    assert_eq!(ids, [r5, r4]);
    let (ids, _, _) = audit_ids(&app, &format!("{range}&action=import.roster")).await;
    assert_eq!(ids, [r7, r3]);
    let (ids, _, _) = audit_ids(&app, "from=2020-01-02&to=2020-01-04").await;
    assert_eq!(ids, [r4, r3, r2], "both days included");
    let (ids, _, _) = audit_ids(&app, "from=2020-01-02T10:00:00Z&to=2020-01-04T09:59:59Z").await;
    assert_eq!(ids, [r3, r2], "moments: from included, to included");
    let (ids, _, _) = audit_ids(&app, &format!("{range}&user=cli&action=import.roster")).await;
    assert_eq!(ids, [r7]);

    // Paging: three pages of 3, 3 and 1, each pointing at the next.
    let (ids, body, link) = audit_ids(&app, &format!("{range}&per_page=3")).await;
    assert_eq!(ids, [r7, r6, r5]);
    let next = "/api/audit?from=2020-01-01&to=2021-12-31&page=2&per_page=3";
    assert_eq!(body["next"], next);
    assert_eq!(
        link.as_deref(),
        Some(format!("<{next}>; rel=\"next\"").as_str())
    );
    let (ids, body, _) = audit_ids(&app, next.trim_start_matches("/api/audit?")).await;
    assert_eq!(ids, [r4, r3, r2]);
    assert_eq!(body["page"], 2);
    let (ids, body, link) = audit_ids(&app, &format!("{range}&per_page=3&page=3")).await;
    assert_eq!(ids, [r1]);
    assert_eq!(body["next"], Value::Null);
    assert_eq!(link, None);
    let (ids, body, _) = audit_ids(&app, &format!("{range}&per_page=3&page=4")).await;
    assert!(ids.is_empty());
    assert_eq!(body["total"], 7);
    // Spaces, tabs and line breaks around a value are ignored, and a blank filter is no
    // filter, as the document's patterns say (`^[ \t\r\n]*(…)?[ \t\r\n]*$`).
    let (ids, _, _) = audit_ids(
        &app,
        "from=%202020-01-01%09&to=2021-12-31%0A&page=%203&per_page=3%20&partnership=%20",
    )
    .await;
    assert_eq!(ids, [r1]);
    let (blank, _, _) = audit_ids(&app, "to=%20&from=").await;
    let (none, _, _) = audit_ids(&app, "").await;
    assert_eq!(blank, none);

    // CSV: every matching row, formulas neutralised.
    let r = app
        .get(&format!("/api/audit?{range}&format=csv&per_page=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let text = r.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["id", "at", "actor", "action", "target", "details"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[0][0], r7.to_string());
    let roster = rows.iter().find(|r| r[0] == r3.to_string()).unwrap();
    assert_eq!(&roster[5], "'=HYPERLINK(\"http://evil.example\")");
    let resolved = rows.iter().find(|r| r[0] == r5.to_string()).unwrap();
    assert_eq!(&resolved[5], "'+1 settled");
    assert_eq!(&rows[6][1], "2020-01-01T10:00:00Z");

    // Bad filters: every problem by field.
    let (status, body) = json_of(
        app.get("/api/audit?from=2020-13-01&to=yesterday&page=0&per_page=501&action=DROP%20TABLE&partnership=abc")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["partnership", "action", "from", "to", "page", "per_page"]
    );
    assert!(body["fields"][2]["message"]
        .as_str()
        .unwrap()
        .starts_with("\"2020-13-01\" is not a date (YYYY-MM-DD) or an RFC 3339 time"));
    let (status, body) = json_of(
        app.get("/api/audit?from=2021-01-02&to=2021-01-01")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["fields"],
        json!([{"field": "to", "message": "the range ends before it starts"}])
    );
    let (status, body) = json_of(app.get("/api/audit?format=xml").send().await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "format \"xml\" is not known (json or csv)");

    // The page: the same filters, a count, links to older entries and the CSV.
    let root = admin_browser(&app).await;
    let r = root
        .get(app.url(&format!("/admin/audit?{range}&per_page=3")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("Entries 1–3 of 7."), "{page}");
    assert!(page.contains("href=\"/admin/audit?from=2020-01-01&#38;to=2021-12-31&#38;page=2&#38;per_page=3\" rel=\"next\""), "{page}");
    assert!(
        page.contains("href=\"/api/audit?from=2020-01-01&#38;to=2021-12-31&#38;format=csv\""),
        "{page}"
    );
    assert!(page.contains("user.access_changed"));
    let r = root
        .get(app.url("/admin/audit?from=someday"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("&#34;someday&#34; is not a date"),
        "the reason is shown"
    );
    let r = root
        .get(app.url("/api/audit?format=csv&action=user.disabled&from=2020-01-01&to=2020-01-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the CSV link works with the session"
    );
    assert_eq!(r.text().await.unwrap().lines().count(), 2);
});
