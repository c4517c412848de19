use reqwest::StatusCode;

use crate::both_backends;
use crate::helpers::*;

both_backends!(
    a_user_added_with_the_cli_sets_a_password_signs_in_sees_home_and_signs_out,
    |app| {
        let a = app.create_partnership("Acme Bolt").await;
        let out = user_add(
            &app,
            &[
                "--email",
                "Ann@Example.com",
                "--role",
                "manager",
                "--partnership",
                &a.to_string(),
            ],
        );
        out.assert_ok();
        let link = out.last_line().to_owned();
        assert!(
            link.starts_with(&format!("{}/set-password/", app.address)),
            "{link}"
        );
        assert_eq!(password_hash(&app, "ann@example.com"), None);

        let client = browser();
        let form = client.get(&link).send().await.unwrap();
        assert_eq!(form.status(), StatusCode::OK);
        let csrf = csrf_of(&form.text().await.unwrap());
        let short = client
            .post(&link)
            .form(&[
                ("password", "too short"),
                ("confirm", "too short"),
                ("csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(short
            .text()
            .await
            .unwrap()
            .contains("at least 12 characters"));
        let saved = client
            .post(&link)
            .form(&[
                ("password", PASSWORD),
                ("confirm", PASSWORD),
                ("csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::OK);
        assert!(saved
            .text()
            .await
            .unwrap()
            .contains("Your password is saved"));
        assert_eq!(
            client.get(&link).send().await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "a set-password link works once"
        );
        let stored = password_hash(&app, "ann@example.com").unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");

        let r = sign_in(&app, &client, "ann@example.com", PASSWORD).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/");
        let (body, csrf) = home(&app, &client).await;
        assert!(body.contains("ann@example.com"));
        assert!(body.contains("Acme Bolt"));
        assert!(body.contains(&format!("href=\"/partnerships/{a}\"")));
        assert_eq!(app.db.count("sessions"), 1);

        let out = client
            .post(app.url("/logout"))
            .form(&[("csrf", &csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), StatusCode::SEE_OTHER);
        assert_eq!(out.headers()["location"], "/login");
        assert_eq!(app.db.count("sessions"), 0, "sign-out deletes the session");
        let after = client.get(app.url("/")).send().await.unwrap();
        assert_eq!(after.status(), StatusCode::SEE_OTHER);
        assert_eq!(after.headers()["location"], "/login?next=%2F");

        assert_eq!(audit_rows(&app, "user.created", "ann@example.com"), 1);
        assert_eq!(audit_rows(&app, "user.password_set", "ann@example.com"), 1);
        assert_eq!(audit_rows(&app, "sign_in.succeeded", "ann@example.com"), 1);
        assert_eq!(audit_rows(&app, "sign_out", "ann@example.com"), 1);
    }
);

both_backends!(the_session_cookie_is_http_only_and_same_site_lax, |app| {
    add_user(&app, "admin@example.com", &["--role", "admin"]);
    let client = browser();
    let r = sign_in(&app, &client, "admin@example.com", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookie(&r, "tandem_session");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http here: {cookie}");
    let value = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("tandem_session=");
    assert_eq!(
        app.db.count(&format!(
            "sessions WHERE token_hash = '{}'",
            tandem::secrets::hash(value)
        )),
        1,
        "only the hash of the session id is stored"
    );
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_https_the_session_cookie_is_secure_sqlite() {
    behind_https_the_session_cookie_is_secure(crate::common::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
async fn behind_https_the_session_cookie_is_secure_postgres() {
    behind_https_the_session_cookie_is_secure(crate::common::Backend::Postgres).await;
}

async fn behind_https_the_session_cookie_is_secure(backend: crate::common::Backend) {
    let Some(app) = crate::common::TestApp::spawn_with(backend, |s| {
        s.public_base_url = Some("https://tandem.example".into())
    })
    .await
    else {
        return;
    };
    add_user(&app, "admin@example.com", &["--role", "admin"]);
    let r = sign_in(&app, &browser(), "admin@example.com", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookie(&r, "tandem_session");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
}

both_backends!(
    a_user_added_with_a_password_on_stdin_signs_in_at_once,
    |app| {
        let out = user_add_with_password(
            &app,
            &[
                "--email",
                "ombuds@example.com",
                "--role",
                "ombudsman",
                "--all-partnerships",
            ],
            PASSWORD,
        );
        out.assert_ok();
        assert!(!out.stdout.contains("/set-password/"));
        assert!(password_hash(&app, "ombuds@example.com")
            .unwrap()
            .starts_with("$argon2id$"));
        let client = signed_in(&app, "ombuds@example.com").await;
        let (body, _) = home(&app, &client).await;
        assert!(body.contains("every partnership"));

        let list = app.cli(&["user", "list"]);
        list.assert_ok();
        assert!(list.stdout.contains("ombuds@example.com"));
        assert!(list.stdout.contains("all partnerships"));
    }
);

both_backends!(
    the_cli_refuses_a_short_password_and_an_unknown_partnership,
    |app| {
        let short = user_add_with_password(
            &app,
            &["--email", "a@example.com", "--role", "admin"],
            "short",
        );
        assert_ne!(short.status, 0);
        assert!(
            short.stderr.contains("at least 12 characters"),
            "{}",
            short.stderr
        );
        let unknown = user_add(
            &app,
            &[
                "--email",
                "b@example.com",
                "--role",
                "manager",
                "--partnership",
                "99",
            ],
        );
        assert_ne!(unknown.status, 0);
        assert!(
            unknown.stderr.contains("no partnership with id 99"),
            "{}",
            unknown.stderr
        );
        assert_eq!(app.db.count("users"), 0);
    }
);

both_backends!(
    links_expire_after_48_hours_and_sessions_after_12_idle_hours,
    |app| {
        use tandem::auth::{sessions, tokens};
        let out = user_add(&app, &["--email", "admin@example.com", "--role", "admin"]);
        out.assert_ok();
        let token = out.last_line().rsplit('/').next().unwrap().to_owned();
        let pool = app.db.pool();
        let mut conn = pool.get().unwrap();
        let now = tandem::db::now();
        assert!(tokens::lookup(&mut conn, &token, now).unwrap().is_some());
        assert!(
            tokens::lookup(&mut conn, &token, now + chrono::TimeDelta::hours(49))
                .unwrap()
                .is_none()
        );

        let user = tandem::auth::users::find_by_email(&mut conn, "admin@example.com")
            .unwrap()
            .unwrap();
        let session = sessions::start(&mut conn, user.id, now).unwrap();
        let later = now + chrono::TimeDelta::hours(11);
        assert!(sessions::resolve(&mut conn, &session, later)
            .unwrap()
            .is_some());
        assert!(
            sessions::resolve(&mut conn, &session, later + chrono::TimeDelta::hours(11))
                .unwrap()
                .is_some(),
            "use within 12 hours pushes the end back"
        );
        assert!(
            sessions::resolve(&mut conn, &session, later + chrono::TimeDelta::hours(24))
                .unwrap()
                .is_none()
        );
    }
);
