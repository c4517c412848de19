//! Partnerships that change: edited, paused, resumed, archived and unarchived through the API
//! and the CLI — and not one number of a closed wave moves.

use serde_json::{json, Value};

use crate::both_backends;
use crate::common::fixture;

const ROSTER: &str = "email,name,side,level,function,region,roles\n\
ann@acme.com,Ann Lee,customer,executive,procurement,EU,\n\
cy@bolt.com,Cy Poe,supplier,manager,sales,US,\n";

async fn report(app: &crate::common::TestApp, id: i64) -> Value {
    let r = app
        .get(&format!("/api/partnerships/{id}/report"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut doc: Value = r.json().await.unwrap();
    // the name is edited on purpose; everything else must stay
    doc.as_object_mut().unwrap().remove("partnership");
    doc
}

async fn post(app: &crate::common::TestApp, path: &str, body: Value) -> (u16, Value) {
    let r = app.post(path).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

both_backends!(editing_pausing_and_archiving_change_no_closed_wave, |app| {
    let id = app.create_partnership("Acme / Bolt").await;
    app.cli(&[
        "responses",
        "import",
        "--partnership",
        &id.to_string(),
        fixture("responses.csv").to_str().unwrap(),
    ])
    .assert_ok();
    let r = app
        .post(&format!("/api/partnerships/{id}/roster"))
        .header("content-type", "text/csv")
        .body(ROSTER)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let before = report(&app, id).await;
    let base = format!("/api/partnerships/{id}");

    // Edit: name and schedule. The first slot (two days ago) began before the edit, so it
    // does not open: a new schedule applies from the next wave.
    let two_days_ago = (chrono::Utc::now() - chrono::TimeDelta::days(2)).date_naive();
    let r = app
        .client
        .patch(app.url(&base))
        .bearer_auth(crate::common::ADMIN_TOKEN)
        .json(&json!({"name": "Acme and Bolt", "cadence": "monthly",
                          "first_wave_on": two_days_ago, "response_window_days": 14}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let edited: Value = r.json().await.unwrap();
    assert_eq!(edited["name"], "Acme and Bolt");
    assert_eq!(edited["cadence"], "monthly");
    assert_eq!(edited["response_window_days"], 14);
    assert_eq!(edited["min_reporting_size"], 5);
    assert_eq!(edited["state"], "active");
    assert_eq!(
        app.db.count(
            "audit_log WHERE action = 'partnership.edited' \
                 AND details LIKE '%cadence: quarterly → monthly%'"
        ),
        1
    );
    let tick = app.cli(&["tick"]);
    tick.assert_ok();
    assert!(tick.stdout.contains("opened []"), "{}", tick.stdout);
    assert_eq!(app.db.count("waves WHERE state = 'open'"), 0);

    // Refused edits, each naming the problem.
    let r = app
        .client
        .patch(app.url(&base))
        .bearer_auth(crate::common::ADMIN_TOKEN)
        .json(&json!({"response_window_days": 0, "send_time": "25:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("response_window_days") && body.contains("send_time"),
        "{body}"
    );
    let r = app
        .client
        .patch(app.url(&base))
        .bearer_auth(crate::common::ADMIN_TOKEN)
        .json(&json!({"min_reporting_size": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "the minimum size is not editable");

    // Pause: no wave opens, by hand or by the scheduler, and the scheduler says why.
    let (status, paused) = post(
        &app,
        &format!("{base}/pause"),
        json!({"note": "supplier reorganising"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(paused["state"], "paused");
    assert_eq!(paused["state_note"], "supplier reorganising");
    let (status, again) = post(&app, &format!("{base}/pause"), json!(null)).await;
    assert_eq!(status, 409);
    assert!(
        again["error"].as_str().unwrap().contains("is paused"),
        "{again}"
    );
    let (status, refused) = post(&app, &format!("{base}/waves"), json!(null)).await;
    assert_eq!(status, 409);
    assert_eq!(
        refused["error"],
        "the partnership is paused (supplier reorganising): no wave opens until it is resumed"
    );
    let tick = app.cli(&["tick"]);
    assert!(
        tick.stdout.contains(&format!(
            "partnership {id} has a wave due but is paused (supplier reorganising): not opened"
        )),
        "{}",
        tick.stdout
    );
    let (status, resumed) = post(&app, &format!("{base}/resume"), json!(null)).await;
    assert_eq!(status, 200);
    assert_eq!(resumed["state"], "active");
    let tick = app.cli(&["tick"]);
    assert!(
        tick.stdout.contains("opened []"),
        "a slot that began while paused does not open late: {}",
        tick.stdout
    );

    // Archive: read-only and out of the default list, data kept.
    let (status, archived) = post(
        &app,
        &format!("{base}/archive"),
        json!({"note": "contract ended"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(archived["state"], "archived");
    let list: Vec<Value> = app
        .get("/api/partnerships")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list.is_empty(), "{list:?}");
    let all: Vec<Value> = app
        .get("/api/partnerships?archived=true")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    let r = app
        .post(&format!("{base}/roster"))
        .header("content-type", "text/csv")
        .body(ROSTER)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let r = app
        .client
        .patch(app.url(&base))
        .bearer_auth(crate::common::ADMIN_TOKEN)
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let out = app.cli(&["partnership", "list"]);
    out.assert_ok();
    assert!(!out.stdout.contains("Acme and Bolt"), "{}", out.stdout);
    let out = app.cli(&["partnership", "list", "--archived"]);
    assert!(out.stdout.contains("Acme and Bolt"), "{}", out.stdout);
    app.cli(&["partnership", "unarchive", &id.to_string()])
        .assert_ok();
    let out = app.cli(&["partnership", "pause", &id.to_string(), "--note", "audit"]);
    out.assert_ok();
    assert!(
        out.stdout.contains("state: paused (audit)"),
        "{}",
        out.stdout
    );

    // Every closed wave's numbers, as before.
    assert_eq!(report(&app, id).await, before);
    for action in ["paused", "resumed", "archived", "unarchived"] {
        assert!(
            app.db
                .count(&format!("audit_log WHERE action = 'partnership.{action}'"))
                >= 1,
            "{action} is audited"
        );
    }
});
