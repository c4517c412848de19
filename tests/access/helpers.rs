//! Helpers for the access tests: a browser-like client with a cookie jar, the CSRF token of a
//! page, and users made through the real `tandem user add`.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::{Client, Response, StatusCode};

pub use crate::common::csrf_of;
use crate::common::{fixture, CliOutput, TestApp};

pub const PASSWORD: &str = "correct horse battery staple";

/// A client that keeps cookies and does not follow redirects (so tests see the 303s).
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `tandem user add ARGS` with links pointing at this app; returns the CLI output.
pub fn user_add(app: &TestApp, args: &[&str]) -> CliOutput {
    let mut all = vec!["user", "add"];
    all.extend_from_slice(args);
    crate::common::run_cli_env(&app.db, &all, &[("TANDEM_PUBLIC_URL", &app.address)])
}

/// `tandem user add ARGS --password-stdin` with `password` on standard input.
pub fn user_add_with_password(app: &TestApp, args: &[&str], password: &str) -> CliOutput {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["user", "add", "--password-stdin"])
        .args(args)
        .env("DATABASE_URL", &app.db.url)
        .env("TANDEM_DATA_DIR", app.db.dir.path().join("data"))
        .env("TANDEM_PUBLIC_URL", &app.address)
        .env("TANDEM_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tandem");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    CliOutput {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Adds a user whose password is [`PASSWORD`].
pub fn add_user(app: &TestApp, email: &str, role_args: &[&str]) {
    let mut args = vec!["--email", email];
    args.extend_from_slice(role_args);
    user_add_with_password(app, &args, PASSWORD).assert_ok();
}

/// Opens the sign-in page and sends the form.
pub async fn sign_in(app: &TestApp, client: &Client, email: &str, password: &str) -> Response {
    let page = client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = csrf_of(&page.text().await.unwrap());
    client
        .post(app.url("/login"))
        .form(&[("email", email), ("password", password), ("csrf", &csrf)])
        .send()
        .await
        .unwrap()
}

/// A signed-in browser for `email` (password [`PASSWORD`]).
pub async fn signed_in(app: &TestApp, email: &str) -> Client {
    let client = browser();
    let r = sign_in(app, &client, email, PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    client
}

/// The home page's body and its CSRF token.
pub async fn home(app: &TestApp, client: &Client) -> (String, String) {
    let r = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    let csrf = csrf_of(&body);
    (body, csrf)
}

/// The `Set-Cookie` header that sets `name`.
pub fn set_cookie(r: &Response, name: &str) -> String {
    r.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no Set-Cookie for {name}"))
}

/// How many audit rows have this action and target.
pub fn audit_rows(app: &TestApp, action: &str, target: &str) -> i64 {
    app.db.count(&format!(
        "audit_log WHERE action = '{action}' AND target = '{target}'"
    ))
}

/// The stored password hash of a user.
pub fn password_hash(app: &TestApp, email: &str) -> Option<String> {
    use diesel::prelude::*;
    use tandem::db::schema::users;
    let pool = app.db.pool();
    let mut conn = pool.get().unwrap();
    users::table
        .filter(users::email.eq(email))
        .select(users::password_hash)
        .first(&mut conn)
        .unwrap()
}

/// The fixture imported with the CLI (minimum group 3); its id.
pub fn import_fixture(app: &TestApp, name: &str) -> i64 {
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
