use serde_json::Value;

use crate::both_backends;
use crate::common::{write_file, TestApp};
use crate::fixture::{compare_with_fixture, fixture_report};

async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let r = app.get(path).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

both_backends!(the_http_report_is_the_cli_document, |app| {
    let (id, cli) = fixture_report(&app);
    let (status, body) = get(&app, &format!("/api/partnerships/{id}/report")).await;
    assert_eq!(status, 200, "{body}");
    let http: Value = serde_json::from_str(&body).unwrap();
    compare_with_fixture(&http);
    assert_eq!(http["items"], cli["items"]);
    let (status, body) = get(
        &app,
        &format!("/api/partnerships/{id}/report?wave=6&segment=function"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let one: Value = serde_json::from_str(&body).unwrap();
    assert!(one["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["wave"] == 6));
    assert!(one["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["segment_kind"] == "function"));
    assert_eq!(one["trend"][0]["x_waves"].as_array().unwrap().len(), 6);
});

both_backends!(the_csv_report_has_one_row_per_statistic, |app| {
    let (id, _) = fixture_report(&app);
    let r = app
        .get(&format!(
            "/api/partnerships/{id}/report?format=csv&segment=all"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let body = r.text().await.unwrap();
    assert!(body.starts_with("section,wave,side,segment_kind,segment,subject,statistic,value\n"));
    assert!(
        body.contains("items,1,customer,all,,win_win/win_win,mean,3.793103448275862\n"),
        "{}",
        &body[..2000]
    );
    let cli = app.cli(&[
        "report",
        "--partnership",
        &id.to_string(),
        "--segment",
        "all",
        "--format",
        "csv",
    ]);
    cli.assert_ok();
    assert_eq!(cli.stdout, body);
});

both_backends!(bad_report_requests_are_clear_client_errors, |app| {
    let empty = app.create_partnership("Empty").await;
    let (status, body) = get(&app, &format!("/api/partnerships/{empty}/report")).await;
    assert_eq!(status, 409);
    assert!(body.contains("no closed wave"), "{body}");
    let (id, _) = fixture_report(&app);
    for (query, status_wanted, words) in [
        ("wave=9", 404, "has no wave 9"),
        ("wave=x", 400, "not a wave number"),
        ("segment=site", 400, "not a segment"),
        ("format=xml", 400, "not known"),
    ] {
        let (status, body) = get(&app, &format!("/api/partnerships/{id}/report?{query}")).await;
        assert_eq!(status, status_wanted, "{query}: {body}");
        assert!(body.contains(words), "{query}: {body}");
    }
    let (status, _) = get(&app, "/api/partnerships/999/report").await;
    assert_eq!(status, 404);
    let out = app.cli(&["report", "--partnership", "999", "--json"]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("no partnership with id 999"),
        "{}",
        out.stderr
    );
    let out = app.cli(&[
        "report",
        "--partnership",
        &id.to_string(),
        "--segment",
        "site",
    ]);
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("not a segment"), "{}", out.stderr);
});

both_backends!(a_bad_kpi_file_is_refused_whole_with_positions, |app| {
    let id = app.create_partnership("K").await;
    let r = app
        .post(&format!("/api/partnerships/{id}/kpis"))
        .header("content-type", "text/csv")
        .body("date,kpi,value,better\n2026-01-01,ppm,240,lower\n2026-02-30,ppm,250,\n2026-03-01,ppm,x,up\n")
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
    assert_eq!(shown, ["3:1", "4:3", "4:4"]);
    assert_eq!(app.db.count("kpis"), 0);
    let file = write_file(&app.db, "k.csv", b"wave,on_time\n1,97\n1,96\n");
    let out = app.cli(&[
        "kpi",
        "import",
        "--partnership",
        &id.to_string(),
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("line 3, column 1: wave: wave 1 already has a row on line 2"),
        "{}",
        out.stderr
    );
    assert_eq!(app.db.count("kpi_values"), 0);
    let ok = app
        .post(&format!("/api/partnerships/{id}/kpis"))
        .header("content-type", "text/csv")
        .body("date,kpi,value,unit,better\n2026-01-01,ppm,240,ppm,lower\n")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        app.db.count("kpis WHERE unit = 'ppm' AND better = 'lower'"),
        1
    );
});

/// A partnership (minimum 5) whose history is made of the given (firm, level, function,
/// respondents) groups, every respondent answering 4 to trust.
fn small_history(app: &TestApp, groups: &[(&str, &str, &str, usize)]) -> String {
    let out = app.cli(&[
        "partnership",
        "create",
        "--name",
        "Small",
        "--customer",
        "C",
        "--supplier",
        "S",
    ]);
    out.assert_ok();
    let id = out.last_line().to_owned();
    let mut csv = String::from("wave,firm,respondent,level,function,item,value\n");
    let mut n = 0;
    for (firm, level, function, count) in groups {
        for _ in 0..*count {
            n += 1;
            csv.push_str(&format!(
                "1,{firm},r{n},{level},{function},trust,{}\n",
                3 + n % 3
            ));
        }
    }
    let file = write_file(&app.db, "small.csv", csv.as_bytes());
    app.cli(&[
        "responses",
        "import",
        "--partnership",
        &id,
        file.to_str().unwrap(),
    ])
    .assert_ok();
    id
}

fn report_json(app: &TestApp, id: &str, segment: &str) -> Value {
    let out = app.cli(&[
        "report",
        "--partnership",
        id,
        "--segment",
        segment,
        "--json",
    ]);
    out.assert_ok();
    serde_json::from_str(&out.stdout).unwrap()
}

fn hidden(report: &Value, section: &str) -> Vec<(String, String)> {
    report[section]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["suppressed"].is_null())
        .map(|r| {
            (
                r["segment"].as_str().unwrap_or("").to_owned(),
                r["suppressed"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

both_backends!(
    a_group_below_the_minimum_is_withheld_with_the_reason,
    |app| {
        let id = small_history(
            &app,
            &[
                ("customer", "staff", "sales", 6),
                ("supplier", "staff", "sales", 4),
            ],
        );
        let r = report_json(&app, &id, "all");
        let supplier = r["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["side"] == "supplier")
            .unwrap();
        assert_eq!(supplier["suppressed"], "fewer than 5 responses");
        assert!(supplier["responded"].is_null() && supplier["response_rate"].is_null());
        let trust = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["side"] == "supplier" && i["item"] == "trust")
            .unwrap();
        assert!(trust.get("mean").is_none() && trust.get("counts").is_none());
        assert!(r["inter_firm"]["items"][0]["suppressed"].is_string());
        assert!(r["inter_firm"]["items"][0].get("mean_diff").is_none());
        let customer = r["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["side"] == "customer")
            .unwrap();
        assert_eq!(customer["responded"], 6);
    }
);

both_backends!(
    a_segment_recoverable_by_subtraction_is_withheld_too,
    |app| {
        let id = small_history(
            &app,
            &[
                ("customer", "executive", "sales", 2),
                ("customer", "manager", "sales", 6),
                ("customer", "staff", "sales", 9),
            ],
        );
        let r = report_json(&app, &id, "level");
        let withheld = hidden(&r, "groups");
        assert_eq!(
            withheld.len(),
            2 + 1,
            "two customer levels and the empty supplier side"
        );
        assert!(withheld.contains(&("executive".into(), "fewer than 5 responses".into())));
        assert!(withheld
            .iter()
            .any(|(s, why)| s == "manager" && why.starts_with("withheld so that")));
        let icc = r["icc"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["side"] == "customer")
            .unwrap();
        assert!(icc["suppressed"].is_string() && icc.get("icc1").is_none());
    }
);

both_backends!(
    cross_tab_cells_are_protected_along_rows_and_columns,
    |app| {
        let id = small_history(
            &app,
            &[
                ("customer", "executive", "sales", 2),
                ("customer", "executive", "ops", 6),
                ("customer", "staff", "sales", 7),
                ("customer", "staff", "ops", 8),
            ],
        );
        let r = report_json(&app, &id, "level_function");
        let mut withheld: Vec<String> = hidden(&r, "groups")
            .into_iter()
            .map(|(s, _)| s)
            .filter(|s| !s.is_empty())
            .collect();
        withheld.sort();
        // With the level and function margins published (they are kept in preference to
        // the cross-tab), any one cell of this 2 × 2 table gives the other three, the small
        // one included: the whole cross-tab goes, the margins stay.
        assert_eq!(
            withheld,
            [
                "executive × ops",
                "executive × sales",
                "staff × ops",
                "staff × sales"
            ]
        );
        let margins = report_json(&app, &id, "level");
        assert!(hidden(&margins, "groups").iter().all(|(s, _)| s.is_empty()));
    }
);

both_backends!(response_rates_of_withheld_groups_are_not_shown, |app| {
    let id = small_history(
        &app,
        &[
            ("customer", "executive", "sales", 3),
            ("customer", "staff", "sales", 9),
        ],
    );
    let r = report_json(&app, &id, "function");
    let groups = r["groups"].as_array().unwrap();
    for g in groups.iter().filter(|g| !g["suppressed"].is_null()) {
        assert!(
            g["invited"].is_null() && g["responded"].is_null() && g["response_rate"].is_null(),
            "{g}"
        );
    }
    let shown = groups.iter().find(|g| g["segment"] == "sales").unwrap();
    assert_eq!(shown["response_rate"], 1.0);
    let r = report_json(&app, &id, "level");
    let exec = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["segment"] == "executive")
        .unwrap();
    assert!(exec["response_rate"].is_null());
});

both_backends!(
    names_a_spreadsheet_would_run_are_neutralised_in_the_csv_report,
    |app| {
        let out = app.cli(&[
            "partnership",
            "create",
            "--name",
            "Formulas",
            "--customer",
            "C",
            "--supplier",
            "S",
        ]);
        out.assert_ok();
        let id = out.last_line().to_owned();
        let mut csv = String::from("wave,firm,respondent,level,function,item,value,region\n");
        for p in 0..12 {
            for firm in ["customer", "supplier"] {
                csv.push_str(&format!(
                    "1,{firm},{firm}{p},\"=HYPERLINK(\"\"http://x\"\")\",@sales,trust,{},+EU\n",
                    3 + p % 2
                ));
            }
        }
        let file = write_file(&app.db, "formulas.csv", csv.as_bytes());
        app.cli(&[
            "responses",
            "import",
            "--partnership",
            &id,
            file.to_str().unwrap(),
        ])
        .assert_ok();
        let out = app.cli(&["report", "--partnership", &id, "--format", "csv"]);
        out.assert_ok();
        let mut reader = ::csv::Reader::from_reader(out.stdout.as_bytes());
        let mut segments = std::collections::BTreeSet::new();
        for row in reader.records() {
            let row = row.unwrap();
            for cell in row.iter() {
                assert!(
                    !(cell.starts_with('=') || cell.starts_with('@') || cell.starts_with('+'))
                        || cell.parse::<f64>().is_ok(),
                    "a cell a spreadsheet would run: {cell:?} in {row:?}"
                );
            }
            segments.insert(row[4].to_owned());
        }
        assert!(
            segments.contains("'=HYPERLINK(\"http://x\")"),
            "{segments:?}"
        );
        assert!(segments.contains("'@sales"), "{segments:?}");
        assert!(segments.contains("'+EU"), "{segments:?}");
    }
);
