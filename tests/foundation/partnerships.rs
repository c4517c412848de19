use serde_json::{json, Value};

use crate::both_backends;

both_backends!(
    creating_a_partnership_through_the_api_stores_it_with_defaults,
    |app| {
        let r = app
        .post("/api/partnerships")
        .json(&json!({"name": "Acme / Bolt", "customer": "Acme", "supplier": "Bolt", "timezone": "Europe/Paris"}))
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), 201);
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let created: Value = r.json().await.unwrap();
        assert_eq!(location, format!("/api/partnerships/{}", created["id"]));
        assert_eq!(created["customer"]["name"], "Acme");
        assert_eq!(created["supplier"]["name"], "Bolt");
        assert_eq!(created["template"], "partnership-perception");
        assert_eq!(created["min_reporting_size"], 5);
        assert_eq!(created["min_comment_size"], 10);
        assert_eq!(created["cadence"], "quarterly");
        assert_eq!(created["timezone"], "Europe/Paris");
        assert_eq!(created["reminder_days"], json!([3, 7]));

        let shown: Value = app
            .get(&location)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(shown, created);
        let list: Value = app
            .get("/api/partnerships")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["id"], created["id"]);
    }
);

both_backends!(
    a_firm_is_shared_between_partnerships_by_name_in_any_case,
    |app| {
        let a: Value = app
            .post("/api/partnerships")
            .json(&json!({"name": "One", "customer": "Acme", "supplier": "Bolt"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let b: Value = app
            .post("/api/partnerships")
            .json(&json!({"name": "Two", "customer": "ACME ", "supplier": "Cogs"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(a["customer"]["id"], b["customer"]["id"]);
        assert_eq!(app.db.count("firms"), 3);
    }
);

both_backends!(every_problem_of_a_partnership_request_is_listed, |app| {
    let r = app
        .post("/api/partnerships")
        .json(
            &json!({"name": "X", "customer": "Acme", "supplier": "acme", "min_reporting_size": 2,
                      "template": "nope", "cadence": "fortnightly"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["supplier", "template", "cadence", "min_reporting_size"]
    );
    assert!(body["fields"][3]["message"]
        .as_str()
        .unwrap()
        .contains("below 3"));
    assert_eq!(app.db.count("partnerships"), 0);
    assert_eq!(app.db.count("firms"), 0);
});

both_backends!(a_partnership_name_cannot_be_used_twice, |app| {
    app.create_partnership("Same").await;
    let r = app
        .post("/api/partnerships")
        .json(&json!({"name": "same", "customer": "A", "supplier": "B"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(body["fields"][0]["message"]
        .as_str()
        .unwrap()
        .contains("already exists"));
});

both_backends!(malformed_json_and_unknown_fields_get_a_reason, |app| {
    let r = app
        .post("/api/partnerships")
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("not valid"));
    let r = app
        .post("/api/partnerships")
        .json(&json!({"name": "N", "customer": "A", "supplier": "B", "colour": "red"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("unknown field `colour`"));
    let r = app
        .post("/api/partnerships")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
});

both_backends!(the_admin_api_refuses_a_missing_or_wrong_token, |app| {
    let r = app
        .client
        .get(app.url("/api/partnerships"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = app
        .client
        .get(app.url("/api/partnerships"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
});

both_backends!(an_unknown_partnership_is_404_with_a_reason, |app| {
    for path in ["/api/partnerships/999", "/api/partnerships/abc"] {
        let r = app.get(path).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("no partnership"));
    }
});

both_backends!(
    the_cli_creates_a_partnership_and_prints_its_id_last,
    |app| {
        let out = app.cli(&[
            "partnership",
            "create",
            "--name",
            "Acme / Bolt",
            "--customer",
            "Acme",
            "--supplier",
            "Bolt",
            "--cadence",
            "every 30 days",
            "--min-reporting-size",
            "6",
            "--reminder-days",
            "2,5",
        ]);
        out.assert_ok();
        let id: i64 = out.last_line().parse().expect("last line is the id");
        let show = app.cli(&["partnership", "show", &id.to_string(), "--json"]);
        show.assert_ok();
        let v: Value = serde_json::from_str(&show.stdout).unwrap();
        assert_eq!(v["cadence"], "every 30 days");
        assert_eq!(v["min_reporting_size"], 6);
        assert_eq!(v["reminder_days"], json!([2, 5]));
        let list = app.cli(&["partnership", "list"]);
        list.assert_ok();
        assert!(list.stdout.contains("Acme / Bolt"));
        // the API sees what the CLI wrote
        let r = app
            .get(&format!("/api/partnerships/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
);

both_backends!(
    the_cli_refuses_a_minimum_reporting_size_below_three,
    |app| {
        let out = app.cli(&[
            "partnership",
            "create",
            "--name",
            "N",
            "--customer",
            "A",
            "--supplier",
            "B",
            "--min-reporting-size",
            "2",
        ]);
        assert_eq!(out.status, 1);
        assert!(
            out.stderr.contains("min_reporting_size: 2 is below 3"),
            "{}",
            out.stderr
        );
        assert_eq!(app.db.count("partnerships"), 0);
    }
);

both_backends!(showing_an_unknown_partnership_in_the_cli_fails, |app| {
    let out = app.cli(&["partnership", "show", "42"]);
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("no partnership with id 42"));
});
