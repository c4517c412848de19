use serde_json::Value;

use crate::both_backends;
use crate::common::{fixture, write_file};

both_backends!(
    importing_the_fixture_stores_exactly_its_2920_answers,
    |app| {
        let id = app.create_partnership("Fixture").await;
        let out = app.cli(&[
            "responses",
            "import",
            "--partnership",
            &id.to_string(),
            fixture("responses.csv").to_str().unwrap(),
        ]);
        out.assert_ok();
        assert!(out.stdout.contains("2920 answers"), "{}", out.stdout);
        assert_eq!(app.db.count("answers"), 2920);
        assert_eq!(
            app.db.count("answers WHERE value IS NULL"),
            162,
            "5.5 % don't know"
        );
        assert_eq!(app.db.count("waves WHERE state = 'closed'"), 6);
        assert_eq!(app.db.count("people WHERE external_ref IS NOT NULL"), 110);
        assert_eq!(
            app.db.count("people WHERE active = true"),
            0,
            "pseudonyms are never invited"
        );
        // A response keeps the level it was given under (r1125ee and others are promoted at
        // wave 4), and once its wave is closed nothing links it to the person: the level
        // counts per wave are the file's, and no response of the imported waves has an
        // invitation any more.
        let csv = std::fs::read_to_string(fixture("responses.csv")).unwrap();
        let mut managers_by_wave =
            std::collections::BTreeMap::<i64, std::collections::BTreeSet<String>>::new();
        for line in csv.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            if f[3] == "manager" {
                managers_by_wave
                    .entry(f[0].parse().unwrap())
                    .or_default()
                    .insert(format!("{}{}", f[1], f[2]));
            }
        }
        for (wave, people) in &managers_by_wave {
            assert_eq!(
                app.db.count(&format!(
                    "responses r JOIN waves w ON w.id = r.wave_id \
                     WHERE w.seq = {wave} AND r.level = 'manager'"
                )),
                people.len() as i64,
                "managers answering in wave {wave}"
            );
        }
        assert_eq!(app.db.count("responses WHERE invitation_id IS NOT NULL"), 0);
        // importing the same waves again is refused and writes nothing
        let again = app.cli(&[
            "responses",
            "import",
            "--partnership",
            &id.to_string(),
            fixture("responses.csv").to_str().unwrap(),
        ]);
        assert_eq!(again.status, 1);
        assert!(
            again.stderr.contains("wave 1 already exists"),
            "{}",
            again.stderr
        );
        assert_eq!(app.db.count("answers"), 2920);
    }
);

both_backends!(
    a_bad_history_file_is_refused_whole_with_line_numbers,
    |app| {
        let id = app.create_partnership("P").await;
        let csv = "wave,firm,respondent,level,function,item,value\n\
        1,customer,r1,staff,sales,trust,4\n\
        1,customer,r1,staff,sales,trust,5\n\
        1,customer,r2,staff,sales,trsut,3\n\
        1,customer,r3,staff,sales,win_win,6\n\
        x,customer,r4,staff,sales,win_win,2\n\
        2,supplier,r1,staff,sales,trust,2\n\
        1,customer,r1,manager,sales,win_win,2\n";
        let r = app
            .post(&format!("/api/partnerships/{id}/history"))
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        let shown: Vec<String> = body["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| format!("{}:{}", p["line"], p["column"]))
            .collect();
        assert_eq!(shown, ["3:6", "4:6", "5:7", "6:1", "7:2", "8:4"]);
        let messages = body["problems"].to_string();
        assert!(
            messages.contains("already answered \\\"trust\\\" in wave 1 on line 2"),
            "{messages}"
        );
        assert!(messages.contains("not an item of template"));
        assert!(messages.contains("outside the scale 1..5"));
        assert_eq!(app.db.count("answers"), 0);
        assert_eq!(app.db.count("waves"), 0);
        assert_eq!(app.db.count("people"), 0);
    }
);

both_backends!(history_adds_new_waves_after_the_existing_ones, |app| {
    let id = app.create_partnership("P").await;
    let first = write_file(&app.db, "w1.csv", b"wave,firm,respondent,level,function,item,value\n1,customer,r1,staff,sales,trust,4\n1,supplier,r2,staff,sales,trust,\n");
    app.cli(&[
        "responses",
        "import",
        "--partnership",
        &id.to_string(),
        first.to_str().unwrap(),
    ])
    .assert_ok();
    let second = write_file(
        &app.db,
        "w2.csv",
        b"wave,firm,respondent,level,function,item,value\n2,customer,r1,manager,sales,trust,5\n",
    );
    app.cli(&[
        "responses",
        "import",
        "--partnership",
        &id.to_string(),
        second.to_str().unwrap(),
    ])
    .assert_ok();
    assert_eq!(app.db.count("waves"), 2);
    assert_eq!(app.db.count("people"), 2, "r1 is one person across waves");
    assert_eq!(app.db.count("responses"), 3);
    let wrong_side = write_file(
        &app.db,
        "w3.csv",
        b"wave,firm,respondent,level,function,item,value\n3,supplier,r1,staff,sales,trust,5\n",
    );
    let out = app.cli(&[
        "responses",
        "import",
        "--partnership",
        &id.to_string(),
        wrong_side.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("already stored as a customer respondent"),
        "{}",
        out.stderr
    );
    assert_eq!(app.db.count("waves"), 2);
});
