use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::both_backends;
use crate::common::{fixture, TestApp};

/// The fixture partnership's minimum reporting size.
const MIN: u64 = 3;
const CLOSED_FORM: f64 = 1e-9;
const P_AND_CI: f64 = 1e-7;
const P_AND_CI_FIELDS: [&str; 5] = ["p", "welch_p", "mwu_p", "mean_ci95", "diff_ci95"];

/// Creates a partnership (minimum group 3) with the CLI, imports both fixture files with
/// the CLI and returns `tandem report --json`.
pub fn fixture_report(app: &TestApp) -> (i64, Value) {
    let out = app.cli(&[
        "partnership",
        "create",
        "--name",
        "Fixture",
        "--customer",
        "C",
        "--supplier",
        "S",
        "--min-reporting-size",
        "3",
    ]);
    out.assert_ok();
    let id: i64 = out.last_line().parse().unwrap();
    let pid = id.to_string();
    app.cli(&[
        "responses",
        "import",
        "--partnership",
        &pid,
        fixture("responses.csv").to_str().unwrap(),
    ])
    .assert_ok();
    app.cli(&[
        "kpi",
        "import",
        "--partnership",
        &pid,
        fixture("kpi.csv").to_str().unwrap(),
    ])
    .assert_ok();
    let report = app.cli(&["report", "--partnership", &pid, "--json"]);
    report.assert_ok();
    (
        id,
        serde_json::from_str(&report.stdout).expect("the report is JSON"),
    )
}

fn expected() -> Value {
    let text = std::fs::read_to_string(fixture("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn list<'a>(v: &'a Value, what: &str) -> &'a Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("{what} is a list"))
}

#[derive(Default)]
struct Checker {
    failures: Vec<String>,
    values: usize,
}

impl Checker {
    fn record(&mut self, label: &str, want: &Value, got: &Value, identity: &[&str]) {
        assert!(
            got["suppressed"].is_null(),
            "{label} is shown: {}",
            got["suppressed"]
        );
        for (field, w) in want.as_object().unwrap() {
            if identity.contains(&field.as_str()) {
                continue;
            }
            let tol = if P_AND_CI_FIELDS.contains(&field.as_str()) {
                P_AND_CI
            } else {
                CLOSED_FORM
            };
            match got.get(field) {
                Some(g) => self.value(&format!("{label}.{field}"), w, g, tol),
                None => self.failures.push(format!("{label}.{field} is missing")),
            }
        }
    }

    fn value(&mut self, path: &str, want: &Value, got: &Value, tol: f64) {
        match (want, got) {
            (Value::Object(w), _) => {
                for (k, wv) in w {
                    match got.get(k) {
                        Some(g) => self.value(&format!("{path}.{k}"), wv, g, tol),
                        None => self.failures.push(format!("{path}.{k} is missing")),
                    }
                }
            }
            (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
                for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                    self.value(&format!("{path}[{i}]"), wv, gv, tol);
                }
            }
            (Value::Number(w), Value::Number(g)) if w.is_f64() => {
                self.values += 1;
                let d = (w.as_f64().unwrap() - g.as_f64().unwrap()).abs();
                if d > tol || d.is_nan() {
                    self.failures
                        .push(format!("{path}: expected {w}, got {g} (|Δ| {d:e})"));
                }
            }
            _ => {
                self.values += 1;
                if want != got {
                    self.failures
                        .push(format!("{path}: expected {want}, got {got}"));
                }
            }
        }
    }

    fn finish(self, section: &str) {
        assert!(
            self.failures.is_empty(),
            "{section}: {} mismatches:\n{}",
            self.failures.len(),
            self.failures
                .iter()
                .take(40)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert!(self.values > 0, "{section}: nothing compared");
    }
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("{v} is a string"))
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} is a string in {v}"))
}

/// Finds our record matching `keys` (our field → value).
fn find<'a>(ours: &'a [Value], keys: &[(&str, &Value)], label: &str) -> &'a Value {
    let found: Vec<&Value> = ours
        .iter()
        .filter(|r| keys.iter().all(|(k, v)| &r[*k] == *v))
        .collect();
    assert_eq!(found.len(), 1, "exactly one record for {label}");
    found[0]
}

/// The dimension's item list is compared as a set: we list items in template order.
fn sorted_items(mut record: Value) -> Value {
    if let Some(items) = record.get_mut("items").and_then(Value::as_array_mut) {
        items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    }
    record
}

/// (wave, side, segment kind, segment — "" for the whole side, is an item, item or
/// dimension: some dimensions share their id with an item).
type TargetKey = (i64, String, String, String, bool, String);

/// A respondent of the fixture: level, function and the items they answered.
type Person = (String, String, BTreeSet<String>);

/// What the confidentiality rules see, counted from the fixture's own `responses.csv`: per
/// group, the answers to each item (don't-know excluded) and the listwise-complete
/// respondents of each dimension; and the groups the report withholds as a whole.
struct FixtureCounts {
    counts: BTreeMap<TargetKey, u64>,
    /// (wave, side, kind) → segments.
    segments: BTreeMap<(i64, String, String), BTreeSet<String>>,
    /// (wave, side, kind, segment) → reason, from the report's `groups`.
    hidden_groups: BTreeMap<(i64, String, String, String), String>,
}

impl FixtureCounts {
    fn new(report: &Value) -> Self {
        let e = expected();
        let dimensions: BTreeMap<String, Vec<String>> = e["meta"]["dimensions"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(d, items)| {
                let items = list(items, "items")
                    .iter()
                    .map(|i| text(i).to_owned())
                    .collect();
                (d.clone(), items)
            })
            .collect();
        let csv = std::fs::read_to_string(fixture("responses.csv")).unwrap();
        let mut people: BTreeMap<(i64, String, String), Person> = BTreeMap::new();
        for line in csv.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let person = people
                .entry((f[0].parse().unwrap(), f[1].into(), f[2].into()))
                .or_insert_with(|| (f[3].into(), f[4].into(), BTreeSet::new()));
            if !f[6].trim().is_empty() {
                person.2.insert(f[5].into());
            }
        }
        let items: Vec<String> = list(&e["meta"]["items"], "items")
            .iter()
            .map(|i| text(i).to_owned())
            .collect();
        let mut counts = BTreeMap::new();
        let mut segments: BTreeMap<(i64, String, String), BTreeSet<String>> = BTreeMap::new();
        for ((wave, side, _), (level, function, answered)) in &people {
            // The fixture's roster gives no region, so there is no region breakdown.
            for (kind, segment) in [
                ("all", ""),
                ("level", level.as_str()),
                ("function", function.as_str()),
            ] {
                segments
                    .entry((*wave, side.clone(), kind.into()))
                    .or_default()
                    .insert(segment.into());
                let key = |is_item: bool, target: &str| -> TargetKey {
                    (
                        *wave,
                        side.clone(),
                        kind.into(),
                        segment.into(),
                        is_item,
                        target.into(),
                    )
                };
                for item in &items {
                    let answers = counts.entry(key(true, item)).or_insert(0);
                    *answers += u64::from(answered.contains(item));
                }
                for (d, its) in &dimensions {
                    let complete = its.iter().all(|i| answered.contains(i));
                    *counts.entry(key(false, d)).or_insert(0) += u64::from(complete);
                }
            }
        }
        let hidden_groups = list(&report["groups"], "groups")
            .iter()
            .filter(|g| !g["suppressed"].is_null())
            .map(|g| {
                let key = (
                    g["wave"].as_i64().unwrap(),
                    s(g, "side").to_owned(),
                    s(g, "segment_kind").to_owned(),
                    g["segment"].as_str().unwrap_or("").to_owned(),
                );
                (key, s(g, "suppressed").to_owned())
            })
            .collect();
        Self {
            counts,
            segments,
            hidden_groups,
        }
    }

    fn count(&self, wave: i64, side: &str, kind: &str, segment: &str, target: (bool, &str)) -> u64 {
        let (is_item, target) = target;
        let key = (
            wave,
            side.into(),
            kind.into(),
            segment.into(),
            is_item,
            target.into(),
        );
        self.counts.get(&key).copied().unwrap_or(0)
    }

    /// The segments of one kind whose `target` (item or dimension) the report must withhold,
    /// with the reason: withheld groups keep theirs; below the minimum; then the smallest
    /// shown segments until the withheld ones hold at least the minimum together.
    fn withheld(
        &self,
        wave: i64,
        side: &str,
        kind: &str,
        target: &str,
        is_item: bool,
    ) -> BTreeMap<String, String> {
        let (below, complement) = if is_item {
            (
                format!("fewer than {MIN} answers"),
                format!(
                    "withheld so that fewer than {MIN} answers cannot be recovered by subtraction"
                ),
            )
        } else {
            (
                format!("fewer than {MIN} complete answers"),
                format!(
                    "withheld so that fewer than {MIN} complete answers cannot be recovered by subtraction"
                ),
            )
        };
        let segments = &self.segments[&(wave, side.to_owned(), kind.to_owned())];
        let count = |segment: &str| self.count(wave, side, kind, segment, (is_item, target));
        let mut out: BTreeMap<String, String> = segments
            .iter()
            .filter_map(|seg| {
                let key = (wave, side.to_owned(), kind.to_owned(), seg.clone());
                Some((seg.clone(), self.hidden_groups.get(&key)?.clone()))
            })
            .collect();
        for seg in segments {
            if count(seg) < MIN {
                out.entry(seg.clone()).or_insert_with(|| below.clone());
            }
        }
        while !out.is_empty() && out.keys().map(|seg| count(seg)).sum::<u64>() < MIN {
            let Some(next) = segments
                .iter()
                .filter(|seg| !out.contains_key(*seg))
                .min_by_key(|seg| (count(seg), (*seg).clone()))
            else {
                break;
            };
            out.insert(next.clone(), complement.clone());
        }
        out
    }

    /// Why the report must withhold this item or dimension record, if it must.
    fn reason(&self, record: &Value, is_item: bool) -> Option<String> {
        let target = s(record, if is_item { "item" } else { "dimension" });
        let (wave, side) = (record["wave"].as_i64().unwrap(), s(record, "side"));
        let kind = s(record, "segment_kind");
        let segment = record["segment"].as_str().unwrap_or("");
        self.withheld(wave, side, kind, target, is_item)
            .remove(segment)
    }
}

/// Every item and dimension record of the report is withheld exactly when the counts say so,
/// with the reason and without a number; returns how many are withheld although their group
/// is shown (items, dimensions).
fn check_withheld_targets(report: &Value, counts: &FixtureCounts) -> (usize, usize) {
    let mut by_rule_5 = [0, 0];
    for (section, is_item) in [("items", true), ("dimensions", false)] {
        for rec in list(&report[section], section) {
            let want = counts.reason(rec, is_item);
            assert_eq!(
                rec["suppressed"].as_str(),
                want.as_deref(),
                "{section} record {} {} {} {}",
                rec["wave"],
                rec["side"],
                rec["segment"],
                rec[if is_item { "item" } else { "dimension" }]
            );
            if want.is_some() {
                for field in ["n", "mean", "sd", "n_complete", "counts", "pairwise"] {
                    assert!(rec.get(field).is_none(), "a withheld record shows {field}");
                }
                if !want.as_deref().unwrap().contains("responses") {
                    by_rule_5[usize::from(!is_item)] += 1;
                }
            }
        }
    }
    (by_rule_5[0], by_rule_5[1])
}

pub fn compare_with_fixture(report: &Value) {
    let e = expected();
    let all = Value::from("all");
    let level = Value::from("level");
    let counts = FixtureCounts::new(report);
    let (items_withheld, dimensions_withheld) = check_withheld_targets(report, &counts);
    assert!(
        items_withheld > 0 && dimensions_withheld > 0,
        "the fixture has small items and dimensions in shown groups"
    );
    let by_level_withheld = |rec: &Value, target: &str, is_item: bool| {
        counts.withheld(
            rec["wave"].as_i64().unwrap(),
            s(rec, "firm"),
            "level",
            target,
            is_item,
        )
    };
    // Exactly the groups below the minimum (3) are withheld, plus the one complement: in
    // wave 4 the supplier has 2 executives, so its next-smallest level (7 managers) goes too.
    let mut hidden: Vec<(i64, String, String, String)> = list(&report["groups"], "groups")
        .iter()
        .filter(|g| !g["suppressed"].is_null())
        .map(|g| {
            (
                g["wave"].as_i64().unwrap(),
                s(g, "side").into(),
                s(g, "segment").into(),
                s(g, "suppressed").into(),
            )
        })
        .collect();
    hidden.sort();
    assert_eq!(
        hidden,
        [
            (4, "supplier".into(), "executive".into(), "fewer than 3 responses".into()),
            (4, "supplier".into(), "manager".into(),
             "withheld so that a group of fewer than 3 responses cannot be recovered by subtraction".into()),
        ]
    );

    let items = list(&report["items"], "items");
    let mut c = Checker::default();
    for rec in list(&e["items"], "items") {
        let label = format!("items[{} {} {}]", rec["wave"], rec["firm"], rec["item"]);
        let got = find(
            items,
            &[
                ("wave", &rec["wave"]),
                ("side", &rec["firm"]),
                ("item", &rec["item"]),
                ("segment_kind", &all),
            ],
            &label,
        );
        if got["suppressed"].is_string() {
            assert!(rec["n"].as_u64().unwrap() < MIN, "{label} is withheld");
            continue;
        }
        c.record(&label, rec, got, &["wave", "firm", "item", "dimension"]);
    }
    c.finish("items");

    let dims = list(&report["dimensions"], "dimensions");
    let mut c = Checker::default();
    for rec in list(&e["dimensions"], "dimensions") {
        let label = format!(
            "dimensions[{} {} {}]",
            rec["wave"], rec["firm"], rec["dimension"]
        );
        let got = find(
            dims,
            &[
                ("wave", &rec["wave"]),
                ("side", &rec["firm"]),
                ("dimension", &rec["dimension"]),
                ("segment_kind", &all),
            ],
            &label,
        );
        if got["suppressed"].is_string() {
            assert!(rec["n_complete"].as_u64().unwrap() < MIN, "{label}");
            continue;
        }
        c.record(
            &label,
            &sorted_items(rec.clone()),
            &sorted_items(got.clone()),
            &["wave", "firm", "dimension"],
        );
    }
    c.finish("dimensions");

    for section in ["items", "dimensions"] {
        let ours = list(&report["inter_firm"][section], section);
        let want = list(&e["inter_firm"][section], section);
        assert_eq!(ours.len(), want.len(), "inter_firm.{section} records");
        let key = if section == "items" {
            "item"
        } else {
            "dimension"
        };
        let mut c = Checker::default();
        for rec in want {
            let label = format!("inter_firm.{section}[{} {}]", rec["wave"], rec[key]);
            let wave = rec["wave"].as_i64().unwrap();
            let withheld = ["customer", "supplier"].iter().any(|side| {
                counts
                    .withheld(wave, side, "all", s(rec, key), section == "items")
                    .contains_key("")
            });
            assert!(!withheld, "{label}: both whole sides reach the minimum");
            let got = if section == "items" {
                find(
                    ours,
                    &[("wave", &rec["wave"]), ("item", &rec["item"])],
                    &label,
                )
            } else {
                let dimension_records: Vec<Value> = ours
                    .iter()
                    .filter(|r| r.get("item").is_none())
                    .cloned()
                    .collect();
                let got = find(
                    &dimension_records,
                    &[("wave", &rec["wave"]), ("dimension", &rec["dimension"])],
                    &label,
                )
                .clone();
                c.record(&label, rec, &got, &["wave", "dimension"]);
                continue;
            };
            c.record(&label, rec, got, &["wave", "item"]);
        }
        c.finish(section);
    }

    // ICC across levels: withheld exactly when one level's item or dimension is.
    let icc = list(&report["icc"], "icc");
    let mut c = Checker::default();
    let (mut shown, mut withheld) = (0, 0);
    for rec in list(&e["icc"], "icc") {
        let label = format!(
            "icc[{} {} {} {}]",
            rec["wave"], rec["firm"], rec["kind"], rec["target"]
        );
        let got = find(
            icc,
            &[
                ("wave", &rec["wave"]),
                ("side", &rec["firm"]),
                ("kind", &rec["kind"]),
                ("target", &rec["target"]),
                ("grouping", &level),
            ],
            &label,
        );
        let target = s(rec, "target");
        if !by_level_withheld(rec, target, rec["kind"] == "item").is_empty() {
            assert!(got["suppressed"].is_string(), "{label} is withheld");
            assert!(got.get("icc1").is_none(), "{label} shows no number");
            withheld += 1;
            continue;
        }
        shown += 1;
        c.record(
            &label,
            rec,
            got,
            &["wave", "firm", "kind", "target", "grouping"],
        );
    }
    c.finish("icc");
    assert!(
        withheld > 11,
        "more than wave 4 supplier's ICCs: {shown} shown, {withheld} withheld"
    );

    let trend = list(&report["trend"], "trend");
    assert_eq!(trend.len(), 22);
    let mut c = Checker::default();
    for rec in list(&e["trend"], "trend") {
        let label = format!("trend[{} {} {}]", rec["firm"], rec["kind"], rec["target"]);
        let got = find(
            trend,
            &[
                ("side", &rec["firm"]),
                ("kind", &rec["kind"]),
                ("target", &rec["target"]),
            ],
            &label,
        );
        c.record(&label, rec, got, &["firm", "kind", "target"]);
    }
    c.finish("trend");

    let lead_lag = list(&report["lead_lag"], "lead_lag");
    assert_eq!(lead_lag.len(), 2 * 2 * 3, "per KPI, side and dimension");
    let spec = &e["lead_lag"];
    let mut c = Checker::default();
    for (name, kpi) in spec["kpis"].as_object().unwrap() {
        let label = format!("lead_lag[{name}]");
        let got = find(
            lead_lag,
            &[
                ("kpi", &Value::from(name.as_str())),
                ("side", &spec["perception"]["firm"]),
                ("dimension", &spec["perception"]["dimension"]),
            ],
            &label,
        );
        c.value(
            &format!("{label}.perception.means"),
            &spec["perception"]["means"],
            &got["perception"]["means"],
            CLOSED_FORM,
        );
        c.value(
            &format!("{label}.values"),
            &kpi["values"],
            &got["kpi_values"]["values"],
            CLOSED_FORM,
        );
        // The lags themselves are first differences now, checked against their own
        // references in `inference.rs`; six waves give five changes, too few for a lead.
        assert_eq!(got["method"], "first_differences", "{label}");
        assert_eq!(
            got["verdict"]["reason"], "too_few_waves",
            "{label}: {}",
            got["verdict"]
        );
    }
    c.finish("lead_lag");

    let mut c = Checker::default();
    let (mut shown, mut withheld) = (0, 0);
    for section in ["items", "dimensions"] {
        let ours = list(&report[section], section);
        for rec in list(&e["by_level"][section], section) {
            let key = if section == "items" {
                "item"
            } else {
                "dimension"
            };
            let label = format!(
                "by_level.{section}[{} {} {} {}]",
                rec["wave"], rec["firm"], rec["level"], rec[key]
            );
            let got = find(
                ours,
                &[
                    ("wave", &rec["wave"]),
                    ("side", &rec["firm"]),
                    ("segment", &rec["level"]),
                    (key, &rec[key]),
                    ("segment_kind", &level),
                ],
                &label,
            );
            let is_item = section == "items";
            if by_level_withheld(rec, s(rec, key), is_item).contains_key(s(rec, "level")) {
                assert!(
                    got["suppressed"].is_string() && got.get("mean").is_none(),
                    "{label} is withheld"
                );
                withheld += 1;
                continue;
            }
            shown += 1;
            let mut want = sorted_items(rec.clone());
            // The pairwise block goes with any of the dimension's items withheld in the group.
            let pairwise_withheld = !is_item
                && list(&rec["items"], "items").iter().any(|item| {
                    by_level_withheld(rec, text(item), true).contains_key(s(rec, "level"))
                });
            if pairwise_withheld {
                assert!(
                    got["pairwise"]["suppressed"].is_string() && got["pairwise"]["rwg_j"].is_null(),
                    "{label}.pairwise is withheld"
                );
                want.as_object_mut().unwrap().remove("pairwise");
            }
            c.record(
                &label,
                &want,
                &sorted_items(got.clone()),
                &["wave", "firm", "level", key],
            );
        }
    }
    c.finish("by_level");
    assert_eq!(shown + withheld, 288 + 108);
    assert!(withheld > 16 + 6, "more than wave 4 supplier's two levels");
}

both_backends!(
    the_fixture_reports_pass_the_exhaustive_disclosure_audit,
    |app| {
        let (id, _) = fixture_report(&app);
        let reports = crate::common::disclosure::api_reports(&app, id).await;
        let coverage = crate::common::disclosure::audit_reports(&app.db, id, &reports);
        assert!(coverage.published > 100, "{coverage:?}");
    }
);

both_backends!(the_cli_report_reproduces_every_fixture_value, |app| {
    let (_, report) = fixture_report(&app);
    compare_with_fixture(&report);
    let items = list(&report["items"], "items");
    let by_kind = |kind: &str| items.iter().filter(|r| r["segment_kind"] == kind).count();
    assert_eq!(by_kind("all"), 96);
    assert_eq!(by_kind("level"), 288);
    let health: BTreeMap<i64, f64> = list(&report["health"], "health")
        .iter()
        .map(|h| (h["wave"].as_i64().unwrap(), h["index"].as_f64().unwrap()))
        .collect();
    assert_eq!(health.len(), 6);
    assert!(
        health[&6] < health[&1],
        "the relationship's health falls with supplier trust"
    );
});
