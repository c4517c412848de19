use reqwest::StatusCode;

use crate::both_backends;
use crate::helpers::*;

both_backends!(
    a_wrong_password_and_an_unknown_email_get_the_same_answer,
    |app| {
        add_user(&app, "ann@example.com", &["--role", "admin"]);
        let client = browser();
        let wrong = sign_in(&app, &client, "ann@example.com", "not the password at all").await;
        let wrong_status = wrong.status();
        let wrong_body = wrong
            .text()
            .await
            .unwrap()
            .replace("ann@example.com", "EMAIL");
        let unknown = sign_in(
            &app,
            &client,
            "nobody@example.com",
            "not the password at all",
        )
        .await;
        let unknown_status = unknown.status();
        let unknown_body = unknown
            .text()
            .await
            .unwrap()
            .replace("nobody@example.com", "EMAIL");

        assert_eq!(wrong_status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unknown_status, wrong_status);
        assert!(wrong_body.contains("The email or password is wrong."));
        assert_eq!(wrong_body, unknown_body);
        assert_eq!(app.db.count("sessions"), 0);
        assert_eq!(audit_rows(&app, "sign_in.failed", "ann@example.com"), 1);
        assert_eq!(audit_rows(&app, "sign_in.failed", "nobody@example.com"), 1);
    }
);

both_backends!(
    five_failed_sign_ins_lock_the_email_for_fifteen_minutes,
    |app| {
        add_user(&app, "ann@example.com", &["--role", "admin"]);
        let client = browser();
        for _ in 0..5 {
            let r = sign_in(&app, &client, "ann@example.com", "guessing guessing").await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        let r = sign_in(&app, &client, "ann@example.com", PASSWORD).await;
        assert_eq!(
            r.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "even the right password waits"
        );
        assert_eq!(r.headers()["retry-after"], "900");
        assert!(r.text().await.unwrap().contains("Too many failed sign-ins"));
        assert_eq!(app.db.count("sessions"), 0);
        assert_eq!(audit_rows(&app, "sign_in.throttled", "ann@example.com"), 1);

        add_user(&app, "bob@example.com", &["--role", "admin"]);
        let other = sign_in(&app, &client, "bob@example.com", PASSWORD).await;
        assert_eq!(
            other.status(),
            StatusCode::SEE_OTHER,
            "the limit is per email"
        );
    }
);

both_backends!(
    a_sign_in_without_its_csrf_token_is_refused_and_changes_nothing,
    |app| {
        add_user(&app, "ann@example.com", &["--role", "admin"]);
        let client = browser();
        client.get(app.url("/login")).send().await.unwrap();
        for csrf in [None, Some("0".repeat(64))] {
            let mut fields = vec![
                ("email", "ann@example.com".to_owned()),
                ("password", PASSWORD.to_owned()),
            ];
            if let Some(c) = csrf {
                fields.push(("csrf", c));
            }
            let r = client
                .post(app.url("/login"))
                .form(&fields)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
        }
        assert_eq!(app.db.count("sessions"), 0);
        assert_eq!(app.db.count("audit_log WHERE action LIKE 'sign_in%'"), 0);
    }
);

both_backends!(
    a_sign_out_without_its_csrf_token_is_refused_and_the_session_stays,
    |app| {
        add_user(&app, "ann@example.com", &["--role", "admin"]);
        let client = signed_in(&app, "ann@example.com").await;
        let missing = client
            .post(app.url("/logout"))
            .form(&[("x", "y")])
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::FORBIDDEN);
        let wrong = client
            .post(app.url("/logout"))
            .form(&[("csrf", "f".repeat(64))])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.db.count("sessions"), 1);
        assert_eq!(
            client.get(app.url("/")).send().await.unwrap().status(),
            StatusCode::OK
        );
    }
);

both_backends!(
    an_admin_session_uses_the_api_and_needs_the_csrf_header_to_change_things,
    |app| {
        add_user(&app, "admin@example.com", &["--role", "admin"]);
        let client = signed_in(&app, "admin@example.com").await;
        let body = serde_json::json!({"name": "Via Session", "customer": "C1", "supplier": "S1"});
        let refused = client
            .post(app.url("/api/partnerships"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.db.count("partnerships"), 0, "nothing was created");
        let (_, csrf) = home(&app, &client).await;
        let created = client
            .post(app.url("/api/partnerships"))
            .header("X-CSRF-Token", csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
        let list = client
            .get(app.url("/api/partnerships"))
            .send()
            .await
            .unwrap();
        assert_eq!(list.status(), StatusCode::OK);
    }
);

both_backends!(
    a_manager_gets_404_for_a_partnership_outside_their_scope,
    |app| {
        let a = app.create_partnership("Alpha").await;
        let b = app.create_partnership("Beta").await;
        add_user(
            &app,
            "mgr@example.com",
            &[
                "--role",
                "manager",
                "--partnership",
                &a.to_string(),
                "--side",
                "customer",
            ],
        );
        let client = signed_in(&app, "mgr@example.com").await;

        let outside = client
            .get(app.url(&format!("/api/partnerships/{b}")))
            .send()
            .await
            .unwrap();
        assert_eq!(outside.status(), StatusCode::NOT_FOUND);
        let outside_body: serde_json::Value = outside.json().await.unwrap();
        let missing = client
            .get(app.url("/api/partnerships/999"))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let missing_body: serde_json::Value = missing.json().await.unwrap();
        assert_eq!(
            outside_body["error"]
                .as_str()
                .unwrap()
                .replace(&b.to_string(), "N"),
            missing_body["error"].as_str().unwrap().replace("999", "N"),
            "refused and missing read the same"
        );
        let waves = client
            .get(app.url(&format!("/api/partnerships/{b}/waves")))
            .send()
            .await
            .unwrap();
        assert_eq!(waves.status(), StatusCode::NOT_FOUND);
        let own = client
            .get(app.url(&format!("/api/partnerships/{a}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            own.status(),
            StatusCode::FORBIDDEN,
            "admin routes stay admin-only"
        );

        let (home_page, _) = home(&app, &client).await;
        assert!(home_page.contains("Alpha"));
        assert!(home_page.contains("customer side only"));
        assert!(!home_page.contains("Beta"));
        assert!(!home_page.contains(&format!("/partnerships/{b}\"")));

        let anonymous = browser()
            .get(app.url(&format!("/api/partnerships/{b}")))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        let page = browser().get(app.url("/")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::SEE_OTHER);
    }
);

both_backends!(an_ombudsman_with_a_set_sees_only_that_set, |app| {
    let a = app.create_partnership("Alpha").await;
    app.create_partnership("Beta").await;
    add_user(
        &app,
        "om@example.com",
        &["--role", "ombudsman", "--partnership", &a.to_string()],
    );
    let client = signed_in(&app, "om@example.com").await;
    let (body, _) = home(&app, &client).await;
    assert!(body.contains("Alpha"));
    assert!(body.contains("both firms"));
    assert!(!body.contains("Beta"));
});
