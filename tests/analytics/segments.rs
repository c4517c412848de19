//! Business unit and language as breakdowns (issues 15 and 16), through the real path: a
//! roster with business units and languages (a bad one refused whole by the CLI, a good one
//! through the API), a wave opened, its mailed links answered through the API, the wave
//! closed, and the report read over HTTP — shown groups' means against means computed here
//! from the planted answers, a group below the minimum withheld, groups recoverable by
//! subtracting one breakdown from the other withheld, and every report a viewer can ask for
//! audited exhaustively against the raw responses (`common::disclosure`).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::both_backends;
use crate::common::disclosure::{api_reports, audit_reports};
use crate::common::{write_file, TestApp};
use crate::sink::Received;

pub(crate) const ITEMS: [&str; 8] = [
    "win_win",
    "shares_rewards",
    "trust",
    "dependable_people",
    "holds_up_end",
    "common_objectives",
    "does_homework",
    "decides_and_sticks",
];

/// One cell of people: side, business unit, the roster's language cell, and each person's
/// answer (the same on every item).
struct Cell {
    side: &'static str,
    business_unit: &'static str,
    language: &'static str,
    values: &'static [i64],
}

/// Minimum 5; the partnership's default language is German.
/// - Acme (customer): Retail × en 6, Wholesale × en 3, Wholesale × fr 5. Every group has 5
///   or more, but "en" − Retail (or Wholesale − "fr") is the three Wholesale × en: one
///   breakdown must go; the protection withholds the smaller group of each recovering
///   combination, here both business units.
/// - Bolt (supplier): Alpha × en 6, Beta × (default: de) 6, no business unit × de 2. "Not
///   given" (2) is below the minimum; Bolt − Alpha − Beta would be it, so Beta (the later of
///   two equal groups) goes with it. Languages: en (= Alpha) and de (8) are shown.
const CELLS: [Cell; 6] = [
    Cell {
        side: "customer",
        business_unit: "Retail",
        language: "en",
        values: &[4, 5, 4, 5, 4, 5],
    },
    Cell {
        side: "customer",
        business_unit: "Wholesale",
        language: "en",
        values: &[1, 1, 2],
    },
    Cell {
        side: "customer",
        business_unit: "Wholesale",
        language: "FR",
        values: &[3, 3, 4, 3, 3],
    },
    Cell {
        side: "supplier",
        business_unit: "Alpha",
        language: "en",
        values: &[5, 5, 4, 5, 5, 4],
    },
    Cell {
        side: "supplier",
        business_unit: "Beta",
        language: "",
        values: &[2, 2, 3, 2, 2, 3],
    },
    Cell {
        side: "supplier",
        business_unit: "",
        language: "de",
        values: &[1, 1],
    },
];

fn email(cell: usize, i: usize) -> String {
    format!("p{cell}-{i}@{}.test", CELLS[cell].side)
}

fn roster() -> String {
    let mut csv = String::from("email,name,side,level,function,region,business_unit,language\n");
    for (c, cell) in CELLS.iter().enumerate() {
        for i in 0..cell.values.len() {
            csv.push_str(&format!(
                "{},Person {c} {i},{},staff,operations,,{},{}\n",
                email(c, i),
                cell.side,
                cell.business_unit,
                cell.language
            ));
        }
    }
    csv
}

/// The planted answers of the people of `side` for whom `pick(cell)` holds.
fn planted(side: &str, pick: impl Fn(&Cell) -> bool) -> Vec<i64> {
    CELLS
        .iter()
        .filter(|c| c.side == side && pick(c))
        .flat_map(|c| c.values.iter().copied())
        .collect()
}

pub(crate) fn mean(values: &[i64]) -> f64 {
    values.iter().sum::<i64>() as f64 / values.len() as f64
}

/// Waits for `n` invitation mails in the test's mail folder and returns (recipient, token).
pub(crate) async fn links(app: &TestApp, n: usize) -> Vec<(String, String)> {
    let dir = app.db.dir.path().join("data").join("mail");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|x| x != "eml") {
                continue;
            }
            let Ok(raw) = std::fs::read_to_string(&path) else {
                continue;
            };
            let m = Received {
                from: String::new(),
                to: Vec::new(),
                raw,
            };
            let (Some(to), Some(text)) = (m.header("To"), m.part("text/plain")) else {
                continue; // still being written
            };
            if let Some(at) = text.find("/s/") {
                let token: String = text[at + 3..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                if token.len() == 32 {
                    found.push((to, token));
                }
            }
        }
        if found.len() >= n {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {n} invitations were written",
            found.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Opens a wave of partnership `p` and answers each person's mailed link through the JSON
/// API, every item with that person's value (`people`: address, value); all must be 200.
pub(crate) async fn open_and_answer(app: &TestApp, p: i64, people: &[(String, i64)]) {
    let r = app
        .post(&format!("/api/partnerships/{p}/waves"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let links = links(app, people.len()).await;
    assert_eq!(links.len(), people.len());
    for (address, value) in people {
        let (_, token) = links
            .iter()
            .find(|(to, _)| to.contains(address.as_str()))
            .unwrap_or_else(|| panic!("no invitation to {address}"));
        let answers: serde_json::Map<String, Value> = ITEMS
            .iter()
            .map(|i| (i.to_string(), json!(value)))
            .collect();
        let r = app
            .client
            .post(app.url(&format!("/api/responses/{token}")))
            .json(&json!({ "answers": answers }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
}

/// Creates the partnership, refuses a bad roster, imports the good one, runs the wave to
/// its close; returns the partnership id.
async fn run_wave(app: &TestApp) -> i64 {
    let r = app
        .post("/api/partnerships")
        .json(
            &json!({"name": "Acme / Bolt", "customer": "Acme", "supplier": "Bolt",
            "min_reporting_size": 5, "min_comment_size": 5, "language": "de"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let p = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    let r = app
        .post(&format!("/api/partnerships/{p}/roster"))
        .header("content-type", "text/csv")
        .body(roster())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
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
    open_and_answer(app, p, &people).await;
    let r = app
        .post(&format!("/api/partnerships/{p}/waves/close"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    p
}

pub(crate) fn group<'a>(report: &'a Value, side: &str, kind: &str, segment: &str) -> &'a Value {
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["side"] == side && g["segment_kind"] == kind && g["segment"] == segment)
        .unwrap_or_else(|| panic!("a {side} {kind} group {segment}: {}", report["groups"]))
}

/// The item `trust` of a group.
pub(crate) fn trust<'a>(report: &'a Value, side: &str, kind: &str, segment: &str) -> &'a Value {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["side"] == side
                && i["segment_kind"] == kind
                && i["segment"] == segment
                && i["item"] == "trust"
        })
        .unwrap_or_else(|| panic!("the item trust of {side} {kind} {segment}"))
}

pub(crate) fn assert_shown(report: &Value, side: &str, kind: &str, segment: &str, values: &[i64]) {
    let g = group(report, side, kind, segment);
    assert!(g["suppressed"].is_null(), "{g}");
    assert_eq!(g["responded"], values.len() as u64, "{g}");
    let item = trust(report, side, kind, segment);
    let shown = item["mean"].as_f64().unwrap_or_else(|| panic!("{item}"));
    assert!(
        (shown - mean(values)).abs() < 1e-12,
        "{side} {kind} {segment}: mean {shown}, planted {}",
        mean(values)
    );
}

pub(crate) fn assert_withheld(report: &Value, side: &str, kind: &str, segment: &str, reason: &str) {
    let g = group(report, side, kind, segment);
    let said = g["suppressed"].as_str().unwrap_or_else(|| panic!("{g}"));
    assert!(said.contains(reason), "{side} {kind} {segment}: {said}");
    assert!(g["responded"].is_null(), "{g}");
    let item = trust(report, side, kind, segment);
    assert!(item["mean"].is_null(), "{item}");
}

both_backends!(
    a_bad_roster_with_business_units_and_languages_is_refused_whole,
    |app| {
        let id = app.create_partnership("P").await;
        let file = write_file(
            &app.db,
            "bad.csv",
            b"email,name,side,level,function,region,busines_unit,language\n\
              ann@acme.test,Ann,customer,staff,sales,,Retail,en\n\
              bob@acme.test,Bob,customer,staff,sales,,Retail,klingon\n",
        );
        let out = app.cli(&[
            "roster",
            "import",
            "--partnership",
            &id.to_string(),
            file.to_str().unwrap(),
        ]);
        assert_eq!(out.status, 1, "{}", out.stdout);
        assert!(
            out.stderr
                .contains("line 1, column 7: unknown column \"busines_unit\""),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr
                .contains("line 3, column 8: language: language \"klingon\" is not offered"),
            "{}",
            out.stderr
        );
        let long = "x".repeat(201);
        let file = write_file(
            &app.db,
            "long.csv",
            format!(
                "email,name,side,level,function,region,business_unit\n\
                 ann@acme.test,Ann,customer,staff,sales,,{long}\n"
            )
            .as_bytes(),
        );
        let out = app.cli(&[
            "roster",
            "import",
            "--partnership",
            &id.to_string(),
            file.to_str().unwrap(),
        ]);
        assert_eq!(out.status, 1, "{}", out.stdout);
        assert!(
            out.stderr.contains(
                "line 2, column 7: business_unit: business_unit is longer than 200 characters"
            ),
            "{}",
            out.stderr
        );
        assert_eq!(app.db.count("people"), 0, "nothing written");
    }
);

both_backends!(
    business_units_and_languages_are_breakdowns_with_the_same_protection,
    |app| {
        let p = run_wave(&app).await;
        // The snapshot: the roster's language, else the partnership's default (de).
        assert_eq!(app.db.count("responses WHERE language = 'de'"), 8);
        assert_eq!(app.db.count("responses WHERE language = 'fr'"), 5);
        assert_eq!(app.db.count("responses WHERE business_unit = 'Beta'"), 6);

        let r = app
            .get(&format!("/api/partnerships/{p}/report"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let report: Value = r.json().await.unwrap();
        assert_eq!(
            report["breakdowns"],
            json!(["level", "function", "region", "business_unit"]),
            "languages are pooled unless the split is asked for"
        );
        assert!(report["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["segment_kind"] != "language"));
        let languages: Value = app
            .get(&format!("/api/partnerships/{p}/report?segment=language"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(languages["breakdowns"], json!(["language"]));
        let bu = "business_unit";
        let (c, s) = ("customer", "supplier");
        // "en" − Retail would be the three Wholesale × en: the business units go (the
        // smaller group of each recovering pair), the languages are shown — in the language
        // report: the decision is the same whatever a request asks for.
        for unit in ["Retail", "Wholesale"] {
            assert_withheld(&report, c, bu, unit, "cannot be recovered");
        }
        assert_shown(
            &languages,
            c,
            "language",
            "en",
            &planted(c, |x| x.language == "en"),
        );
        assert_shown(
            &languages,
            c,
            "language",
            "fr",
            &planted(c, |x| x.language == "FR"),
        );
        assert_shown(
            &report,
            s,
            bu,
            "Alpha",
            &planted(s, |x| x.business_unit == "Alpha"),
        );
        assert_withheld(&report, s, bu, "not given", "fewer than 5");
        assert_withheld(&report, s, bu, "Beta", "cannot be recovered");
        assert_shown(
            &languages,
            s,
            "language",
            "en",
            &planted(s, |x| x.language == "en"),
        );
        assert_shown(
            &languages,
            s,
            "language",
            "de",
            &planted(s, |x| x.language != "en"),
        );
        // Statistics pool the languages: each side's mean is all its answers'.
        for side in [c, s] {
            let whole = report["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["side"] == side && i["segment_kind"] == "all" && i["item"] == "trust")
                .unwrap();
            let all = planted(side, |_| true);
            assert_eq!(whole["n"], all.len() as u64, "{whole}");
            assert!((whole["mean"].as_f64().unwrap() - mean(&all)).abs() < 1e-12);
        }

        // The business units asked for alone: the same decisions.
        let alone: Value = app
            .get(&format!(
                "/api/partnerships/{p}/report?segment=business_unit"
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_withheld(&alone, c, bu, "Retail", "cannot be recovered");
        assert_shown(
            &alone,
            s,
            bu,
            "Alpha",
            &planted(s, |x| x.business_unit == "Alpha"),
        );

        // The CSV carries the same rows: Alpha's mean, nothing of Beta but the reason.
        let csv = app
            .get(&format!(
                "/api/partnerships/{p}/report?segment=business_unit&format=csv"
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let alpha = format!("{}", mean(&planted(s, |x| x.business_unit == "Alpha")));
        assert!(
            csv.lines().any(|l| l.contains(",business_unit,Alpha,")
                && l.contains(",trust,mean,")
                && l.ends_with(&alpha)),
            "{csv}"
        );
        let beta: Vec<&str> = csv
            .lines()
            .filter(|l| l.contains(",business_unit,Beta,"))
            .collect();
        assert!(!beta.is_empty(), "{csv}");
        for line in beta {
            assert!(line.contains(",suppressed,"), "{line}");
        }

        // Whatever reports a viewer combines, no group below 5 can be recovered.
        let reports = api_reports(&app, p).await;
        let coverage = audit_reports(&app.db, p, &reports);
        assert!(coverage.small_cells > 0, "{coverage:?}");
        assert!(coverage.published > 0, "{coverage:?}");
    }
);
