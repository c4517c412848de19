//! The health index over the waves and the response rates per side.

use super::*;

#[derive(Debug, Clone)]
pub struct HealthRow {
    pub wave: i64,
    pub index: TableCell,
    pub level: String,
    pub agreement: String,
    pub gap: String,
}

#[derive(Debug, Clone)]
pub struct HealthView {
    pub latest: String,
    /// (signed change, "since wave 5 (62.1 → 58.3)")
    pub change: Option<(String, String)>,
    pub chart: ChartView,
    pub rows: Vec<HealthRow>,
}

pub(super) fn health_view(report: &Report, last: i64) -> Result<Option<HealthView>, askama::Error> {
    let records: Vec<_> = report.health.iter().filter(|h| h.wave <= last).collect();
    if records.is_empty() {
        return Ok(None);
    }
    let points: Vec<Point> = records
        .iter()
        .filter_map(|h| {
            Some(Point {
                wave: h.wave,
                value: h.index?,
                ci95: None,
            })
        })
        .collect();
    let latest_record = records.iter().find(|h| h.wave == last);
    let latest = match latest_record {
        Some(h) => match (&h.suppressed, h.index) {
            (Some(reason), _) => withheld(reason),
            (None, Some(i)) => fixed(i, 0),
            (None, None) => "–".into(),
        },
        None => "–".into(),
    };
    let change = match (points.iter().rev().nth(1), points.last()) {
        (Some(prev), Some(now)) if now.wave == last => Some((
            signed(now.value - prev.value, 1),
            en3(
                "dash-health-since",
                "wave",
                prev.wave,
                "before",
                fixed(prev.value, 1),
                "now",
                fixed(now.value, 1),
            ),
        )),
        _ => None,
    };
    let values: Vec<f64> = points.iter().map(|p| p.value).collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (ticks, domain) = axis::nice_ticks((lo - 5.0).max(0.0), (hi + 5.0).min(100.0), 4);
    let desc = en1(
        "dash-health-desc",
        "values",
        records
            .iter()
            .map(|h| {
                en2(
                    "dash-health-wave-value",
                    "wave",
                    h.wave,
                    "value",
                    h.index
                        .map_or_else(|| en("dash-withheld-word"), |i| fixed(i, 1)),
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
    );
    let line = LineChart {
        id: "health".into(),
        title: en("dash-health-title"),
        desc,
        waves: records.iter().map(|h| h.wave).collect(),
        left: Axis {
            title: en("dash-health-axis"),
            domain,
            ticks,
        },
        series: vec![Series {
            label: en("dash-health-series"),
            style: Style::Neutral,
            points,
        }],
        right: None,
        gaps: vec![],
        steps: vec![],
        bands: false,
    };
    let rows = records
        .iter()
        .rev()
        .map(|h| HealthRow {
            wave: h.wave,
            index: match (&h.suppressed, h.index) {
                (Some(reason), _) => TableCell::hidden(reason),
                (None, i) => TableCell::value(opt(i, 1)),
            },
            level: opt(h.components.as_ref().map(|c| c.level), 2),
            agreement: opt(h.components.as_ref().map(|c| c.agreement), 2),
            gap: opt(h.components.as_ref().map(|c| c.gap), 2),
        })
        .collect();
    Ok(Some(HealthView {
        latest,
        change,
        chart: chart("health".into(), line.render())?,
        rows,
    }))
}

#[derive(Debug, Clone)]
pub struct RateRow {
    pub wave: i64,
    pub cells: Vec<TableCell>,
}

#[derive(Debug, Clone)]
pub struct RatesView {
    pub chart: ChartView,
    pub rows: Vec<RateRow>,
}

pub(super) fn rates_view(
    report: &Report,
    sides: &[Side],
    last: i64,
) -> Result<RatesView, askama::Error> {
    let waves: Vec<i64> = waves(report).into_iter().filter(|w| *w <= last).collect();
    let rate = |w: i64, side: Side| match whole_group(report, w, side) {
        Some(g) => match (&g.id.suppressed, g.response_rate) {
            (Some(reason), _) => Rate::Withheld(withheld(reason)),
            (None, Some(r)) => Rate::Shown(r),
            (None, None) => Rate::None,
        },
        None => Rate::None,
    };
    let groups = waves
        .iter()
        .map(|&w| RateGroup {
            wave: w,
            bars: sides
                .iter()
                .map(|&side| RateBar {
                    side,
                    rate: rate(w, side),
                })
                .collect(),
        })
        .collect();
    let rows: Vec<RateRow> = waves
        .iter()
        .rev()
        .map(|&w| RateRow {
            wave: w,
            cells: sides
                .iter()
                .map(|&side| match whole_group(report, w, side) {
                    Some(g) => match (&g.id.suppressed, g.responded, g.invited, g.response_rate) {
                        (Some(reason), ..) => TableCell::hidden(reason),
                        (None, Some(resp), Some(inv), Some(r)) => TableCell::value(en3(
                            "dash-rate-cell",
                            "responded",
                            resp,
                            "invited",
                            inv,
                            "rate",
                            pct(r),
                        )),
                        _ => TableCell::value(en("dash-nobody-invited")),
                    },
                    None => TableCell::value("–".into()),
                })
                .collect(),
        })
        .collect();
    let desc = rows
        .iter()
        .map(|r| {
            en2(
                "dash-rate-desc-wave",
                "wave",
                r.wave,
                "rates",
                sides
                    .iter()
                    .zip(&r.cells)
                    .map(|(s, c)| {
                        en2(
                            "dash-firm-value",
                            "firm",
                            firm(report, *s),
                            "value",
                            &c.text,
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let c = RateChart {
        id: "response-rates".into(),
        title: en("dash-rate-title"),
        desc,
        groups,
        legend: sides
            .iter()
            .map(|&s| (s, en2("dash-firm-side", "firm", firm(report, s), "side", s)))
            .collect(),
    };
    Ok(RatesView {
        chart: chart("response-rates".into(), c.render())?,
        rows,
    })
}
