//! The report as CSV for spreadsheets: one row per statistic ("tidy" form), so every number
//! of the JSON document is there and a pivot table rebuilds any view.
//!
//! Columns: `section, wave, side, segment_kind, segment, subject, statistic, value`. The
//! subject names the item, dimension, KPI or target; nested fields are written as dotted
//! paths (`mean_ci95.0`, `pairwise.rwg_j`, `lags.2.r`). A withheld group has one row whose
//! statistic is `suppressed` and whose value is the reason.
//!
//! Every text cell that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`,
//! `@`, a tab or a carriage return, and is not a number) is written with a leading `'`
//! (OWASP's rule against CSV injection): level, function, region and KPI names come from
//! imported files.

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

/// The cell as a spreadsheet must see it: text that would start a formula gets a leading `'`.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if risky && cell.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

fn write_row(w: &mut ::csv::Writer<&mut dyn std::io::Write>, row: &[String]) -> anyhow::Result<()> {
    w.write_record(row.iter().map(|c| neutralise(c).into_owned()))?;
    Ok(())
}

/// Writes `report` as CSV.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let doc = serde_json::to_value(report)?;
    let mut w = ::csv::Writer::from_writer(out);
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
        ("items", &doc["items"]),
        ("dimensions", &doc["dimensions"]),
        ("inter_firm.items", &doc["inter_firm"]["items"]),
        ("inter_firm.dimensions", &doc["inter_firm"]["dimensions"]),
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
                write_row(&mut w, &row)?;
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
                write_row(&mut w, &row)?;
            }
        }
    }
    w.flush()?;
    Ok(())
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
    fn text_a_spreadsheet_would_run_gets_a_quote_and_numbers_do_not() {
        for risky in [
            "=1+2",
            "+cmd",
            "-x",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"x\")",
        ] {
            assert_eq!(neutralise(risky), format!("'{risky}"), "{risky:?}");
        }
        for safe in ["-0.25", "+3", "-1e-9", "staff", "", "3.5", "a=b"] {
            assert_eq!(neutralise(safe), safe, "{safe:?}");
        }
    }
}
