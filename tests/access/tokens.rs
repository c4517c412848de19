//! Personal API tokens, end to end over real HTTP on both backends: made on the account page
//! (a real form with its CSRF token), shown once, stored hashed; a token acts exactly as its
//! user's session — the same partnerships, the same side, the same role refusals — needs no
//! CSRF header, and stops working when revoked, expired, or its user is disabled.

use diesel::prelude::*;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tandem::db::schema::{api_tokens, flags, users};

use crate::both_backends;
use crate::common::TestApp;
use crate::helpers::import_fixture;
use crate::helpers::{add_user, audit_rows, browser, csrf_of, signed_in};

const NOT_VALID: &str = "the token is not valid (unknown or revoked, or its user is disabled)";

/// The account page of a signed-in browser: its body and CSRF token.
async fn tokens_page(app: &TestApp, client: &Client) -> (String, String) {
    let r = client.get(app.url("/account/tokens")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    let csrf = csrf_of(&body);
    (body, csrf)
}

/// Makes a token through the page's form; returns the status and the page.
async fn make_token(
    app: &TestApp,
    client: &Client,
    name: &str,
    expires_on: &str,
) -> (StatusCode, String) {
    let (_, csrf) = tokens_page(app, client).await;
    let r = client
        .post(app.url("/account/tokens"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", name),
            ("expires_on", expires_on),
        ])
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// The secret the page shows once.
fn secret_of(page: &str) -> String {
    let marker = "<code id=\"secret\">";
    let start = page.find(marker).expect("the page shows the new secret") + marker.len();
    let end = page[start..].find("</code>").unwrap() + start;
    page[start..end].to_owned()
}

/// Makes a token on the page and returns its secret.
async fn token_for(app: &TestApp, client: &Client, name: &str) -> String {
    let (status, page) = make_token(app, client, name, "").await;
    assert_eq!(status, StatusCode::CREATED, "{page}");
    secret_of(&page)
}

/// A client that sends `Authorization: Bearer <token>` and no cookie.
fn with_token(token: &str) -> Client {
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

async fn get_json(app: &TestApp, client: &Client, path: &str) -> (StatusCode, Value) {
    let r = client.get(app.url(path)).send().await.unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
    (status, json)
}

fn not_found(partnership: i64) -> Value {
    json!({ "error": format!("there is no partnership with id {partnership}") })
}

fn only_admins() -> Value {
    json!({ "error": "this route is for administrators" })
}

/// When the (only) token was last used, as stored.
fn last_use(app: &TestApp) -> Option<chrono::NaiveDateTime> {
    let mut conn = app.db.pool().get().unwrap();
    api_tokens::table
        .select(api_tokens::last_used_at)
        .first(&mut conn)
        .unwrap()
}

/// A flag of `partnership` that is still open.
fn open_flag(app: &TestApp, partnership: i64) -> i64 {
    let mut conn = app.db.pool().get().unwrap();
    flags::table
        .filter(flags::partnership_id.eq(partnership))
        .filter(flags::state.eq("open"))
        .order(flags::id.asc())
        .select(flags::id)
        .first(&mut conn)
        .unwrap()
}

both_backends!(
    a_managers_token_made_on_the_page_reads_their_partnership_and_nothing_else,
    |app| {
        let a = import_fixture(&app, "Alpha");
        let b = import_fixture(&app, "Bravo");
        add_user(
            &app,
            "mgr@example.com",
            &["--role", "manager", "--partnership", &a.to_string()],
        );
        let client = signed_in(&app, "mgr@example.com").await;

        // The home page links to the account page, which has no token yet.
        let home = client.get(app.url("/")).send().await.unwrap();
        assert!(home
            .text()
            .await
            .unwrap()
            .contains("href=\"/account/tokens\""));
        let (empty, _) = tokens_page(&app, &client).await;
        assert!(empty.contains("You have no API tokens."));

        let (status, page) = make_token(&app, &client, "weekly export", "").await;
        assert_eq!(status, StatusCode::CREATED);
        let secret = secret_of(&page);
        assert!(secret.starts_with("tandem_pat_"), "{secret}");
        assert_eq!(secret.len(), "tandem_pat_".len() + 32);
        let prefix = &secret[.."tandem_pat_".len() + 6];

        // A reload lists the token by name and prefix, never the secret.
        let (again, _) = tokens_page(&app, &client).await;
        assert!(!again.contains(&secret), "the secret is shown only once");
        assert!(again.contains("weekly export"));
        assert!(again.contains(&format!("<code>{prefix}…</code>")));

        // Stored hashed: the row holds SHA-256 of the secret and nothing of it beyond the prefix.
        let (hash, stored_prefix, last_used): (String, String, Option<chrono::NaiveDateTime>) = {
            let mut conn = app.db.pool().get().unwrap();
            api_tokens::table
                .select((
                    api_tokens::token_hash,
                    api_tokens::prefix,
                    api_tokens::last_used_at,
                ))
                .first(&mut conn)
                .unwrap()
        };
        assert_eq!(hash, tandem::secrets::hash(&secret));
        assert_eq!(stored_prefix, prefix);
        assert_eq!(last_used, None);
        assert_eq!(
            app.db.count(&format!(
                "api_tokens WHERE token_hash = '{secret}' OR prefix = '{secret}' OR name = '{secret}'"
            )),
            0
        );
        assert_eq!(audit_rows(&app, "api_token.created", "mgr@example.com"), 1);
        // Names are unique per user.
        let (status, page) = make_token(&app, &client, "weekly export", "").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("you already have a token named"), "{page}");
        assert_eq!(app.db.count("api_tokens"), 1);

        // The token reads the manager's own partnership, as the admin token does.
        let api = with_token(&secret);
        let (status, report) = get_json(&app, &api, &format!("/api/partnerships/{a}/report")).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["partnership"]["id"], json!(a));
        let full: Value = app
            .get(&format!("/api/partnerships/{a}/report"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            report, full,
            "a manager of both sides sees the whole report"
        );
        let last_used = last_use(&app);
        assert!(last_used.is_some(), "the use is recorded");
        // Within the minute a use is not written again; after it, it is.
        let (status, _) = get_json(&app, &api, &format!("/api/partnerships/{a}/goals")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(last_use(&app), last_used);
        let long_ago = tandem::db::now() - chrono::TimeDelta::minutes(2);
        {
            let mut conn = app.db.pool().get().unwrap();
            diesel::update(api_tokens::table)
                .set(api_tokens::last_used_at.eq(Some(long_ago)))
                .execute(&mut conn)
                .unwrap();
        }
        let (status, _) = get_json(&app, &api, &format!("/api/partnerships/{a}/goals")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(last_use(&app).unwrap() > long_ago);

        // Another partnership reads exactly like one that does not exist.
        let (status, body) = get_json(&app, &api, &format!("/api/partnerships/{b}/report")).await;
        assert_eq!((status, body), (StatusCode::NOT_FOUND, not_found(b)));
        let (status, body) = get_json(&app, &api, "/api/partnerships/999999/report").await;
        assert_eq!((status, body), (StatusCode::NOT_FOUND, not_found(999_999)));
        let (status, body) = get_json(&app, &api, &format!("/api/partnerships/{b}/goals")).await;
        assert_eq!((status, body), (StatusCode::NOT_FOUND, not_found(b)));

        // The portfolio lists only the manager's partnership.
        let (status, rows) = get_json(&app, &api, "/api/portfolio").await;
        assert_eq!(status, StatusCode::OK);
        let ids: Vec<i64> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![a]);

        // Admin-only routes stay admin-only: 403, and nothing is opened.
        let (status, body) = get_json(&app, &api, "/api/partnerships").await;
        assert_eq!((status, body), (StatusCode::FORBIDDEN, only_admins()));
        let r = api
            .post(app.url(&format!("/api/partnerships/{a}/waves")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(r.json::<Value>().await.unwrap(), only_admins());
        assert_eq!(
            app.db.count(&format!(
                "waves WHERE partnership_id = {a} AND state = 'open'"
            )),
            0
        );
        // Flags are for ombudsmen, as on the inbox pages.
        let (status, body) = get_json(&app, &api, "/api/flags").await;
        assert_eq!(
            (status, body),
            (
                StatusCode::FORBIDDEN,
                json!({"error": "this route is only for ombudsmen and administrators"})
            )
        );

        // A goal set with the token needs no CSRF header and names the manager.
        let due = (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(200)).to_string();
        let r = api
            .post(app.url(&format!("/api/partnerships/{a}/goals")))
            .json(&json!({"metric": "mean:supplier:trust", "target": 3.8, "due_on": due}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "{}",
            r.text().await.unwrap()
        );
        assert_eq!(
            app.db
                .count("audit_log WHERE action = 'goal.create' AND actor = 'mgr@example.com'"),
            1
        );
        // The same request by session without its CSRF header is refused.
        let r = client
            .post(app.url(&format!("/api/partnerships/{a}/goals")))
            .json(&json!({"metric": "mean:customer:trust", "target": 3.8, "due_on": due}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.db.count("goals"), 1);
    }
);

both_backends!(
    a_one_side_managers_token_sees_only_their_firms_side_as_their_session_does,
    |app| {
        let a = import_fixture(&app, "Alpha");
        add_user(
            &app,
            "cust@example.com",
            &[
                "--role",
                "manager",
                "--partnership",
                &a.to_string(),
                "--side",
                "customer",
            ],
        );
        // Made with the CLI this time: the secret is on the last line.
        let out = app.cli(&[
            "user",
            "token",
            "create",
            "--email",
            "cust@example.com",
            "--name",
            "bi tool",
        ]);
        out.assert_ok();
        let secret = out.last_line().to_owned();
        assert!(secret.starts_with("tandem_pat_"), "{}", out.stdout);
        let api = with_token(&secret);

        let path = format!("/api/partnerships/{a}/report");
        let (status, report) = get_json(&app, &api, &path).await;
        assert_eq!(status, StatusCode::OK);
        for section in ["groups", "response_rates", "items", "dimensions", "trend"] {
            let records = report[section].as_array().unwrap();
            assert!(!records.is_empty(), "{section}");
            assert!(
                records.iter().all(|r| r["side"] == "customer"),
                "{section} has only the customer's side"
            );
        }
        assert_eq!(report["inter_firm"]["items"], json!([]));
        assert_eq!(report["health"], json!([]));
        assert_eq!(report["joint"], json!([]));

        // Exactly what the same person's session gets.
        let session = signed_in(&app, "cust@example.com").await;
        let (_, by_session) = get_json(&app, &session, &path).await;
        assert_eq!(report, by_session);
        // The CSV export is restricted the same way.
        let csv = api
            .get(app.url(&format!("{path}?format=csv")))
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), StatusCode::OK);
        let csv = csv.text().await.unwrap();
        assert!(
            csv.lines().skip(1).all(|l| !l.contains(",supplier,")),
            "no supplier rows"
        );
        assert!(csv.contains(",customer,"));

        // Listing and revoking from the CLI.
        let listed = app.cli(&["user", "token", "list", "--email", "cust@example.com"]);
        listed.assert_ok();
        assert!(listed.stdout.contains("bi tool"));
        assert!(!listed.stdout.contains(&secret));
        app.cli(&[
            "user",
            "token",
            "revoke",
            "--email",
            "cust@example.com",
            "--name",
            "bi tool",
        ])
        .assert_ok();
        let (status, body) = get_json(&app, &api, &path).await;
        assert_eq!(
            (status, body),
            (StatusCode::UNAUTHORIZED, json!({"error": NOT_VALID}))
        );
        assert_eq!(
            app.db
                .count("audit_log WHERE action = 'api_token.revoked' AND actor = 'cli'"),
            1
        );
    }
);

both_backends!(
    an_ombudsmans_token_handles_flags_in_scope_and_the_history_names_them,
    |app| {
        let a = import_fixture(&app, "Alpha");
        let b = import_fixture(&app, "Bravo");
        add_user(
            &app,
            "om@example.com",
            &["--role", "ombudsman", "--partnership", &a.to_string()],
        );
        let client = signed_in(&app, "om@example.com").await;
        let api = with_token(&token_for(&app, &client, "inbox script").await);
        let mine = open_flag(&app, a);
        let theirs = open_flag(&app, b);

        // No CSRF header: the bearer token is not sent by browsers on their own.
        let r = api
            .post(app.url(&format!("/api/flags/{mine}/acknowledge")))
            .json(&json!({"note": "looking into it"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let flag: Value = r.json().await.unwrap();
        assert_eq!(flag["state"], "acknowledged");
        let last = flag["events"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["action"], "acknowledged");
        assert_eq!(last["user"], "om@example.com");
        assert_eq!(last["note"], "looking into it");
        assert_eq!(
            app.db.count(&format!(
                "audit_log WHERE action = 'flag.acknowledged' AND target = 'flag {mine}' AND actor = 'om@example.com'"
            )),
            1
        );

        // A flag of a partnership outside the scope reads like a missing one.
        let r = api
            .post(app.url(&format!("/api/flags/{theirs}/acknowledge")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            r.json::<Value>().await.unwrap(),
            json!({"error": format!("there is no flag with id {theirs}")})
        );
        assert_eq!(
            app.db
                .count(&format!("flags WHERE id = {theirs} AND state = 'open'")),
            1
        );
        let (status, body) = get_json(&app, &api, &format!("/api/flags/{theirs}")).await;
        assert_eq!(
            (status, body),
            (
                StatusCode::NOT_FOUND,
                json!({"error": format!("there is no flag with id {theirs}")})
            )
        );

        // The inbox holds only the scope's flags.
        let (status, inbox) = get_json(&app, &api, "/api/flags").await;
        assert_eq!(status, StatusCode::OK);
        let inbox = inbox.as_array().unwrap();
        assert!(!inbox.is_empty());
        assert!(inbox.iter().all(|f| f["partnership_id"] == json!(a)));

        // Raising a flag by hand on a partnership in scope; outside it, 404.
        let r = api
            .post(app.url(&format!("/api/partnerships/{a}/flags")))
            .json(&json!({"title": "Escalation call requested"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let r = api
            .post(app.url(&format!("/api/partnerships/{b}/flags")))
            .json(&json!({"title": "Not mine"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(r.json::<Value>().await.unwrap(), not_found(b));

        // Running the rules stays admin-only; ombudsmen set no goals.
        let r = api
            .post(app.url(&format!("/api/partnerships/{a}/flags/run")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(r.json::<Value>().await.unwrap(), only_admins());
        let r = api
            .post(app.url(&format!("/api/partnerships/{a}/goals")))
            .json(&json!({"metric": "gap:trust", "target": 0.3, "due_on": "2099-01-01"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            r.json::<Value>().await.unwrap(),
            json!({"error": "this route is only for administrators and relationship managers"})
        );
    }
);

both_backends!(a_revoked_token_is_refused_with_401_and_a_json_body, |app| {
    let a = import_fixture(&app, "Alpha");
    add_user(
        &app,
        "mgr@example.com",
        &["--role", "manager", "--partnership", &a.to_string()],
    );
    let client = signed_in(&app, "mgr@example.com").await;
    let secret = token_for(&app, &client, "laptop").await;
    let api = with_token(&secret);
    let path = format!("/api/partnerships/{a}/report");
    assert_eq!(get_json(&app, &api, &path).await.0, StatusCode::OK);

    let (page, csrf) = tokens_page(&app, &client).await;
    let id: i64 = {
        let mut conn = app.db.pool().get().unwrap();
        api_tokens::table
            .select(api_tokens::id)
            .first(&mut conn)
            .unwrap()
    };
    let action = format!("/account/tokens/{id}/revoke");
    assert!(page.contains(&format!("action=\"{action}\"")));
    // Without the form's CSRF token nothing happens.
    let refused = client
        .post(app.url(&action))
        .form(&[("csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.db.count("api_tokens"), 1);
    // Another user cannot revoke it.
    add_user(
        &app,
        "other@example.com",
        &["--role", "manager", "--partnership", &a.to_string()],
    );
    let other = signed_in(&app, "other@example.com").await;
    let (_, other_csrf) = tokens_page(&app, &other).await;
    let r = other
        .post(app.url(&action))
        .form(&[("csrf", other_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.db.count("api_tokens"), 1);

    let r = client
        .post(app.url(&action))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.db.count("api_tokens"), 0);
    assert_eq!(
            app.db.count(
                "audit_log WHERE action = 'api_token.revoked' AND actor = 'mgr@example.com' AND target = 'mgr@example.com'"
            ),
            1
        );

    let r = api.get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.headers()
            .get("www-authenticate")
            .unwrap()
            .to_str()
            .unwrap(),
        "Bearer"
    );
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"error": NOT_VALID})
    );
    // A made-up token of the same shape reads the same.
    let (status, body) = get_json(
        &app,
        &with_token("tandem_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        &path,
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, json!({"error": NOT_VALID}))
    );
});

both_backends!(
    an_expired_token_and_a_disabled_users_token_are_refused_with_401,
    |app| {
        let a = import_fixture(&app, "Alpha");
        add_user(
            &app,
            "mgr@example.com",
            &["--role", "manager", "--partnership", &a.to_string()],
        );
        let client = signed_in(&app, "mgr@example.com").await;
        let path = format!("/api/partnerships/{a}/report");

        // An expiry in the past is refused on the form, with what was typed kept.
        let (status, page) = make_token(&app, &client, "old", "2020-01-01").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("the expiry date 2020-01-01 is in the past"));
        assert!(page.contains("value=\"old\""));
        assert_eq!(app.db.count("api_tokens"), 0);

        let today = chrono::Utc::now().date_naive().to_string();
        let (status, page) = make_token(&app, &client, "until tonight", &today).await;
        assert_eq!(status, StatusCode::CREATED);
        let api = with_token(&secret_of(&page));
        assert_eq!(get_json(&app, &api, &path).await.0, StatusCode::OK);

        // Its expiry passes.
        {
            let mut conn = app.db.pool().get().unwrap();
            let past = tandem::db::now() - chrono::TimeDelta::seconds(1);
            diesel::update(api_tokens::table)
                .set(api_tokens::expires_at.eq(Some(past)))
                .execute(&mut conn)
                .unwrap();
        }
        let (status, body) = get_json(&app, &api, &path).await;
        assert_eq!(
            (status, body),
            (
                StatusCode::UNAUTHORIZED,
                json!({"error": "the API token has expired; make a new one on your account page"})
            )
        );
        let (listed, _) = tokens_page(&app, &client).await;
        assert!(listed.contains("(expired)"));

        // A disabled user's token stops working at once.
        let live = with_token(&token_for(&app, &client, "second").await);
        assert_eq!(get_json(&app, &live, &path).await.0, StatusCode::OK);
        {
            let mut conn = app.db.pool().get().unwrap();
            diesel::update(users::table.filter(users::email.eq("mgr@example.com")))
                .set(users::disabled.eq(true))
                .execute(&mut conn)
                .unwrap();
        }
        let (status, body) = get_json(&app, &live, &path).await;
        assert_eq!(
            (status, body),
            (StatusCode::UNAUTHORIZED, json!({"error": NOT_VALID}))
        );

        // Without any credential the answer is 401 with the JSON body too.
        let (status, body) = get_json(&app, &browser(), &path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body["error"]
            .as_str()
            .unwrap()
            .contains("personal API token"));
    }
);
