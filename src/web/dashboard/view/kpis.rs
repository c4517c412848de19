//! The KPI section: each hard measure beside the perception series it is compared with, and the lead–lag reading.

use super::*;

#[derive(Debug, Clone)]
pub struct KpiView {
    pub name: String,
    pub sentence: String,
    pub chart: ChartView,
    pub perception: String,
    pub lags: Vec<(u32, String, String, String)>,
}

/// The pair (firm, dimension) whose perception relates most strongly to the KPI.
pub(super) fn strongest(records: &[&LeadLagRecord]) -> Option<usize> {
    let strength = |r: &LeadLagRecord| {
        let k = r.table.strongest_lag?;
        r.table.lags.iter().find(|l| l.k == k)?.r.map(f64::abs)
    };
    let mut best: Option<(usize, f64)> = None;
    for (i, r) in records.iter().enumerate() {
        if let Some(s) = strength(r) {
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((i, s));
            }
        }
    }
    best.map(|(i, _)| i).or((!records.is_empty()).then_some(0))
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
        let who = format!("{dimension} at {}", firm(report, best.side));
        let lag = best
            .table
            .strongest_lag
            .and_then(|k| best.table.lags.iter().find(|l| l.k == k));
        let sentence = match lag {
            Some(l) if l.r.is_some() => {
                let r = l.r.unwrap_or_default();
                let direction = if r < 0.0 { " (in opposite directions)" } else { "" };
                match l.k {
                    0 => format!("{who} moved with {kpi_name} in the same wave{direction}, r = {} ({} pairs, {}).", corr(r), l.n, p_value(l.p)),
                    1 => format!("{who} led {kpi_name} by 1 wave{direction}, r = {} ({} pairs, {}).", corr(r), l.n, p_value(l.p)),
                    k => format!("{who} led {kpi_name} by {k} waves{direction}, r = {} ({} pairs, {}).", corr(r), l.n, p_value(l.p)),
                }
            }
            _ => format!("Not enough waves yet to relate perceptions to {kpi_name} (a correlation needs 3 waves with both values)."),
        };
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
            label: format!("{} ({})", who, best.side),
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
            label: format!("{kpi_name} (right axis)"),
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
            title: format!("{who} and {kpi_name} by wave"),
            desc: sentence.clone(),
            waves,
            left: Axis::likert(),
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
