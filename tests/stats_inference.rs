//! The inference statistics of `tandem::stats` (first-difference lead–lag, Holm, the pooled
//! permutation lead–lag, PELT change points, rwg critical values, joint alignment, segment
//! differences) against `tests/fixtures/inference/expected.json`, which
//! `tests/fixtures/inference/reference.py` computes with scipy, statsmodels, pingouin,
//! ruptures and R `multilevel` from the alignment fixture and from seeded generated inputs.
//!
//! Each record is compared field by field against our result serialized to JSON, with the same
//! key set on both sides, so a missing or renamed field fails. Tolerances: 1e-9 (absolute, or
//! relative above 1) for closed-form values, 1e-7 for p-values from a t, F or χ² tail,
//! integers and `null` exact. The number of records per section is asserted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use serde::Serialize;
use serde_json::{json, Map, Value};
use tandem::stats::{self, DimensionScores, ItemHistogram, PartnershipSeries, ValueCounts};

const CLOSED_FORM_TOLERANCE: f64 = 1e-9;
const P_TOLERANCE: f64 = 1e-7;
/// Fields whose values come from a t, F or χ² tail.
const P_FIELDS: [&str; 4] = ["p", "p_adjusted", "welch_p", "kruskal_p"];

fn expected() -> &'static Value {
    static EXPECTED: OnceLock<Value> = OnceLock::new();
    EXPECTED.get_or_init(|| {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inference/expected.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        serde_json::from_str(&text).expect("expected.json is JSON")
    })
}

fn section(name: &str, count: usize) -> &'static [Value] {
    let records = expected()[name]
        .as_array()
        .unwrap_or_else(|| panic!("no section {name}"));
    assert_eq!(records.len(), count, "records in {name}");
    records
}

/// The alignment fixture, found as `tests/stats_fixture.rs` finds it.
fn alignment_fixture_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TANDEM_FIXTURES") {
        return PathBuf::from(dir);
    }
    let candidates = [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/alignment"),
        PathBuf::from("/work/shared/fixtures/alignment"),
    ];
    candidates
        .iter()
        .find(|dir| dir.join("expected.json").is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!("alignment fixture not found; set TANDEM_FIXTURES (tried {candidates:?})")
        })
}

/// `[[wave, value], …]` → wave → value.
fn series(value: &Value) -> BTreeMap<u32, f64> {
    value
        .as_array()
        .expect("a series is an array of pairs")
        .iter()
        .map(|pair| {
            let wave = pair[0].as_u64().expect("wave") as u32;
            (wave, pair[1].as_f64().expect("value"))
        })
        .collect()
}

/// `[[sum, respondents], …]` over `items` items → respondent means.
fn means(items: u64, sums: &Value) -> ValueCounts {
    ValueCounts::from_sums(
        items as u32,
        sums.as_array().expect("sums").iter().map(|pair| {
            (
                pair[0].as_u64().expect("sum") as u32,
                pair[1].as_u64().expect("count"),
            )
        }),
    )
}

fn histogram(counts: &Value) -> ItemHistogram {
    let mut h = ItemHistogram::default();
    for (slot, count) in h.counts.iter_mut().zip(counts.as_array().expect("counts")) {
        *slot = count.as_u64().expect("count");
    }
    h
}

/// `expected` restricted to `keys`.
fn pick(expected: &Value, keys: &[&str]) -> Value {
    Value::Object(
        keys.iter()
            .map(|&k| {
                let v = expected
                    .get(k)
                    .unwrap_or_else(|| panic!("expected record has no {k}"));
                (k.to_owned(), v.clone())
            })
            .collect::<Map<_, _>>(),
    )
}

fn to_json(value: impl Serialize) -> Value {
    serde_json::to_value(value).expect("serializable")
}

/// Recursive comparison; returns the mismatches as readable lines.
fn compare(actual: &Value, expected: &Value, path: &str, field: &str, out: &mut Vec<String>) {
    match (actual, expected) {
        (Value::Number(a), Value::Number(e)) => {
            if let (Some(a), Some(e)) = (a.as_i64(), e.as_i64()) {
                if a != e {
                    out.push(format!("{path}: {a} != {e}"));
                }
                return;
            }
            let (a, e) = (a.as_f64().unwrap(), e.as_f64().unwrap());
            let tolerance = if P_FIELDS.contains(&field) {
                P_TOLERANCE
            } else {
                CLOSED_FORM_TOLERANCE
            };
            if (a - e).abs() > tolerance * e.abs().max(1.0) {
                out.push(format!("{path}: {a} vs expected {e} (Δ {:e})", a - e));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            if a.len() != e.len() {
                out.push(format!("{path}: length {} != {}", a.len(), e.len()));
                return;
            }
            for (i, (a, e)) in a.iter().zip(e).enumerate() {
                compare(a, e, &format!("{path}[{i}]"), field, out);
            }
        }
        (Value::Object(a), Value::Object(e)) => {
            let (ak, ek): (Vec<_>, Vec<_>) = (a.keys().collect(), e.keys().collect());
            if ak != ek {
                out.push(format!("{path}: keys {ak:?} != {ek:?}"));
                return;
            }
            for (k, e) in e {
                compare(&a[k], e, &format!("{path}.{k}"), k, out);
            }
        }
        (a, e) if a == e => {}
        (a, e) => out.push(format!("{path}: {a} != expected {e}")),
    }
}

fn assert_all_match(results: Vec<(String, Value, Value)>) {
    let mut mismatches = Vec::new();
    for (label, actual, expected) in &results {
        compare(actual, expected, label, "", &mut mismatches);
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

fn lead_lag_records(name: &str, count: usize) -> Vec<(String, Value, Value)> {
    section(name, count)
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let table = stats::first_difference_lead_lag(
                &series(&record["perception"]),
                &series(&record["kpi_values"]),
            );
            (
                format!("{name}[{i}]"),
                to_json(table),
                pick(record, &["method", "family_size", "lags"]),
            )
        })
        .collect()
}

#[test]
fn first_difference_lead_lag_matches_scipy_on_the_alignment_fixture() {
    assert_all_match(lead_lag_records("lead_lag_fixture", 12));
}

#[test]
fn the_fixture_perception_series_are_the_shared_fixture_s_wave_means() {
    let shared: Value = serde_json::from_str(
        &std::fs::read_to_string(alignment_fixture_dir().join("expected.json")).unwrap(),
    )
    .unwrap();
    let reference = &shared["lead_lag"]["perception"]["means"];
    let ours = section("lead_lag_fixture", 12)
        .iter()
        .find(|r| r["firm"] == "supplier" && r["dimension"] == "trust")
        .unwrap();
    let values: Vec<Value> = series(&ours["perception"])
        .values()
        .map(|&v| json!(v))
        .collect();
    let mut mismatches = Vec::new();
    compare(
        &Value::Array(values),
        reference,
        "supplier trust",
        "",
        &mut mismatches,
    );
    assert!(mismatches.is_empty(), "{mismatches:?}");
    let kpi = series(&ours["kpi_values"]);
    let shared_kpi = &shared["lead_lag"]["kpis"]["on_time_delivery_pct"]["values"];
    let on_time = section("lead_lag_fixture", 12)
        .iter()
        .find(|r| r["kpi"] == "on_time_delivery_pct")
        .map(|r| series(&r["kpi_values"]))
        .unwrap();
    assert_eq!(
        on_time.values().map(|&v| json!(v)).collect::<Vec<_>>(),
        *shared_kpi.as_array().unwrap()
    );
    assert_eq!(kpi.len(), 6);
}

#[test]
fn six_waves_are_too_few_for_a_verdict_on_any_fixture_series() {
    for record in section("lead_lag_fixture", 12) {
        let table = stats::first_difference_lead_lag(
            &series(&record["perception"]),
            &series(&record["kpi_values"]),
        );
        let verdict = tandem::reports::verdict::lead_lag(
            &table,
            record["firm"].as_str().unwrap(),
            record["dimension"].as_str().unwrap(),
            record["kpi"].as_str().unwrap(),
        );
        assert_eq!(verdict.reason, Some(stats::NoEvidenceReason::TooFewWaves));
        assert!(
            verdict.sentence.contains("too few waves"),
            "{}",
            verdict.sentence
        );
    }
}

#[test]
fn first_difference_lead_lag_matches_scipy_on_generated_series_with_gaps() {
    assert_all_match(lead_lag_records("lead_lag_generated", 11));
}

#[test]
fn holm_matches_statsmodels_multipletests() {
    let results = section("holm", 26)
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let p: Vec<Option<f64>> = record["p"]
                .as_array()
                .unwrap()
                .iter()
                .map(Value::as_f64)
                .collect();
            (
                format!("holm[{i}]"),
                to_json(stats::holm(&p)),
                record["adjusted"].clone(),
            )
        })
        .collect();
    assert_all_match(results);
}

#[test]
fn pooled_lead_lag_matches_scipy_and_the_reference_permutations() {
    let results = section("pooled_lead_lag", 6)
        .iter()
        .map(|record| {
            let inputs: Vec<(BTreeMap<u32, f64>, BTreeMap<u32, f64>)> = record["inputs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (series(&p["perception"]), series(&p["kpi_values"])))
                .collect();
            let partnerships: Vec<PartnershipSeries<'_>> = inputs
                .iter()
                .map(|(perception, kpi)| PartnershipSeries { perception, kpi })
                .collect();
            (
                record["label"].as_str().unwrap().to_owned(),
                to_json(stats::pooled_lead_lag(&partnerships)),
                pick(record, &["method", "partnerships", "exact", "seed", "lags"]),
            )
        })
        .collect();
    assert_all_match(results);
}

#[test]
fn change_points_match_ruptures_pelt_and_the_brute_force_optimum() {
    let records = section("change_points", 46);
    let mut results = Vec::new();
    for record in records {
        let label = record["label"].as_str().unwrap().to_owned();
        let waves: Vec<u32> = record["waves"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_u64().unwrap() as u32)
            .collect();
        let means: Vec<f64> = record["means"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_f64().unwrap())
            .collect();
        let input: BTreeMap<u32, f64> = waves.iter().copied().zip(means).collect();
        let found = stats::change_points(&input).expect("at least six waves");
        if let Some(optimal) = record.get("brute_force_change_waves") {
            assert_eq!(to_json(&found.change_waves), *optimal, "{label}");
        }
        results.push((
            label,
            to_json(found),
            pick(
                record,
                &["waves", "means", "penalty", "change_waves", "segments"],
            ),
        ));
    }
    assert!(
        records
            .iter()
            .filter(|r| r["change_waves"].as_array().unwrap().len() >= 2)
            .count()
            >= 5,
        "the generated series should include several multi-change cases"
    );
    assert_all_match(results);
}

#[test]
fn rwg_critical_values_lie_in_the_exact_band_and_agree_with_multilevel() {
    for record in section("rwg_chance", 8) {
        let n = record["n"].as_u64().unwrap();
        let items = record["items"].as_u64().unwrap() as u32;
        assert_eq!(
            record["rust_replicates"].as_u64(),
            Some(stats::CHANCE_REPLICATES as u64)
        );
        let ours = if items == 1 {
            stats::rwg_crit95(n, 5)
        } else {
            stats::rwg_j_crit95(n, items, 5)
        }
        .unwrap();
        let band = |key: &str| {
            let b = record[key].as_array().unwrap();
            (b[0].as_f64().unwrap(), b[1].as_f64().unwrap())
        };
        let (low, high) = band("exact_band_for_rust");
        assert!(
            (low..=high).contains(&ours),
            "n = {n}, J = {items}: {ours} outside the exact band [{low}, {high}]"
        );
        // multilevel's simulation has its own (wider) band; two estimates inside their bands
        // differ by at most the width of the union of the two.
        let (r_low, r_high) = band("r_exact_band");
        let r_value = record["r_quantile_type7"].as_f64().unwrap();
        let tolerance = high.max(r_high) - low.min(r_low);
        println!("n = {n}, J = {items}: ours {ours}, multilevel type 7 {r_value}");
        assert!(
            (ours - r_value).abs() <= tolerance,
            "n = {n}, J = {items}: {ours} vs multilevel {r_value} (tolerance {tolerance})"
        );
    }
}

#[test]
fn joint_alignment_matches_multilevel_and_pingouin() {
    let results = section("joint_alignment", 18)
        .iter()
        .map(|record| {
            let items = record["items"].as_array().unwrap().len() as u64;
            let side = |firm: &str| {
                let histograms: Vec<ItemHistogram> = record[firm]["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(histogram)
                    .collect();
                (histograms, means(items, &record[firm]["sums"]))
            };
            let (customer_items, customer_means) = side("customer");
            let (supplier_items, supplier_means) = side("supplier");
            let joint = stats::joint_alignment(
                DimensionScores {
                    items: &customer_items,
                    means: &customer_means,
                },
                DimensionScores {
                    items: &supplier_items,
                    means: &supplier_means,
                },
            );
            let pooled_n = joint.n_customer + joint.n_supplier;
            let crit = stats::rwg_j_crit95(pooled_n, items as u32, 5);
            assert_eq!(joint.rwg_j_crit95, crit);
            assert_eq!(
                joint.beyond_chance,
                joint.rwg_j.zip(crit).map(|(r, c)| r > c + 1e-9)
            );
            let mut actual = to_json(&joint);
            let object = actual.as_object_mut().unwrap();
            object.remove("rwg_j_crit95");
            object.remove("beyond_chance");
            (
                format!("joint wave {} {}", record["wave"], record["dimension"]),
                actual,
                pick(
                    record,
                    &["n_customer", "n_supplier", "rwg_j", "icc1", "eta_squared"],
                ),
            )
        })
        .collect();
    assert_all_match(results);
}

fn segment_records(name: &str, count: usize) -> Vec<(String, Value, Value)> {
    section(name, count)
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let items = record["items"].as_u64().unwrap();
            let groups: Vec<ValueCounts> = record["group_sums"]
                .as_array()
                .unwrap()
                .iter()
                .map(|sums| means(items, sums))
                .collect();
            (
                format!("{name}[{i}]"),
                to_json(stats::segment_differences(&groups)),
                pick(
                    record,
                    &[
                        "groups",
                        "n",
                        "group_sizes",
                        "welch_f",
                        "welch_df1",
                        "welch_df2",
                        "welch_p",
                        "kruskal_h",
                        "kruskal_df",
                        "kruskal_p",
                        "epsilon_squared",
                        "omega_squared",
                    ],
                ),
            )
        })
        .collect()
}

#[test]
fn segment_differences_match_statsmodels_scipy_and_pingouin_on_the_fixture() {
    let records = segment_records("segment_differences_fixture", 72);
    let undefined_welch = records
        .iter()
        .filter(|(_, _, e)| e["welch_f"].is_null())
        .count();
    assert!(
        undefined_welch > 0,
        "the fixture has groups too small for Welch"
    );
    assert_all_match(records);
}

#[test]
fn segment_differences_match_statsmodels_scipy_and_pingouin_on_generated_samples() {
    assert_all_match(segment_records("segment_differences_generated", 30));
}

#[test]
fn one_rwg_j_critical_value_for_thirty_people_and_three_items_is_cheap() {
    let start = Instant::now();
    let value = stats::rwg_j_crit95(30, 3, 5).unwrap();
    let elapsed = start.elapsed();
    let cached = Instant::now();
    assert_eq!(stats::rwg_j_crit95(30, 3, 5), Some(value));
    println!(
        "rwg_j_crit95(30, 3, 5) = {value}: {elapsed:?} (first call, unless another test of this \
         binary computed it already), {:?} cached",
        cached.elapsed()
    );
    // Generous, so that a debug build on a loaded machine passes too.
    assert!(elapsed.as_secs_f64() < 5.0, "{elapsed:?}");
}
