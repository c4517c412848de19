//! Anonymity across breakdowns: every breakdown a viewer can get (total, level, function,
//! level × function, region, from any report, page or export) is protected as one linked
//! system, audited exhaustively against the raw answers (`common::disclosure`) — the probe's
//! case, generated partnerships with small cells in every attribute, and a database whose
//! aggregates predate the cell counts.

use serde_json::Value;

use crate::both_backends;
use crate::common::disclosure::audit_reports;
use crate::common::{write_file, TestApp};

const ITEMS: [&str; 8] = [
    "win_win",
    "shares_rewards",
    "trust",
    "dependable_people",
    "holds_up_end",
    "common_objectives",
    "does_homework",
    "decides_and_sticks",
];

/// One person of a history: wave, firm, level, function, region, item → answer ("" = don't
/// know; an item left out is not asked).
struct Person {
    wave: u32,
    firm: &'static str,
    level: &'static str,
    function: &'static str,
    region: &'static str,
    answers: Vec<(&'static str, String)>,
}

/// A partnership (minimum 5) made with the CLI, its history imported with the CLI.
fn import(app: &TestApp, name: &str, people: &[Person]) -> String {
    let out = app.cli(&[
        "partnership",
        "create",
        "--name",
        name,
        "--customer",
        "C",
        "--supplier",
        "S",
    ]);
    out.assert_ok();
    let id = out.last_line().to_owned();
    let mut csv = String::from("wave,firm,respondent,level,function,item,value,region\n");
    for (n, p) in people.iter().enumerate() {
        for (item, value) in &p.answers {
            csv.push_str(&format!(
                "{},{},p{n},{},{},{item},{value},{}\n",
                p.wave, p.firm, p.level, p.function, p.region
            ));
        }
    }
    let file = write_file(&app.db, "history.csv", csv.as_bytes());
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

/// Every report the CLI gives: the default breakdowns and each segment on its own.
fn every_report(app: &TestApp, id: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for segment in [
        None,
        Some("all"),
        Some("level"),
        Some("function"),
        Some("level_function"),
        Some("region"),
    ] {
        let mut args = vec!["report", "--partnership", id, "--json"];
        if let Some(s) = segment {
            args.extend(["--segment", s]);
        }
        let r = app.cli(&args);
        r.assert_ok();
        out.push(serde_json::from_str(&r.stdout).unwrap());
    }
    out
}

/// The probe's case: 4 executives (all in ops), 10 managers (finance), 12 staff (ops),
/// minimum 5, one wave.
fn probe_people() -> Vec<Person> {
    let mut people = Vec::new();
    for (level, function, count, value) in [
        ("executive", "ops", 4, 1),
        ("manager", "finance", 10, 4),
        ("staff", "ops", 12, 3),
    ] {
        for i in 0..count {
            people.push(Person {
                wave: 1,
                firm: "customer",
                level,
                function,
                region: "",
                answers: ITEMS
                    .iter()
                    .map(|item| (*item, (value + i % 2).to_string()))
                    .collect(),
            });
        }
    }
    for i in 0..8 {
        people.push(Person {
            wave: 1,
            firm: "supplier",
            level: "staff",
            function: "sales",
            region: "",
            answers: ITEMS
                .iter()
                .map(|item| (*item, (3 + i % 3).to_string()))
                .collect(),
        });
    }
    people
}

fn customer_group<'a>(report: &'a Value, kind: &str, segment: &str) -> &'a Value {
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["side"] == "customer" && g["segment_kind"] == kind && g["segment"] == segment)
        .unwrap_or_else(|| panic!("a customer {kind} group {segment}"))
}

both_backends!(
    the_executives_cannot_be_recovered_from_function_and_level,
    |app| {
        let id = import(&app, "Probe", &probe_people());
        let reports = every_report(&app, &id);
        let coverage = audit_reports(&app.db, id.parse().unwrap(), &reports);
        assert!(
            coverage.small_cells > 0 && coverage.published > 20,
            "{coverage:?}"
        );

        // Before: function ops (16) and level staff (12) were both shown, and 16 − 12 = the
        // four executives. Now level staff goes with the executives (the lower-priority
        // breakdown of the pair), for every request, and ops stays.
        let default = &reports[0];
        assert_eq!(
            customer_group(default, "level", "executive")["suppressed"],
            "fewer than 5 responses"
        );
        assert_eq!(
            customer_group(default, "level", "staff")["suppressed"],
            "withheld so that a group of fewer than 5 responses cannot be recovered by subtraction"
        );
        assert_eq!(customer_group(default, "function", "ops")["responded"], 16);
        assert_eq!(customer_group(default, "level", "manager")["responded"], 10);
        // Asked alone, the level breakdown withholds the same groups: what two requests
        // show together is what one shows.
        let level_only = &reports[2];
        assert!(customer_group(level_only, "level", "staff")["suppressed"].is_string());
        let cross = &reports[4];
        assert!(customer_group(cross, "level_function", "staff × ops")["suppressed"].is_string());
        assert_eq!(
            customer_group(cross, "level_function", "manager × finance")["responded"],
            10
        );

        // The manager's export and the API publish the same protected groups.
        let manager = app
            .signed_in(
                "manager@example.com",
                tandem::auth::Role::Manager,
                vec![(id.parse().unwrap(), None)],
            )
            .await;
        let csv = manager
            .get(app.url(&format!("/partnerships/{id}/export.csv")))
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), 200);
        let csv = csv.text().await.unwrap();
        let staff_rows: Vec<&str> = csv
            .lines()
            .filter(|l| l.contains(",customer,level,staff,"))
            .collect();
        assert!(!staff_rows.is_empty(), "the export lists level staff");
        assert!(
            staff_rows.iter().all(|l| l.contains(",suppressed,")),
            "level staff carries no number in the export: {staff_rows:#?}"
        );
        let api = app
            .get(&format!("/api/partnerships/{id}/report"))
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), 200);
        let api: Value = api.json().await.unwrap();
        audit_reports(&app.db, id.parse().unwrap(), &[api, reports[0].clone()]);
    }
);

/// A small deterministic generator (SplitMix64), so each scenario is reproducible from its
/// seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Two waves, both firms, 3 levels × 3 functions × 3 regions (one of them "not given"),
/// 0–6 people per cell; answers 1–5 with some don't know and some items not asked.
fn generated(seed: u64) -> Vec<Person> {
    let mut rng = Rng(seed);
    let mut people = Vec::new();
    for wave in 1..=2 {
        for firm in ["customer", "supplier"] {
            for level in ["executive", "manager", "staff"] {
                for function in ["ops", "finance", "sales"] {
                    for region in ["EU", "US", ""] {
                        for _ in 0..rng.below(7) {
                            let answers = ITEMS
                                .iter()
                                .filter_map(|item| match rng.below(20) {
                                    0 => None,
                                    1 | 2 => Some((*item, String::new())),
                                    _ => Some((*item, (1 + rng.below(5)).to_string())),
                                })
                                .collect::<Vec<_>>();
                            if answers.is_empty() {
                                continue;
                            }
                            people.push(Person {
                                wave,
                                firm,
                                level,
                                function,
                                region,
                                answers,
                            });
                        }
                    }
                }
            }
        }
    }
    people
}

both_backends!(
    generated_partnerships_with_small_cells_everywhere_disclose_nothing,
    |app| {
        let mut small = 0;
        for seed in [1, 7, 42] {
            let id = import(&app, &format!("Generated {seed}"), &generated(seed));
            let reports = every_report(&app, &id);
            let coverage = audit_reports(&app.db, id.parse().unwrap(), &reports);
            assert!(coverage.published > 0, "seed {seed}: {coverage:?}");
            small += coverage.small_cells;
        }
        assert!(
            small > 100,
            "the scenarios have small cells to protect: {small}"
        );
    }
);

both_backends!(
    aggregates_without_cell_counts_withhold_breakdowns_until_rebuilt,
    |app| {
        let id = import(&app, "Probe", &probe_people());
        let pool = app.db.pool();
        let run = |sqls: &'static [&'static str]| {
            let pool = pool.clone();
            tokio::task::spawn_blocking(move || {
                use diesel::RunQueryDsl;
                let mut conn = pool.get().unwrap();
                for sql in sqls {
                    diesel::sql_query(*sql).execute(&mut conn).unwrap();
                }
            })
        };
        // Cell counts lost: no breakdown can be proved safe, so none is shown.
        run(&["UPDATE agg_groups SET cell_counts = '', smallest_cell = NULL"])
            .await
            .unwrap();
        let r = &every_report(&app, &id)[0];
        assert!(customer_group(r, "function", "ops")["suppressed"]
            .as_str()
            .unwrap()
            .contains("rebuild"));
        let whole = r["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["side"] == "customer" && g["segment_kind"] == "all")
            .unwrap();
        assert_eq!(whole["responded"], 26, "the whole side is still shown");
        // A database from before the cell counts: the migration adds them and rebuilds.
        run(&[
            "ALTER TABLE agg_groups DROP COLUMN smallest_cell",
            "ALTER TABLE agg_groups DROP COLUMN cell_counts",
            "DELETE FROM __diesel_schema_migrations WHERE version = '20261211000001'",
        ])
        .await
        .unwrap();
        let out = app.cli(&["migrate"]);
        out.assert_ok();
        assert!(
            out.stdout.contains("applied 20261211000001"),
            "{}",
            out.stdout
        );
        let reports = every_report(&app, &id);
        assert_eq!(
            customer_group(&reports[0], "function", "ops")["responded"],
            16
        );
        audit_reports(&app.db, id.parse().unwrap(), &reports);
    }
);
