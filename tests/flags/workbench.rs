//! The ombudsman's workbench (issue 17), on both backends: flags raised by hand through the
//! API, the page form and the CLI (with their alert mail over SMTP, and untouched by the
//! rules' runs), actions with owners and due dates (overdue first in the inbox), and the
//! outcome of a resolution followed wave by wave after it, also when a wave closes.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tandem::auth::Role;
use tandem::db::schema::people;

use crate::common::csrf_of;
use crate::world_test;

const ROSTER: &str = "email,name,side,level,function,region,roles\n\
ann@acme.com,Ann Lee,customer,executive,procurement,EU,point person\n\
bob@acme.com,Bob Roe,customer,staff,engineering,EU,\n\
cy@bolt.com,Cy Poe,supplier,manager,sales,US,point person\n\
di@bolt.com,Di Fox,supplier,staff,operations,US,\n";

pub(crate) async fn post_json(w: &crate::World, path: &str, body: Value) -> (StatusCode, Value) {
    let r = w.app.post(path).json(&body).send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

pub(crate) async fn get_json(w: &crate::World, path: &str) -> Value {
    let r = w.app.get(path).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

pub(crate) async fn page(
    client: &reqwest::Client,
    w: &crate::World,
    path: &str,
) -> (StatusCode, String) {
    let r = client.get(w.app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Posts a form; the `Location` of a redirect, else the body.
pub(crate) async fn form(
    client: &reqwest::Client,
    w: &crate::World,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let r = client
        .post(w.app.url(path))
        .form(fields)
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

fn fields(body: &Value) -> Vec<String> {
    body["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no field list: {body}"))
        .iter()
        .map(|p| p["field"].as_str().unwrap().to_owned())
        .collect()
}

fn event_actions(detail: &Value) -> Vec<String> {
    detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn upload_roster(w: &crate::World, partnership: i64) {
    let r = w
        .app
        .post(&format!("/api/partnerships/{partnership}/roster"))
        .header("content-type", "text/csv")
        .body(ROSTER)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

fn person(w: &crate::World, partnership: i64, name: &str) -> i64 {
    let mut conn = w.app.db.pool().get().unwrap();
    people::table
        .filter(people::partnership_id.eq(partnership))
        .filter(people::name.eq(name))
        .select(people::id)
        .first(&mut conn)
        .unwrap()
}

world_test!(a_manual_flag_is_raised_through_the_api_and_mailed, |w| {
    w.add_user("olga@ombuds.test", "ombudsman", true, false);
    let sam = w.add_user("sam@ombuds.test", "ombudsman", false, false);
    w.scope_user(sam, w.partnership);
    let elsewhere = crate::import_fixture(&w.app, "Other pair");
    let eve = w.add_user("eve@ombuds.test", "ombudsman", false, false);
    w.scope_user(eve, elsewhere);
    w.add_user("mia@acme.test", "manager", true, false);

    let (status, flag) = post_json(
        &w,
        &format!("/api/partnerships/{}/flags", w.partnership),
        json!({
            "title": "Forecasts reach the supplier late",
            "note": "Raised by both account leads at the QBR",
            "side": "supplier",
            "dimension": "trust",
            "severity": "high"
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{flag}");
    let id = flag["id"].as_i64().unwrap();
    assert_eq!(flag["rule"], "manual");
    assert_eq!(flag["rule_words"], "raised by hand");
    assert_eq!(flag["title"], "Forecasts reach the supplier late");
    assert_eq!(flag["scope"], "dimension:trust:supplier");
    assert_eq!(flag["severity"], "high");
    assert_eq!(flag["state"], "open");
    assert!(flag["wave"].is_null(), "a manual flag has no wave: {flag}");
    assert!(flag["measured"].is_null());
    assert_eq!(
        flag["details"]["note"],
        "Raised by both account leads at the QBR"
    );
    assert_eq!(
        flag["link"],
        format!("/partnerships/{}#dim-trust", w.partnership)
    );
    assert_eq!(event_actions(&flag), ["opened"]);
    assert_eq!(flag["actions"], json!([]));
    assert_eq!(flag["follow_up"], json!([]));

    let inbox = get_json(&w, "/api/flags").await;
    assert_eq!(inbox.as_array().unwrap().len(), 1);
    assert_eq!(inbox[0]["id"], id);
    assert_eq!(
        w.app
            .db
            .count(&format!("audit_log WHERE target = 'flag {id}'")),
        1
    );

    // the alert reaches the two ombudsmen of the partnership, and nobody else
    let mail = w.mail(2).await;
    assert_eq!(mail.len(), 2);
    let mut to: Vec<String> = mail.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["olga@ombuds.test", "sam@ombuds.test"]);
    let text = mail[0].part("text/plain").expect("a text part");
    for expected in [
        "admin-token raised a flag by hand on the partnership Acme / Bolt.",
        "Forecasts reach the supplier late",
        "dimension trust, supplier",
        "Raised by both account leads at the QBR",
        "high",
        &format!("https://tandem.example/flags/{id}"),
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("Measured"), "{text}");
    let subject = mail[0].header("Subject").unwrap();
    assert!(
        subject.contains("Forecasts reach the supplier late"),
        "{subject}"
    );

    // the same life cycle as a rule's flag
    let r = w.act(id, "acknowledge", json!({})).await;
    assert_eq!(r.status(), 200);
    let r = w
        .act(
            id,
            "resolve",
            json!({"outcome": "settled", "note": "plan agreed"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let resolved: Value = r.json().await.unwrap();
    assert_eq!(resolved["state"], "resolved");
    assert_eq!(resolved["outcome"], "settled");
    assert!(resolved["resolved_measured"].is_null());
    assert_eq!(
        resolved["events"][2]["note"],
        "outcome: settled — plan agreed"
    );

    // the rules' runs never touch it
    let before = get_json(&w, &format!("/api/flags/{id}")).await;
    let run = w.run_api(Some(6)).await;
    for list in [
        "opened",
        "reopened",
        "still_firing",
        "unchanged",
        "superseded",
    ] {
        assert!(
            !run[list]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x.as_i64() == Some(id)),
            "{run}"
        );
    }
    let after = get_json(&w, &format!("/api/flags/{id}")).await;
    assert_eq!(after, before);
    assert_eq!(
        w.app
            .db
            .count(&format!("audit_log WHERE target = 'flag {id}'")),
        3
    );
});

world_test!(
    a_manual_flag_with_bad_fields_is_refused_naming_every_one,
    |w| {
        w.add_user("olga@ombuds.test", "ombudsman", true, false);
        let path = format!("/api/partnerships/{}/flags", w.partnership);
        let tables = ["flags", "flag_events", "audit_log", "outbox"];
        let before = tables.map(|t| w.app.db.count(t));
        let (status, body) = post_json(
            &w,
            &path,
            json!({
                "title": "  ",
                "note": "fine",
                "side": "both",
                "dimension": "speed",
                "item": "nope",
                "segment_attribute": "team",
                "segment_value": "north",
                "severity": "urgent"
            }),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            fields(&body),
            [
                "title",
                "side",
                "dimension",
                "item",
                "segment_attribute",
                "severity"
            ]
        );
        let text = body.to_string();
        for expected in [
            "the title is empty",
            "\\\"speed\\\" is not a dimension of this partnership's survey",
            "\\\"nope\\\" is not an item",
            "\\\"urgent\\\" is not low, medium or high",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in {text}");
        }

        // NUL characters are refused before any handler reads the body, each field named
        let (status, body) = post_json(
            &w,
            &path,
            json!({"title": "a\u{0}b", "note": "c\u{0}d", "side": "both"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let mut named = fields(&body);
        named.sort();
        assert_eq!(named, ["note", "title"]);
        let (status, body) = post_json(
        &w,
        &path,
        json!({"title": "x", "dimension": "win_win", "item": "trust", "segment_value": "north"}),
    )
    .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["item", "segment_attribute"]);

        // nothing half-written
        assert_eq!(tables.map(|t| w.app.db.count(t)), before);
        assert_eq!(w.app.db.count("flags"), 0);

        let (status, _) =
            post_json(&w, "/api/partnerships/999999/flags", json!({"title": "x"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = post_json(&w, &path, json!({"title": "x", "colour": "red"})).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "unknown fields are refused"
        );
        let r = w
            .app
            .client
            .post(w.app.url(&path))
            .json(&json!({"title": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);

        // an item brings its dimension; severity defaults to medium
        let (status, flag) = post_json(
            &w,
            &path,
            json!({"title": "Nobody picks up the phone", "item": "dependable_people",
               "segment_attribute": "level", "segment_value": "staff"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{flag}");
        assert_eq!(
            flag["scope"],
            "dimension:trust:level=staff:item=dependable_people"
        );
        assert_eq!(flag["severity"], "medium");
        assert_eq!(w.app.db.count("flags"), 1);
    }
);

world_test!(the_cli_raises_a_flag_and_prints_its_id, |w| {
    let out = w.app.cli(&[
        "flags",
        "raise",
        "--partnership",
        &w.partnership.to_string(),
        "--title",
        "Invoices disputed",
        "--note",
        "Three in a row",
        "--side",
        "customer",
        "--dimension",
        "win_win",
        "--severity",
        "low",
    ]);
    out.assert_ok();
    let id: i64 = out.last_line().parse().expect("the new flag's id");
    let flag = get_json(&w, &format!("/api/flags/{id}")).await;
    assert_eq!(flag["rule"], "manual");
    assert_eq!(flag["title"], "Invoices disputed");
    assert_eq!(flag["scope"], "dimension:win_win:customer");
    assert_eq!(flag["severity"], "low");
    assert_eq!(flag["details"]["raised_by"], "cli");
    assert_eq!(
        w.app.db.count(&format!(
            "audit_log WHERE target = 'flag {id}' AND actor = 'cli'"
        )),
        1
    );

    let bad = w.app.cli(&[
        "flags",
        "raise",
        "--partnership",
        &w.partnership.to_string(),
        "--title",
        "x",
        "--side",
        "both",
        "--dimension",
        "speed",
    ]);
    assert_ne!(bad.status, 0);
    assert!(bad.stderr.contains("side:"), "{}", bad.stderr);
    assert!(bad.stderr.contains("dimension:"), "{}", bad.stderr);
    assert_eq!(w.app.db.count("flags"), 1);
});

world_test!(an_ombudsman_raises_a_flag_from_the_page_form, |w| {
    let om = w
        .app
        .signed_in(
            "om@example.com",
            Role::Ombudsman,
            vec![(w.partnership, None)],
        )
        .await;
    let (status, dashboard) = page(&om, &w, &format!("/partnerships/{}", w.partnership)).await;
    assert_eq!(status, StatusCode::OK);
    let link = format!("/flags/new?partnership={}", w.partnership);
    assert!(dashboard.contains(&link), "the dashboard offers the form");

    let (status, new) = page(&om, &w, &link).await;
    assert_eq!(status, StatusCode::OK, "{new}");
    assert!(
        new.contains("<option value=\"trust\">"),
        "the survey's dimensions"
    );
    assert!(new.contains(&format!("<option value=\"{}\" selected>", w.partnership)));
    let csrf = csrf_of(&new);
    let p = w.partnership.to_string();

    let (status, _) = form(
        &om,
        &w,
        "/flags/new",
        &[
            ("csrf", &"0".repeat(64)),
            ("partnership", &p),
            ("title", "x"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a forged form is refused");
    let (status, body) = form(
        &om,
        &w,
        "/flags/new",
        &[
            ("csrf", &csrf),
            ("partnership", &p),
            ("title", " "),
            ("severity", "urgent"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("The title is empty."), "{body}");
    assert!(body.contains("is not low, medium or high"), "{body}");
    assert_eq!(w.app.db.count("flags"), 0);

    let (status, location) = form(
        &om,
        &w,
        "/flags/new",
        &[
            ("csrf", &csrf),
            ("partnership", &p),
            ("title", "Forecasts <late> again"),
            ("note", "Heard at the <b>QBR</b>"),
            ("side", "supplier"),
            ("dimension", "win_win"),
            ("item", ""),
            ("segment_attribute", ""),
            ("segment_value", ""),
            ("severity", "high"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let id: i64 = location.strip_prefix("/flags/").unwrap().parse().unwrap();
    let flag = get_json(&w, &format!("/api/flags/{id}")).await;
    assert_eq!(flag["title"], "Forecasts <late> again");
    assert_eq!(flag["events"][0]["user"], "om@example.com");

    let (status, shown) = page(&om, &w, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        shown.contains("Forecasts &#60;late&#62; again")
            || shown.contains("Forecasts &lt;late&gt; again"),
        "{shown}"
    );
    assert!(!shown.contains("<late>") && !shown.contains("<b>QBR"));
    assert!(shown.contains("What was raised"));
    assert!(
        shown.contains("win win") && !shown.contains(">win_win<"),
        "the dimension in words, not its id"
    );
    let (_, inbox) = page(&om, &w, "/flags").await;
    assert!(inbox.contains(&format!("href=\"/flags/{id}\"")));
    assert!(inbox.contains("raised by hand"));

    // out of scope reads as missing; a manager may not raise flags
    let other = w.app.create_partnership("Elsewhere").await;
    let far = w
        .app
        .signed_in("far@example.com", Role::Ombudsman, vec![(other, None)])
        .await;
    let (_, home) = page(&far, &w, "/flags/new").await;
    let far_csrf = csrf_of(&home);
    assert!(!home.contains("Acme / Bolt"), "only partnerships in scope");
    let (status, body) = form(
        &far,
        &w,
        "/flags/new",
        &[("csrf", &far_csrf), ("partnership", &p), ("title", "x")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body.contains("no such partnership, or it is not shared with you"),
        "{body}"
    );
    assert_eq!(page(&far, &w, &location).await.0, StatusCode::NOT_FOUND);
    let mgr = w
        .app
        .signed_in(
            "mgr@example.com",
            Role::Manager,
            vec![(w.partnership, None)],
        )
        .await;
    assert_eq!(page(&mgr, &w, "/flags/new").await.0, StatusCode::FORBIDDEN);
    let (status, _) = form(
        &mgr,
        &w,
        "/flags/new",
        &[("csrf", &csrf), ("partnership", &p), ("title", "x")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(w.app.db.count("flags"), 1);
});

world_test!(
    actions_are_added_ticked_off_and_overdue_ones_come_first,
    |w| {
        upload_roster(&w, w.partnership).await;
        let olga = w.add_user("olga@ombuds.test", "ombudsman", true, false);
        let other = w.app.create_partnership("Elsewhere").await;
        upload_roster(&w, other).await;
        let far = w.add_user("far@ombuds.test", "ombudsman", false, false);
        w.scope_user(far, other);
        w.run_api(Some(6)).await;

        let inbox = get_json(&w, "/api/flags").await;
        let inbox = inbox.as_array().unwrap();
        assert!(inbox.len() >= 2);
        let top = inbox[0]["id"].as_i64().unwrap();
        let last = inbox.last().unwrap();
        let late = last["id"].as_i64().unwrap();
        assert_eq!(last["actions_open"], 0);
        assert_ne!(top, late);

        let di = person(&w, w.partnership, "Di Fox");
        let (status, detail) = post_json(
        &w,
        &format!("/api/flags/{late}/actions"),
        json!({"what": "Call the supplier's planner", "owner_person_id": di, "due_on": "2020-01-31"}),
    )
    .await;
        assert_eq!(status, StatusCode::CREATED, "{detail}");
        let action = detail["actions"][0]["id"].as_i64().unwrap();
        assert_eq!(detail["actions"][0]["owner"], "Di Fox (supplier)");
        assert_eq!(detail["actions"][0]["overdue"], true);
        assert_eq!(detail["actions_open"], 1);
        assert_eq!(detail["actions_overdue"], 1);
        let (status, detail) = post_json(
        &w,
        &format!("/api/flags/{top}/actions"),
        json!({"what": "Agree a forecast calendar", "owner_user_id": olga, "due_on": "2999-12-31"}),
    )
    .await;
        assert_eq!(status, StatusCode::CREATED, "{detail}");
        assert_eq!(detail["actions"][0]["owner"], "olga@ombuds.test");
        assert_eq!(detail["actions_overdue"], 0);

        let inbox = get_json(&w, "/api/flags").await;
        assert_eq!(
            inbox[0]["id"], late,
            "a flag with an overdue action comes first"
        );
        assert_eq!(inbox[1]["id"], top);

        let om = w
            .app
            .signed_in(
                "om@example.com",
                Role::Ombudsman,
                vec![(w.partnership, None)],
            )
            .await;
        let (_, page_html) = page(&om, &w, "/flags").await;
        let first = page_html
            .find("1 action, 1 overdue")
            .expect("counted in the inbox");
        let second = page_html
            .find("1 action, 0 overdue")
            .expect("counted in the inbox");
        assert!(first < second, "overdue first");

        // every problem at once, nothing written
        let events_before = w.app.db.count("flag_events");
        let (status, body) = post_json(
            &w,
            &format!("/api/flags/{late}/actions"),
            json!({"what": " ", "due_on": "31/12/2026"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["what", "owner", "due_on"]);
        let stranger = person(&w, other, "Di Fox");
        let (status, body) = post_json(
            &w,
            &format!("/api/flags/{late}/actions"),
            json!({"what": "x", "owner_person_id": stranger, "due_on": "2027-01-01"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["owner_person_id"]);
        let (status, body) = post_json(
            &w,
            &format!("/api/flags/{late}/actions"),
            json!({"what": "x", "owner_user_id": far, "due_on": "2027-01-01"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["owner_user_id"]);
        assert_eq!(w.app.db.count("flag_events"), events_before);
        assert_eq!(w.app.db.count("flag_actions"), 2);
        let (status, _) = post_json(
            &w,
            "/api/flags/999999/actions",
            json!({"what": "x", "owner_user_id": olga, "due_on": "2027-01-01"}),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // done, done again, not done
        let done = format!("/api/flags/{late}/actions/{action}/done");
        let (status, detail) = post_json(&w, &done, Value::Null).await;
        assert_eq!(status, StatusCode::OK, "{detail}");
        assert_eq!(detail["actions"][0]["done"], true);
        assert_eq!(detail["actions"][0]["overdue"], false);
        assert_eq!(detail["actions_open"], 0);
        let (status, _) = post_json(&w, &done, Value::Null).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, _) = post_json(
            &w,
            &format!("/api/flags/{top}/actions/{action}/done"),
            Value::Null,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "the action is another flag's"
        );
        let (status, detail) = post_json(
            &w,
            &format!("/api/flags/{late}/actions/{action}/undone"),
            Value::Null,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(detail["actions"][0]["overdue"], true);
        assert_eq!(
            event_actions(&detail)[1..],
            ["action added", "action done", "action reopened"]
        );
        assert_eq!(
            w.app
                .db
                .count(&format!("audit_log WHERE target = 'flag {late}'")),
            4
        );

        // the page form, with CSRF; out of scope reads as missing
        let (_, flag_page) = page(&om, &w, &format!("/flags/{late}")).await;
        assert!(
            flag_page.contains("Call the supplier&#39;s planner")
                || flag_page.contains("Call the supplier&#x27;s planner"),
            "{flag_page}"
        );
        assert!(flag_page.contains("<strong>overdue</strong>"));
        assert!(flag_page.contains(&format!("value=\"person:{di}\"")));
        let csrf = csrf_of(&flag_page);
        let owner = format!("user:{olga}");
        let (status, _) = form(
            &om,
            &w,
            &format!("/flags/{late}/actions"),
            &[
                ("csrf", &"0".repeat(64)),
                ("what", "x"),
                ("owner", &owner),
                ("due_on", "2027-01-01"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, location) = form(
            &om,
            &w,
            &format!("/flags/{late}/actions"),
            &[
                ("csrf", &csrf),
                ("what", "Send the minutes"),
                ("owner", &owner),
                ("due_on", "2027-01-01"),
            ],
        )
        .await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, format!("/flags/{late}").as_str())
        );
        let detail = get_json(&w, &format!("/api/flags/{late}")).await;
        let minutes = detail["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["what"] == "Send the minutes")
            .expect("added from the page")["id"]
            .as_i64()
            .unwrap();
        assert_eq!(
            detail["actions"][0]["id"], action,
            "overdue first on the flag too"
        );
        let (status, _) = form(
            &om,
            &w,
            &format!("/flags/{late}/actions/{minutes}/done"),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let far_client = w
            .app
            .signed_in("far2@example.com", Role::Ombudsman, vec![(other, None)])
            .await;
        let (_, home) = page(&far_client, &w, "/").await;
        let far_csrf = csrf_of(&home);
        let (status, _) = form(
            &far_client,
            &w,
            &format!("/flags/{late}/actions"),
            &[
                ("csrf", &far_csrf),
                ("what", "x"),
                ("owner", &owner),
                ("due_on", "2027-01-01"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let detail = get_json(&w, &format!("/api/flags/{late}")).await;
        assert_eq!(detail["actions"].as_array().unwrap().len(), 2);
        assert_eq!(detail["actions"][1]["done"], true);
    }
);

world_test!(
    a_resolution_keeps_its_outcome_and_each_later_wave_adds_a_follow_up_line,
    |w| {
        w.run_api(Some(5)).await;
        let flag = w
            .find("decline", "dimension:trust:supplier")
            .await
            .expect("flagged at wave 5");
        let id = flag["id"].as_i64().unwrap();
        let at_five = flag["measured"].as_f64().unwrap();

        let r = w.act(id, "resolve", json!({"outcome": "fixed"})).await;
        assert_eq!(r.status(), 422);
        assert_eq!(fields(&r.json().await.unwrap()), ["outcome"]);
        let r = w
            .act(id, "acknowledge", json!({"outcome": "settled"}))
            .await;
        assert_eq!(r.status(), 422, "an outcome only with resolve");
        let r = w
            .act(
                id,
                "resolve",
                json!({"outcome": "escalated", "note": "to both sponsors"}),
            )
            .await;
        assert_eq!(r.status(), 200);
        let resolved: Value = r.json().await.unwrap();
        assert_eq!(resolved["outcome"], "escalated");
        assert_eq!(resolved["resolved_measured"].as_f64(), Some(at_five));
        assert_eq!(resolved["follow_up"], json!([]));

        // wave 6 still declines: a before/after line, then the flag is reopened
        w.run_api(Some(6)).await;
        let detail = get_json(&w, &format!("/api/flags/{id}")).await;
        assert_eq!(detail["state"], "open");
        let at_six = detail["measured"].as_f64().unwrap();
        assert_eq!(
            detail["follow_up"],
            json!([{"wave": 6, "measured_before": at_five, "measured": at_six, "fired": true}])
        );

        // a wave opened and closed through the API (nobody answered): the close adds a line
        upload_roster(&w, w.partnership).await;
        let r = w
            .app
            .post(&format!("/api/partnerships/{}/waves", w.partnership))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let r = w
            .app
            .post(&format!("/api/partnerships/{}/waves/close", w.partnership))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let detail = get_json(&w, &format!("/api/flags/{id}")).await;
        let lines = detail["follow_up"].as_array().unwrap();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(
            lines[1],
            json!({"wave": 7, "measured_before": at_five, "measured": null, "fired": false}),
            "the silent supplier is not shown in wave 7"
        );
        // a rule flag that was never resolved compares with the value it fired with
        let gap = w
            .find("inter_firm_gap", "dimension:win_win")
            .await
            .expect("the win–win gap");
        let gap_detail = get_json(&w, &format!("/api/flags/{}", gap["id"])).await;
        let line = gap_detail["follow_up"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(line["wave"], 7);
        assert_eq!(line["measured_before"], gap["measured"]);

        // running the rules again on wave 7 adds nothing
        let count = w.app.db.count("flag_follow_ups");
        w.run_api(Some(7)).await;
        assert_eq!(w.app.db.count("flag_follow_ups"), count);

        let om = w
            .app
            .signed_in(
                "om@example.com",
                Role::Ombudsman,
                vec![(w.partnership, None)],
            )
            .await;
        let (status, shown) = page(&om, &w, &format!("/flags/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(shown.contains("Follow-up"));
        assert!(
            shown.contains("<th scope=\"row\">7</th><td class=\"num\">"),
            "{shown}"
        );
        assert!(shown.contains("not shown"));
        assert!(shown.contains("outcome: escalated"));
    }
);

world_test!(
    a_heatmap_cell_and_a_dimension_chart_open_the_raise_form_filled_in,
    |w| {
        let om = w
            .app
            .signed_in(
                "om@example.com",
                Role::Ombudsman,
                vec![(w.partnership, None)],
            )
            .await;
        let (status, dashboard) = page(&om, &w, &format!("/partnerships/{}", w.partnership)).await;
        assert_eq!(status, StatusCode::OK);
        // every dimension chart offers a flag on its dimension
        let chart_link = format!(
            "/flags/new?partnership={}&amp;dimension=trust",
            w.partnership
        );
        assert!(dashboard.contains(&chart_link), "the trust chart's link");
        // each shown heatmap cell carries a link with its firm, dimension and group
        let marker = "class=\"flag-this\" href=\"";
        let cells: Vec<String> = dashboard
            .match_indices(marker)
            .map(|(i, _)| {
                let rest = &dashboard[i + marker.len()..];
                // the page escapes `&` as an HTML entity
                rest[..rest.find('"').unwrap()]
                    .replace("&amp;", "&")
                    .replace("&#38;", "&")
            })
            .collect();
        assert!(!cells.is_empty(), "no heatmap cell offers a flag");
        let href = cells
            .iter()
            .find(|h| h.contains("side=customer") && h.contains("segment_attribute=level"))
            .expect("a customer level cell")
            .clone();
        let query: Vec<(String, String)> =
            url::form_urlencoded::parse(href.split_once('?').unwrap().1.as_bytes())
                .into_owned()
                .collect();
        let get = |k: &str| {
            query
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        let (dimension, group) = (get("dimension"), get("segment_value"));
        assert_eq!(get("partnership"), w.partnership.to_string());

        let (status, new) = page(&om, &w, &href).await;
        assert_eq!(status, StatusCode::OK, "{new}");
        assert!(
            new.contains("<option value=\"customer\" selected>"),
            "{new}"
        );
        assert!(new.contains(&format!(
            "name=\"dimension\" list=\"dimensions\" value=\"{dimension}\""
        )));
        assert!(new.contains("<option value=\"level\" selected>"));
        assert!(new.contains(&format!(
            "name=\"segment_value\" maxlength=\"200\" value=\"{group}\""
        )));
        let csrf = csrf_of(&new);
        let p = w.partnership.to_string();
        let (status, location) = form(
            &om,
            &w,
            "/flags/new",
            &[
                ("csrf", &csrf),
                ("partnership", &p),
                ("title", "Staff see it differently"),
                ("note", ""),
                ("side", "customer"),
                ("dimension", &dimension),
                ("item", ""),
                ("segment_attribute", "level"),
                ("segment_value", &group),
                ("severity", "medium"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        let id: i64 = location.strip_prefix("/flags/").unwrap().parse().unwrap();
        let flag = get_json(&w, &format!("/api/flags/{id}")).await;
        assert_eq!(flag["rule"], "manual");
        assert_eq!(
            flag["scope"],
            format!("dimension:{dimension}:customer:level={group}"),
            "{flag}"
        );

        // a manager sees the same dashboard without the links
        let manager = w
            .app
            .signed_in(
                "mia@example.com",
                Role::Manager,
                vec![(w.partnership, None)],
            )
            .await;
        let (status, theirs) =
            page(&manager, &w, &format!("/partnerships/{}", w.partnership)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!theirs.contains("class=\"flag-this\"") && !theirs.contains("href=\"/flags/new"));
    }
);
