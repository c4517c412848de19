//! KPIs: concrete, lagging measures of a partnership (name, unit, better = higher|lower) with
//! values by wave or by date, imported from CSV and aligned to waves for the lead–lag table.
//!
//! Two file forms are accepted, told apart by the header:
//! - **wide** (the fixture's `kpi.csv`): a `wave` column and one column per KPI;
//! - **long**: `kpi`, `value` and `date` (YYYY-MM-DD) or `wave`, with optional `unit` and
//!   `better` (higher | lower) columns that set the KPI's unit and direction.
//!
//! An import is all-or-nothing like the other imports: every problem is reported with its
//! line and column, and only a clean file is written, in one transaction. A value for a KPI
//! and wave (or date) that is already stored is replaced.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{kpi_values, kpis};
use crate::db::{self, Conn};
use crate::tabular::{Columns, ImportError, ImportProblem, Table};

/// Which way is good for a KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    Higher,
    Lower,
}

impl Better {
    pub fn as_str(self) -> &'static str {
        match self {
            Better::Higher => "higher",
            Better::Lower => "lower",
        }
    }

    fn parse(raw: &str) -> Result<Better, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "higher" => Ok(Better::Higher),
            "lower" => Ok(Better::Lower),
            other => Err(format!("{other:?} is not a direction (higher or lower)")),
        }
    }
}

/// When a value was observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Observed {
    Wave(i64),
    Date(NaiveDate),
}

/// One KPI as a file describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiInput {
    pub name: String,
    pub unit: Option<String>,
    pub better: Option<Better>,
    pub values: Vec<(Observed, f64)>,
}

/// What an import stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct KpiSummary {
    /// KPI names in the file, in file order.
    pub kpis: Vec<String>,
    /// KPIs that did not exist before.
    pub created: usize,
    pub values: usize,
}

const LONG_COLUMNS: Columns = Columns {
    required: &["kpi", "value"],
    optional: &["date", "wave", "unit", "better"],
};

/// Parses either form; all problems at once.
pub fn parse(bytes: &[u8]) -> Result<Vec<KpiInput>, Vec<ImportProblem>> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first_line = body.split(|&b| b == b'\n').next().unwrap_or_default();
    let is_long = String::from_utf8_lossy(first_line)
        .split(',')
        .any(|c| c.trim().trim_matches('"').eq_ignore_ascii_case("kpi"));
    if is_long {
        parse_long(bytes)
    } else {
        parse_wide(body)
    }
}

fn problem(line: u64, column: Option<usize>, message: impl Into<String>) -> ImportProblem {
    ImportProblem {
        line,
        column,
        message: message.into(),
    }
}

fn parse_name(raw: &str) -> Result<String, String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("a KPI needs a name".into());
    }
    if name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(format!(
            "{name:?} is not a KPI name (at most 100 characters, no control characters)"
        ));
    }
    Ok(name)
}

fn parse_value(raw: &str) -> Result<f64, String> {
    raw.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("{:?} is not a number", raw.trim()))
}

fn parse_wave(raw: &str) -> Result<i64, String> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|w| *w >= 1)
        .ok_or_else(|| format!("{:?} is not a wave number (1, 2, 3…)", raw.trim()))
}

fn parse_wide(bytes: &[u8]) -> Result<Vec<KpiInput>, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(vec![problem(1, None, "the file is empty")]);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(vec![problem(
                1,
                None,
                format!("the CSV cannot be read: {e}"),
            )])
        }
        None => return Err(vec![problem(1, None, "the file is empty")]),
    };
    if !header
        .get(0)
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("wave"))
    {
        problems.push(problem(
            1,
            Some(1),
            "the first column must be \"wave\" (wide form: wave, then one column per KPI), or use the long form with columns kpi, value and date or wave",
        ));
        return Err(problems);
    }
    let mut kpis: Vec<KpiInput> = Vec::new();
    for (i, raw) in header.iter().enumerate().skip(1) {
        match parse_name(raw) {
            Ok(name) if kpis.iter().any(|k| k.name.eq_ignore_ascii_case(&name)) => problems.push(
                problem(1, Some(i + 1), format!("KPI {name:?} appears twice")),
            ),
            Ok(name) => kpis.push(KpiInput {
                name,
                unit: None,
                better: None,
                values: Vec::new(),
            }),
            Err(e) => problems.push(problem(1, Some(i + 1), e)),
        }
    }
    if header.len() < 2 {
        problems.push(problem(1, None, "no KPI column after \"wave\""));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut waves_seen: HashMap<i64, u64> = HashMap::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                problems.push(problem(line, None, format!("the CSV cannot be read: {e}")));
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.len() == 1 && record.get(0).is_some_and(str::is_empty) {
            continue;
        }
        if record.len() != header.len() {
            problems.push(problem(
                line,
                None,
                format!(
                    "{} fields, but the header has {}",
                    record.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let wave = match parse_wave(&record[0]) {
            Ok(w) => w,
            Err(e) => {
                problems.push(problem(line, Some(1), format!("wave: {e}")));
                continue;
            }
        };
        if let Some(first) = waves_seen.insert(wave, line) {
            problems.push(problem(
                line,
                Some(1),
                format!("wave: wave {wave} already has a row on line {first}"),
            ));
            continue;
        }
        for (i, kpi) in kpis.iter_mut().enumerate() {
            let cell = &record[i + 1];
            if cell.trim().is_empty() {
                continue;
            }
            match parse_value(cell) {
                Ok(v) => kpi.values.push((Observed::Wave(wave), v)),
                Err(e) => problems.push(problem(line, Some(i + 2), format!("{}: {e}", kpi.name))),
            }
        }
    }
    if problems.is_empty() && kpis.iter().all(|k| k.values.is_empty()) {
        problems.push(problem(1, None, "the file has a header but no values"));
    }
    if problems.is_empty() {
        Ok(kpis)
    } else {
        Err(problems)
    }
}

fn parse_long(bytes: &[u8]) -> Result<Vec<KpiInput>, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let table = Table::read(bytes, &LONG_COLUMNS, &mut problems);
    if problems.is_empty() && table.column("date").is_none() && table.column("wave").is_none() {
        problems.push(problem(1, None, "missing column \"date\" or \"wave\""));
    }
    let mut kpis: Vec<KpiInput> = Vec::new();
    // (kpi index, observed) → line, to catch a value given twice
    let mut seen: HashMap<(usize, Observed), u64> = HashMap::new();
    // kpi index → (unit, line), (better, line) of the first row that set them
    let mut units: HashMap<usize, (String, u64)> = HashMap::new();
    let mut betters: HashMap<usize, (Better, u64)> = HashMap::new();
    for row in &table.rows {
        let before = problems.len();
        let name = parse_name(table.cell(row, "kpi"))
            .map_err(|e| problems.push(table.problem(row, "kpi", e)))
            .ok();
        let value = parse_value(table.cell(row, "value"))
            .map_err(|e| problems.push(table.problem(row, "value", e)))
            .ok();
        let (date, wave) = (
            table.cell(row, "date").trim(),
            table.cell(row, "wave").trim(),
        );
        let observed = match (date.is_empty(), wave.is_empty()) {
            (false, true) => NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map(Observed::Date)
                .map_err(|_| {
                    problems.push(table.problem(
                        row,
                        "date",
                        format!("{date:?} is not a date (YYYY-MM-DD)"),
                    ))
                })
                .ok(),
            (true, false) => parse_wave(wave)
                .map(Observed::Wave)
                .map_err(|e| problems.push(table.problem(row, "wave", e)))
                .ok(),
            (false, false) => {
                problems.push(table.problem(row, "wave", "give a date or a wave, not both"));
                None
            }
            (true, true) => {
                let column = if table.column("date").is_some() {
                    "date"
                } else {
                    "wave"
                };
                problems.push(table.problem(row, column, "every value needs a date or a wave"));
                None
            }
        };
        let unit = table.cell(row, "unit").trim().to_owned();
        let better_cell = table.cell(row, "better");
        let better = if better_cell.trim().is_empty() {
            None
        } else {
            Better::parse(better_cell)
                .map_err(|e| problems.push(table.problem(row, "better", e)))
                .ok()
        };
        if unit.chars().count() > 50 || unit.chars().any(char::is_control) {
            problems.push(table.problem(
                row,
                "unit",
                "at most 50 characters, no control characters",
            ));
        }
        if problems.len() != before {
            continue;
        }
        let (name, value, observed) = (
            name.expect("checked"),
            value.expect("checked"),
            observed.expect("checked"),
        );
        let index = match kpis.iter().position(|k| k.name.eq_ignore_ascii_case(&name)) {
            Some(i) => i,
            None => {
                kpis.push(KpiInput {
                    name: name.clone(),
                    unit: None,
                    better: None,
                    values: Vec::new(),
                });
                kpis.len() - 1
            }
        };
        if let Some(first) = seen.insert((index, observed), row.line) {
            let when = match observed {
                Observed::Wave(w) => format!("wave {w}"),
                Observed::Date(d) => format!("{d}"),
            };
            let column = if matches!(observed, Observed::Wave(_)) {
                "wave"
            } else {
                "date"
            };
            problems.push(table.problem(
                row,
                column,
                format!("{name} already has a value for {when} on line {first}"),
            ));
            continue;
        }
        if !unit.is_empty() {
            match units.get(&index) {
                Some((u, first)) if u != &unit => problems.push(table.problem(
                    row,
                    "unit",
                    format!("{name} has unit {u:?} on line {first}, not {unit:?}"),
                )),
                Some(_) => {}
                None => {
                    units.insert(index, (unit.clone(), row.line));
                    kpis[index].unit = Some(unit);
                }
            }
        }
        if let Some(b) = better {
            match betters.get(&index) {
                Some((first_b, first)) if *first_b != b => problems.push(table.problem(
                    row,
                    "better",
                    format!("{name} is {} is better on line {first}", first_b.as_str()),
                )),
                Some(_) => {}
                None => {
                    betters.insert(index, (b, row.line));
                    kpis[index].better = Some(b);
                }
            }
        }
        kpis[index].values.push((observed, value));
    }
    if problems.is_empty() && kpis.is_empty() {
        problems.push(problem(1, None, "the file has a header but no values"));
    }
    if problems.is_empty() {
        Ok(kpis)
    } else {
        problems.sort_by_key(|p| (p.line, p.column));
        Err(problems)
    }
}

/// Parses `bytes` and stores the KPIs and values of the partnership in one transaction.
pub fn import(
    conn: &mut Conn,
    partnership_id: i64,
    bytes: &[u8],
) -> Result<KpiSummary, ImportError> {
    let parsed = parse(bytes).map_err(ImportError::Invalid)?;
    conn.write_transaction(|conn| {
        let summary = store(conn, partnership_id, &parsed)?;
        crate::db::partnerships::bump_report_version(conn, partnership_id)?;
        Ok(summary)
    })
}

fn store(
    conn: &mut Conn,
    partnership_id: i64,
    parsed: &[KpiInput],
) -> Result<KpiSummary, ImportError> {
    let now = db::now();
    let existing: Vec<(i64, String)> = kpis::table
        .filter(kpis::partnership_id.eq(partnership_id))
        .select((kpis::id, kpis::name))
        .load(conn)?;
    let mut summary = KpiSummary::default();
    for kpi in parsed {
        let found = existing
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(&kpi.name))
            .map(|(id, _)| *id);
        let id = match found {
            Some(id) => {
                if let Some(unit) = &kpi.unit {
                    diesel::update(kpis::table.find(id))
                        .set(kpis::unit.eq(unit))
                        .execute(conn)?;
                }
                if let Some(better) = kpi.better {
                    diesel::update(kpis::table.find(id))
                        .set(kpis::better.eq(better.as_str()))
                        .execute(conn)?;
                }
                id
            }
            None => {
                summary.created += 1;
                diesel::insert_into(kpis::table)
                    .values((
                        kpis::partnership_id.eq(partnership_id),
                        kpis::name.eq(&kpi.name),
                        kpis::unit.eq(kpi.unit.as_deref().unwrap_or("")),
                        kpis::better.eq(kpi.better.unwrap_or(Better::Higher).as_str()),
                        kpis::created_at.eq(now),
                    ))
                    .returning(kpis::id)
                    .get_result(conn)?
            }
        };
        for (observed, value) in &kpi.values {
            let (wave_seq, observed_on) = match observed {
                Observed::Wave(w) => (Some(*w), None),
                Observed::Date(d) => (None, Some(*d)),
            };
            match observed {
                Observed::Wave(w) => diesel::delete(
                    kpi_values::table
                        .filter(kpi_values::kpi_id.eq(id))
                        .filter(kpi_values::wave_seq.eq(*w)),
                )
                .execute(conn)?,
                Observed::Date(d) => diesel::delete(
                    kpi_values::table
                        .filter(kpi_values::kpi_id.eq(id))
                        .filter(kpi_values::observed_on.eq(*d)),
                )
                .execute(conn)?,
            };
            diesel::insert_into(kpi_values::table)
                .values((
                    kpi_values::kpi_id.eq(id),
                    kpi_values::wave_seq.eq(wave_seq),
                    kpi_values::observed_on.eq(observed_on),
                    kpi_values::value.eq(*value),
                    kpi_values::created_at.eq(now),
                ))
                .execute(conn)?;
            summary.values += 1;
        }
        summary.kpis.push(kpi.name.clone());
    }
    Ok(summary)
}

/// A stored KPI with its values aligned to wave numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct AlignedKpi {
    pub name: String,
    pub unit: String,
    pub better: String,
    /// wave seq → value
    pub by_wave: BTreeMap<u32, f64>,
}

/// A wave's window, for aligning dated values.
#[derive(Debug, Clone, Copy)]
pub struct WaveWindow {
    pub seq: i64,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

/// The wave a dated value belongs to: the wave whose window contains the date, else the
/// latest wave opened before it; `None` before the first wave.
pub fn wave_for_date(windows: &[WaveWindow], date: NaiveDate) -> Option<i64> {
    windows
        .iter()
        .filter(|w| w.opens_on <= date && date <= w.closes_on)
        .map(|w| w.seq)
        .max()
        .or_else(|| {
            windows
                .iter()
                .filter(|w| w.opens_on <= date)
                .max_by_key(|w| (w.opens_on, w.seq))
                .map(|w| w.seq)
        })
}

/// [`load_aligned`] over every wave of the partnership's main series.
pub fn aligned_for_partnership(
    conn: &mut Conn,
    partnership_id: i64,
) -> QueryResult<Vec<AlignedKpi>> {
    // The main series: KPIs and goals follow the partnership's own waves.
    let windows: Vec<WaveWindow> = crate::db::waves::for_series(conn, partnership_id, None)?
        .iter()
        .map(|w| WaveWindow {
            seq: w.seq,
            opens_on: w.opens_at.date(),
            closes_on: w.closes_at.date(),
        })
        .collect();
    load_aligned(conn, partnership_id, &windows)
}

/// The partnership's KPIs, values by wave. A value stored for a wave wins; otherwise the
/// dated values aligned to a wave are averaged.
pub fn load_aligned(
    conn: &mut Conn,
    partnership_id: i64,
    windows: &[WaveWindow],
) -> QueryResult<Vec<AlignedKpi>> {
    let rows: Vec<(i64, String, String, String)> = kpis::table
        .filter(kpis::partnership_id.eq(partnership_id))
        .order(kpis::id.asc())
        .select((kpis::id, kpis::name, kpis::unit, kpis::better))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let values: Vec<(i64, Option<i64>, Option<NaiveDate>, f64)> = kpi_values::table
        .filter(kpi_values::kpi_id.eq_any(&ids))
        .select((
            kpi_values::kpi_id,
            kpi_values::wave_seq,
            kpi_values::observed_on,
            kpi_values::value,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, unit, better)| {
            let mut by_wave: BTreeMap<u32, f64> = BTreeMap::new();
            let mut dated: BTreeMap<u32, (f64, u32)> = BTreeMap::new();
            for (_, wave, date, value) in values.iter().filter(|v| v.0 == id) {
                let seq = match (wave, date) {
                    (Some(w), _) => {
                        if let Ok(w) = u32::try_from(*w) {
                            by_wave.insert(w, *value);
                        }
                        continue;
                    }
                    (None, Some(d)) => wave_for_date(windows, *d),
                    (None, None) => None,
                };
                if let Some(seq) = seq.and_then(|s| u32::try_from(s).ok()) {
                    let entry = dated.entry(seq).or_insert((0.0, 0));
                    entry.0 += value;
                    entry.1 += 1;
                }
            }
            for (seq, (sum, n)) in dated {
                by_wave.entry(seq).or_insert(sum / f64::from(n));
            }
            AlignedKpi {
                name,
                unit,
                better,
                by_wave,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(problems: &[ImportProblem]) -> Vec<String> {
        problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn reads_the_wide_form() {
        let kpis = parse(b"wave,on_time,ppm\n1,96.5,240\n2,,250\n").unwrap();
        assert_eq!(kpis.len(), 2);
        assert_eq!(kpis[0].values, vec![(Observed::Wave(1), 96.5)]);
        assert_eq!(kpis[1].values.len(), 2);
    }

    #[test]
    fn reads_the_long_form_with_unit_and_direction() {
        let kpis = parse(
            b"date,kpi,value,unit,better\n2026-01-15,ppm,240,ppm,lower\n2026-04-15,ppm,250,,\n",
        )
        .unwrap();
        assert_eq!(kpis[0].unit.as_deref(), Some("ppm"));
        assert_eq!(kpis[0].better, Some(Better::Lower));
        assert_eq!(kpis[0].values.len(), 2);
    }

    #[test]
    fn wide_form_problems_have_lines_and_columns() {
        let p = parse(b"wave,a,a\n").unwrap_err();
        assert_eq!(shown(&p), ["line 1, column 3: KPI \"a\" appears twice"]);
        let p = parse(b"wave,a,b\nx,1,2\n2,abc,3\n2,1,1\n").unwrap_err();
        assert_eq!(
            shown(&p),
            [
                "line 2, column 1: wave: \"x\" is not a wave number (1, 2, 3…)",
                "line 3, column 2: a: \"abc\" is not a number",
                "line 4, column 1: wave: wave 2 already has a row on line 3",
            ]
        );
    }

    #[test]
    fn long_form_problems_have_lines_and_columns() {
        let p =
            parse(b"kpi,date,value,better\nppm,2026-13-01,3,\nppm,2026-01-01,x,up\n").unwrap_err();
        assert_eq!(
            shown(&p),
            [
                "line 2, column 2: date: \"2026-13-01\" is not a date (YYYY-MM-DD)",
                "line 3, column 3: value: \"x\" is not a number",
                "line 3, column 4: better: \"up\" is not a direction (higher or lower)",
            ]
        );
    }

    #[test]
    fn dated_values_go_to_the_containing_or_latest_earlier_wave() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let windows = [
            WaveWindow {
                seq: 1,
                opens_on: d(1, 1),
                closes_on: d(1, 14),
            },
            WaveWindow {
                seq: 2,
                opens_on: d(4, 1),
                closes_on: d(4, 14),
            },
        ];
        assert_eq!(wave_for_date(&windows, d(1, 10)), Some(1));
        assert_eq!(wave_for_date(&windows, d(3, 31)), Some(1));
        assert_eq!(wave_for_date(&windows, d(5, 1)), Some(2));
        assert_eq!(
            wave_for_date(&windows, NaiveDate::from_ymd_opt(2025, 12, 1).unwrap()),
            None
        );
    }
}
