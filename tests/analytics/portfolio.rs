//! The portfolio lead–lag through the API, the CLI and the page, on both backends: three
//! partnerships share a KPI name; the pooled r is recomputed here from each partnership's
//! own report (changes within a partnership, pairs pooled), and the permutation p from all
//! 3! = 6 assignments of KPI series to partnerships.

use std::collections::BTreeMap;

use serde_json::Value;
use tandem::auth::Role;

use crate::both_backends;
use crate::common::{fixture, write_file, TestApp};

/// Creates a partnership, imports the fixture's answers and `kpi` (wave,on_time) with the CLI.
fn partnership(app: &TestApp, name: &str, kpi: &str) -> i64 {
    let out = app.cli(&[
        "partnership",
        "create",
        "--name",
        name,
        "--customer",
        &format!("{name} C"),
        "--supplier",
        &format!("{name} S"),
        "--min-reporting-size",
        "3",
    ]);
    out.assert_ok();
    let id = out.last_line().to_owned();
    app.cli(&[
        "responses",
        "import",
        "--partnership",
        &id,
        fixture("responses.csv").to_str().unwrap(),
    ])
    .assert_ok();
    let file = write_file(&app.db, &format!("{name}.csv"), kpi.as_bytes());
    app.cli(&[
        "kpi",
        "import",
        "--partnership",
        &id,
        file.to_str().unwrap(),
    ])
    .assert_ok();
    id.parse().unwrap()
}

const KPIS: [&str; 3] = [
    "wave,on_time\n1,90\n2,91\n3,93\n4,92\n5,88\n6,85\n",
    "wave,on_time\n1,80\n2,84\n3,83\n4,85\n5,86\n6,81\n",
    "wave,on_time\n1,70\n2,69\n3,72\n4,71\n5,74\n6,70\n",
];

fn series(v: &Value, waves: &str, values: &str) -> BTreeMap<i64, f64> {
    v[waves]
        .as_array()
        .unwrap()
        .iter()
        .zip(v[values].as_array().unwrap())
        .map(|(w, m)| (w.as_i64().unwrap(), m.as_f64().unwrap()))
        .collect()
}

fn changes(s: &BTreeMap<i64, f64>) -> BTreeMap<i64, f64> {
    s.iter()
        .filter_map(|(w, v)| s.get(&(w - 1)).map(|before| (*w, v - before)))
        .collect()
}

fn pearson(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len() as f64;
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let sxy: f64 = pairs.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = pairs.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    let syy: f64 = pairs.iter().map(|(_, y)| (y - my).powi(2)).sum();
    sxy / (sxx * syy).sqrt()
}

/// Pooled r at lag k of perception changes of partnership i with KPI changes of kpi_of[i].
fn pooled_r(
    perceptions: &[BTreeMap<i64, f64>],
    kpis: &[BTreeMap<i64, f64>],
    kpi_of: &[usize],
    k: i64,
) -> f64 {
    let mut pairs = Vec::new();
    for (i, p) in perceptions.iter().enumerate() {
        let (dm, dy) = (changes(p), changes(&kpis[kpi_of[i]]));
        for (t, d) in &dm {
            if let Some(y) = dy.get(&(t + k)) {
                pairs.push((*d, *y));
            }
        }
    }
    pearson(&pairs)
}

both_backends!(
    the_portfolio_pools_changes_across_partnerships_with_a_permutation_test,
    |app| {
        let ids: Vec<i64> = KPIS
            .iter()
            .enumerate()
            .map(|(i, kpi)| partnership(&app, &format!("P{i}"), kpi))
            .collect();
        let r = app
            .get("/api/portfolio/lead-lag?kpi=on_time")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["method"], "pooled_first_differences");
        let members: Vec<i64> = v["partnerships"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert_eq!(members, ids);
        let records = v["records"].as_array().unwrap();
        assert_eq!(records.len(), 6, "2 sides × 3 dimensions");

        // Each partnership's own series, from its own report.
        let mut perceptions = Vec::new();
        let mut kpis = Vec::new();
        for id in &ids {
            let report: Value = app
                .get(&format!("/api/partnerships/{id}/report"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let rec = report["lead_lag"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["side"] == "supplier" && r["dimension"] == "trust")
                .unwrap()
                .clone();
            perceptions.push(series(&rec["perception"], "waves", "means"));
            kpis.push(series(&rec["kpi_values"], "waves", "values"));
        }
        let trust = records
            .iter()
            .find(|r| r["side"] == "supplier" && r["dimension"] == "trust")
            .unwrap();
        assert_eq!(trust["exact"], true);
        let permutations: [[usize; 3]; 6] = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ];
        for lag in trust["lags"].as_array().unwrap() {
            let k = lag["k"].as_i64().unwrap();
            let n = lag["n"].as_u64().unwrap();
            assert_eq!(n, 3 * (5 - k.unsigned_abs()), "k = {k}");
            if n < 5 {
                assert!(lag["r"].is_null());
                continue;
            }
            let observed = pooled_r(&perceptions, &kpis, &[0, 1, 2], k);
            let got = lag["r"].as_f64().unwrap();
            assert!(
                (got - observed).abs() < 1e-9,
                "k = {k}: {got} vs {observed}"
            );
            let as_extreme = permutations
                .iter()
                .filter(|p| pooled_r(&perceptions, &kpis, *p, k).abs() >= observed.abs() - 1e-12)
                .count();
            let p = lag["p_permutation"].as_f64().unwrap();
            assert!(
                (p - as_extreme as f64 / 6.0).abs() < 1e-12,
                "k = {k}: p {p}, {as_extreme} of 6"
            );
            assert_eq!(lag["permutations"], 6);
        }
        assert!(trust["verdict"]["sentence"].as_str().unwrap().starts_with(
            "no evidence yet that across the portfolio, supplier trust leads on time"
        ));

        // The CLI prints the same result.
        let out = app.cli(&["report", "--portfolio", "--kpi", "on_time", "--json"]);
        out.assert_ok();
        let cli: Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(cli["records"], v["records"]);
        let text = app.cli(&["report", "--portfolio", "--kpi", "on_time"]);
        text.assert_ok();
        assert!(
            text.stdout.starts_with("on_time: 3 partnership(s)"),
            "{}",
            text.stdout
        );
        let missing = app.cli(&["report", "--portfolio"]);
        assert_ne!(missing.status, 0, "--portfolio needs --kpi");

        // The page: administrators and ombudsmen; a manager is refused.
        let admin = app
            .signed_in("admin@example.com", Role::Admin, vec![])
            .await;
        let page = admin
            .get(app.url("/portfolio/lead-lag?kpi=on_time"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("On time: 3 partnerships") || html.contains("on time: 3 partnerships"),
            "{html}"
        );
        assert!(html.contains("Permutation p"));
        let manager = app
            .signed_in("m@example.com", Role::Manager, vec![(ids[0], None)])
            .await;
        let refused = manager
            .get(app.url("/portfolio/lead-lag?kpi=on_time"))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403);
        let anonymous = reqwest::Client::new()
            .get(app.url("/api/portfolio/lead-lag?kpi=on_time"))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401);
    }
);
