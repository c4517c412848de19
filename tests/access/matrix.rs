//! The access matrix: every role against every page and API route, allowed or refused as
//! the rules say — 404 (not 403) for a partnership or flag outside the user's scope, 403 for
//! a route the role may not use, a redirect to sign in (pages) or 401 (API) without a
//! session — and nothing of a partnership outside the scope in any answer. The API routes
//! are asked twice: with each user's session and with each user's personal API token,
//! which must answer exactly alike.

use reqwest::StatusCode;
use tandem::auth::Role;
use tandem::domain::Side;

use crate::both_backends;
use crate::common::{fixture, TestApp};

/// The fixture imported with the CLI (minimum group 3); its id.
pub(crate) fn import_fixture(app: &TestApp, name: &str) -> i64 {
    let out = app.cli(&[
        "partnership",
        "create",
        "--name",
        name,
        "--customer",
        &format!("{name} Buyer"),
        "--supplier",
        &format!("{name} Maker"),
        "--min-reporting-size",
        "3",
    ]);
    out.assert_ok();
    let id = out.last_line().to_owned();
    for (what, file) in [("responses", "responses.csv"), ("kpi", "kpi.csv")] {
        app.cli(&[
            what,
            "import",
            "--partnership",
            &id,
            fixture(file).to_str().unwrap(),
        ])
        .assert_ok();
    }
    app.cli(&["flags", "run", "--partnership", &id]).assert_ok();
    id.parse().unwrap()
}

#[derive(Clone, Copy, Debug)]
enum Who {
    Anonymous,
    Admin,
    Manager,
    CustomerManager,
    OtherManager,
    Ombudsman,
    OtherOmbudsman,
}

const OK: u16 = 200;
const SIGN_IN: u16 = 303;
const UNAUTHORIZED: u16 = 401;
const FORBIDDEN: u16 = 403;
const NOT_FOUND: u16 = 404;

/// Expected status per [`Who`], in the order of the enum.
type Row = (&'static str, [u16; 7]);

fn routes(a: i64, flag: i64) -> Vec<(String, [u16; 7])> {
    let rows: Vec<Row> = vec![
        //                                     anon      admin mgr  cust  other  omb  other-omb
        ("/", [SIGN_IN, OK, OK, OK, OK, OK, OK]),
        (
            "/partnerships/A",
            [SIGN_IN, OK, OK, OK, NOT_FOUND, OK, NOT_FOUND],
        ),
        (
            "/partnerships/A/items/trust",
            [SIGN_IN, OK, OK, OK, NOT_FOUND, OK, NOT_FOUND],
        ),
        (
            "/partnerships/A/review",
            [SIGN_IN, OK, OK, OK, NOT_FOUND, OK, NOT_FOUND],
        ),
        (
            "/partnerships/A/export.csv",
            [SIGN_IN, OK, OK, OK, NOT_FOUND, OK, NOT_FOUND],
        ),
        (
            "/partnerships/A/charts/trend-trust.svg",
            [SIGN_IN, OK, OK, OK, NOT_FOUND, OK, NOT_FOUND],
        ),
        (
            "/partnerships/A/goals/new",
            [SIGN_IN, OK, OK, OK, NOT_FOUND, FORBIDDEN, NOT_FOUND],
        ),
        (
            "/flags",
            [SIGN_IN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK],
        ),
        (
            "/flags/new",
            [SIGN_IN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK],
        ),
        (
            "/flags/F",
            [SIGN_IN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND],
        ),
        ("/account/tokens", [SIGN_IN, OK, OK, OK, OK, OK, OK]),
        (
            "/admin/users",
            [
                SIGN_IN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN,
            ],
        ),
        (
            "/admin/audit",
            [
                SIGN_IN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN,
            ],
        ),
        (
            "/api/users",
            [
                UNAUTHORIZED,
                OK,
                FORBIDDEN,
                FORBIDDEN,
                FORBIDDEN,
                FORBIDDEN,
                FORBIDDEN,
            ],
        ),
        (
            "/api/audit?action=sign_in.*",
            [
                UNAUTHORIZED,
                OK,
                FORBIDDEN,
                FORBIDDEN,
                FORBIDDEN,
                FORBIDDEN,
                FORBIDDEN,
            ],
        ),
        (
            "/api/partnerships",
            [
                UNAUTHORIZED,
                OK,
                FORBIDDEN,
                FORBIDDEN,
                FORBIDDEN,
                FORBIDDEN,
                FORBIDDEN,
            ],
        ),
        (
            "/api/partnerships/A",
            [
                UNAUTHORIZED,
                OK,
                FORBIDDEN,
                FORBIDDEN,
                NOT_FOUND,
                FORBIDDEN,
                NOT_FOUND,
            ],
        ),
        (
            "/api/partnerships/A/report",
            [UNAUTHORIZED, OK, OK, OK, NOT_FOUND, OK, NOT_FOUND],
        ),
        (
            "/api/partnerships/A/report?format=csv",
            [UNAUTHORIZED, OK, OK, OK, NOT_FOUND, OK, NOT_FOUND],
        ),
        (
            "/api/partnerships/A/goals",
            [UNAUTHORIZED, OK, OK, OK, NOT_FOUND, OK, NOT_FOUND],
        ),
        (
            "/api/partnerships/A/waves",
            [
                UNAUTHORIZED,
                OK,
                FORBIDDEN,
                FORBIDDEN,
                NOT_FOUND,
                FORBIDDEN,
                NOT_FOUND,
            ],
        ),
        (
            "/api/partnerships/A/flags",
            [
                UNAUTHORIZED,
                OK,
                FORBIDDEN,
                FORBIDDEN,
                NOT_FOUND,
                OK,
                NOT_FOUND,
            ],
        ),
        (
            "/api/partnerships/A/flags/config",
            [
                UNAUTHORIZED,
                OK,
                FORBIDDEN,
                FORBIDDEN,
                NOT_FOUND,
                FORBIDDEN,
                NOT_FOUND,
            ],
        ),
        (
            "/api/flags",
            [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK],
        ),
        (
            "/api/flags/F",
            [
                UNAUTHORIZED,
                OK,
                FORBIDDEN,
                FORBIDDEN,
                FORBIDDEN,
                OK,
                NOT_FOUND,
            ],
        ),
        ("/api/portfolio", [UNAUTHORIZED, OK, OK, OK, OK, OK, OK]),
        (
            "/api/portfolio/lead-lag?kpi=on_time_delivery_pct",
            [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK],
        ),
        (
            "/api/templates",
            [
                UNAUTHORIZED,
                OK,
                FORBIDDEN,
                FORBIDDEN,
                FORBIDDEN,
                FORBIDDEN,
                FORBIDDEN,
            ],
        ),
    ];
    rows.into_iter()
        .map(|(path, expected)| {
            (
                path.replace("/A", &format!("/{a}"))
                    .replace("/F", &format!("/{flag}")),
                expected,
            )
        })
        .collect()
}

both_backends!(every_role_against_every_route, |app| {
    let a = import_fixture(&app, "Alpha");
    let b = import_fixture(&app, "Bravo");
    let flag: i64 = {
        use diesel::prelude::*;
        use tandem::db::schema::flags;
        let mut conn = app.db.pool().get().unwrap();
        flags::table
            .filter(flags::partnership_id.eq(a))
            .select(flags::id)
            .first(&mut conn)
            .unwrap()
    };
    let clients = [
        (
            Who::Anonymous,
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        ),
        (
            Who::Admin,
            app.signed_in("admin@example.com", Role::Admin, vec![])
                .await,
        ),
        (
            Who::Manager,
            app.signed_in("mgr@example.com", Role::Manager, vec![(a, None)])
                .await,
        ),
        (
            Who::CustomerManager,
            app.signed_in(
                "cust@example.com",
                Role::Manager,
                vec![(a, Some(Side::Customer))],
            )
            .await,
        ),
        (
            Who::OtherManager,
            app.signed_in("other@example.com", Role::Manager, vec![(b, None)])
                .await,
        ),
        (
            Who::Ombudsman,
            app.signed_in(
                "om@example.com",
                Role::Ombudsman,
                vec![(a, None), (b, None)],
            )
            .await,
        ),
        (
            Who::OtherOmbudsman,
            app.signed_in("om2@example.com", Role::Ombudsman, vec![(b, None)])
                .await,
        ),
    ];
    // The same people's personal API tokens (the anonymous caller's is made up).
    let mut tokens = Vec::new();
    for (who, email) in [
        (Who::Anonymous, ""),
        (Who::Admin, "admin@example.com"),
        (Who::Manager, "mgr@example.com"),
        (Who::CustomerManager, "cust@example.com"),
        (Who::OtherManager, "other@example.com"),
        (Who::Ombudsman, "om@example.com"),
        (Who::OtherOmbudsman, "om2@example.com"),
    ] {
        let secret = if email.is_empty() {
            "tandem_pat_madeupmadeupmadeupmadeupmadeupma".to_owned()
        } else {
            let pool = app.db.pool();
            tokio::task::spawn_blocking(move || {
                let mut conn = pool.get().unwrap();
                tandem::services::api_tokens::create_for_email(
                    &mut conn,
                    email,
                    &tandem::services::api_tokens::TokenRequest {
                        name: "matrix".into(),
                        expires_on: String::new(),
                    },
                    tandem::db::now(),
                )
                .unwrap()
                .secret
            })
            .await
            .unwrap()
        };
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {secret}").parse().unwrap(),
        );
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        tokens.push((who, client));
    }
    let mut wrong = Vec::new();
    for (path, expected) in routes(a, flag) {
        for (i, ((who, client), (_, token))) in clients.iter().zip(&tokens).enumerate() {
            let r = client.get(app.url(&path)).send().await.unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap_or_default();
            if status != expected[i] {
                wrong.push(format!(
                    "{who:?} GET {path}: {status}, expected {}",
                    expected[i]
                ));
            }
            if path.starts_with("/api/") {
                // A personal token answers exactly as its user's session does.
                let r = token.get(app.url(&path)).send().await.unwrap();
                let token_status = r.status().as_u16();
                let token_body = r.text().await.unwrap_or_default();
                if token_status != expected[i] {
                    wrong.push(format!(
                        "{who:?}'s token GET {path}: {token_status}, expected {}",
                        expected[i]
                    ));
                }
                if !matches!(who, Who::Anonymous) && token_body != body {
                    wrong.push(format!(
                        "{who:?}'s token GET {path}: another answer than the session's"
                    ));
                }
            }
            if status == StatusCode::SEE_OTHER.as_u16() {
                continue;
            }
            // Nothing of partnership A reaches those who may not see it.
            if matches!(
                who,
                Who::OtherManager | Who::OtherOmbudsman | Who::Anonymous
            ) && body.contains("Alpha")
            {
                wrong.push(format!(
                    "{who:?} GET {path}: the answer names partnership A"
                ));
            }
            // The customer-only manager gets no result of the supplier from A's pages (the
            // supplier's name itself is in the customer's own questions).
            if matches!(who, Who::CustomerManager)
                && path.contains(&format!("/partnerships/{a}"))
                && (body.contains("Alpha Maker: mean") || body.contains("Alpha Maker (supplier)"))
            {
                wrong.push(format!("{who:?} GET {path}: the supplier's results"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
});
