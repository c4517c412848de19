//! The KPI section: each hard measure beside the perception series it is compared with, and the lead–lag reading.

use super::*;
use crate::stats;

#[derive(Debug, Clone)]
pub struct KpiView {
    pub name: String,
    pub sentence: String,
    pub chart: ChartView,
    pub perception: String,
    /// (k, pairs, r, p, Holm-adjusted p) for k = −3..=3.
    pub lags: Vec<(i32, String, String, String, String)>,
}

/// The record the KPI card is about: a lead with evidence (smallest adjusted p, then
/// largest |r|), else the strongest positive-lag correlation, else the first record.
pub(super) fn strongest(records: &[&LeadLagRecord]) -> Option<usize> {
    let evidence = records
        .iter()
        .enumerate()
        .filter(|(_, r)| r.verdict.finding == stats::LeadFinding::Evidence)
        .min_by(|(_, a), (_, b)| {
            let key = |r: &LeadLagRecord| {
                (
                    r.verdict.p_adjusted.unwrap_or(1.0),
                    -r.verdict.r.map_or(0.0, f64::abs),
                )
            };
            key(a)
                .partial_cmp(&key(b))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .map(|(i, _)| i);
    let strength = |r: &LeadLagRecord| {
        r.table
            .lags
            .iter()
            .filter(|l| l.k > 0)
            .filter_map(|l| l.r.map(f64::abs))
            .fold(None, |best: Option<f64>, v| {
                Some(best.map_or(v, |b| b.max(v)))
            })
    };
    let mut best: Option<(usize, f64)> = None;
    for (i, r) in records.iter().enumerate() {
        if let Some(s) = strength(r) {
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((i, s));
            }
        }
    }
    evidence
        .or(best.map(|(i, _)| i))
        .or((!records.is_empty()).then_some(0))
}

/// The lead–lag verdict in the dashboard's words, naming the firm and the dimension.
pub fn verdict_sentence(report: &Report, labels: &Labels, r: &LeadLagRecord) -> String {
    let kpi_name = humanize(&r.kpi);
    let who = en2(
        "dash-kpi-who",
        "dimension",
        labels.dimension(&r.dimension),
        "firm",
        firm(report, r.side),
    );
    let v = &r.verdict;
    let numbers = |_k: i32| {
        en3(
            "dash-kpi-numbers",
            "r",
            v.r.map_or_else(|| "–".into(), corr),
            "p",
            p_value(v.p_adjusted),
            "pairs",
            v.n,
        )
    };
    match (v.finding, v.reason, v.k) {
        (stats::LeadFinding::Evidence, _, Some(k)) => en_with(
            "dash-kpi-evidence",
            &[
                ("who", &who),
                ("k", &k),
                ("kpi", &kpi_name),
                ("numbers", &numbers(k)),
            ],
        ),
        (_, Some(reason), k) => {
            let detail = match (reason, k) {
                (stats::NoEvidenceReason::TooFewWaves, _) => en2(
                    "dash-kpi-too-few-waves",
                    "needed",
                    stats::MIN_PAIRS,
                    "pairs",
                    v.n,
                ),
                (_, Some(k)) => en3(
                    "dash-kpi-reason-numbers",
                    "reason",
                    en(reason.words_key()),
                    "numbers",
                    numbers(k),
                    "k",
                    k,
                ),
                (_, None) => en(reason.words_key()),
            };
            en3(
                "dash-kpi-no-evidence-because",
                "who",
                &who,
                "kpi",
                &kpi_name,
                "detail",
                detail,
            )
        }
        _ => en2("dash-kpi-no-evidence", "who", &who, "kpi", &kpi_name),
    }
}

/// One verdict sentence per KPI, about the record its card shows (visible sides only).
pub fn kpi_sentences(report: &Report, labels: &Labels, sides: &[Side]) -> Vec<String> {
    let mut names: Vec<&str> = Vec::new();
    for r in report.lead_lag.iter().filter(|r| sides.contains(&r.side)) {
        if !names.contains(&r.kpi.as_str()) {
            names.push(&r.kpi);
        }
    }
    names
        .into_iter()
        .filter_map(|name| {
            let records: Vec<&LeadLagRecord> = report
                .lead_lag
                .iter()
                .filter(|r| r.kpi == name && sides.contains(&r.side))
                .collect();
            let best = strongest(&records).map(|i| records[i])?;
            Some(verdict_sentence(report, labels, best))
        })
        .collect()
}

pub(super) fn kpi_views(report: &Report, labels: &Labels) -> Result<Vec<KpiView>, askama::Error> {
    let mut names: Vec<&str> = Vec::new();
    for r in &report.lead_lag {
        if !names.contains(&r.kpi.as_str()) {
            names.push(&r.kpi);
        }
    }
    let mut out = Vec::new();
    for name in names {
        let records: Vec<&LeadLagRecord> =
            report.lead_lag.iter().filter(|r| r.kpi == name).collect();
        let Some(best) = strongest(&records).map(|i| records[i]) else {
            continue;
        };
        let kpi_name = humanize(name);
        let dimension = labels.dimension(&best.dimension);
        let who = en2(
            "dash-kpi-who",
            "dimension",
            &dimension,
            "firm",
            firm(report, best.side),
        );
        let sentence = verdict_sentence(report, labels, best);
        let mut waves: Vec<i64> = best
            .perception
            .waves
            .iter()
            .chain(&best.kpi_values.waves)
            .map(|w| i64::from(*w))
            .collect();
        waves.sort_unstable();
        waves.dedup();
        let values = &best.kpi_values.values;
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (ticks, domain) = axis::nice_ticks(lo, hi, 4);
        let kpi_axis = if best.unit.is_empty() {
            kpi_name.clone()
        } else {
            format!("{kpi_name}, {}", best.unit)
        };
        let perception = Series {
            label: en2("dash-firm-side", "firm", &who, "side", best.side),
            style: style(best.side),
            points: best
                .perception
                .waves
                .iter()
                .zip(&best.perception.means)
                .map(|(w, m)| Point {
                    wave: i64::from(*w),
                    value: *m,
                    ci95: None,
                })
                .collect(),
        };
        let kpi_series = Series {
            label: en1("dash-kpi-right-axis", "kpi", &kpi_name),
            style: Style::Kpi,
            points: best
                .kpi_values
                .waves
                .iter()
                .zip(values)
                .map(|(w, v)| Point {
                    wave: i64::from(*w),
                    value: *v,
                    ci95: None,
                })
                .collect(),
        };
        let line = LineChart {
            id: format!("kpi-{name}"),
            title: en2("dash-kpi-title", "who", &who, "kpi", &kpi_name),
            desc: sentence.clone(),
            waves,
            left: Axis::scale(report.scale.points),
            series: vec![perception],
            right: Some((
                Axis {
                    title: kpi_axis,
                    domain,
                    ticks,
                },
                vec![kpi_series],
            )),
            gaps: vec![],
            steps: vec![],
            bands: false,
        };
        let lags = best
            .table
            .lags
            .iter()
            .map(|l| {
                (
                    l.k,
                    l.n.to_string(),
                    l.r.map_or_else(|| "–".into(), corr),
                    p_value(l.p),
                    p_value(l.p_adjusted),
                )
            })
            .collect();
        out.push(KpiView {
            name: capitalize(&kpi_name),
            sentence,
            chart: chart(format!("kpi-{}", slug(name)), line.render())?,
            perception: who,
            lags,
        });
    }
    Ok(out)
}
