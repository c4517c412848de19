//! Several survey series per partnership: the quarterly perception pulse (the main series)
//! and the four-point partnership-practices template twice a year, both opening on the same
//! day. Each series' waves open on its own schedule (two racing scheduler passes open each
//! slot once), each report covers only its own waves and scale, closing one series' wave
//! leaves the other's numbers as they were, the dashboard switches series, and pausing a
//! series holds only it while pausing the partnership holds all.

use std::collections::HashMap;

use serde_json::{json, Value};
use tandem::auth::Role;
use tandem::domain::Side;
use tandem::survey_templates::Catalog;

use crate::common::Backend;
use crate::World;

const PERCEPTION: [&str; 8] = crate::ITEMS;
const PRACTICES: [&str; 9] = [
    "clear_lines",
    "early_warning",
    "executive_access",
    "performance_reports",
    "shares_plans",
    "acts_on_feedback",
    "strategic_involvement",
    "joint_planning",
    "joint_problem_solving",
];

/// Each person's answer to every item of the perception pulse, in roster order.
const MAIN_C: [u8; 6] = [5, 4, 4, 3, 5, 2];
const MAIN_S: [u8; 6] = [2, 3, 3, 4, 1, 3];
/// … and to every practices item (None: don't know).
const PRAC_C: [Option<u8>; 6] = [Some(4), Some(4), Some(3), Some(4), None, Some(4)];
const PRAC_S: [Option<u8>; 6] = [Some(1), Some(2), Some(1), Some(1), Some(2), Some(1)];

fn roster() -> String {
    let mut csv = String::from("email,name,side,level,function,region,roles\n");
    for i in 0..6 {
        csv.push_str(&format!("c{i}@acme.com,C {i},customer,staff,sales,EU,\n"));
        csv.push_str(&format!("s{i}@bolt.com,S {i},supplier,staff,sales,EU,\n"));
    }
    csv
}

fn today() -> String {
    tandem::db::now().date().to_string()
}

/// A partnership whose main series (perception, quarterly) and `practices` series (the
/// practices template, half-yearly) both open today at 00:00 UTC for ten days.
async fn two_series(backend: Backend, name: &str) -> Option<World> {
    let w = World::with(
        backend,
        Some(json!({"name": name, "customer": "Acme", "supplier": "Bolt",
            "cadence": "quarterly", "first_wave_on": today(), "send_time": "00:00",
            "timezone": "UTC", "response_window_days": 10})),
        &roster(),
    )
    .await?;
    let r = add_practices(&w, w.partnership).await;
    assert_eq!(r.0, 201, "{}", r.1);
    Some(w)
}

async fn add_practices(w: &World, partnership: i64) -> (u16, Value) {
    let r = w
        .app
        .post(&format!("/api/partnerships/{partnership}/series"))
        .json(
            &json!({"key": "practices", "name": "Practices twice a year",
            "template": "partnership-practices", "cadence": "half-yearly",
            "first_wave_on": today(), "send_time": "00:00", "timezone": "UTC",
            "response_window_days": 10}),
        )
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// Two scheduler passes at once, as two instances would run them.
fn racing_ticks(w: &World, now: chrono::NaiveDateTime) -> tandem::services::waves::TickReport {
    let pool = w.app.db.pool();
    let catalog = Catalog::load(None).unwrap();
    let links = tandem::mail::Links {
        base_url: w.app.address.clone(),
    };
    let racers: Vec<_> = (0..2)
        .map(|_| {
            let (pool, catalog, links) = (pool.clone(), catalog.clone(), links.clone());
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                tandem::services::waves::tick_at(&mut conn, &catalog, now, &links).unwrap()
            })
        })
        .collect();
    let mut all = tandem::services::waves::TickReport::default();
    for r in racers {
        let one = r.join().unwrap();
        all.opened.extend(one.opened);
        all.held.extend(one.held);
    }
    all.opened.sort();
    all.held.sort();
    all.held.dedup();
    all
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// rwg with the scale's own null variance (A² − 1)/12, from the raw answers.
fn rwg(answers: &[f64], points: f64) -> f64 {
    let m = mean(answers);
    let var = answers.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (answers.len() as f64 - 1.0);
    let null = (points * points - 1.0) / 12.0;
    1.0 - var.min(null) / null
}

fn record<'a>(report: &'a Value, section: &str, key: &str, id: &str, side: &str) -> &'a Value {
    report[section]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[key] == id && r["side"] == side && r["segment_kind"] == "all")
        .unwrap_or_else(|| panic!("no {section} record {id} {side}: {report}"))
}

/// The data table under one dimension's chart: (wave, the text of each cell) per row.
fn data_table(html: &str, dimension: &str) -> Vec<(i64, Vec<String>)> {
    let start = html
        .find(&format!("id=\"dim-{dimension}\""))
        .unwrap_or_else(|| panic!("no section for {dimension}"));
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    let body = &section[section.find("<tbody>").unwrap()..section.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let wave = row[row.find('>').unwrap() + 1..row.find("</th>").unwrap()]
                .parse()
                .unwrap();
            let cells = row
                .split("<td")
                .skip(1)
                .map(|c| c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()].to_owned())
                .collect();
            (wave, cells)
        })
        .collect()
}

/// The cell the dashboard shows for a firm-wide dimension record.
fn cell(rec: &Value) -> String {
    let ci = &rec["mean_ci95"];
    format!(
        "{:.2} ({:.2}–{:.2}) · rwg(j) {:.2} · n {}",
        rec["mean"].as_f64().unwrap(),
        ci[0].as_f64().unwrap(),
        ci[1].as_f64().unwrap(),
        rec["rwg_j"].as_f64().unwrap(),
        rec["n"]
    )
}

/// Every dimension table of the page against the report, firm by firm (`sides` shown).
fn assert_tables_match(html: &str, report: &Value, dimensions: &[&str], wave: i64, sides: &[&str]) {
    for dimension in dimensions {
        let table = data_table(html, dimension);
        assert_eq!(
            table.len(),
            1,
            "{dimension}: one closed wave in this series"
        );
        let (seq, cells) = &table[0];
        assert_eq!(*seq, wave, "{dimension}");
        for (c, side) in cells.iter().zip(sides) {
            let rec = record(report, "dimensions", "dimension", dimension, side);
            assert_eq!(c, &cell(rec), "{dimension} {side}");
        }
    }
}

/// The survey links each person got, by series: opening a link shows its wave's template.
async fn links_by_series(w: &World) -> HashMap<(String, &'static str), String> {
    let client = reqwest::Client::new();
    let mut out = HashMap::new();
    for m in w.sink.received() {
        let to = m.to[0].trim_matches(|c| c == '<' || c == '>').to_owned();
        let token = crate::token_in(&m.part("text/plain").expect("a text part"));
        let page = client
            .get(w.app.url(&format!("/s/{token}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let series = if page.contains("item.clear_lines") {
            "practices"
        } else {
            assert!(page.contains("item.win_win"), "{page}");
            "main"
        };
        out.insert((to, series), token);
    }
    out
}

async fn answer(w: &World, token: &str, form: Vec<(String, String)>) {
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(w.app.url(&format!("/s/{token}")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
}

async fn get_json(w: &World, path: &str) -> (u16, Value) {
    let r = w.app.get(path).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn page(client: &reqwest::Client, w: &World, path: &str) -> (u16, String) {
    let r = client.get(w.app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn two_series_run_apart(backend: Backend) {
    let Some(w) = two_series(backend, "Acme / Bolt").await else {
        return;
    };
    let id = w.partnership;

    // Bad input is refused with the field named, and nothing is written.
    for (body, field) in [
        (
            json!({"key": "pulse", "template": "no-such-template"}),
            "template",
        ),
        (
            json!({"key": "pulse", "template": "partnership-practices", "cadence": "weekly-ish"}),
            "cadence",
        ),
        (
            json!({"key": "practices", "template": "partnership-practices"}),
            "key",
        ),
        (
            json!({"key": "main", "template": "partnership-practices"}),
            "key",
        ),
    ] {
        let r = w
            .app
            .post(&format!("/api/partnerships/{id}/series"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{body}");
        let problems: Value = r.json().await.unwrap();
        assert!(problems.to_string().contains(field), "{body}: {problems}");
    }
    assert_eq!(w.app.db.count("survey_series"), 1);
    let (status, list) = get_json(&w, &format!("/api/partnerships/{id}/series")).await;
    assert_eq!(status, 200);
    let keys: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["main", "practices"]);
    assert_eq!(list[1]["cadence"], "half-yearly");
    assert_eq!(list[1]["template"], "partnership-practices");

    // Both series are due today at 00:00: two racing passes open one wave of each.
    let ticked = racing_ticks(&w, tandem::db::now());
    assert_eq!(
        ticked.opened,
        vec![(id, 1), (id, 2)],
        "each slot opened once"
    );
    let (_, waves) = get_json(&w, &format!("/api/partnerships/{id}/waves")).await;
    let series: Vec<(i64, &str)> = waves
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["seq"].as_i64().unwrap(), w["series"].as_str().unwrap()))
        .collect();
    let mut names: Vec<&str> = series.iter().map(|(_, s)| *s).collect();
    names.sort();
    assert_eq!(names, ["main", "practices"], "one wave of each series");
    let practices_seq = series.iter().find(|(_, s)| *s == "practices").unwrap().0;
    let main_seq = series.iter().find(|(_, s)| *s == "main").unwrap().0;
    for wave in waves.as_array().unwrap() {
        assert_eq!(wave["invited"], 12);
    }
    // A pass later in the window opens nothing more.
    let again = racing_ticks(&w, tandem::db::now() + chrono::TimeDelta::hours(1));
    assert!(again.opened.is_empty(), "{:?}", again.opened);

    w.mail(24).await;
    let links = links_by_series(&w).await;
    assert_eq!(links.len(), 24, "one link per person and series");
    for (side, domain, main, prac) in [("c", "acme", MAIN_C, PRAC_C), ("s", "bolt", MAIN_S, PRAC_S)]
    {
        for i in 0..6 {
            let to = format!("{side}{i}@{domain}.com");
            let form = PERCEPTION
                .iter()
                .map(|item| (format!("item.{item}"), main[i].to_string()))
                .collect();
            answer(&w, &links[&(to.clone(), "main")], form).await;
            let form = PRACTICES
                .iter()
                .map(|item| {
                    let v = prac[i].map_or_else(|| "dk".to_owned(), |v| v.to_string());
                    (format!("item.{item}"), v)
                })
                .collect();
            answer(&w, &links[&(to, "practices")], form).await;
        }
    }

    // The main series closes first; its report has its one wave and the five-point scale.
    let r = w
        .app
        .post(&format!("/api/partnerships/{id}/waves/close"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let (status, before) = get_json(&w, &format!("/api/partnerships/{id}/report")).await;
    assert_eq!(status, 200, "{before}");
    let (status, _) = get_json(
        &w,
        &format!("/api/partnerships/{id}/report?series=practices"),
    )
    .await;
    assert_eq!(status, 409, "the practices wave is still open");

    let r = w
        .app
        .post(&format!(
            "/api/partnerships/{id}/waves/close?series=practices"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let (_, main) = get_json(&w, &format!("/api/partnerships/{id}/report")).await;
    let (status, prac) = get_json(
        &w,
        &format!("/api/partnerships/{id}/report?series=practices"),
    )
    .await;
    assert_eq!(status, 200, "{prac}");

    // A closed wave's numbers do not move when another series' wave closes.
    for section in ["items", "dimensions", "response_rates", "trend"] {
        assert_eq!(before[section], main[section], "{section}");
    }
    assert_eq!(main["series"], "main");
    assert_eq!(prac["series"], "practices");
    let waves_of = |r: &Value| -> Vec<i64> {
        r["waves"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["wave"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(waves_of(&main), vec![main_seq]);
    assert_eq!(waves_of(&prac), vec![practices_seq]);
    assert_eq!(main["scale"]["points"], 5);
    assert_eq!(prac["scale"]["points"], 4);
    let items_of = |r: &Value| -> Vec<String> {
        let mut ids: Vec<String> = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["item"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let mut want: Vec<String> = PERCEPTION.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(items_of(&main), want, "the perception items only");
    let mut want: Vec<String> = PRACTICES.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(items_of(&prac), want, "the practices items only");

    // The numbers, against the raw answers.
    for (side, main_answers, prac_answers) in
        [("customer", MAIN_C, PRAC_C), ("supplier", MAIN_S, PRAC_S)]
    {
        let xs: Vec<f64> = main_answers.iter().map(|&v| f64::from(v)).collect();
        let rec = record(&main, "items", "item", "trust", side);
        assert_eq!(rec["n"], 6);
        assert!(
            (rec["mean"].as_f64().unwrap() - mean(&xs)).abs() < 1e-12,
            "{rec}"
        );
        assert!(
            (rec["rwg"].as_f64().unwrap() - rwg(&xs, 5.0)).abs() < 1e-12,
            "{rec}"
        );
        let xs: Vec<f64> = prac_answers
            .iter()
            .flatten()
            .map(|&v| f64::from(v))
            .collect();
        let rec = record(&prac, "items", "item", "clear_lines", side);
        assert_eq!(rec["n"], xs.len());
        assert!(
            (rec["mean"].as_f64().unwrap() - mean(&xs)).abs() < 1e-12,
            "{rec}"
        );
        assert!(
            (rec["rwg"].as_f64().unwrap() - rwg(&xs, 4.0)).abs() < 1e-12,
            "{rec}"
        );
        let counts = rec["counts"].as_object().unwrap();
        assert_eq!(
            counts.keys().map(String::as_str).collect::<Vec<_>>(),
            ["1", "2", "3", "4"]
        );
    }

    // `tandem report --json` says the same as the API for each series.
    let cli = |series: Option<&str>| {
        let mut args = vec!["report", "--json"];
        let pid = id.to_string();
        let mut owned = vec!["--partnership".to_owned(), pid];
        if let Some(s) = series {
            owned.extend(["--series".to_owned(), s.to_owned()]);
        }
        args.extend(owned.iter().map(String::as_str));
        let out = w.app.cli(&args);
        out.assert_ok();
        serde_json::from_str::<Value>(&out.stdout).unwrap()
    };
    let cli_main = cli(None);
    let cli_prac = cli(Some("practices"));
    assert_eq!(cli_main["dimensions"], main["dimensions"]);
    assert_eq!(cli_prac["dimensions"], prac["dimensions"]);
    let out = w.app.cli(&[
        "report",
        "--json",
        "--partnership",
        &id.to_string(),
        "--series",
        "nope",
    ]);
    assert_ne!(out.status, 0);
    assert!(
        out.stderr.contains("no survey series \"nope\""),
        "{}",
        out.stderr
    );

    // The flags fired on the practices wave say their series.
    let (_, flags) = get_json(&w, &format!("/api/partnerships/{id}/flags")).await;
    let of_practices: Vec<&Value> = flags
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["wave"] == practices_seq)
        .collect();
    assert!(!of_practices.is_empty(), "the practices gap fires: {flags}");
    for f in &of_practices {
        assert_eq!(f["series"], "practices", "{f}");
        assert_eq!(f["details"]["series"], "practices", "{f}");
        assert!(
            f["link"].as_str().unwrap().contains("?series=practices"),
            "{f}"
        );
    }
    for f in flags
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["wave"] == main_seq)
    {
        assert_eq!(f["series"], "main", "{f}");
    }

    // A series that has run keeps its template: its reports never mix two.
    let r = w
        .app
        .client
        .patch(
            w.app
                .url(&format!("/api/partnerships/{id}/series/practices")),
        )
        .bearer_auth(crate::common::ADMIN_TOKEN)
        .json(&json!({"template": "partnership-perception"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("cannot change"));

    // The inbox and the flag page say the series.
    let om = w
        .app
        .signed_in("om@example.com", Role::Ombudsman, vec![(id, None)])
        .await;
    let (status, inbox) = page(&om, &w, "/flags").await;
    assert_eq!(status, 200);
    assert!(inbox.contains("series practices · "), "{inbox}");
    let flag = of_practices[0]["id"].as_i64().unwrap();
    let (status, html) = page(&om, &w, &format!("/flags/{flag}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("series practices · "), "{html}");

    // The dashboard switches series; its tables are each series' report.
    let admin = w
        .app
        .signed_in("admin@example.com", Role::Admin, vec![])
        .await;
    let (status, html) = page(&admin, &w, &format!("/partnerships/{id}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("aria-label=\"Survey series\""),
        "the switcher"
    );
    assert!(html.contains(&format!("href=\"/partnerships/{id}?series=practices\"")));
    assert!(html.contains("Practices twice a year"));
    let perception_dims = ["win_win", "trust", "shared_objectives"];
    let practices_dims = ["communication", "transparency", "joint_decisions"];
    assert_tables_match(
        &html,
        &cli_main,
        &perception_dims,
        main_seq,
        &["customer", "supplier"],
    );
    assert!(!html.contains("id=\"dim-communication\""));
    let (status, html) = page(&admin, &w, &format!("/partnerships/{id}?series=practices")).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("aria-current=\"page\">Practices twice a year"));
    assert!(html.contains(&format!(
        "href=\"/partnerships/{id}/review?series=practices\""
    )));
    assert_tables_match(
        &html,
        &cli_prac,
        &practices_dims,
        practices_seq,
        &["customer", "supplier"],
    );
    assert!(!html.contains("id=\"dim-trust\""));
    assert!(
        html.contains("Goals are set on the main survey"),
        "goals belong to the main series"
    );
    for (path, want) in [
        (format!("/partnerships/{id}?series=nope"), 404),
        (
            format!("/partnerships/{id}/items/clear_lines?series=practices"),
            200,
        ),
        (format!("/partnerships/{id}/items/clear_lines"), 404),
        (format!("/partnerships/{id}/items/trust?series=nope"), 404),
        (format!("/partnerships/{id}/review?series=practices"), 200),
        (format!("/partnerships/{id}/export.csv?series=nope"), 404),
    ] {
        let (status, body) = page(&admin, &w, &path).await;
        assert_eq!(status, want, "{path}: {body}");
    }
    let (status, csv) = page(
        &admin,
        &w,
        &format!("/partnerships/{id}/export.csv?series=practices"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(csv.contains("clear_lines") && !csv.contains("win_win"));
    let (status, _) = get_json(&w, &format!("/api/partnerships/{id}/report?series=nope")).await;
    assert_eq!(status, 404);

    // A manager of one side sees only their firm, in every series.
    let one_side = w
        .app
        .signed_in(
            "cm@acme.com",
            Role::Manager,
            vec![(id, Some(Side::Customer))],
        )
        .await;
    let (status, html) = page(
        &one_side,
        &w,
        &format!("/partnerships/{id}?series=practices"),
    )
    .await;
    assert_eq!(status, 200, "{html}");
    for dimension in practices_dims {
        let table = data_table(&html, dimension);
        assert_eq!(table[0].1.len(), 1, "the customer's column only");
        let rec = record(&cli_prac, "dimensions", "dimension", dimension, "customer");
        assert_eq!(table[0].1[0], cell(rec));
    }
    let r = one_side
        .get(
            w.app
                .url(&format!("/api/partnerships/{id}/report?series=practices")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mine: Value = r.json().await.unwrap();
    assert!(mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["side"] == "customer"));
    let (status, _) = page(&one_side, &w, &format!("/partnerships/{id}?series=nope")).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_series_run_apart_sqlite() {
    two_series_run_apart(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
async fn two_series_run_apart_postgres() {
    two_series_run_apart(Backend::Postgres).await;
}

async fn pausing_holds_what_it_should(backend: Backend) {
    let Some(w) = two_series(backend, "Paused series").await else {
        return;
    };
    let p = w.partnership;
    // a second partnership with both series, paused as a whole
    let q = {
        let r = w
            .app
            .post("/api/partnerships")
            .json(
                &json!({"name": "Paused partnership", "customer": "Acme", "supplier": "Bolt",
                "first_wave_on": today(), "send_time": "00:00", "timezone": "UTC"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let q = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let r = w
            .app
            .post(&format!("/api/partnerships/{q}/roster"))
            .header("content-type", "text/csv")
            .body(roster())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(add_practices(&w, q).await.0, 201);
        q
    };

    // The CLI pauses p's practices series; the main series is the partnership's own.
    let out = w.app.cli(&[
        "series",
        "pause",
        "--partnership",
        &p.to_string(),
        "practices",
        "--note",
        "survey fatigue",
    ]);
    out.assert_ok();
    assert!(
        out.stdout.contains("paused (survey fatigue)"),
        "{}",
        out.stdout
    );
    let out = w
        .app
        .cli(&["series", "pause", "--partnership", &p.to_string(), "main"]);
    assert_ne!(out.status, 0);
    assert!(
        out.stderr.contains("pause or resume partnership"),
        "{}",
        out.stderr
    );
    let out = w.app.cli(&[
        "series",
        "edit",
        "--partnership",
        &p.to_string(),
        "practices",
        "--cadence",
        "weekly-ish",
    ]);
    assert_ne!(out.status, 0);
    assert!(out.stderr.contains("cadence"), "{}", out.stderr);
    let r = w
        .app
        .post(&format!("/api/partnerships/{q}/pause"))
        .json(&json!({"note": "reorganising"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let ticked = racing_ticks(&w, tandem::db::now());
    assert_eq!(ticked.opened, vec![(p, 1)], "only p's main series opens");
    assert_eq!(
        ticked.held,
        vec![
            (p, "series practices: paused (survey fatigue)".to_owned()),
            (q, "paused (reorganising)".to_owned()),
            (
                q,
                "series practices: the partnership is paused (reorganising)".to_owned()
            ),
        ]
    );
    let (_, waves) = get_json(&w, &format!("/api/partnerships/{q}/waves")).await;
    assert_eq!(waves, json!([]), "a paused partnership opens no series");
    // Nor does a paused series open by hand.
    let r = w
        .app
        .post(&format!("/api/partnerships/{p}/waves?series=practices"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("series practices is paused (survey fatigue)"),
        "{body}"
    );
    // `tandem tick` says why each held series did not open.
    let tick = w.app.cli(&["tick"]);
    tick.assert_ok();
    for line in [
        format!("partnership {p}: a wave of series practices is due but not opened: paused (survey fatigue)"),
        format!("partnership {q} has a wave due but is paused (reorganising): not opened"),
        format!("partnership {q}: a wave of series practices is due but not opened: the partnership is paused (reorganising)"),
    ] {
        assert!(tick.stdout.contains(&line), "{line}\n{}", tick.stdout);
    }

    // The list says who is paused and why; every change is in the audit log.
    let out = w
        .app
        .cli(&["series", "list", "--partnership", &p.to_string(), "--json"]);
    out.assert_ok();
    let list: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(list[0]["key"], "main");
    assert_eq!(list[0]["waves"], 1);
    assert_eq!(list[1]["state"], "paused");
    assert_eq!(list[1]["state_note"], "survey fatigue");
    assert_eq!(list[1]["waves"], 0);
    let mut conn = w.app.db.pool().get().unwrap();
    let actions: Vec<String> = tandem::auth::audit::recent(&mut conn, 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.target == format!("partnership {p}") && e.action.starts_with("series."))
        .map(|e| format!("{} {}", e.action, e.details))
        .collect();
    assert!(
        actions
            .iter()
            .any(|a| a == "series.paused series practices: survey fatigue"),
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|a| a.starts_with(
            "series.added series practices: template partnership-practices, half-yearly"
        )),
        "{actions:?}"
    );
    assert_eq!(
        actions.len(),
        2,
        "the refused edit wrote nothing: {actions:?}"
    );

    // Resumed, the series applies its schedule from now: today's slot, begun before, stays
    // closed, and the series is no longer held.
    let r = w
        .app
        .post(&format!("/api/partnerships/{p}/series/practices/resume"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // So does a resumed partnership, for every series of it.
    let r = w
        .app
        .post(&format!("/api/partnerships/{q}/resume"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let later = racing_ticks(&w, tandem::db::now() + chrono::TimeDelta::hours(1));
    assert!(later.opened.is_empty(), "{:?}", later.opened);
    assert!(later.held.is_empty(), "{:?}", later.held);
    // An edit through the API applies from the next wave and is audited.
    let r = w
        .app
        .client
        .patch(
            w.app
                .url(&format!("/api/partnerships/{p}/series/practices")),
        )
        .bearer_auth(crate::common::ADMIN_TOKEN)
        .json(&json!({"reminder_days": [2, 5], "template": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = w
        .app
        .client
        .patch(
            w.app
                .url(&format!("/api/partnerships/{p}/series/practices")),
        )
        .bearer_auth(crate::common::ADMIN_TOKEN)
        .json(&json!({"reminder_days": [2, 5]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let edited: Value = r.json().await.unwrap();
    assert_eq!(edited["reminder_days"], json!([2, 5]));
    let r = w
        .app
        .client
        .patch(w.app.url(&format!("/api/partnerships/{p}/series/nope")))
        .bearer_auth(crate::common::ADMIN_TOKEN)
        .json(&json!({"reminder_days": [2, 5]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pausing_a_series_holds_only_it_and_pausing_the_partnership_holds_all_sqlite() {
    pausing_holds_what_it_should(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
async fn pausing_a_series_holds_only_it_and_pausing_the_partnership_holds_all_postgres() {
    pausing_holds_what_it_should(Backend::Postgres).await;
}

/// A series whose slots passed while the service was down: each missed slot is reported once,
/// named with its series (apart from the main series' own reports), and the slot open now
/// opens.
async fn missed_slots_of_a_series(backend: Backend) {
    let Some(w) = World::with(backend, None, &roster()).await else {
        return;
    };
    let p = w.partnership;
    let first = (tandem::db::now().date() - chrono::Days::new(65)).to_string();
    let r = w
        .app
        .post(&format!("/api/partnerships/{p}/series"))
        .json(&json!({"key": "pulse", "template": "partnership-practices",
            "cadence": "monthly", "first_wave_on": first, "send_time": "00:00",
            "timezone": "UTC", "response_window_days": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let pool = w.app.db.pool();
    let catalog = Catalog::load(None).unwrap();
    let links = tandem::mail::Links {
        base_url: w.app.address.clone(),
    };
    let now = tandem::db::now();
    let mut conn = pool.get().unwrap();
    let report = tandem::services::waves::tick_at(&mut conn, &catalog, now, &links).unwrap();
    let again = tandem::services::waves::tick_at(&mut conn, &catalog, now, &links).unwrap();
    // Slots 0 and 1 (65 and about 35 days ago) passed whole; slot 2 (about 5 days ago, open
    // ten days) is open now — unless months were short enough to put it 10 or more days back.
    let expected_missed: Vec<u32> = (0..3u32)
        .filter(|k| {
            let opens = (tandem::db::now().date() - chrono::Days::new(65))
                .checked_add_months(chrono::Months::new(*k))
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap();
            opens + chrono::TimeDelta::days(10) <= now
        })
        .collect();
    let missed: Vec<(String, u32)> = report
        .missed
        .iter()
        .map(|m| (m.series.clone(), m.index))
        .collect();
    assert_eq!(
        missed,
        expected_missed
            .iter()
            .map(|k| ("pulse".to_owned(), *k))
            .collect::<Vec<_>>()
    );
    assert!(again.missed.is_empty(), "reported once: {:?}", again.missed);
    let audited: Vec<String> = tandem::auth::audit::recent(&mut conn, 50)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "wave.missed")
        .map(|e| e.details)
        .collect();
    assert_eq!(audited.len(), expected_missed.len(), "{audited:?}");
    assert!(
        audited.iter().all(|d| d.starts_with("series pulse, slot ")),
        "{audited:?}"
    );
    let opened_now = expected_missed.len() < 3;
    assert_eq!(report.opened.len(), usize::from(opened_now), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_series_missed_slot_is_reported_once_with_its_series_sqlite() {
    missed_slots_of_a_series(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
async fn a_series_missed_slot_is_reported_once_with_its_series_postgres() {
    missed_slots_of_a_series(Backend::Postgres).await;
}

/// History for the practices series through the API (`?series=practices`): checked against
/// its four-point template, reported in its series only; an unknown series is a 404 and a
/// point off its scale a 422, nothing written either way.
async fn history_goes_into_the_series_asked_for(backend: Backend) {
    let Some(w) = two_series(backend, "History by series").await else {
        return;
    };
    let id = w.partnership;
    let csv = |value: u8| {
        let mut csv = String::from("wave,firm,respondent,level,function,item,value\n");
        for i in 0..5 {
            for firm in ["customer", "supplier"] {
                csv.push_str(&format!(
                    "1,{firm},{firm}{i},staff,sales,clear_lines,{value}\n"
                ));
            }
        }
        csv
    };
    let post = |path: String, body: String| {
        w.app
            .post(&path)
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    let r = post(
        format!("/api/partnerships/{id}/history?series=nope"),
        csv(3),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 404);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("no survey series") && text.contains("nope"),
        "{text}"
    );
    let r = post(
        format!("/api/partnerships/{id}/history?series=practices"),
        csv(5),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422, "5 is off the four-point scale");
    assert!(r.text().await.unwrap().contains("outside the scale 1..4"));
    assert_eq!(w.app.db.count("waves"), 0, "nothing written");

    let r = post(
        format!("/api/partnerships/{id}/history?series=practices"),
        csv(3),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let (status, practices) = get_json(
        &w,
        &format!("/api/partnerships/{id}/report?series=practices"),
    )
    .await;
    assert_eq!(status, 200, "{practices}");
    assert_eq!(practices["series"], "practices");
    assert_eq!(practices["scale"]["points"], 4);
    let rec = practices["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["side"] == "customer" && r["segment_kind"] == "all" && r["item"] == "clear_lines"
        })
        .expect("the imported item");
    assert_eq!(rec["n"], 5);
    assert_eq!(rec["mean"], 3.0);
    let (status, main) = get_json(&w, &format!("/api/partnerships/{id}/report")).await;
    assert_eq!(status, 409, "the main series has no closed wave: {main}");
    assert_eq!(
        w.app.db.count(
            "audit_log WHERE action = 'import.history' AND details LIKE 'series practices:%'"
        ),
        1
    );

    // The CLI takes the series too: wave 2 of the practices, on their four points.
    let file = crate::common::write_file(
        &w.app.db,
        "practices-2.csv",
        csv(2).replace("\n1,", "\n2,").as_bytes(),
    );
    let out = w.app.cli(&[
        "responses",
        "import",
        "--partnership",
        &id.to_string(),
        "--series",
        "practices",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stdout.contains("waves [2]"), "{}", out.stdout);
    let (status, practices) = get_json(
        &w,
        &format!("/api/partnerships/{id}/report?series=practices"),
    )
    .await;
    assert_eq!(status, 200, "{practices}");
    let second = practices["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["wave"] == 2
                && r["side"] == "supplier"
                && r["segment_kind"] == "all"
                && r["item"] == "clear_lines"
        })
        .expect("wave 2 of the practices");
    assert_eq!(
        (second["n"].as_u64(), second["mean"].as_f64()),
        (Some(5), Some(2.0))
    );
    let (status, main) = get_json(&w, &format!("/api/partnerships/{id}/report")).await;
    assert_eq!(status, 409, "still nothing in the main series: {main}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_goes_into_the_series_asked_for_sqlite() {
    history_goes_into_the_series_asked_for(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
async fn history_goes_into_the_series_asked_for_postgres() {
    history_goes_into_the_series_asked_for(Backend::Postgres).await;
}
