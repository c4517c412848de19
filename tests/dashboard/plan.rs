//! The relationship plan through the real interfaces: the page forms (CSRF, named
//! problems, nothing half-written), the JSON API, the plan section of the dashboard and the
//! review pack against the report API's own numbers (a withheld firm says "withheld"), the
//! one-side manager's milestones, goal owners, and the audit log.

use reqwest::StatusCode;
use serde_json::{json, Value};
use tandem::auth::Role;
use tandem::domain::Side;

use crate::common::{csrf_of, TestApp};
use crate::{both_backends, import_fixture, page, signed_in};

const ROSTER: &str = "email,name,side,level,function,region,roles\n\
ann@acme.com,Ann Lee,customer,executive,procurement,EU,point person\n\
bob@acme.com,Bob Roe,customer,staff,engineering,EU,\n\
cy@bolt.com,Cy Poe,supplier,manager,sales,US,point person\n\
di@bolt.com,Di Fox,supplier,staff,operations,US,\n";

async fn import_roster(app: &TestApp, id: i64, csv: &str) {
    let r = app
        .post(&format!("/api/partnerships/{id}/roster"))
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

/// The roster person of partnership `id` named `name`.
fn person(app: &TestApp, id: i64, name: &str) -> i64 {
    use diesel::prelude::*;
    use tandem::db::schema::people;
    let mut conn = app.db.pool().get().unwrap();
    people::table
        .filter(people::partnership_id.eq(id))
        .filter(people::name.eq(name))
        .select(people::id)
        .first(&mut conn)
        .unwrap()
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

/// Nothing of the plan is stored.
fn plan_is_empty(app: &TestApp) {
    for table in [
        "plan_objectives",
        "plan_milestones",
        "plan_objective_goals",
        "plan_objective_dimensions",
    ] {
        assert_eq!(app.db.count(table), 0, "{table} is empty");
    }
}

/// The latest wave's whole-firm record of a dimension in the report API: (wave, mean).
async fn latest(app: &TestApp, id: i64, side: &str, dimension: &str) -> (i64, Option<f64>) {
    let report: Value = app
        .get(&format!("/api/partnerships/{id}/report"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let last = report["waves"].as_array().unwrap().last().unwrap()["wave"]
        .as_i64()
        .unwrap();
    let record = report["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["wave"] == last
                && d["side"] == side
                && d["dimension"] == dimension
                && d["segment_kind"] == "all"
        })
        .expect("the latest whole-firm record")
        .clone();
    (last, record["mean"].as_f64())
}

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

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(offset)).to_string()
}

/// A goal of partnership `id` (mean of the supplier on trust), through the API.
async fn goal(app: &TestApp, id: i64, owner: Option<i64>) -> reqwest::Response {
    app.post(&format!("/api/partnerships/{id}/goals"))
        .json(&json!({"metric": "mean:supplier:trust", "target": 4.2, "due_on": day(200), "owner": owner}))
        .send()
        .await
        .unwrap()
}

/// A form with one wrong field, the field's name and the message expected.
type BadCase = (Vec<(String, String)>, &'static str, String);

/// The plan section of a page: from its heading to the link to the plan page.
fn plan_section(html: &str) -> &str {
    let start = html
        .find("id=\"plan\">Relationship plan")
        .expect("a plan section");
    let end = html[start..]
        .find("The plan: objectives and milestones")
        .expect("the end of the plan section");
    &html[start..start + end]
}

both_backends!(
    a_manager_builds_the_plan_with_the_page_forms_and_the_dashboard_and_pack_show_it,
    |app| {
        // Minimum 27: in the last wave the customer's win–win items have 26 answers each
        // (withheld), the supplier's 29 and 27 (shown).
        let id = import_fixture(&app, "Plan", 27);
        import_roster(&app, id, ROSTER).await;
        let other = app.create_partnership("Elsewhere").await;
        import_roster(&app, other, "email,name,side,level,function,region,roles\nzed@x.com,Zed Ray,supplier,staff,sales,US,\n").await;
        let (ann, bob, cy) = (
            person(&app, id, "Ann Lee"),
            person(&app, id, "Bob Roe"),
            person(&app, id, "Cy Poe"),
        );
        let zed = person(&app, other, "Zed Ray");
        let r = goal(&app, id, None).await;
        assert_eq!(r.status(), 201);
        let goal_id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let r = goal(&app, other, None).await;
        assert_eq!(
            r.status(),
            409,
            "no closed wave in the other partnership yet"
        );
        let foreign_goal = {
            use diesel::prelude::*;
            use tandem::db::schema::goals;
            let mut conn = app.db.pool().get().unwrap();
            diesel::insert_into(goals::table)
                .values((
                    goals::partnership_id.eq(other),
                    goals::metric.eq("mean"),
                    goals::target_scope.eq("supplier:trust"),
                    goals::target.eq(4.0),
                    goals::due_on.eq(chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()),
                    goals::created_at.eq(tandem::db::now()),
                ))
                .returning(goals::id)
                .get_result::<i64>(&mut conn)
                .unwrap()
        };

        let mgr = signed_in(&app, "mgr@example.com", Role::Manager, vec![(id, None)]).await;
        let plan = format!("/partnerships/{id}/plan");
        let (status, _, html) = page(&mgr, &app, &plan).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("No joint objectives yet."));
        assert!(html.contains(&format!("<option value=\"{ann}\">Ann Lee</option>")));
        let csrf = csrf_of(&html);
        let (ann_s, bob_s, cy_s, zed_s, goal_s, foreign_s) = (
            ann.to_string(),
            bob.to_string(),
            cy.to_string(),
            zed.to_string(),
            goal_id.to_string(),
            foreign_goal.to_string(),
        );
        let (overdue, later) = (day(-10), day(30));
        let good: Vec<(&str, &str)> = vec![
            ("csrf", &csrf),
            ("title", "One escalation path"),
            (
                "description",
                "Both firms hear of a late delivery the same day.",
            ),
            ("customer_owner", &ann_s),
            ("supplier_owner", &cy_s),
            ("status", "in_progress"),
            ("goal", &goal_s),
            ("dimension", "win_win"),
            ("milestone_title", "Agree the path"),
            ("milestone_due_on", &overdue),
            ("milestone_owner", &bob_s),
            ("milestone_title", "First joint review"),
            ("milestone_due_on", &later),
            ("milestone_owner", &cy_s),
            ("milestone_title", ""),
            ("milestone_due_on", ""),
            ("milestone_owner", ""),
        ];
        // The good form with one field's first value replaced.
        let with = |field: &str, value: &str| -> Vec<(String, String)> {
            let mut done = false;
            good.iter()
                .map(|(k, v)| {
                    if *k == field && !done {
                        done = true;
                        (k.to_string(), value.to_owned())
                    } else {
                        (k.to_string(), v.to_string())
                    }
                })
                .collect()
        };
        let bad_cases: Vec<BadCase> = vec![
            (
                with("customer_owner", &cy_s),
                "customer_owner",
                format!("person {cy} belongs to the supplier firm; the owner here is a person of the customer firm"),
            ),
            (
                with("supplier_owner", "999999"),
                "supplier_owner",
                "person 999999 is not on this partnership&#39;s roster".into(),
            ),
            (
                with("supplier_owner", &zed_s),
                "supplier_owner",
                format!("person {zed} is not on this partnership&#39;s roster"),
            ),
            (
                with("dimension", "speed"),
                "dimensions",
                "&#34;speed&#34; is not a dimension of this partnership&#39;s survey".into(),
            ),
            (
                with("goal", &foreign_s),
                "goals",
                format!("goal {foreign_goal} is not a goal of this partnership"),
            ),
        ];
        for (fields, field, message) in &bad_cases {
            let (status, _, html) = post_form(
                &mgr,
                &app,
                &plan,
                &fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect::<Vec<_>>(),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
            assert!(
                html.contains(&format!("<span class=\"field\">{field}</span>: {message}")),
                "{field}: {message} in {html}"
            );
            assert!(
                html.contains("value=\"One escalation path\""),
                "what was typed is kept"
            );
            plan_is_empty(&app);
        }
        let mut forged = good.clone();
        forged[0] = ("csrf", "0000");
        let (status, _, _) = post_form(&mgr, &app, &plan, &forged).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        plan_is_empty(&app);

        let (status, location, body) = post_form(&mgr, &app, &plan, &good).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert!(location.starts_with(&format!("/partnerships/{id}/plan#objective-")));
        assert_eq!(app.db.count("plan_objectives"), 1);
        assert_eq!(
            app.db.count("plan_milestones"),
            2,
            "the empty row is left out"
        );
        assert_eq!(audit_count(&app, "plan.objective_created"), 1);
        assert_eq!(audit_count(&app, "plan.milestone_added"), 2);

        let (_, _, html) = page(&mgr, &app, &plan).await;
        assert!(html.contains("overdue since"), "{html}");
        assert!(html.contains(&format!("overdue since {overdue} (10 days)")));
        assert!(html.contains(&format!("due {later} (in 30 days)")));
        assert!(html.contains("1 milestone overdue."));

        // The supplier's latest win–win mean is shown; the customer's is withheld.
        let (wave, supplier_mean) = latest(&app, id, "supplier", "win_win").await;
        let supplier_mean = supplier_mean.expect("the supplier's win–win is shown");
        let (_, customer_mean) = latest(&app, id, "customer", "win_win").await;
        assert_eq!(customer_mean, None, "the customer's win–win is withheld");
        let report: Value = app
            .get(&format!("/api/partnerships/{id}/report"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let supplier_before = report["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| {
                d["wave"] == wave - 1
                    && d["side"] == "supplier"
                    && d["dimension"] == "win_win"
                    && d["segment_kind"] == "all"
            })
            .expect("the wave before")["mean"]
            .as_f64()
            .expect("shown the wave before");
        let change = format!(
            "{:+.2} since wave {}",
            supplier_mean - supplier_before,
            wave - 1
        );
        for path in [
            format!("/partnerships/{id}"),
            format!("/partnerships/{id}/review"),
        ] {
            let (status, _, html) = page(&mgr, &app, &path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            let s = plan_section(&html);
            assert!(
                s.contains("<strong>One escalation path</strong>"),
                "{path}: {s}"
            );
            assert!(s.contains("in progress"));
            assert!(s.contains("Owners: Ann Lee ("), "{s}");
            assert!(s.contains(" and Cy Poe ("));
            assert!(s.contains(&format!(
                "1 overdue: Agree the path — Bob Roe, overdue since {overdue} (10 days)"
            )));
            assert!(s.contains(&format!(
                "Next milestone: Agree the path — Bob Roe, overdue since {overdue}"
            )));
            assert!(
                s.contains("Trust: Contoso Components&#39;s mean ≥ 4.20"),
                "{s}"
            );
            assert!(
                s.contains(&format!(
                    "<td class=\"num\">{supplier_mean:.2} (wave {wave})</td>"
                )),
                "{path}: the supplier's mean {supplier_mean:.2} in {s}"
            );
            assert!(
                s.contains(&format!("<td class=\"num\">withheld (wave {wave}:")),
                "{path}: the customer's mean withheld in {s}"
            );
            assert!(
                s.contains(&format!("<td class=\"num\">{change}</td>")),
                "{path}: the supplier's change {change} in {s}"
            );
        }

        // The pack of an earlier wave shows that wave's figure.
        let (_, _, html) = page(
            &mgr,
            &app,
            &format!("/partnerships/{id}/review?wave={}", wave - 1),
        )
        .await;
        let s = plan_section(&html);
        assert!(
            s.contains(&format!(
                "<td class=\"num\">{supplier_before:.2} (wave {})</td>",
                wave - 1
            )),
            "{s}"
        );

        // The edit page: the objective's form and its milestones, through the page forms.
        let oid: i64 = location.rsplit('-').next().unwrap().parse().unwrap();
        let edit = format!("/partnerships/{id}/plan/{oid}");
        let (status, _, html) = page(&mgr, &app, &edit).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("value=\"One escalation path\""));
        assert!(html.contains("value=\"win_win\" checked"));
        let csrf = csrf_of(&html);
        let (status, _, html) = post_form(
            &mgr,
            &app,
            &edit,
            &[
                ("csrf", &csrf),
                ("title", "One escalation path"),
                ("customer_owner", &bob_s),
                ("supplier_owner", &ann_s),
                ("status", "done"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("<span class=\"field\">supplier_owner</span>"),
            "{html}"
        );
        let (status, _, _) = post_form(
            &mgr,
            &app,
            &edit,
            &[
                ("csrf", &csrf),
                ("title", "One escalation path"),
                ("customer_owner", &bob_s),
                ("supplier_owner", &cy_s),
                ("status", "done"),
                ("dimension", "trust"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, html) = post_form(
            &mgr,
            &app,
            &format!("{edit}/milestones"),
            &[
                ("csrf", &csrf),
                ("title", "Close the loop"),
                ("due_on", "someday"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("&#34;someday&#34; is not a date (YYYY-MM-DD)"),
            "{html}"
        );
        assert!(html.contains("<span class=\"field\">owner</span>: is missing"));
        let (status, _, _) = post_form(
            &mgr,
            &app,
            &format!("{edit}/milestones"),
            &[
                ("csrf", &csrf),
                ("title", "Close the loop"),
                ("due_on", &later),
                ("owner", &cy_s),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let o: Value = app
            .get(&format!("/api/partnerships/{id}/plan"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let o = &o[0];
        assert_eq!(o["status"], "done");
        assert_eq!(o["customer_owner"]["name"], "Bob Roe");
        assert_eq!(o["dimensions"], json!(["trust"]));
        assert_eq!(o["goals"], json!([]), "the goal was unticked");
        assert_eq!(o["milestones"].as_array().unwrap().len(), 3);
        let first = o["milestones"][0]["id"].as_i64().unwrap();
        let (status, _, _) = post_form(
            &mgr,
            &app,
            &format!("/partnerships/{id}/plan/milestones/{first}"),
            &[
                ("csrf", &csrf),
                ("title", "Agree the path"),
                ("due_on", &overdue),
                ("done_on", &day(0)),
                ("owner", &bob_s),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        for (action, n) in [
            ("plan.objective_updated", 1),
            ("plan.milestone_added", 3),
            ("plan.milestone_updated", 1),
        ] {
            assert_eq!(audit_count(&app, action), n, "{action}");
        }
        let (_, _, html) = page(&mgr, &app, &format!("/partnerships/{id}")).await;
        assert!(plan_section(&html).contains("No milestone overdue."));

        // A goal names its owner on the goal form; the dashboard shows who owns it.
        let (status, _, form) = page(&mgr, &app, &format!("/partnerships/{id}/goals/new")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(form.contains(&format!(
            "<option value=\"{bob}\">Bob Roe (customer)</option>"
        )));
        let goal_form = |owner: &str| {
            vec![
                ("csrf".to_owned(), csrf.clone()),
                ("metric".to_owned(), "mean:customer:trust".to_owned()),
                ("target".to_owned(), "4.1".to_owned()),
                ("due_on".to_owned(), day(100)),
                ("owner".to_owned(), owner.to_owned()),
            ]
        };
        let goals_url = format!("/partnerships/{id}/goals");
        let r = mgr
            .post(app.url(&goals_url))
            .form(&goal_form(&zed_s))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!(
                "person {zed} is not on this partnership&#39;s roster"
            )),
            "{html}"
        );
        let before = app.db.count("goals");
        let r = mgr
            .post(app.url(&goals_url))
            .form(&goal_form(&bob_s))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.db.count("goals"), before + 1);
        let (_, _, html) = page(&mgr, &app, &format!("/partnerships/{id}")).await;
        assert!(html.contains(" · owner Bob Roe (customer)"), "{html}");
    }
);

both_backends!(
    the_api_creates_and_changes_the_plan_and_refuses_bad_references,
    |app| {
        let id = import_fixture(&app, "Plan API", 3);
        import_roster(&app, id, ROSTER).await;
        let other = app.create_partnership("Elsewhere").await;
        import_roster(&app, other, "email,name,side,level,function,region,roles\nzed@x.com,Zed Ray,customer,staff,sales,US,\n").await;
        let (ann, bob, cy, di) = (
            person(&app, id, "Ann Lee"),
            person(&app, id, "Bob Roe"),
            person(&app, id, "Cy Poe"),
            person(&app, id, "Di Fox"),
        );
        let zed = person(&app, other, "Zed Ray");

        // A goal names its owner; one of another partnership is refused.
        let r = goal(&app, id, Some(zed)).await;
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["fields"][0]["field"], "owner", "{body}");
        assert_eq!(app.db.count("goals"), 0);
        let r = goal(&app, id, Some(di)).await;
        assert_eq!(r.status(), 201);
        let g: Value = r.json().await.unwrap();
        assert_eq!(g["owner"]["name"], "Di Fox");
        assert_eq!(g["owner"]["side"], "supplier");
        let goal_id = g["id"].as_i64().unwrap();

        let url = format!("/api/partnerships/{id}/plan");
        let good = json!({
            "title": "A shared volume plan",
            "customer_owner": ann,
            "supplier_owner": cy,
            "goals": [goal_id],
            "dimensions": ["shared_objectives", "win_win"],
            "milestones": [{"title": "Share the forecast", "due_on": day(-3), "owner": di}]
        });
        let cases = [
            ("customer_owner", json!(di)),
            ("supplier_owner", json!(zed)),
            ("supplier_owner", json!(424242)),
            ("dimensions", json!(["speed"])),
            ("goals", json!([goal_id + 1000])),
            ("status", json!("finished")),
        ];
        for (field, value) in cases {
            let mut body = good.clone();
            body[field] = value;
            let r = app.post(&url).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 422, "{field}");
            let e: Value = r.json().await.unwrap();
            let fields: Vec<&str> = e["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["field"].as_str().unwrap())
                .collect();
            assert_eq!(fields, vec![field], "{e}");
            plan_is_empty(&app);
        }
        let mut body = good.clone();
        body["milestones"][0]["owner"] = json!(zed);
        let r = app.post(&url).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["fields"][0]["field"], "milestones[0].owner", "{e}");
        plan_is_empty(&app);

        let r = app.post(&url).json(&good).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let o: Value = r.json().await.unwrap();
        let oid = o["id"].as_i64().unwrap();
        assert_eq!(o["customer_owner"]["name"], "Ann Lee");
        assert_eq!(o["supplier_owner"]["name"], "Cy Poe");
        assert_eq!(o["status"], "planned");
        assert_eq!(o["goals"], json!([goal_id]));
        assert_eq!(o["dimensions"], json!(["shared_objectives", "win_win"]));
        assert_eq!(o["overdue"], 1);
        assert_eq!(o["milestones"][0]["state"], "overdue");
        assert_eq!(
            o["milestones"][0]["state_text"],
            format!("overdue since {} (3 days)", day(-3))
        );

        let mut changed = good.clone();
        changed["status"] = json!("in_progress");
        changed["supplier_owner"] = json!(di);
        changed.as_object_mut().unwrap().remove("milestones");
        let r = app
            .client
            .put(app.url(&format!("{url}/{oid}")))
            .bearer_auth(crate::common::ADMIN_TOKEN)
            .json(&changed)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let o: Value = r.json().await.unwrap();
        assert_eq!(o["status"], "in_progress");
        assert_eq!(o["supplier_owner"]["name"], "Di Fox");

        let r = app
            .post(&format!("{url}/{oid}/milestones"))
            .json(&json!({"title": "Sign off", "due_on": day(40), "owner": bob}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let o: Value = r.json().await.unwrap();
        assert_eq!(o["milestones"].as_array().unwrap().len(), 2);
        let mid = o["milestones"][1]["id"].as_i64().unwrap();
        assert_eq!(
            o["milestones"][1]["state_text"],
            format!("due {} (in 40 days)", day(40))
        );

        let r = app
            .client
            .put(app.url(&format!("{url}/milestones/{mid}")))
            .bearer_auth(crate::common::ADMIN_TOKEN)
            .json(&json!({"title": "Sign off the plan", "due_on": day(45), "owner": zed}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "an owner of another partnership");
        let r = app
            .client
            .put(app.url(&format!("{url}/milestones/{mid}")))
            .bearer_auth(crate::common::ADMIN_TOKEN)
            .json(&json!({"title": "Sign off the plan", "due_on": day(45), "owner": bob}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let first = o["milestones"][0]["id"].as_i64().unwrap();
        let r = app
            .post(&format!("{url}/milestones/{first}/done"))
            .json(&json!({"done_on": day(1)}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "done tomorrow");
        let r = app
            .post(&format!("{url}/milestones/{first}/done"))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let o: Value = r.json().await.unwrap();
        assert_eq!(o["overdue"], 0);
        let done = o["milestones"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == first)
            .unwrap();
        assert_eq!(done["state"], "done");
        assert_eq!(done["done_on"], day(0));

        let list: Value = app.get(&url).send().await.unwrap().json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["milestones"][1]["title"], "Sign off the plan");
        for (action, n) in [
            ("plan.objective_created", 1),
            ("plan.objective_updated", 1),
            ("plan.milestone_added", 2),
            ("plan.milestone_updated", 1),
            ("plan.milestone_done", 1),
        ] {
            assert_eq!(audit_count(&app, action), n, "{action}");
        }
        // The plan page works before a partnership's first wave has closed.
        let admin = signed_in(&app, "root@example.com", Role::Admin, vec![]).await;
        let (status, _, html) = page(&admin, &app, &format!("/partnerships/{other}/plan")).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains(&format!("<option value=\"{zed}\">Zed Ray</option>")));
        assert!(html.contains("No joint objectives yet."));
        // Another partnership's milestone is not found here.
        let r = app
            .post(&format!(
                "/api/partnerships/{other}/plan/milestones/{first}/done"
            ))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
);

both_backends!(
    a_one_side_manager_marks_only_their_firms_milestones_and_the_ombudsman_reads,
    |app| {
        let id = import_fixture(&app, "Plan sides", 3);
        import_roster(&app, id, ROSTER).await;
        let (ann, cy) = (person(&app, id, "Ann Lee"), person(&app, id, "Cy Poe"));
        let r = app
            .post(&format!("/api/partnerships/{id}/plan"))
            .json(&json!({
                "title": "Joint review",
                "customer_owner": ann,
                "supplier_owner": cy,
                "milestones": [
                    {"title": "Customer step", "due_on": day(5), "owner": ann},
                    {"title": "Supplier step", "due_on": day(6), "owner": cy}
                ]
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let o: Value = r.json().await.unwrap();
        let (mine, theirs) = (
            o["milestones"][0]["id"].as_i64().unwrap(),
            o["milestones"][1]["id"].as_i64().unwrap(),
        );
        let cm = signed_in(
            &app,
            "cm@example.com",
            Role::Manager,
            vec![(id, Some(Side::Customer))],
        )
        .await;
        let (status, _, html) = page(&cm, &app, &format!("/partnerships/{id}/plan")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!("/plan/milestones/{mine}/done")));
        assert!(!html.contains(&format!("/plan/milestones/{theirs}/done")));
        assert!(!html.contains("A new objective"), "no creation form");
        let csrf = csrf_of(&html);
        let done = |m: i64| format!("/partnerships/{id}/plan/milestones/{m}/done");
        let (status, _, _) = post_form(
            &cm,
            &app,
            &done(theirs),
            &[("csrf", &csrf), ("done", "yes")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) =
            post_form(&cm, &app, &done(mine), &[("csrf", &csrf), ("done", "yes")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, _) = post_form(
            &cm,
            &app,
            &format!("/partnerships/{id}/plan"),
            &[("csrf", &csrf), ("title", "Mine")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(audit_count(&app, "plan.milestone_done"), 1);
        assert_eq!(app.db.count("plan_objectives"), 1);

        let om = signed_in(&app, "om@example.com", Role::Ombudsman, vec![(id, None)]).await;
        let (status, _, html) = page(&om, &app, &format!("/partnerships/{id}/plan")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Customer step"));
        assert!(!html.contains("/done\""), "no buttons for the ombudsman");
        let csrf = csrf_of(&html);
        let (status, _, _) =
            post_form(&om, &app, &done(mine), &[("csrf", &csrf), ("done", "no")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(audit_count(&app, "plan.milestone_reopened"), 0);
    }
);

both_backends!(
    the_demo_seeds_two_objectives_with_one_overdue_milestone_and_a_goal_owner,
    |app| {
        let pool = app.db.pool();
        let links = tandem::mail::Links {
            base_url: app.address.clone(),
        };
        let a = tokio::task::spawn_blocking(move || {
            let catalog = tandem::survey_templates::Catalog::load(None).unwrap();
            let mut conn = pool.get().unwrap();
            tandem::services::demo::seed(&mut conn, &catalog, &links)
                .unwrap()
                .created[0]
                .0
        })
        .await
        .unwrap();
        let plan: Value = app
            .get(&format!("/api/partnerships/{a}/plan"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let plan = plan.as_array().unwrap();
        assert_eq!(plan.len(), 2);
        let overdue: i64 = plan.iter().map(|o| o["overdue"].as_i64().unwrap()).sum();
        assert_eq!(overdue, 1);
        for o in plan {
            assert_eq!(o["customer_owner"]["side"], "customer");
            assert_eq!(o["supplier_owner"]["side"], "supplier");
        }
        let goals: Value = app
            .get(&format!("/api/partnerships/{a}/goals"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let owned: Vec<&Value> = goals
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| !g["owner"].is_null())
            .collect();
        assert_eq!(owned.len(), 1);
        assert_eq!(owned[0]["owner"]["side"], "supplier");
        let mgr = signed_in(&app, "demo-mgr@example.com", Role::Manager, vec![(a, None)]).await;
        let (status, _, html) = page(&mgr, &app, &format!("/partnerships/{a}")).await;
        assert_eq!(status, StatusCode::OK);
        let s = plan_section(&html);
        assert!(
            s.contains("One escalation path for delivery problems"),
            "{s}"
        );
        assert!(s.contains("1 overdue: Agree the escalation path"), "{s}");
        assert!(html.contains(&format!(
            " · owner {} (supplier)",
            owned[0]["owner"]["name"].as_str().unwrap()
        )));
    }
);
