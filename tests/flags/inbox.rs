//! The ombudsman's inbox as pages: the list across partnerships in scope, one flag with its
//! numbers, and the forms that change it (CSRF, audit, history), on both backends.

use reqwest::StatusCode;
use tandem::auth::Role;

use crate::common::csrf_of;
use crate::world_test;

async fn get(client: &reqwest::Client, w: &crate::World, path: &str) -> (StatusCode, String) {
    let r = client.get(w.app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn post(
    client: &reqwest::Client,
    w: &crate::World,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let r = client
        .post(w.app.url(path))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, location.unwrap_or(r.text().await.unwrap()))
}

world_test!(an_ombudsman_works_a_flag_from_the_inbox_pages, |w| {
    w.run_api(None).await;
    let decline = w.find("decline", "dimension:trust:supplier").await.unwrap();
    let id = decline["id"].as_i64().unwrap();
    let om = w
        .app
        .signed_in(
            "om@example.com",
            Role::Ombudsman,
            vec![(w.partnership, None)],
        )
        .await;

    let (status, inbox) = get(&om, &w, "/flags").await;
    assert_eq!(status, StatusCode::OK, "{inbox}");
    let flag_link = format!("href=\"/flags/{id}\"");
    assert!(inbox.contains(&flag_link), "{inbox}");
    let first_high = inbox.find("sev high").expect("a high flag");
    if let Some(first_low) = inbox.find("<span class=\"sev low\"") {
        assert!(first_high < first_low, "most severe first");
    }

    let (status, page) = get(&om, &w, &format!("/flags/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Why it fired"));
    assert!(page.contains("Slope"), "the numbers that fired it");
    assert!(page.contains(&format!(
        "href=\"/partnerships/{}#dim-trust\"",
        w.partnership
    )));
    assert!(
        page.contains("<th scope=\"row\">6</th>"),
        "the waves it fired on"
    );
    let csrf = csrf_of(&page);

    let (status, _) = post(
        &om,
        &w,
        &format!("/flags/{id}/acknowledge"),
        &[("csrf", &"0".repeat(64)), ("note", "")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        w.find("decline", "dimension:trust:supplier").await.unwrap()["state"],
        "open"
    );

    let back = format!("/flags/{id}");
    let (status, location) = post(
        &om,
        &w,
        &format!("/flags/{id}/acknowledge"),
        &[("csrf", &csrf), ("note", "Calling the account team")],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, back.as_str())
    );
    let (status, _) = post(
        &om,
        &w,
        &format!("/flags/{id}/acknowledge"),
        &[("csrf", &csrf), ("note", "")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "already acknowledged");
    let (status, body) = post(
        &om,
        &w,
        &format!("/flags/{id}/notes"),
        &[("csrf", &csrf), ("note", "  ")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("The note is empty."));
    post(
        &om,
        &w,
        &format!("/flags/{id}/notes"),
        &[("csrf", &csrf), ("note", "Met both <sponsors>")],
    )
    .await;
    let om_id = {
        use diesel::prelude::*;
        use tandem::db::schema::users;
        let mut conn = w.app.db.pool().get().unwrap();
        users::table
            .filter(users::email.eq("om@example.com"))
            .select(users::id)
            .first::<i64>(&mut conn)
            .unwrap()
    };
    let (status, _) = post(
        &om,
        &w,
        &format!("/flags/{id}/assign"),
        &[("csrf", &csrf), ("user_id", &om_id.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = post(
        &om,
        &w,
        &format!("/flags/{id}/resolve"),
        &[("csrf", &csrf), ("note", "Plan agreed")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let flag = w.find("decline", "dimension:trust:supplier").await.unwrap();
    assert_eq!(flag["state"], "resolved");
    assert_eq!(flag["assignee"], "om@example.com");
    let (_, page) = get(&om, &w, &format!("/flags/{id}")).await;
    for text in [
        "acknowledged</strong> by om@example.com",
        "Calling the account team",
        "Met both &#60;sponsors&#62;",
        "assigned to om@example.com",
        "Plan agreed",
        "Reopen",
    ] {
        assert!(page.contains(text), "{text}: {page}");
    }
    let (_, inbox) = get(&om, &w, "/flags").await;
    assert!(
        !inbox.contains(&flag_link),
        "resolved flags leave the inbox"
    );
    let (_, resolved) = get(&om, &w, "/flags?show=resolved").await;
    assert!(resolved.contains(&flag_link));
    {
        use diesel::prelude::*;
        use tandem::db::schema::audit_log;
        let mut conn = w.app.db.pool().get().unwrap();
        let actions: Vec<String> = audit_log::table
            .filter(audit_log::actor.eq("om@example.com"))
            .filter(audit_log::target.eq(format!("flag {id}")))
            .order(audit_log::id.asc())
            .select(audit_log::action)
            .load(&mut conn)
            .unwrap();
        assert_eq!(
            actions,
            [
                "flag.acknowledged",
                "flag.note",
                "flag.assigned",
                "flag.resolved"
            ]
        );
    }
});

world_test!(
    the_inbox_is_only_for_flag_handlers_and_only_their_partnerships,
    |w| {
        w.run_api(None).await;
        let any = w.flags().await[0]["id"].as_i64().unwrap();
        let other = w.app.create_partnership("Elsewhere").await;

        let mgr = w
            .app
            .signed_in(
                "mgr@example.com",
                Role::Manager,
                vec![(w.partnership, None)],
            )
            .await;
        assert_eq!(get(&mgr, &w, "/flags").await.0, StatusCode::FORBIDDEN);
        assert_eq!(
            get(&mgr, &w, &format!("/flags/{any}")).await.0,
            StatusCode::FORBIDDEN
        );

        let elsewhere = w
            .app
            .signed_in("om2@example.com", Role::Ombudsman, vec![(other, None)])
            .await;
        let (status, inbox) = get(&elsewhere, &w, "/flags").await;
        assert_eq!(status, StatusCode::OK);
        assert!(inbox.contains("Nothing needs attention"), "{inbox}");
        let (status, _) = get(&elsewhere, &w, &format!("/flags/{any}")).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "out of scope reads as missing"
        );
        let (missing, _) = get(&elsewhere, &w, "/flags/999999").await;
        assert_eq!(missing, StatusCode::NOT_FOUND);
        let (_, home) = get(&elsewhere, &w, "/").await;
        let csrf = csrf_of(&home);
        let (status, _) = post(
            &elsewhere,
            &w,
            &format!("/flags/{any}/resolve"),
            &[("csrf", &csrf), ("note", "")],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_ne!(w.flags().await[0]["state"], "resolved");

        let anonymous = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = anonymous.get(w.app.url("/flags")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign in first");
    }
);

world_test!(
    a_flag_goes_only_to_someone_who_can_see_its_partnership,
    |w| {
        w.run_api(None).await;
        let id = w.flags().await[0]["id"].as_i64().unwrap();
        let elsewhere = w.app.create_partnership("Elsewhere").await;
        let om = w
            .app
            .signed_in(
                "om@example.com",
                Role::Ombudsman,
                vec![(w.partnership, None)],
            )
            .await;
        w.app
            .signed_in("far@example.com", Role::Ombudsman, vec![(elsewhere, None)])
            .await;
        let far_id = {
            use diesel::prelude::*;
            use tandem::db::schema::users;
            let mut conn = w.app.db.pool().get().unwrap();
            users::table
                .filter(users::email.eq("far@example.com"))
                .select(users::id)
                .first::<i64>(&mut conn)
                .unwrap()
        };

        let (status, page) = get(&om, &w, &format!("/flags/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("om@example.com"), "in scope: listed");
        assert!(
            !page.contains("far@example.com"),
            "an ombudsman of another partnership is not named"
        );
        let csrf = csrf_of(&page);
        let (status, body) = post(
            &om,
            &w,
            &format!("/flags/{id}/assign"),
            &[("csrf", &csrf), ("user_id", &far_id.to_string())],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("cannot see this flag"), "{body}");

        let r = w
            .act(id, "assign", serde_json::json!({"user_id": far_id}))
            .await;
        assert_eq!(r.status(), 422);
        let flag = w.flags().await.into_iter().find(|f| f["id"] == id).unwrap();
        assert!(flag["assignee"].is_null(), "nothing assigned: {flag}");
    }
);
