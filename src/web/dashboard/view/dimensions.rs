//! The dimension cards: agreement beside the mean, per side and wave, with their summary in words.

use super::*;

/// A firm's agreement on a dimension, in words and numbers.
#[derive(Debug, Clone)]
pub struct AgreementView {
    pub firm: String,
    pub side: &'static str,
    pub text: String,
    pub band: String,
}

#[derive(Debug, Clone)]
pub struct DimensionRow {
    pub wave: i64,
    pub cells: Vec<TableCell>,
    pub gap: String,
    pub significance: String,
}

#[derive(Debug, Clone)]
pub struct DimensionView {
    pub id: String,
    pub name: String,
    pub chart: ChartView,
    pub summary: String,
    pub agreement: Vec<AgreementView>,
    /// Both firms' agreement measured together, in words (empty for a one-firm view).
    pub joint: String,
    pub rows: Vec<DimensionRow>,
}

/// Trend chart of one dimension for the visible firms, waves up to `last`.
pub(super) fn dimension_view(
    report: &Report,
    labels: &Labels,
    sides: &[Side],
    dimension: &str,
    last: i64,
) -> Result<DimensionView, askama::Error> {
    let name = labels.dimension(dimension);
    let waves: Vec<i64> = waves(report).into_iter().filter(|w| *w <= last).collect();
    let series: Vec<Series> = sides
        .iter()
        .map(|&side| Series {
            label: format!("{} ({side})", firm(report, side)),
            style: style(side),
            points: waves
                .iter()
                .filter_map(|&w| {
                    let s = whole(report, w, side, dimension)?.stats.as_ref()?;
                    Some(Point {
                        wave: w,
                        value: s.summary.mean?,
                        ci95: s.summary.mean_ci95,
                    })
                })
                .collect(),
        })
        .collect();
    let gaps: Vec<Gap> = waves
        .iter()
        .filter_map(|&w| {
            let r = inter_firm(report, w, dimension)?;
            let c = r.comparison.as_ref()?;
            (significant(r)).then_some(())?;
            Some(Gap {
                wave: w,
                from: c.mean_1?,
                to: c.mean_2?,
                label: fixed(c.mean_diff?.abs(), 2),
            })
        })
        .collect();
    let rows: Vec<DimensionRow> = waves
        .iter()
        .rev()
        .map(|&w| {
            let cells = sides
                .iter()
                .map(|&side| match whole(report, w, side, dimension) {
                    Some(DimensionRecord { id, .. }) if id.suppressed.is_some() => {
                        TableCell::hidden(id.suppressed.as_deref().unwrap_or_default())
                    }
                    Some(DimensionRecord { stats: Some(s), .. }) => TableCell::value(format!(
                        "{}{} · rwg(j) {} · n {}",
                        opt(s.summary.mean, 2),
                        s.summary
                            .mean_ci95
                            .map(|[lo, hi]| format!(" ({}–{})", fixed(lo, 2), fixed(hi, 2)))
                            .unwrap_or_default(),
                        opt(s.agreement.rwg_j, 2),
                        s.n_complete
                    )),
                    _ => TableCell::value("no answers".into()),
                })
                .collect();
            let (gap, sig) = match inter_firm(report, w, dimension) {
                Some(r) => match (&r.suppressed, &r.comparison) {
                    (Some(reason), _) => (withheld(reason), String::new()),
                    (None, Some(c)) => (
                        opt(c.mean_diff, 2),
                        format!("{} ({})", r.significance.unwrap_or("–"), p_value(c.welch_p)),
                    ),
                    (None, None) => ("–".into(), String::new()),
                },
                None => (String::new(), String::new()),
            };
            DimensionRow {
                wave: w,
                cells,
                gap,
                significance: sig,
            }
        })
        .collect();
    let agreement = sides
        .iter()
        .filter_map(|&side| {
            let rec = whole(report, last, side, dimension)?;
            let (text, band) = match (&rec.id.suppressed, &rec.stats) {
                (Some(reason), _) => (withheld(reason), String::new()),
                (None, Some(s)) => (
                    format!("rwg(j) {}", opt(s.agreement.rwg_j, 2)),
                    match (s.agreement_band, s.beyond_chance) {
                        (Some(band), Some(beyond)) => {
                            format!("{band}; {}", chance_words(beyond))
                        }
                        (Some(band), None) => band.to_owned(),
                        (None, _) => "not enough complete answers".to_owned(),
                    },
                ),
                (None, None) => ("no answers".into(), String::new()),
            };
            Some(AgreementView {
                firm: firm(report, side).to_owned(),
                side: side.as_str(),
                text,
                band,
            })
        })
        .collect();
    let summary = dimension_summary(report, sides, dimension, last);
    let title = format!(
        "{name}: mean by wave, {}",
        sides
            .iter()
            .map(|s| firm(report, *s))
            .collect::<Vec<_>>()
            .join(" and ")
    );
    let steps: Vec<Step> = sides
        .iter()
        .filter_map(|&side| {
            let cp = report
                .change_points
                .iter()
                .find(|c| c.side == side && c.dimension == dimension)?;
            (!cp.fit.change_waves.is_empty()).then_some((side, cp))
        })
        .flat_map(|(side, cp)| {
            cp.fit
                .segments
                .iter()
                .filter(move |seg| i64::from(seg.from_wave) <= last)
                .map(move |seg| Step {
                    style: style(side),
                    from: i64::from(seg.from_wave),
                    to: i64::from(seg.to_wave).min(last),
                    value: seg.mean,
                })
        })
        .collect();
    let joint = if sides.len() == 2 {
        joint_words(report, dimension, last)
    } else {
        String::new()
    };
    let line = LineChart {
        id: format!("trend-{dimension}"),
        title,
        desc: summary.clone(),
        waves,
        left: Axis::scale(report.scale.points),
        series,
        right: None,
        gaps,
        steps,
        bands: true,
    };
    Ok(DimensionView {
        id: dimension.to_owned(),
        name,
        chart: chart(format!("trend-{}", slug(dimension)), line.render())?,
        summary,
        agreement,
        joint,
        rows,
    })
}

/// "agreement beyond chance" or "no more agreement than chance".
pub fn chance_words(beyond: bool) -> &'static str {
    if beyond {
        "agreement beyond chance"
    } else {
        "no more agreement than chance"
    }
}

/// The two firms' joint alignment on a dimension in `wave`, in words.
pub fn joint_words(report: &Report, dimension: &str, wave: i64) -> String {
    let Some(j) = report
        .joint
        .iter()
        .find(|j| j.wave == wave && j.dimension == dimension)
    else {
        return String::new();
    };
    if let Some(reason) = &j.suppressed {
        return format!("Both firms together: {}", withheld(reason));
    }
    let mut parts = vec![format!("Both firms together: rwg(j) {}", opt(j.rwg_j, 2))];
    if let Some(beyond) = j.beyond_chance {
        parts.push(chance_words(beyond).to_owned());
    }
    if let Some(eta) = j.eta2_firm {
        parts.push(format!(
            "{} of the spread lies between the firms (η², ICC(1) {})",
            pct(eta),
            opt(j.icc1_firm, 2)
        ));
    }
    parts.join("; ") + "."
}

/// The sentence under a trend chart: the latest means, the gap and the trend.
pub(super) fn dimension_summary(
    report: &Report,
    sides: &[Side],
    dimension: &str,
    wave: i64,
) -> String {
    let mut parts = vec![format!("Wave {wave}:")];
    for &side in sides {
        let text = match whole(report, wave, side, dimension) {
            Some(DimensionRecord { id, .. }) if id.suppressed.is_some() => {
                withheld(id.suppressed.as_deref().unwrap_or_default())
            }
            Some(DimensionRecord { stats: Some(s), .. }) => {
                format!("mean {}", opt(s.summary.mean, 2))
            }
            _ => "no answers".into(),
        };
        parts.push(format!("{} {text};", firm(report, side)));
    }
    if let Some(r) = inter_firm(report, wave, dimension) {
        if let (Some(c), Some(sig)) = (&r.comparison, r.significance) {
            parts.push(format!(
                "gap {} ({sig}).",
                opt(c.mean_diff.map(f64::abs), 2)
            ));
        }
    }
    for &side in sides {
        if let Some(cp) = report
            .change_points
            .iter()
            .find(|c| c.side == side && c.dimension == dimension)
        {
            if let [.., before, after] = cp.fit.segments.as_slice() {
                if i64::from(after.from_wave) <= wave {
                    parts.push(format!(
                        "{} shifted from {} (waves {}–{}) to {} from wave {}.",
                        firm(report, side),
                        fixed(before.mean, 2),
                        before.from_wave,
                        before.to_wave,
                        fixed(after.mean, 2),
                        after.from_wave
                    ));
                }
            }
        }
    }
    for &side in sides {
        if let Some(t) = report
            .trend
            .iter()
            .find(|t| t.side == side && t.kind == "dimension" && t.target == dimension)
        {
            if let (Some(slope), Some(p)) = (t.fit.slope, t.fit.p) {
                let sig = if p < SIGNIFICANCE_LEVEL {
                    "significant"
                } else {
                    "not significant"
                };
                parts.push(format!(
                    "Trend at {}: {} per wave ({sig}, {}).",
                    firm(report, side),
                    signed(slope, 2),
                    p_value(Some(p))
                ));
            }
        }
    }
    parts.join(" ")
}
