//! Every reference value of the alignment fixture (`shared/fixtures/alignment/expected.json`,
//! computed with R `multilevel`, scipy and pingouin), recomputed from `responses.csv` and
//! `kpi.csv` the way a report is: raw rows are first aggregated into histograms (written out
//! plainly below), and only those histograms reach `tandem::stats`.
//!
//! Each expected record is compared field by field, recursively, against our result serialized
//! to JSON, so a field we do not produce, or produce under another name, fails too. Tolerances:
//! 1e-9 absolute for closed-form values, 1e-7 for p-values and CI bounds, integers and `null`
//! exact. The number of records per section is asserted, so nothing is skipped silently.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{json, Map, Value};
use tandem::stats::{self, ItemHistogram, ValueCounts};

const CLOSED_FORM_TOLERANCE: f64 = 1e-9;
const P_AND_CI_TOLERANCE: f64 = 1e-7;
/// Fields whose values depend on a t / normal CDF or quantile.
const P_AND_CI_FIELDS: [&str; 5] = ["p", "welch_p", "mwu_p", "mean_ci95", "diff_ci95"];

/// Where the fixture lives: `$TANDEM_FIXTURES`, else `shared/` beside the repository, else
/// the copy kept in `tests/fixtures/alignment` (checked below to match the shared one).
fn fixture_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TANDEM_FIXTURES") {
        return PathBuf::from(dir);
    }
    let candidates = [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/alignment"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alignment"),
    ];
    candidates
        .iter()
        .find(|dir| dir.join("expected.json").is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!("alignment fixture not found; set TANDEM_FIXTURES (tried {candidates:?})")
        })
}

/// One respondent in one wave: the level at that wave and an answer per template item
/// (`None` = don't know).
struct Respondent {
    level: String,
    answers: Vec<Option<u8>>,
}

struct Fixture {
    expected: Value,
    waves: Vec<u32>,
    firms: Vec<String>,
    levels: Vec<String>,
    items: Vec<String>,
    /// Dimension name and the indices (into `items`) of its items.
    dimensions: Vec<(String, Vec<usize>)>,
    /// Respondents per (wave, firm).
    groups: BTreeMap<(u32, String), Vec<Respondent>>,
    /// KPI name → wave → value.
    kpis: BTreeMap<String, BTreeMap<u32, f64>>,
}

#[derive(serde::Deserialize)]
struct ResponseRow {
    wave: u32,
    firm: String,
    respondent: String,
    level: String,
    item: String,
    value: Option<u8>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(load_fixture)
}

fn load_fixture() -> Fixture {
    let dir = fixture_dir();
    let path = |name: &str| dir.join(name);
    let unreadable = |name: &str, e: &dyn std::fmt::Display| -> ! {
        panic!("cannot read {}: {e}", path(name).display())
    };
    let text = std::fs::read_to_string(path("expected.json"))
        .unwrap_or_else(|e| unreadable("expected.json", &e));
    let expected: Value = serde_json::from_str(&text).expect("parse expected.json");
    let meta = &expected["meta"];
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .expect("a list")
            .iter()
            .map(|s| s.as_str().expect("a string").to_owned())
            .collect()
    };
    let items = strings(&meta["items"]);
    let index = |name: &str| items.iter().position(|i| i == name).expect("known item");
    let dimensions = meta["dimensions"]
        .as_object()
        .expect("dimensions")
        .iter()
        .map(|(name, its)| {
            (
                name.clone(),
                strings(its).iter().map(|i| index(i)).collect(),
            )
        })
        .collect();
    let waves = meta["waves"]
        .as_array()
        .expect("waves")
        .iter()
        .map(|w| w.as_u64().expect("wave") as u32)
        .collect();

    // Long rows → one answer vector per (wave, firm, respondent), with the items seen so far.
    let mut people: BTreeMap<(u32, String, String), (Respondent, Vec<bool>)> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(path("responses.csv"))
        .unwrap_or_else(|e| unreadable("responses.csv", &e));
    let mut rows = 0;
    for row in reader.deserialize::<ResponseRow>() {
        let row = row.expect("a response row");
        rows += 1;
        assert!(row.value.is_none_or(|v| (1..=5).contains(&v)));
        let (person, seen) = people
            .entry((row.wave, row.firm, row.respondent))
            .or_insert_with(|| {
                let answers = vec![None; items.len()];
                let level = row.level.clone();
                (Respondent { level, answers }, vec![false; items.len()])
            });
        assert_eq!(person.level, row.level, "one level per respondent and wave");
        let item = index(&row.item);
        assert!(!seen[item], "one row per respondent, wave and item");
        seen[item] = true;
        person.answers[item] = row.value;
    }
    assert_eq!(rows, meta["rows_in_responses_csv"].as_u64().unwrap());
    let mut groups: BTreeMap<(u32, String), Vec<Respondent>> = BTreeMap::new();
    for ((wave, firm, _), (person, seen)) in people {
        assert!(seen.iter().all(|&s| s), "every item has a row");
        groups.entry((wave, firm)).or_default().push(person);
    }

    let mut kpis: BTreeMap<String, BTreeMap<u32, f64>> = BTreeMap::new();
    let mut reader =
        csv::Reader::from_path(path("kpi.csv")).unwrap_or_else(|e| unreadable("kpi.csv", &e));
    let headers = reader.headers().expect("kpi header").clone();
    for record in reader.records() {
        let record = record.expect("a kpi row");
        let wave: u32 = record[0].parse().expect("wave");
        for (name, value) in headers.iter().zip(record.iter()).skip(1) {
            let value: f64 = value.parse().expect("a kpi value");
            kpis.entry(name.to_owned()).or_default().insert(wave, value);
        }
    }

    Fixture {
        waves,
        firms: strings(&meta["firms"]),
        levels: strings(&meta["levels"]),
        items,
        dimensions,
        groups,
        kpis,
        expected,
    }
}

impl Fixture {
    fn group(&self, wave: u32, firm: &str) -> Vec<&Respondent> {
        self.groups[&(wave, firm.to_owned())].iter().collect()
    }

    fn level_group(&self, wave: u32, firm: &str, level: &str) -> Vec<&Respondent> {
        let group = self.group(wave, firm);
        group.into_iter().filter(|r| r.level == level).collect()
    }

    fn item(&self, name: &str) -> usize {
        self.items
            .iter()
            .position(|i| i == name)
            .expect("known item")
    }

    fn dimension(&self, name: &str) -> &[usize] {
        let (_, items) = self
            .dimensions
            .iter()
            .find(|(n, _)| n == name)
            .expect("dimension");
        items
    }

    fn item_names(&self, indices: &[usize]) -> Vec<&str> {
        indices.iter().map(|&i| self.items[i].as_str()).collect()
    }
}

// ----------------------------------------------------------------------------- aggregation

fn histogram<'a>(people: impl IntoIterator<Item = &'a Respondent>, item: usize) -> ItemHistogram {
    let mut h = ItemHistogram::default();
    for person in people {
        match person.answers[item] {
            Some(value) => h.counts[usize::from(value) - 1] += 1,
            None => h.dont_know += 1,
        }
    }
    h
}

/// What a report stores for one dimension and group: per-item histograms over the listwise
/// complete respondents and over everyone, and the histogram of complete respondents' sums.
struct DimensionAggregate {
    listwise: Vec<ItemHistogram>,
    pairwise: Vec<ItemHistogram>,
    means: ValueCounts,
}

fn aggregate_dimension(people: &[&Respondent], items: &[usize]) -> DimensionAggregate {
    let complete: Vec<&Respondent> = people
        .iter()
        .copied()
        .filter(|p| items.iter().all(|&i| p.answers[i].is_some()))
        .collect();
    let mut sums: BTreeMap<u32, u64> = BTreeMap::new();
    for person in &complete {
        let sum = items
            .iter()
            .map(|&i| u32::from(person.answers[i].unwrap()))
            .sum();
        *sums.entry(sum).or_default() += 1;
    }
    DimensionAggregate {
        listwise: items
            .iter()
            .map(|&i| histogram(complete.iter().copied(), i))
            .collect(),
        pairwise: items
            .iter()
            .map(|&i| histogram(people.iter().copied(), i))
            .collect(),
        means: ValueCounts::from_sums(items.len() as u32, sums),
    }
}

// ----------------------------------------------------------------------------- our records

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("stats results serialize")
}

/// Fields of several objects in one object.
fn merged(parts: impl IntoIterator<Item = Value>) -> Value {
    let mut all = Map::new();
    for part in parts {
        all.extend(part.as_object().expect("an object").clone());
    }
    Value::Object(all)
}

fn dimension_record(item_names: &[&str], items: &[usize], people: &[&Respondent]) -> Value {
    let data = aggregate_dimension(people, items);
    let summary = stats::describe_sample(&data.means);
    let listwise = stats::dimension_agreement(&data.listwise);
    let pairwise = stats::dimension_agreement(&data.pairwise);
    let n_per_item: Map<String, Value> = item_names
        .iter()
        .zip(&data.pairwise)
        .map(|(name, h)| (name.to_string(), json!(h.n())))
        .collect();
    let mut pairwise = to_json(&pairwise);
    pairwise["n_per_item"] = Value::Object(n_per_item);
    merged([
        json!({
            "items": item_names,
            "n_respondents": people.len(),
            "n_complete": summary.n,
            "n_excluded_listwise": people.len() as u64 - summary.n,
            "pairwise": pairwise,
        }),
        to_json(&summary),
        to_json(&listwise),
    ])
}

fn compare_record(customer: &ValueCounts, supplier: &ValueCounts) -> Value {
    to_json(&stats::compare(customer, supplier))
}

// ----------------------------------------------------------------------------- checking

#[derive(Default)]
struct Checker {
    records: usize,
    values: usize,
    /// Largest |Δ| seen among closed-form values and among p-values / CI bounds.
    largest_delta: [f64; 2],
    keys: HashSet<String>,
    failures: Vec<String>,
}

impl Checker {
    /// Compares every field of `expected` but the `identity` ones (which name the record) with
    /// the same field of `ours`.
    fn record(&mut self, label: String, expected: &Value, ours: &Value, identity: &[&str]) {
        self.records += 1;
        assert!(self.keys.insert(label.clone()), "duplicate record {label}");
        for (field, want) in expected.as_object().expect("records are objects") {
            if identity.contains(&field.as_str()) {
                continue;
            }
            let tolerance = if P_AND_CI_FIELDS.contains(&field.as_str()) {
                P_AND_CI_TOLERANCE
            } else {
                CLOSED_FORM_TOLERANCE
            };
            match ours.get(field) {
                Some(got) => self.value(&label, field, want, got, tolerance),
                None => self.fail(&label, field, "is missing from our result".into()),
            }
        }
    }

    fn value(&mut self, label: &str, path: &str, want: &Value, got: &Value, tolerance: f64) {
        match want {
            Value::Object(fields) => {
                for (key, want) in fields {
                    let path = format!("{path}.{key}");
                    match got.get(key) {
                        Some(got) => self.value(label, &path, want, got, tolerance),
                        None => self.fail(label, &path, "is missing from our result".into()),
                    }
                }
            }
            Value::Array(wants) => match got.as_array() {
                Some(gots) if gots.len() == wants.len() => {
                    for (i, (want, got)) in wants.iter().zip(gots).enumerate() {
                        self.value(label, &format!("{path}[{i}]"), want, got, tolerance);
                    }
                }
                _ => self.fail(label, path, format!("expected {want}, got {got}")),
            },
            _ => {
                self.values += 1;
                if let (Some(w), Some(g)) = (want.as_f64(), got.as_f64()) {
                    let class = usize::from(tolerance == P_AND_CI_TOLERANCE);
                    self.largest_delta[class] = self.largest_delta[class].max((w - g).abs());
                }
                if let Some(problem) = leaf_mismatch(want, got, tolerance) {
                    self.fail(label, path, problem);
                }
            }
        }
    }

    fn fail(&mut self, label: &str, path: &str, problem: String) {
        self.failures.push(format!("{label}: `{path}` {problem}"));
    }

    fn finish(self, section: &str, expected_records: usize) {
        assert!(
            self.failures.is_empty(),
            "{} value(s) in {section} disagree with the fixture:\n{}",
            self.failures.len(),
            self.failures
                .iter()
                .take(60)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert_eq!(
            self.records, expected_records,
            "records compared in {section}"
        );
        eprintln!(
            "{section}: {} records, {} values compared, largest |Δ| {:e} (closed form), {:e} (p, CI)",
            self.records, self.values, self.largest_delta[0], self.largest_delta[1]
        );
    }
}

fn leaf_mismatch(want: &Value, got: &Value, tolerance: f64) -> Option<String> {
    match (want, got) {
        (Value::Number(w), Value::Number(g)) if w.is_f64() => {
            let (w, g) = (w.as_f64().unwrap(), g.as_f64().unwrap());
            let delta = (w - g).abs();
            (delta > tolerance || delta.is_nan())
                .then(|| format!("expected {w:?}, got {g:?} (|Δ| = {delta:e} > {tolerance:e})"))
        }
        (Value::Number(w), Value::Number(g)) => {
            (w != g).then(|| format!("expected the integer {w}, got {g}"))
        }
        _ => (want != got).then(|| format!("expected {want}, got {got}")),
    }
}

fn records<'a>(value: &'a Value, what: &str) -> &'a [Value] {
    value
        .as_array()
        .unwrap_or_else(|| panic!("{what} is a list"))
}

fn text<'a>(record: &'a Value, field: &str) -> &'a str {
    record[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is a string"))
}

fn wave(record: &Value) -> u32 {
    record["wave"].as_u64().expect("wave is a number") as u32
}

fn values_of(list: &Value) -> Vec<Option<u8>> {
    records(list, "values")
        .iter()
        .map(|v| v.as_u64().map(|v| v as u8))
        .collect()
}

// ----------------------------------------------------------------------------- the tests

#[test]
fn item_statistics_match_the_fixture() {
    let f = fixture();
    let mut check = Checker::default();
    for rec in records(&f.expected["items"], "items") {
        let (w, firm, item) = (wave(rec), text(rec, "firm"), text(rec, "item"));
        let ours = to_json(&stats::describe_item(
            &histogram(f.group(w, firm), f.item(item)),
            2,
        ));
        let label = format!("items[wave {w}, {firm}, {item}]");
        check.record(label, rec, &ours, &["wave", "firm", "item", "dimension"]);
    }
    check.finish("items", 96);
}

#[test]
fn dimension_statistics_match_the_fixture() {
    let f = fixture();
    let mut check = Checker::default();
    for rec in records(&f.expected["dimensions"], "dimensions") {
        let (w, firm, dim) = (wave(rec), text(rec, "firm"), text(rec, "dimension"));
        let items = f.dimension(dim);
        let ours = dimension_record(&f.item_names(items), items, &f.group(w, firm));
        let label = format!("dimensions[wave {w}, {firm}, {dim}]");
        check.record(label, rec, &ours, &["wave", "firm", "dimension"]);
    }
    check.finish("dimensions", 36);
}

#[test]
fn between_firm_comparisons_match_the_fixture() {
    let f = fixture();
    let (customer, supplier) = (f.firms[0].as_str(), f.firms[1].as_str());
    assert_eq!((customer, supplier), ("customer", "supplier"));

    let mut check = Checker::default();
    for rec in records(&f.expected["inter_firm"]["items"], "inter_firm.items") {
        let (w, item) = (wave(rec), f.item(text(rec, "item")));
        let sample = |firm| ValueCounts::from_histogram(&histogram(f.group(w, firm), item));
        let ours = compare_record(&sample(customer), &sample(supplier));
        let label = format!("inter_firm.items[wave {w}, {}]", f.items[item]);
        check.record(label, rec, &ours, &["wave", "item"]);
    }
    check.finish("inter_firm.items", 48);

    let mut check = Checker::default();
    for rec in records(
        &f.expected["inter_firm"]["dimensions"],
        "inter_firm.dimensions",
    ) {
        let (w, dim) = (wave(rec), text(rec, "dimension"));
        let means = |firm| aggregate_dimension(&f.group(w, firm), f.dimension(dim)).means;
        let ours = compare_record(&means(customer), &means(supplier));
        let label = format!("inter_firm.dimensions[wave {w}, {dim}]");
        check.record(label, rec, &ours, &["wave", "dimension"]);
    }
    check.finish("inter_firm.dimensions", 18);
}

#[test]
fn iccs_across_levels_match_the_fixture() {
    let f = fixture();
    let mut check = Checker::default();
    for rec in records(&f.expected["icc"], "icc") {
        let (w, firm, kind, target) = (
            wave(rec),
            text(rec, "firm"),
            text(rec, "kind"),
            text(rec, "target"),
        );
        assert_eq!(text(rec, "grouping"), "level");
        let groups: Vec<ValueCounts> = f
            .levels
            .iter()
            .map(|level| {
                let members = f.level_group(w, firm, level);
                match kind {
                    "item" => ValueCounts::from_histogram(&histogram(members, f.item(target))),
                    "dimension" => aggregate_dimension(&members, f.dimension(target)).means,
                    other => panic!("unknown icc kind {other}"),
                }
            })
            .collect();
        let result = stats::icc(&groups);
        let mut ours = to_json(&result);
        ours["group_sizes"] = f
            .levels
            .iter()
            .cloned()
            .zip(result.group_sizes.iter().map(|&n| json!(n)))
            .collect::<Map<_, _>>()
            .into();
        let label = format!("icc[wave {w}, {firm}, {kind} {target}]");
        check.record(
            label,
            rec,
            &ours,
            &["wave", "firm", "kind", "target", "grouping"],
        );
    }
    check.finish("icc", 132);
}

#[test]
fn wave_trends_match_the_fixture() {
    let f = fixture();
    let mut check = Checker::default();
    for rec in records(&f.expected["trend"], "trend") {
        let (firm, kind, target) = (text(rec, "firm"), text(rec, "kind"), text(rec, "target"));
        let wave_mean = |w: u32| match kind {
            "item" => stats::describe_item(&histogram(f.group(w, firm), f.item(target)), 2).mean,
            "dimension" => {
                let means = aggregate_dimension(&f.group(w, firm), f.dimension(target)).means;
                stats::describe_sample(&means).mean
            }
            other => panic!("unknown trend kind {other}"),
        };
        let y: Vec<f64> = f
            .waves
            .iter()
            .map(|&w| wave_mean(w).expect("every wave has answers"))
            .collect();
        let points: Vec<(f64, f64)> = f
            .waves
            .iter()
            .map(|&w| f64::from(w))
            .zip(y.iter().copied())
            .collect();
        let ours = merged([
            json!({ "x_waves": f.waves, "y_means": y }),
            to_json(&stats::linear_trend(&points)),
        ]);
        let label = format!("trend[{firm}, {kind} {target}]");
        check.record(label, rec, &ours, &["firm", "kind", "target"]);
    }
    check.finish("trend", 22);
}

#[test]
fn lead_lag_correlations_match_the_fixture() {
    let f = fixture();
    let expected = &f.expected["lead_lag"];
    let perception_spec = &expected["perception"];
    let (firm, dim) = (
        text(perception_spec, "firm"),
        text(perception_spec, "dimension"),
    );
    let perception: BTreeMap<u32, f64> = f
        .waves
        .iter()
        .map(|&w| {
            let means = aggregate_dimension(&f.group(w, firm), f.dimension(dim)).means;
            (w, stats::describe_sample(&means).mean.expect("answers"))
        })
        .collect();

    let mut check = Checker::default();
    let ours = json!({
        "waves": perception.keys().collect::<Vec<_>>(),
        "means": perception.values().collect::<Vec<_>>(),
    });
    check.record(
        format!("lead_lag.perception[{firm}, {dim}]"),
        perception_spec,
        &ours,
        &["firm", "dimension"],
    );
    let kpis = expected["kpis"].as_object().expect("kpis");
    assert_eq!(kpis.len(), f.kpis.len());
    for (name, spec) in kpis {
        let kpi = &f.kpis[name];
        check.record(
            format!("lead_lag.kpis.{name}"),
            &json!({ "values": spec["values"] }),
            &json!({ "values": kpi.values().collect::<Vec<_>>() }),
            &[],
        );
        let table = stats::lead_lag(&perception, kpi, 3);
        let lags = records(&spec["lags"], "lags");
        assert_eq!(table.lags.len(), lags.len(), "{name}: one entry per lag");
        for (rec, lag) in lags.iter().zip(&table.lags) {
            let label = format!("lead_lag.kpis.{name}.lags[k = {}]", rec["k"]);
            check.record(label, rec, &to_json(lag), &[]);
        }
        let strongest = lags
            .iter()
            .max_by(|a, b| {
                let r = |l: &Value| l["r"].as_f64().unwrap().abs();
                r(a).total_cmp(&r(b))
            })
            .and_then(|l| l["k"].as_u64());
        assert_eq!(table.strongest_lag.map(u64::from), strongest, "{name}");
    }
    // The perception series, and per KPI its values and four lags.
    check.finish("lead_lag", 11);
}

#[test]
fn level_breakdowns_match_the_fixture() {
    let f = fixture();
    let mut check = Checker::default();
    for rec in records(&f.expected["by_level"]["items"], "by_level.items") {
        let (w, firm, level, item) = (
            wave(rec),
            text(rec, "firm"),
            text(rec, "level"),
            text(rec, "item"),
        );
        let h = histogram(f.level_group(w, firm, level), f.item(item));
        let label = format!("by_level.items[wave {w}, {firm}, {level}, {item}]");
        let ours = to_json(&stats::describe_item(&h, 2));
        check.record(label, rec, &ours, &["wave", "firm", "level", "item"]);
    }
    check.finish("by_level.items", 288);

    let mut check = Checker::default();
    for rec in records(&f.expected["by_level"]["dimensions"], "by_level.dimensions") {
        let (w, firm, level, dim) = (
            wave(rec),
            text(rec, "firm"),
            text(rec, "level"),
            text(rec, "dimension"),
        );
        let items = f.dimension(dim);
        let people = f.level_group(w, firm, level);
        let ours = dimension_record(&f.item_names(items), items, &people);
        let label = format!("by_level.dimensions[wave {w}, {firm}, {level}, {dim}]");
        check.record(label, rec, &ours, &["wave", "firm", "level", "dimension"]);
    }
    check.finish("by_level.dimensions", 108);
}

#[test]
fn edge_cases_match_the_fixture() {
    let f = fixture();
    let edge = &f.expected["edge_cases"];

    let mut check = Checker::default();
    let cases = records(&edge["items"], "edge_cases.items");
    for rec in cases {
        let people: Vec<Respondent> = values_of(&rec["values"])
            .into_iter()
            .map(|answer| Respondent {
                level: String::new(),
                answers: vec![answer],
            })
            .collect();
        let ours = to_json(&stats::describe_item(&histogram(&people, 0), 2));
        let label = format!("edge_cases.items[{}]", text(rec, "case"));
        check.record(label, rec, &ours, &["case", "values"]);
    }
    check.finish("edge_cases.items", 9);

    let mut check = Checker::default();
    for rec in records(&edge["dimensions"], "edge_cases.dimensions") {
        let people: Vec<Respondent> = records(&rec["rows"], "rows")
            .iter()
            .map(|row| Respondent {
                level: String::new(),
                answers: values_of(row),
            })
            .collect();
        let people: Vec<&Respondent> = people.iter().collect();
        let ours = dimension_record(&["i1", "i2", "i3"], &[0, 1, 2], &people);
        let label = format!("edge_cases.dimensions[{}]", text(rec, "case"));
        check.record(label, rec, &ours, &["case", "rows"]);
    }
    check.finish("edge_cases.dimensions", 4);

    let mut check = Checker::default();
    for rec in records(&edge["compare"], "edge_cases.compare") {
        let sample = |firm: &str| {
            let mut h = ItemHistogram::default();
            for answer in values_of(&rec[firm]) {
                h.counts[usize::from(answer.expect("answered")) - 1] += 1;
            }
            ValueCounts::from_histogram(&h)
        };
        let ours = compare_record(&sample("customer"), &sample("supplier"));
        let label = format!("edge_cases.compare[{}]", text(rec, "case"));
        check.record(label, rec, &ours, &["case", "customer", "supplier"]);
    }
    check.finish("edge_cases.compare", 5);
}

/// The copy kept in the repository (for clones without `shared/` beside them) is the shared
/// fixture byte for byte, whenever the shared one is there to compare with.
#[test]
fn the_repository_copy_of_the_fixture_is_the_shared_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/fixtures/alignment");
    let copy = root.join("tests/fixtures/alignment");
    for name in ["responses.csv", "kpi.csv", "expected.json"] {
        let ours = std::fs::read(copy.join(name)).expect("the repository copy of the fixture");
        if let Ok(theirs) = std::fs::read(shared.join(name)) {
            assert!(
                ours == theirs,
                "tests/fixtures/alignment/{name} differs from shared/: copy it again"
            );
        }
    }
}
