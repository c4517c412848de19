//! The report as CSV for spreadsheets: one row per statistic ("tidy" form), so every number
//! of the JSON document is there and a pivot table rebuilds any view.
//!
//! Columns: `section, wave, side, segment_kind, segment, subject, statistic, value`. The
//! subject names the item, dimension, KPI or target; nested fields are written as dotted
//! paths (`mean_ci95.0`, `pairwise.rwg_j`, `lags.2.r`). A withheld group has one row whose
//! statistic is `suppressed` and whose value is the reason.
//!
//! Every cell goes through [`neutralise`]: text that a spreadsheet would run as a formula
//! (a roster level `=HYPERLINK(…)`, a KPI named `@SUM(…)`) is written with a leading `'`,
//! OWASP's rule for CSV injection. This is the only CSV writer of the service; keep it so.

use serde_json::Value;

use super::report::Report;

const IDENTITY: [&str; 5] = ["wave", "side", "segment_kind", "segment", "suppressed"];
const SUBJECTS: [&str; 6] = [
    "item",
    "dimension",
    "target",
    "kpi",
    "grouping",
    "attribute",
];

/// Writes `report` as CSV.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let doc = serde_json::to_value(report)?;
    let mut w = Cells(::csv::Writer::from_writer(out));
    w.write_record([
        "section",
        "wave",
        "side",
        "segment_kind",
        "segment",
        "subject",
        "statistic",
        "value",
    ])?;
    let sections = [
        ("groups", &doc["groups"]),
        ("response_rates", &doc["response_rates"]),
        ("items", &doc["items"]),
        ("dimensions", &doc["dimensions"]),
        ("inter_firm.items", &doc["inter_firm"]["items"]),
        ("inter_firm.dimensions", &doc["inter_firm"]["dimensions"]),
        ("meta_accuracy", &doc["meta_accuracy"]),
        ("icc", &doc["icc"]),
        ("trend", &doc["trend"]),
        ("lead_lag", &doc["lead_lag"]),
        ("change_points", &doc["change_points"]),
        ("joint", &doc["joint"]),
        ("segment_tests", &doc["segment_tests"]),
        ("health", &doc["health"]),
    ];
    for (section, records) in sections {
        for record in records.as_array().into_iter().flatten() {
            let Some(fields) = record.as_object() else {
                continue;
            };
            let text = |key: &str| match fields.get(key) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            let subject = SUBJECTS
                .iter()
                .map(|k| text(k))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("/");
            let prefix = [
                section.to_owned(),
                text("wave"),
                text("side"),
                text("segment_kind"),
                text("segment"),
                subject,
            ];
            if let Some(Value::String(reason)) = fields.get("suppressed") {
                let mut row = prefix.to_vec();
                row.extend(["suppressed".to_owned(), reason.clone()]);
                w.write_record(&row)?;
                continue;
            }
            let mut leaves = Vec::new();
            for (key, value) in fields {
                if IDENTITY.contains(&key.as_str()) || SUBJECTS.contains(&key.as_str()) {
                    continue;
                }
                flatten(key, value, &mut leaves);
            }
            for (path, value) in leaves {
                let mut row = prefix.to_vec();
                row.extend([path, value]);
                w.write_record(&row)?;
            }
        }
    }
    w.0.flush()?;
    Ok(())
}

/// The CSV writer with every cell neutralised: no code path can write a raw cell.
struct Cells<W: std::io::Write>(::csv::Writer<W>);

impl<W: std::io::Write> Cells<W> {
    fn write_record<I, T>(&mut self, record: I) -> ::csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.0.write_record(
            record
                .into_iter()
                .map(|cell| neutralise(cell.as_ref()).into_owned()),
        )
    }
}

/// A cell as it is safe to open in a spreadsheet (OWASP, "CSV injection"): text starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so the program
/// shows it as text instead of evaluating it. A plain number (`-0.25`, `1e-3`) is left as
/// it is: it is not a formula, and prefixing it would turn every negative statistic into
/// text.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

fn is_plain_number(cell: &str) -> bool {
    cell.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && cell.bytes().any(|b| b.is_ascii_digit())
        && cell.parse::<f64>().is_ok()
}

fn flatten(path: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(fields) => {
            for (k, v) in fields {
                flatten(&format!("{path}.{k}"), v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{path}.{i}"), v, out);
            }
        }
        Value::Null => out.push((path.to_owned(), String::new())),
        Value::String(s) => out.push((path.to_owned(), s.clone())),
        other => out.push((path.to_owned(), other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_like_cells_get_a_leading_quote() {
        for risky in [
            "=HYPERLINK(\"http://evil\")",
            "+1+2",
            "-1+cmd|' /C calc'!A0",
            "@SUM(A1)",
            "\tstaff",
            "\rstaff",
            "-inf",
        ] {
            assert_eq!(neutralise(risky), format!("'{risky}"), "{risky:?}");
        }
    }

    #[test]
    fn numbers_and_plain_text_are_left_alone() {
        for safe in [
            "-0.25",
            "1e-3",
            "+5",
            "-12",
            "staff",
            "",
            "a=b",
            "mean_ci95.0",
        ] {
            assert_eq!(neutralise(safe), safe, "{safe:?}");
        }
    }
}
