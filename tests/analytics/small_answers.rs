//! Rule 5 of the confidentiality rules: inside a shown group, an item answered by fewer people
//! than the minimum (the others said "don't know") and a dimension with fewer listwise-complete
//! respondents are withheld, with everything computed from them. One test per consequence.

use serde_json::Value;

use crate::both_backends;
use crate::common::{write_file, TestApp};

/// Respondents who answer alike: (wave, firm, level, function, how many, (item, answer) with
/// "" for don't know).
type Block<'a> = (
    u32,
    &'a str,
    &'a str,
    &'a str,
    usize,
    &'a [(&'a str, &'a str)],
);

const TRUST_4: &[(&str, &str)] = &[
    ("trust", "4"),
    ("dependable_people", "4"),
    ("holds_up_end", "4"),
];
const TRUST_DONT_KNOW: &[(&str, &str)] = &[
    ("trust", ""),
    ("dependable_people", "4"),
    ("holds_up_end", "4"),
];

/// A partnership (minimum 5) whose history is the given blocks, imported with the CLI.
fn history(app: &TestApp, blocks: &[Block]) -> String {
    let out = app.cli(&[
        "partnership",
        "create",
        "--name",
        "Small answers",
        "--customer",
        "C",
        "--supplier",
        "S",
    ]);
    out.assert_ok();
    let id = out.last_line().to_owned();
    let mut csv = String::from("wave,firm,respondent,level,function,item,value\n");
    let mut person = 0;
    for (wave, firm, level, function, count, answers) in blocks {
        for _ in 0..*count {
            person += 1;
            for (item, value) in *answers {
                csv.push_str(&format!(
                    "{wave},{firm},p{person},{level},{function},{item},{value}\n"
                ));
            }
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

fn report(app: &TestApp, id: &str, segment: &str) -> Value {
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

/// The one record of `section` matching every (field, value).
fn one<'a>(report: &'a Value, section: &str, keys: &[(&str, &str)]) -> &'a Value {
    let section = section
        .split('.')
        .fold(report, |v, part| &v[part])
        .as_array()
        .unwrap();
    let found: Vec<&Value> = section
        .iter()
        .filter(|r| keys.iter().all(|(k, v)| r[*k].as_str() == Some(*v)))
        .collect();
    assert_eq!(found.len(), 1, "one record for {keys:?}");
    found[0]
}

/// Customer levels in one wave: 6 executives of whom 2 answer trust, 6 managers and 9 staff
/// who all do; a supplier side of 6.
fn a_level_with_few_trust_answers(app: &TestApp) -> String {
    history(
        app,
        &[
            (1, "customer", "executive", "sales", 2, TRUST_4),
            (1, "customer", "executive", "sales", 4, TRUST_DONT_KNOW),
            (1, "customer", "manager", "sales", 6, TRUST_4),
            (1, "customer", "staff", "sales", 9, TRUST_4),
            (1, "supplier", "staff", "sales", 6, TRUST_4),
        ],
    )
}

both_backends!(
    an_item_answered_by_fewer_than_the_minimum_is_withheld,
    |app| {
        let id = history(
            &app,
            &[
                (1, "customer", "staff", "sales", 3, TRUST_4),
                (1, "customer", "staff", "sales", 3, TRUST_DONT_KNOW),
                (1, "supplier", "staff", "sales", 6, TRUST_4),
            ],
        );
        let r = report(&app, &id, "all");
        let group = one(&r, "groups", &[("side", "customer")]);
        assert_eq!(group["responded"], 6, "the group itself is shown");
        let trust = one(&r, "items", &[("side", "customer"), ("item", "trust")]);
        assert_eq!(trust["suppressed"], "fewer than 5 answers");
        assert!(trust.get("n").is_none() && trust.get("mean").is_none());
        assert!(trust.get("n_dont_know").is_none() && trust.get("counts").is_none());
        let other = one(
            &r,
            "items",
            &[("side", "customer"), ("item", "dependable_people")],
        );
        assert!(other["suppressed"].is_null());
        assert_eq!(other["n"], 6);
    }
);

both_backends!(
    a_dimension_with_fewer_than_the_minimum_complete_answers_is_withheld,
    |app| {
        // Every trust item is answered by 6 of 8, but only 2 answered all three.
        let id = history(
            &app,
            &[
                (1, "customer", "staff", "sales", 2, TRUST_4),
                (1, "customer", "staff", "sales", 2, TRUST_DONT_KNOW),
                (
                    1,
                    "customer",
                    "staff",
                    "sales",
                    2,
                    &[
                        ("trust", "4"),
                        ("dependable_people", ""),
                        ("holds_up_end", "4"),
                    ],
                ),
                (
                    1,
                    "customer",
                    "staff",
                    "sales",
                    2,
                    &[
                        ("trust", "4"),
                        ("dependable_people", "4"),
                        ("holds_up_end", ""),
                    ],
                ),
                (1, "supplier", "staff", "sales", 6, TRUST_4),
            ],
        );
        let r = report(&app, &id, "all");
        let trust = one(
            &r,
            "dimensions",
            &[("side", "customer"), ("dimension", "trust")],
        );
        assert_eq!(trust["suppressed"], "fewer than 5 complete answers");
        assert!(trust.get("mean").is_none() && trust.get("n_complete").is_none());
        for item in ["trust", "dependable_people", "holds_up_end"] {
            let rec = one(&r, "items", &[("side", "customer"), ("item", item)]);
            assert_eq!(rec["n"], 6, "{item} is shown");
        }
        let supplier = one(
            &r,
            "dimensions",
            &[("side", "supplier"), ("dimension", "trust")],
        );
        assert_eq!(supplier["n_complete"], 6);
    }
);

both_backends!(
    a_segment_whose_item_answers_would_reveal_a_small_one_is_withheld_too,
    |app| {
        let id = a_level_with_few_trust_answers(&app);
        let r = report(&app, &id, "level");
        let trust = |level: &str| {
            one(
                &r,
                "items",
                &[("side", "customer"), ("segment", level), ("item", "trust")],
            )
        };
        assert_eq!(trust("executive")["suppressed"], "fewer than 5 answers");
        assert_eq!(
            trust("manager")["suppressed"],
            "withheld so that fewer than 5 answers cannot be recovered by subtraction"
        );
        assert!(trust("manager").get("mean").is_none());
        assert_eq!(trust("staff")["n"], 9);
        let whole = one(
            &r,
            "items",
            &[
                ("side", "customer"),
                ("segment_kind", "all"),
                ("item", "trust"),
            ],
        );
        assert_eq!(whole["n"], 17);
        let dependable = one(
            &r,
            "items",
            &[
                ("side", "customer"),
                ("segment", "manager"),
                ("item", "dependable_people"),
            ],
        );
        assert_eq!(dependable["n"], 6, "other items of the segment stay");
    }
);

both_backends!(
    the_icc_across_levels_is_withheld_when_a_level_item_is,
    |app| {
        let id = a_level_with_few_trust_answers(&app);
        let r = report(&app, &id, "level");
        let icc = |kind: &str, target: &str| {
            one(
                &r,
                "icc",
                &[("side", "customer"), ("kind", kind), ("target", target)],
            )
        };
        let trust = icc("item", "trust");
        assert!(trust["suppressed"]
            .as_str()
            .unwrap()
            .contains("fewer than 5 answers"));
        assert!(trust.get("icc1").is_none() && trust.get("group_sizes").is_none());
        assert!(icc("item", "dependable_people")["suppressed"].is_null());
        assert!(
            icc("dimension", "trust")["suppressed"].is_string(),
            "the executives' trust dimension has 2 complete answers"
        );
    }
);

both_backends!(
    a_dimension_shows_no_pairwise_block_when_one_of_its_items_is_withheld,
    |app| {
        let no_dependable: &[(&str, &str)] = &[
            ("trust", "4"),
            ("dependable_people", ""),
            ("holds_up_end", "4"),
        ];
        // Trust answers: executives 2, managers 10, staff 7, so the staff's trust item is the
        // executives' complement; complete trust answers: 2, 6, 7, so the managers' trust
        // dimension is, and the staff's stays shown.
        let id = history(
            &app,
            &[
                (1, "customer", "executive", "sales", 2, TRUST_4),
                (1, "customer", "executive", "sales", 4, TRUST_DONT_KNOW),
                (1, "customer", "manager", "sales", 6, TRUST_4),
                (1, "customer", "manager", "sales", 4, no_dependable),
                (1, "customer", "staff", "sales", 7, TRUST_4),
                (1, "supplier", "staff", "sales", 6, TRUST_4),
            ],
        );
        let r = report(&app, &id, "level");
        let record = |section: &str, level: &str, target: (&str, &str)| {
            one(
                &r,
                section,
                &[("side", "customer"), ("segment", level), target],
            )
            .clone()
        };
        assert!(record("items", "staff", ("item", "trust"))["suppressed"]
            .as_str()
            .unwrap()
            .starts_with("withheld so that"));
        assert!(record("dimensions", "manager", ("dimension", "trust"))["suppressed"].is_string());
        let staff = record("dimensions", "staff", ("dimension", "trust"));
        assert!(staff["suppressed"].is_null());
        assert_eq!(staff["n_complete"], 7);
        let pairwise = &staff["pairwise"];
        assert!(pairwise["suppressed"].is_string());
        assert!(pairwise["rwg_j"].is_null() && pairwise["ad_m"].is_null());
        assert_eq!(pairwise["n_per_item"], serde_json::json!({}));
        let win_win = record("dimensions", "staff", ("dimension", "win_win"));
        assert!(win_win["suppressed"].is_string(), "nobody answered win_win");
        let whole = one(
            &r,
            "dimensions",
            &[
                ("side", "customer"),
                ("segment_kind", "all"),
                ("dimension", "trust"),
            ],
        );
        assert!(whole["pairwise"]["suppressed"].is_null());
        assert_eq!(whole["pairwise"]["n_per_item"]["trust"], 19);
    }
);

both_backends!(
    the_between_firm_comparison_is_withheld_when_a_side_has_too_few_answers,
    |app| {
        let id = history(
            &app,
            &[
                (1, "customer", "staff", "sales", 6, TRUST_4),
                (1, "supplier", "staff", "sales", 3, TRUST_4),
                (1, "supplier", "staff", "sales", 3, TRUST_DONT_KNOW),
            ],
        );
        let r = report(&app, &id, "all");
        let trust = one(&r, "inter_firm.items", &[("item", "trust")]);
        assert_eq!(trust["suppressed"], "fewer than 5 answers");
        assert!(trust.get("mean_diff").is_none() && trust.get("welch_p").is_none());
        let dimension = r["inter_firm"]["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["dimension"] == "trust" && d.get("item").is_none())
            .unwrap();
        assert_eq!(dimension["suppressed"], "fewer than 5 complete answers");
        let dependable = one(&r, "inter_firm.items", &[("item", "dependable_people")]);
        assert!(dependable["suppressed"].is_null());
        assert_eq!(dependable["mean_diff"], 0.0);
    }
);

both_backends!(
    a_wave_with_too_few_answers_is_left_out_of_trends_and_lead_lag,
    |app| {
        let id = history(
            &app,
            &[
                (1, "customer", "staff", "sales", 6, TRUST_4),
                (2, "customer", "staff", "sales", 3, TRUST_4),
                (2, "customer", "staff", "sales", 3, TRUST_DONT_KNOW),
                (3, "customer", "staff", "sales", 6, TRUST_4),
                (1, "supplier", "staff", "sales", 6, TRUST_4),
                (2, "supplier", "staff", "sales", 6, TRUST_4),
                (3, "supplier", "staff", "sales", 6, TRUST_4),
            ],
        );
        let kpis = write_file(&app.db, "kpi.csv", b"wave,on_time\n1,90\n2,91\n3,93\n");
        app.cli(&[
            "kpi",
            "import",
            "--partnership",
            &id,
            kpis.to_str().unwrap(),
        ])
        .assert_ok();
        let r = report(&app, &id, "all");
        for kind in ["item", "dimension"] {
            let trend = one(
                &r,
                "trend",
                &[("side", "customer"), ("kind", kind), ("target", "trust")],
            );
            assert_eq!(trend["x_waves"], serde_json::json!([1, 3]), "{kind}");
            let changes = trend["changes"].as_array().unwrap();
            assert_eq!(changes.len(), 1, "{kind}: one change, from wave 1 to 3");
            assert_eq!(
                (&changes[0]["from_wave"], &changes[0]["to_wave"]),
                (&1.into(), &3.into())
            );
        }
        let supplier = one(
            &r,
            "trend",
            &[("side", "supplier"), ("kind", "item"), ("target", "trust")],
        );
        assert_eq!(supplier["x_waves"], serde_json::json!([1, 2, 3]));
        let lead_lag = one(
            &r,
            "lead_lag",
            &[("side", "customer"), ("dimension", "trust")],
        );
        assert_eq!(lead_lag["perception"]["waves"], serde_json::json!([1, 3]));
    }
);

both_backends!(
    a_withheld_dimension_is_no_component_of_the_health_index,
    |app| {
        let win_win_4 = [("win_win", "4"), ("shares_rewards", "4")];
        let customer: Vec<(&str, &str)> = TRUST_4.iter().copied().chain(win_win_4).collect();
        // The supplier answers trust with 2s, but only 2 of 8 answer all three trust items.
        let partial = |missing: &str| -> Vec<(&'static str, &'static str)> {
            ["trust", "dependable_people", "holds_up_end"]
                .into_iter()
                .map(|item| (item, if item == missing { "" } else { "2" }))
                .chain(win_win_4)
                .collect()
        };
        let (none, no_trust, no_dependable, no_holds) = (
            partial("-"),
            partial("trust"),
            partial("dependable_people"),
            partial("holds_up_end"),
        );
        let id = history(
            &app,
            &[
                (1, "customer", "staff", "sales", 6, &customer),
                (1, "supplier", "staff", "sales", 2, &none),
                (1, "supplier", "staff", "sales", 2, &no_trust),
                (1, "supplier", "staff", "sales", 2, &no_dependable),
                (1, "supplier", "staff", "sales", 2, &no_holds),
            ],
        );
        let r = report(&app, &id, "all");
        let health = &r["health"][0];
        assert!(health["suppressed"].is_null());
        // Shown: customer trust and win_win, supplier win_win, all 4s in perfect agreement;
        // the supplier's trust (all 2s) would have lowered the level and opened a gap.
        let c = &health["components"];
        assert_eq!(
            (&c["level"], &c["agreement"], &c["gap"]),
            (&0.75.into(), &1.0.into(), &0.0.into())
        );
        let index = health["index"].as_f64().unwrap();
        assert!((index - 85.0).abs() < 1e-9, "{index}");
    }
);
