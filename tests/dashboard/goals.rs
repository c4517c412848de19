//! Goals through the real interfaces: the form on the dashboard (CSRF, errors kept, audit),
//! progress against the report's own numbers, who may see and change which goal, and the
//! JSON API.

use reqwest::StatusCode;
use serde_json::{json, Value};
use tandem::auth::Role;
use tandem::domain::Side;

use crate::common::{csrf_of, TestApp};
use crate::{both_backends, import_fixture, page, signed_in};

async fn post_form(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let r = client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

fn audit_count(app: &TestApp, action: &str) -> i64 {
    use diesel::prelude::*;
    use tandem::db::schema::audit_log;
    let mut conn = app.db.pool().get().unwrap();
    audit_log::table
        .filter(audit_log::action.eq(action))
        .count()
        .get_result(&mut conn)
        .unwrap()
}

/// The whole-firm mean of a dimension in the latest wave, from the report API.
async fn latest_mean(app: &TestApp, id: i64, side: &str, dimension: &str) -> f64 {
    let report: Value = app
        .get(&format!("/api/partnerships/{id}/report"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let last = report["waves"].as_array().unwrap().last().unwrap()["wave"].clone();
    report["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["wave"] == last
                && d["side"] == side
                && d["dimension"] == dimension
                && d["segment_kind"] == "all"
        })
        .expect("the latest whole-firm record")["mean"]
        .as_f64()
        .unwrap()
}

both_backends!(
    a_manager_sets_a_goal_sees_its_progress_and_removes_it,
    |app| {
        let id = import_fixture(&app, "Fixture", 3);
        let mgr = signed_in(&app, "mgr@example.com", Role::Manager, vec![(id, None)]).await;
        let new = format!("/partnerships/{id}/goals/new");

        let (status, _, form) = page(&mgr, &app, &new).await;
        assert_eq!(status, StatusCode::OK, "{form}");
        for key in [
            "mean:supplier:trust",
            "gap:win_win",
            "agreement:customer:trust",
            "response_rate:both",
        ] {
            assert!(form.contains(&format!("value=\"{key}\"")), "{key} offered");
        }
        assert!(form.contains("KPI: "), "KPIs are offered");
        let csrf = csrf_of(&form);
        let goals = format!("/partnerships/{id}/goals");

        let forged = post_form(
            &mgr,
            &app,
            &goals,
            &[
                ("csrf", &"0".repeat(64)),
                ("metric", "mean:supplier:trust"),
                ("target", "4.5"),
                ("due_on", "2030-06-30"),
            ],
        )
        .await;
        assert_eq!(forged.0, StatusCode::FORBIDDEN);
        assert_eq!(app.db.count("goals"), 0, "a forged form changes nothing");

        let (status, _, html) = post_form(
            &mgr,
            &app,
            &goals,
            &[
                ("csrf", &csrf),
                ("metric", "mean:supplier:trust"),
                ("target", "9"),
                ("due_on", "2020-01-01"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains(
                "9 is out of range: the target is in points on the five-point scale, 1 to 5"
            ),
            "{html}"
        );
        assert!(html.contains("2020-01-01 is not in the future"));
        assert!(html.contains("value=\"9\""), "what was typed is kept");
        assert!(html.contains("value=\"mean:supplier:trust\" selected"));
        assert_eq!(app.db.count("goals"), 0);

        let (status, location, _) = post_form(
            &mgr,
            &app,
            &goals,
            &[
                ("csrf", &csrf),
                ("metric", "mean:supplier:trust"),
                ("target", "4.5"),
                ("due_on", "2030-06-30"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, format!("/partnerships/{id}#goals"));
        assert_eq!(audit_count(&app, "goal.create"), 1);

        let (_, _, dash) = page(&mgr, &app, &format!("/partnerships/{id}")).await;
        assert!(
            dash.contains("Trust: Contoso Components&#39;s mean ≥ 4.50 by 2030-06-30"),
            "{dash}"
        );
        assert!(dash.contains("set by mgr@example.com"));
        // The fixture's supplier trust declines: far from 4.5 and heading away.
        assert!(dash.contains("not on track"));

        let listed: Value = app
            .get(&format!("/api/partnerships/{id}/goals"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let goal = &listed[0];
        let current = goal["progress"]["current"].as_f64().unwrap();
        let expected = latest_mean(&app, id, "supplier", "trust").await;
        assert!(
            (current - expected).abs() < 1e-12,
            "{current} vs the report's {expected}"
        );
        assert_eq!(goal["progress"]["status"], "off_track");
        assert!(
            goal["progress"]["projected"].as_f64().unwrap() < current,
            "a falling trend projects lower"
        );
        let goal_id = goal["id"].as_i64().unwrap();

        // A customer-side manager sees neither the supplier goal nor may remove it.
        let one_side = signed_in(
            &app,
            "cust@example.com",
            Role::Manager,
            vec![(id, Some(Side::Customer))],
        )
        .await;
        let (_, _, their) = page(&one_side, &app, &format!("/partnerships/{id}")).await;
        assert!(their.contains("No goals set"));
        let their_csrf = csrf_of(&their);
        let (status, _, _) = post_form(
            &one_side,
            &app,
            &format!("/partnerships/{id}/goals/{goal_id}/delete"),
            &[("csrf", &their_csrf)],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, _, their_form) = page(&one_side, &app, &new).await;
        assert!(
            !their_form.contains("mean:supplier:trust") && !their_form.contains("value=\"gap:"),
            "only their side is offered: {their_form}"
        );

        // Ombudsmen read goals but do not set them.
        let om = signed_in(&app, "om@example.com", Role::Ombudsman, vec![(id, None)]).await;
        assert_eq!(page(&om, &app, &new).await.0, StatusCode::FORBIDDEN);

        let (status, location, _) = post_form(
            &mgr,
            &app,
            &format!("/partnerships/{id}/goals/{goal_id}/delete"),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(
            (status, location.as_str()),
            (
                StatusCode::SEE_OTHER,
                format!("/partnerships/{id}#goals").as_str()
            )
        );
        assert_eq!(app.db.count("goals"), 0);
        assert_eq!(audit_count(&app, "goal.delete"), 1);
    }
);

both_backends!(goals_through_the_api, |app| {
    let id = import_fixture(&app, "Fixture", 3);
    let path = format!("/api/partnerships/{id}/goals");

    let r = app
        .post(&path)
        .json(&json!({"metric": "gap:nonsense", "target": "x", "due_on": "soon"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["metric", "target", "due_on"], "{body}");
    assert_eq!(app.db.count("goals"), 0);

    let r = app
        .post(&path)
        .json(&json!({"metric": "gap:win_win", "target": 0.3, "due_on": "2031-01-31"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["direction"], "≤");
    assert!(
        created["text"]
            .as_str()
            .unwrap()
            .ends_with(": gap between the firms ≤ 0.30 by 2031-01-31"),
        "{created}"
    );
    assert!(
        created["progress"]["current"].as_f64().unwrap() > 0.3,
        "the fixture's win–win gap is wide"
    );

    let kpi_name: String = {
        use diesel::prelude::*;
        use tandem::db::schema::kpis;
        let mut conn = app.db.pool().get().unwrap();
        kpis::table
            .order(kpis::id.asc())
            .select(kpis::name)
            .first(&mut conn)
            .unwrap()
    };
    let kpi = app
        .post(&path)
        .json(&json!({"metric": format!("kpi:{kpi_name}"), "target": 95, "due_on": "2031-01-31"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        kpi.status(),
        StatusCode::CREATED,
        "{}",
        kpi.text().await.unwrap()
    );

    let listed: Value = app.get(&path).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);

    let gid = created["id"].as_i64().unwrap();
    let r = app
        .client
        .delete(app.url(&format!("{path}/{gid}")))
        .bearer_auth(crate::common::ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let again = app
        .client
        .delete(app.url(&format!("{path}/{gid}")))
        .bearer_auth(crate::common::ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.db.count("goals"), 1);
});
