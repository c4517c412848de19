use serde_json::Value;

use crate::both_backends;
use crate::common::write_file;

const ROSTER: &str = "email,name,side,level,function,region,roles\n\
ann@acme.com,Ann Lee,customer,executive,procurement,EU,point person;executive sponsor\n\
bob@acme.com,Bob Roe,customer,staff,engineering,EU,\n\
cy@bolt.com,Cy Poe,supplier,manager,sales,US,point person\n\
di@bolt.com,Di Fox,supplier,Staff,Operations,US,\n";

both_backends!(a_roster_imported_with_the_cli_adds_everyone, |app| {
    let id = app.create_partnership("Acme / Bolt").await;
    let file = write_file(&app.db, "roster.csv", ROSTER.as_bytes());
    let out = app.cli(&[
        "roster",
        "import",
        "--partnership",
        &id.to_string(),
        file.to_str().unwrap(),
    ]);
    out.assert_ok();
    assert!(out.stdout.contains("4 added"), "{}", out.stdout);
    let v: Value = app
        .get(&format!("/api/partnerships/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["people"]["customer"], 2);
    assert_eq!(v["people"]["supplier"], 2);
});

both_backends!(
    reimporting_updates_by_email_and_deactivates_the_missing,
    |app| {
        let id = app.create_partnership("P").await;
        let path = format!("/api/partnerships/{id}/roster");
        let r = app
            .post(&path)
            .header("content-type", "text/csv")
            .body(ROSTER)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        // Bob leaves, Di is promoted, Eve joins; Ann's email differs only in case.
        let next = "email,name,side,level,function,region,roles\n\
        ANN@acme.com,Ann Lee,customer,executive,procurement,EU,point person;executive sponsor\n\
        cy@bolt.com,Cy Poe,supplier,manager,sales,US,point person\n\
        di@bolt.com,Di Fox,supplier,manager,Operations,US,\n\
        eve@bolt.com,Eve Ito,supplier,staff,quality,APAC,\n";
        let r = app
            .post(&path)
            .header("content-type", "text/csv")
            .body(next)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let s: Value = r.json().await.unwrap();
        assert_eq!(s["added"], 1);
        assert_eq!(s["updated"], 1);
        assert_eq!(s["unchanged"], 2);
        assert_eq!(s["deactivated"], 1);
        assert_eq!(app.db.count("people"), 5, "nobody is deleted");
        assert_eq!(app.db.count("people WHERE active = false"), 1);
        // Bob comes back
        let r = app
            .post(&path)
            .header("content-type", "text/csv")
            .body(ROSTER)
            .send()
            .await
            .unwrap();
        let s: Value = r.json().await.unwrap();
        assert_eq!(s["reactivated"], 1);
        assert_eq!(s["deactivated"], 1, "Eve is not in the first file");
    }
);

both_backends!(
    a_bad_roster_is_refused_whole_with_every_problem_located,
    |app| {
        let id = app.create_partnership("P").await;
        let path = format!("/api/partnerships/{id}/roster");
        app.post(&path)
            .header("content-type", "text/csv")
            .body(ROSTER)
            .send()
            .await
            .unwrap();
        let bad = "email,name,side,level,function,region,roles\n\
        ann@acme.com,Ann Lee,customer,executive,procurement,EU,\n\
        not-an-email,X,customer,staff,sales,EU,\n\
        zed@bolt.com,Zed,vendor,staff,sales,EU,\n\
        ann@ACME.com,Ann Again,customer,staff,sales,EU,\n\
        new@bolt.com,New,supplier,staff,sales\n";
        let r = app
            .post(&path)
            .header("content-type", "text/csv")
            .body(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        let problems: Vec<(u64, Option<u64>)> = body["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["line"].as_u64().unwrap(), p["column"].as_u64()))
            .collect();
        assert_eq!(
            problems,
            [(3, Some(1)), (4, Some(3)), (5, Some(1)), (6, None)]
        );
        assert!(body["problems"][2]["message"]
            .as_str()
            .unwrap()
            .contains("already on line 2"));
        // nothing written: the first roster is intact, nobody deactivated or added
        assert_eq!(app.db.count("people"), 4);
        assert_eq!(app.db.count("people WHERE active = true"), 4);
    }
);

both_backends!(roster_header_problems_and_bad_encoding_are_refused, |app| {
    let id = app.create_partnership("P").await;
    let file = write_file(
        &app.db,
        "bad.csv",
        b"email,name,side,level,function,team\nann@acme.com,Ann,customer,staff,sales,\xff\n",
    );
    let out = app.cli(&[
        "roster",
        "import",
        "--partnership",
        &id.to_string(),
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("line 1, column 6: unknown column \"team\""),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("line 1: missing column \"region\""),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("line 2, column 6: not valid UTF-8"),
        "{}",
        out.stderr
    );
    let empty = write_file(&app.db, "empty.csv", b"");
    let out = app.cli(&[
        "roster",
        "import",
        "--partnership",
        &id.to_string(),
        empty.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("line 1: the file is empty"));
    assert_eq!(app.db.count("people"), 0);
});

both_backends!(a_roster_upload_must_be_csv_and_name_a_partnership, |app| {
    let id = app.create_partnership("P").await;
    let r = app
        .post(&format!("/api/partnerships/{id}/roster"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let r = app
        .post("/api/partnerships/9999/roster")
        .header("content-type", "text/csv")
        .body(ROSTER)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(app.db.count("people"), 0);
});
