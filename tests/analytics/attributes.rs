//! Custom attributes declared per partnership (issue 15: "site, programme…, with the same
//! suppression rules"), through the real path: declared over the API (bad keys and labels
//! refused, nothing written, audited) and listed by the CLI; a roster naming an undeclared
//! column refused whole with its line and column; a roster with the declared column
//! imported; a wave opened, its mailed links answered, a person moved to another site before
//! the close (their response keeps the site it was given under), the wave closed; the
//! report's site groups checked against means computed here from the planted answers, the
//! groups below the minimum and those recoverable by subtraction withheld, and every report
//! a viewer can ask for audited exhaustively against the raw responses.

use serde_json::{json, Value};

use crate::both_backends;
use crate::common::disclosure::{api_reports, audit_reports};
use crate::common::{write_file, TestApp};
use crate::segments::{assert_shown, assert_withheld, group, mean, open_and_answer, trust, ITEMS};

/// One cell of people: side, site (the declared attribute) and each person's answer (the
/// same on every item).
struct Cell {
    side: &'static str,
    site: &'static str,
    values: &'static [i64],
}

/// Minimum 5.
/// - Acme (customer): Lyon 6, Paris 5, no site 3. "Not given" (3) is below the minimum, and
///   Acme − Lyon − Paris would be it, so one of the two sites must go too.
/// - Bolt (supplier): Lyon 7, Paris 6: every group shown.
const CELLS: [Cell; 5] = [
    Cell {
        side: "customer",
        site: "Lyon",
        values: &[4, 5, 4, 5, 4, 5],
    },
    Cell {
        side: "customer",
        site: "Paris",
        values: &[2, 1, 2, 2, 1],
    },
    Cell {
        side: "customer",
        site: "",
        values: &[3, 3, 3],
    },
    Cell {
        side: "supplier",
        site: "Lyon",
        values: &[5, 5, 4, 5, 5, 4, 4],
    },
    Cell {
        side: "supplier",
        site: "Paris",
        values: &[2, 3, 2, 3, 2, 3],
    },
];

fn email(cell: usize, i: usize) -> String {
    format!("p{cell}-{i}@{}.test", CELLS[cell].side)
}

/// The roster with the `site` column; `moved` (cell, person) gets `to` instead.
fn roster(moved: Option<((usize, usize), &str)>) -> String {
    let mut csv = String::from("email,name,side,level,function,region,Site\n");
    for (c, cell) in CELLS.iter().enumerate() {
        for i in 0..cell.values.len() {
            let site = match moved {
                Some((who, to)) if who == (c, i) => to,
                _ => cell.site,
            };
            csv.push_str(&format!(
                "{},Person {c} {i},{},staff,operations,,{site}\n",
                email(c, i),
                cell.side,
            ));
        }
    }
    csv
}

fn planted(side: &str, site: &str) -> Vec<i64> {
    CELLS
        .iter()
        .filter(|c| c.side == side && c.site == site)
        .flat_map(|c| c.values.iter().copied())
        .collect()
}

async fn post_json(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let r = app.post(path).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

async fn import_roster(app: &TestApp, p: i64, csv: String) {
    let r = app
        .post(&format!("/api/partnerships/{p}/roster"))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

both_backends!(custom_attributes_are_declared_checked_and_audited, |app| {
    let p = app.create_partnership("P").await;
    let path = format!("/api/partnerships/{p}/attributes");
    // Every problem at once, nothing written.
    let (status, body) = post_json(&app, &path, json!({"key": "Site name", "label": "  "})).await;
    assert_eq!(status, 422, "{body}");
    let text = body.to_string();
    assert!(text.contains("key"), "{text}");
    assert!(text.contains("must be 1 to 32 characters"), "{text}");
    assert!(text.contains("label is empty"), "{text}");
    let (status, body) = post_json(&app, &path, json!({"key": "region", "label": "R"})).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.to_string().contains("taken by a built-in column"),
        "{body}"
    );
    assert_eq!(app.db.count("partnership_attributes"), 0);

    let (status, body) = post_json(&app, &path, json!({"key": "site", "label": "Site"})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body, json!({"key": "site", "label": "Site"}));
    let (status, body) = post_json(&app, &path, json!({"key": "site", "label": "Again"})).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.to_string().contains("already has a custom attribute"),
        "{body}"
    );
    assert_eq!(app.db.count("partnership_attributes"), 1);
    assert_eq!(
        app.db
            .count("audit_log WHERE action = 'attribute.added' AND actor IS NOT NULL"),
        1
    );

    let out = app.cli(&[
        "attributes",
        "add",
        "--partnership",
        &p.to_string(),
        "--key",
        "programme",
        "--label",
        "Programme",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let listed: Value = app.get(&path).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        listed,
        json!([{"key": "site", "label": "Site"}, {"key": "programme", "label": "Programme"}])
    );
    let out = app.cli(&["attributes", "list", "--partnership", &p.to_string()]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "site\tSite\nprogramme\tProgramme\n");

    // A column nobody declared is refused with its line and column; nothing written.
    let file = write_file(
        &app.db,
        "bad.csv",
        b"email,name,side,level,function,region,site,team\n\
              ann@acme.test,Ann,customer,staff,sales,,Lyon,Blue\n",
    );
    let out = app.cli(&[
        "roster",
        "import",
        "--partnership",
        &p.to_string(),
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 1, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("line 1, column 8: unknown column \"team\""),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("site, programme"), "{}", out.stderr);
    assert_eq!(app.db.count("people"), 0, "nothing written");
    assert_eq!(app.db.count("person_attributes"), 0, "nothing written");

    // An undeclared breakdown is a 400 that names the partnership's attributes.
    let r = app
        .get(&format!("/api/partnerships/{p}/report?segment=team"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let text = r.text().await.unwrap();
    assert!(text.contains("site, programme"), "{text}");
});

both_backends!(
    a_custom_attribute_is_a_breakdown_with_the_same_protection,
    |app| {
        let r = app
            .post("/api/partnerships")
            .json(
                &json!({"name": "Acme / Bolt", "customer": "Acme", "supplier": "Bolt",
                "min_reporting_size": 5, "min_comment_size": 5}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let p = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let (status, body) = post_json(
            &app,
            &format!("/api/partnerships/{p}/attributes"),
            json!({"key": "site", "label": "Site"}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        import_roster(&app, p, roster(None)).await;
        // 6 + 5 + 7 + 6 people have a site; the 3 without one have no row.
        assert_eq!(app.db.count("person_attributes"), 24);
        let people: Value = app
            .get(&format!("/api/partnerships/{p}/people"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let site_of = |address: &str| {
            people
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["email"] == address)
                .unwrap_or_else(|| panic!("{address} in {people}"))["attributes"]
                .clone()
        };
        assert_eq!(site_of(&email(0, 0)), json!({"site": "Lyon"}));
        assert_eq!(site_of(&email(2, 0)), json!({}));

        let people: Vec<(String, i64)> = CELLS
            .iter()
            .enumerate()
            .flat_map(|(c, cell)| {
                cell.values
                    .iter()
                    .enumerate()
                    .map(move |(i, v)| (email(c, i), *v))
            })
            .collect();
        open_and_answer(&app, p, &people).await;
        // Each response keeps the site it was given under.
        assert_eq!(app.db.count("response_attributes WHERE value = 'Lyon'"), 13);
        assert_eq!(
            app.db.count("response_attributes WHERE value = 'Paris'"),
            11
        );
        // A Lyon supplier moves to Paris before the close: the roster changes, the answer
        // given in Lyon stays in Lyon.
        import_roster(&app, p, roster(Some(((3, 0), "Paris")))).await;
        assert_eq!(app.db.count("person_attributes WHERE value = 'Paris'"), 12);
        assert_eq!(app.db.count("response_attributes WHERE value = 'Lyon'"), 13);

        let r = app
            .post(&format!("/api/partnerships/{p}/waves/close"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

        let report: Value = app
            .get(&format!("/api/partnerships/{p}/report"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            report["breakdowns"],
            json!(["level", "function", "region", "site"]),
            "a declared attribute someone has is a default breakdown"
        );
        let alone: Value = app
            .get(&format!("/api/partnerships/{p}/report?segment=SITE"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(alone["breakdowns"], json!(["site"]));
        let (c, s) = ("customer", "supplier");
        for r in [&report, &alone] {
            assert_withheld(r, c, "site", "not given", "fewer than 5");
            // Acme − Lyon − Paris would be the three without a site: the smaller site goes.
            assert_shown(r, c, "site", "Lyon", &planted(c, "Lyon"));
            assert_withheld(r, c, "site", "Paris", "cannot be recovered");
            assert_shown(r, s, "site", "Lyon", &planted(s, "Lyon"));
            assert_shown(r, s, "site", "Paris", &planted(s, "Paris"));
        }

        // The CSV carries the same rows.
        let csv = app
            .get(&format!(
                "/api/partnerships/{p}/report?segment=site&format=csv"
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let lyon = format!("{}", mean(&planted(s, "Lyon")));
        assert!(
            csv.lines().any(|l| l.contains(",supplier,site,Lyon,")
                && l.contains(",trust,mean,")
                && l.ends_with(&lyon)),
            "{csv}"
        );
        let paris: Vec<&str> = csv
            .lines()
            .filter(|l| l.contains(",customer,site,Paris,"))
            .collect();
        assert!(!paris.is_empty(), "{csv}");
        for line in paris {
            assert!(line.contains(",suppressed,"), "{line}");
        }
        // The CLI names the same breakdown.
        let out = app.cli(&[
            "report",
            "--partnership",
            &p.to_string(),
            "--by",
            "site",
            "--json",
        ]);
        assert_eq!(out.status, 0, "{}", out.stderr);
        let cli: Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(cli["groups"], alone["groups"]);

        // The dashboard draws a heatmap of the sites, Paris of Acme hatched, never a number.
        let admin = app
            .signed_in("admin@example.com", tandem::auth::Role::Admin, vec![])
            .await;
        let html = admin
            .get(app.url(&format!("/partnerships/{p}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("heatmap-supplier-site"), "{html}");
        let r = admin
            .get(app.url(&format!(
                "/partnerships/{p}/charts/heatmap-customer-site.svg"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let svg = r.text().await.unwrap();
        let lyon_mean = format!("{:.2}", mean(&planted(c, "Lyon")));
        assert!(svg.contains(&format!(">{lyon_mean}<")), "{svg}");
        assert!(svg.contains("class=\"tc-hatched\""), "{svg}");
        let paris = format!("{:.2}", mean(&planted(c, "Paris")));
        assert!(!svg.contains(&paris), "Paris's mean {paris} in {svg}");

        // Whatever reports a viewer combines, no group below 5 can be recovered.
        let reports = api_reports(&app, p).await;
        assert_eq!(reports.len(), 9, "the site report is among them");
        let coverage = audit_reports(&app.db, p, &reports);
        assert!(coverage.small_cells > 0, "{coverage:?}");
        assert!(coverage.published > 0, "{coverage:?}");
    }
);

both_backends!(history_imports_carry_the_custom_attributes, |app| {
    let p = app.create_partnership("P").await;
    let (status, body) = post_json(
        &app,
        &format!("/api/partnerships/{p}/attributes"),
        json!({"key": "site", "label": "Site"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // Six customers in Lyon answering 4, five in Paris answering 2; one respondent whose
    // site differs between two lines of the same wave is refused with line and column.
    let mut csv = String::from("wave,firm,respondent,level,function,item,value,site\n");
    for i in 0..11 {
        let (site, value) = if i < 6 { ("Lyon", 4) } else { ("Paris", 2) };
        for item in ITEMS {
            csv.push_str(&format!(
                "1,customer,c{i},staff,sales,{item},{value},{site}\n"
            ));
        }
    }
    let bad = format!(
        "{csv}1,supplier,s0,staff,sales,trust,3,Lyon\n1,supplier,s0,staff,sales,win_win,3,Paris\n"
    );
    let file = write_file(&app.db, "bad.csv", bad.as_bytes());
    let out = app.cli(&[
        "responses",
        "import",
        "--partnership",
        &p.to_string(),
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains(&format!(
            "line {}, column 8: site: respondent s0 has site \"Paris\" here but \"Lyon\"",
            11 * 8 + 3
        )),
        "{}",
        out.stderr
    );
    assert_eq!(app.db.count("waves"), 0, "nothing written");

    let file = write_file(&app.db, "good.csv", csv.as_bytes());
    let out = app.cli(&[
        "responses",
        "import",
        "--partnership",
        &p.to_string(),
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(app.db.count("response_attributes"), 11);
    let report: Value = app
        .get(&format!("/api/partnerships/{p}/report?segment=site"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lyon = group(&report, "customer", "site", "Lyon");
    assert_eq!(lyon["responded"], 6, "{lyon}");
    assert_eq!(trust(&report, "customer", "site", "Lyon")["mean"], 4.0);
    assert_eq!(trust(&report, "customer", "site", "Paris")["mean"], 2.0);
});

both_backends!(the_report_benchmark_can_generate_custom_attributes, |app| {
    let out_dir = app.db.dir.path().join("bench-data");
    let out = app.cli(&[
        "bench",
        "report",
        "--respondents",
        "30",
        "--waves",
        "2",
        "--runs",
        "1",
        "--custom-attributes",
        "2",
        "--out-dir",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let list: Value = app
        .get("/api/partnerships")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let p = list[0]["id"].as_i64().expect("the generated partnership");
    let declared: Value = app
        .get(&format!("/api/partnerships/{p}/attributes"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        declared,
        json!([{"key": "attr1", "label": "attr1"}, {"key": "attr2", "label": "attr2"}])
    );
    let report: Value = app
        .get(&format!(
            "/api/partnerships/{p}/report?segment=attr2&wave=2"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Every respondent of a side is in one of the two values: shown or withheld, the two
    // groups are there, and when both are shown they add up to the side's 30.
    for side in ["customer", "supplier"] {
        let groups: Vec<&Value> = report["groups"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["side"] == side && g["segment_kind"] == "attr2")
            .collect();
        let mut names: Vec<&str> = groups
            .iter()
            .map(|g| g["segment"].as_str().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["north", "south"], "{side}");
        let shown: Vec<u64> = groups
            .iter()
            .filter_map(|g| g["responded"].as_u64())
            .collect();
        if shown.len() == 2 {
            assert_eq!(shown.iter().sum::<u64>(), 30, "{side}");
        } else {
            assert!(shown.iter().sum::<u64>() < 30, "{side}: {shown:?}");
        }
    }
});
