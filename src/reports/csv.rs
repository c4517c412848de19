//! The report as CSV for spreadsheets: one row per statistic ("tidy" form), so every number
//! of the JSON document is there and a pivot table rebuilds any view.
//!
//! Columns: `section, wave, side, segment_kind, segment, subject, statistic, value`. The
//! subject names the item, dimension, KPI or target; nested fields are written as dotted
//! paths (`mean_ci95.0`, `pairwise.rwg_j`, `lags.2.r`). A withheld group has one row whose
//! statistic is `suppressed` and whose value is the reason.

use serde_json::Value;

use super::report::Report;

const IDENTITY: [&str; 5] = ["wave", "side", "segment_kind", "segment", "suppressed"];
const SUBJECTS: [&str; 5] = ["item", "dimension", "target", "kpi", "grouping"];

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
