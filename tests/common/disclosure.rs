//! An exhaustive disclosure audit of what reports publish, independent of how the service
//! decided it: the finest cells are counted here from the raw responses (SQL on the test's
//! own connection, not the stored aggregates), the published groups are read from report
//! JSON as a viewer gets it, and `tandem::reports::disclosure::audit` (exact: a group is
//! recoverable iff its cell vector is in the span of the published groups' vectors; checked
//! against brute force in its unit tests) must find no group of 1 … N − 1 people, per wave,
//! side and measure, over the union of every report given (a viewer combines them).

use std::collections::{BTreeMap, BTreeSet};

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use serde_json::Value;
use tandem::domain::segment_key;
use tandem::reports::disclosure::{audit, Group, Table};

use super::{Backend, TestDb};

#[derive(QueryableByName)]
struct AnswerRow {
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Text)]
    side: String,
    #[diesel(sql_type = Text)]
    level: String,
    #[diesel(sql_type = Text)]
    function: String,
    #[diesel(sql_type = Text)]
    region: String,
    #[diesel(sql_type = Text)]
    business_unit: String,
    #[diesel(sql_type = Text)]
    language: String,
    #[diesel(sql_type = BigInt)]
    response: i64,
    #[diesel(sql_type = Nullable<Text>)]
    item: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    value: Option<i64>,
}

/// Level, function, region, business unit, language, then the partnership's custom
/// attributes in the order declared ("" = not given).
type CellKey = Vec<String>;

#[derive(QueryableByName)]
struct CustomRow {
    #[diesel(sql_type = BigInt)]
    response: i64,
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Text)]
    value: String,
}

#[derive(QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = Text)]
    key: String,
}

/// Runs `sql` on the test database's own connection.
fn load<T>(db: &TestDb, sql: &str) -> Vec<T>
where
    T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
{
    match db.backend {
        Backend::Sqlite => {
            let path = db.url.trim_start_matches("sqlite://");
            let mut c = SqliteConnection::establish(path).expect("sqlite connection");
            diesel::sql_query(sql).load(&mut c).expect(sql)
        }
        Backend::Postgres => {
            let mut c = PgConnection::establish(&db.url).expect("postgres connection");
            diesel::sql_query(sql).load(&mut c).expect(sql)
        }
    }
}

/// The partnership's custom attribute keys, in the order declared.
fn custom_keys(db: &TestDb, partnership: i64) -> Vec<String> {
    // An integer id formatted into the text: nothing a user typed.
    load::<KeyRow>(
        db,
        &format!(
            "SELECT key FROM partnership_attributes WHERE partnership_id = {partnership} \
             ORDER BY id"
        ),
    )
    .into_iter()
    .map(|r| r.key)
    .collect()
}

/// One response as the audit sees it: its cell and item → answer (`None` = don't know).
struct Response {
    cell: CellKey,
    answers: BTreeMap<String, Option<i64>>,
}

/// The closed waves' responses of a partnership: (wave, side) → responses.
fn responses(db: &TestDb, partnership: i64) -> BTreeMap<(i64, String), Vec<Response>> {
    // An integer id formatted into the text: nothing a user typed.
    let sql = format!(
        "SELECT w.seq AS seq, r.side AS side, r.level AS level, r.function AS function, \
         r.region AS region, r.business_unit AS business_unit, r.language AS language, \
         r.id AS response, a.item_id AS item, a.value AS value \
         FROM responses r JOIN waves w ON w.id = r.wave_id \
         LEFT JOIN answers a ON a.response_id = r.id \
         WHERE w.partnership_id = {partnership} AND w.state = 'closed' ORDER BY r.id"
    );
    let rows: Vec<AnswerRow> = load(db, &sql);
    let keys = custom_keys(db, partnership);
    let mut custom: BTreeMap<i64, BTreeMap<String, String>> = BTreeMap::new();
    for r in load::<CustomRow>(
        db,
        &format!(
            "SELECT ra.response_id AS response, pa.key AS key, ra.value AS value \
             FROM response_attributes ra JOIN partnership_attributes pa \
             ON pa.id = ra.attribute_id WHERE pa.partnership_id = {partnership}"
        ),
    ) {
        custom.entry(r.response).or_default().insert(r.key, r.value);
    }
    let mut by_response: BTreeMap<i64, ((i64, String), Response)> = BTreeMap::new();
    for r in rows {
        let entry = by_response.entry(r.response).or_insert_with(|| {
            (
                (r.seq, r.side.clone()),
                Response {
                    cell: [
                        segment_key(&r.level),
                        segment_key(&r.function),
                        segment_key(&r.region),
                        segment_key(&r.business_unit),
                        segment_key(&r.language),
                    ]
                    .into_iter()
                    .chain(keys.iter().map(|k| {
                        custom
                            .get(&r.response)
                            .and_then(|m| m.get(k))
                            .map(|v| segment_key(v))
                            .unwrap_or_default()
                    }))
                    .collect(),
                    answers: BTreeMap::new(),
                },
            )
        });
        if let Some(item) = r.item {
            entry.1.answers.insert(item, r.value);
        }
    }
    let mut out: BTreeMap<(i64, String), Vec<Response>> = BTreeMap::new();
    for (_, (key, response)) in by_response {
        out.entry(key).or_default().push(response);
    }
    out
}

/// The disclosure group of a report record (`segment_kind`, `segment` as first spelled); a
/// custom attribute's records carry its key as their kind.
fn group_of(record: &Value, custom: &[String]) -> Group {
    let label = record["segment"].as_str().unwrap_or("");
    match record["segment_kind"].as_str().expect("segment_kind") {
        "all" => Group::total(),
        "level" => Group::total().with("level", segment_key(label)),
        "function" => Group::total().with("function", segment_key(label)),
        kind @ ("region" | "business_unit" | "language") if label == "not given" => {
            Group::total().with(kind, "")
        }
        kind @ ("region" | "business_unit" | "language") => {
            Group::total().with(kind, segment_key(label))
        }
        "level_function" => {
            let (l, f) = label.split_once(" × ").expect("level × function label");
            Group::total()
                .with("level", segment_key(l))
                .with("function", segment_key(f))
        }
        kind if custom.iter().any(|k| k == kind) && label == "not given" => {
            Group::total().with(kind, "")
        }
        kind if custom.iter().any(|k| k == kind) => Group::total().with(kind, segment_key(label)),
        other => panic!("unknown segment kind {other}"),
    }
}

/// What one measure counts for one response.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Measure {
    Respondents,
    Item(String),
    Dimension(String, Vec<String>),
}

impl Measure {
    fn counts(&self, r: &Response) -> bool {
        match self {
            Measure::Respondents => true,
            Measure::Item(i) => matches!(r.answers.get(i), Some(Some(_))),
            Measure::Dimension(_, items) => items
                .iter()
                .all(|i| matches!(r.answers.get(i), Some(Some(_)))),
        }
    }

    /// The published count of a record of this measure.
    fn published_count(&self, record: &Value) -> u64 {
        let field = match self {
            Measure::Respondents => "responded",
            Measure::Item(_) => "n",
            Measure::Dimension(..) => "n_complete",
        };
        record[field]
            .as_u64()
            .unwrap_or_else(|| panic!("a shown record has {field}: {record}"))
    }
}

/// What the audit looked at, for the caller to check it was not vacuous.
#[derive(Debug, Default)]
pub struct Coverage {
    /// (wave, side, measure) systems audited.
    pub systems: usize,
    /// Published groups audited, over all systems.
    pub published: usize,
    /// Cells holding between 1 and N − 1 people for their measure.
    pub small_cells: usize,
}

/// Audits the union of `reports` (JSON documents of one partnership) against the raw
/// responses; panics naming every recoverable small group. Also checks that each published
/// count equals the count of its cells (so the mapping of records to groups is right).
pub fn audit_reports(db: &TestDb, partnership: i64, reports: &[Value]) -> Coverage {
    assert!(!reports.is_empty());
    let min = reports[0]["partnership"]["min_reporting_size"]
        .as_u64()
        .expect("min_reporting_size");
    let mut dimensions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in reports {
        for d in r["dimensions"].as_array().expect("dimensions") {
            if let Some(items) = d["items"].as_array() {
                dimensions.insert(
                    d["dimension"].as_str().unwrap().to_owned(),
                    items
                        .iter()
                        .map(|i| i.as_str().unwrap().to_owned())
                        .collect(),
                );
            }
        }
    }
    let keys = custom_keys(db, partnership);
    let mut coverage = Coverage::default();
    let mut problems = Vec::new();
    for ((seq, side), people) in responses(db, partnership) {
        // measure → published groups (with their published counts)
        let mut published: BTreeMap<Measure, BTreeMap<Group, u64>> = BTreeMap::new();
        let matches = |rec: &Value| rec["wave"] == seq && rec["side"] == side.as_str();
        for r in reports {
            for rec in r["groups"].as_array().unwrap() {
                if matches(rec) && rec["suppressed"].is_null() {
                    let m = Measure::Respondents;
                    let n = m.published_count(rec);
                    published
                        .entry(m)
                        .or_default()
                        .insert(group_of(rec, &keys), n);
                }
            }
            for rec in r["items"].as_array().unwrap() {
                if matches(rec) && rec["suppressed"].is_null() {
                    let m = Measure::Item(rec["item"].as_str().unwrap().to_owned());
                    let n = m.published_count(rec);
                    published
                        .entry(m)
                        .or_default()
                        .insert(group_of(rec, &keys), n);
                }
            }
            for rec in r["dimensions"].as_array().unwrap() {
                if matches(rec) && rec["suppressed"].is_null() {
                    let id = rec["dimension"].as_str().unwrap().to_owned();
                    let items = dimensions[&id].clone();
                    let m = Measure::Dimension(id, items);
                    let n = m.published_count(rec);
                    published
                        .entry(m)
                        .or_default()
                        .insert(group_of(rec, &keys), n);
                    // The pairwise block publishes each item's answer count in the group.
                    if rec["pairwise"]["suppressed"].is_null() {
                        for (item, n) in rec["pairwise"]["n_per_item"].as_object().unwrap() {
                            let m = Measure::Item(item.clone());
                            published
                                .entry(m)
                                .or_default()
                                .insert(group_of(rec, &keys), n.as_u64().unwrap());
                        }
                    }
                }
            }
        }
        let all_cells: BTreeSet<&CellKey> = people.iter().map(|p| &p.cell).collect();
        for (measure, groups) in published {
            let mut counts: BTreeMap<&CellKey, u64> = all_cells.iter().map(|c| (*c, 0)).collect();
            for p in &people {
                if measure.counts(p) {
                    *counts.get_mut(&p.cell).unwrap() += 1;
                }
            }
            coverage.small_cells += counts.values().filter(|&&n| n > 0 && n < min).count();
            let table = Table::new(
                ["level", "function", "region", "business_unit", "language"]
                    .into_iter()
                    .map(str::to_owned)
                    .chain(keys.iter().cloned()),
                counts.iter().map(|(cell, &n)| ((*cell).clone(), n)),
            )
            .expect("table");
            for (group, &n) in &groups {
                let cells = table.count(group).expect("group of the table");
                if cells != n {
                    problems.push(format!(
                        "wave {seq} {side} {measure:?} {group}: published {n}, cells hold {cells}"
                    ));
                }
            }
            let shown: Vec<Group> = groups.keys().cloned().collect();
            coverage.systems += 1;
            coverage.published += shown.len();
            let found = audit(&table, &shown, min).expect("audit");
            for g in &found.below_minimum {
                problems.push(format!(
                    "wave {seq} {side} {measure:?}: {g} is published below the minimum"
                ));
            }
            for f in &found.recoverable {
                problems.push(format!(
                    "wave {seq} {side} {measure:?}: {} people in cells {:?} are recoverable",
                    f.count, f.cells
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "disclosure audit:\n{}",
        problems.join("\n")
    );
    coverage
}

/// Every report of a partnership a viewer can ask the API for: the default breakdowns and
/// each segment on its own, the partnership's custom attributes included.
pub async fn api_reports(app: &super::TestApp, partnership: i64) -> Vec<Value> {
    let mut out = Vec::new();
    let mut queries: Vec<String> = [
        "",
        "?segment=all",
        "?segment=level",
        "?segment=function",
        "?segment=level_function",
        "?segment=region",
        "?segment=business_unit",
        "?segment=language",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    queries.extend(
        custom_keys(&app.db, partnership)
            .into_iter()
            .map(|k| format!("?segment={k}")),
    );
    for query in queries {
        let r = app
            .get(&format!("/api/partnerships/{partnership}/report{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "report{query}");
        out.push(r.json().await.unwrap());
    }
    out
}
