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
            label: en2("dash-firm-side", "firm", firm(report, side), "side", side),
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
                    Some(DimensionRecord { stats: Some(s), .. }) => TableCell::value(en_with(
                        "dash-cell-mean",
                        &[
                            ("mean", &opt(s.summary.mean, 2)),
                            (
                                "ci",
                                &s.summary
                                    .mean_ci95
                                    .map(|[lo, hi]| {
                                        en2("dash-cell-ci", "lo", fixed(lo, 2), "hi", fixed(hi, 2))
                                    })
                                    .unwrap_or_default(),
                            ),
                            ("rwg", &opt(s.agreement.rwg_j, 2)),
                            ("n", &s.n_complete),
                        ],
                    )),
                    _ => TableCell::value(en("dash-no-answers")),
                })
                .collect();
            let (gap, sig) = match inter_firm(report, w, dimension) {
                Some(r) => match (&r.suppressed, &r.comparison) {
                    (Some(reason), _) => (withheld(reason), String::new()),
                    (None, Some(c)) => (
                        opt(c.mean_diff, 2),
                        en2(
                            "dash-significance-p",
                            "significance",
                            r.significance.unwrap_or("–"),
                            "p",
                            p_value(c.welch_p),
                        ),
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
                    en1("dash-rwg-j", "value", opt(s.agreement.rwg_j, 2)),
                    match (s.agreement_band, s.beyond_chance) {
                        (Some(band), Some(beyond)) => en2(
                            "dash-band-chance",
                            "band",
                            band,
                            "chance",
                            chance_words(beyond),
                        ),
                        (Some(band), None) => band.to_owned(),
                        (None, _) => en("dash-not-enough-complete"),
                    },
                ),
                (None, None) => (en("dash-no-answers"), String::new()),
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
    let title = en2(
        "dash-trend-title",
        "dimension",
        &name,
        "firms",
        firms_words(report, sides),
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
pub fn chance_words(beyond: bool) -> String {
    if beyond {
        en("dash-agreement-beyond-chance")
    } else {
        en("dash-agreement-not-beyond-chance")
    }
}

/// "Acme" or "Acme and Bolt": the firms a view shows.
pub(super) fn firms_words(report: &Report, sides: &[Side]) -> String {
    match sides {
        [one] => firm(report, *one).to_owned(),
        [first, second] => en2(
            "dash-two-firms",
            "first",
            firm(report, *first),
            "second",
            firm(report, *second),
        ),
        _ => String::new(),
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
        return en1("dash-joint-withheld", "reason", withheld(reason));
    }
    let mut parts = vec![en1("dash-joint-rwg", "value", opt(j.rwg_j, 2))];
    if let Some(beyond) = j.beyond_chance {
        parts.push(chance_words(beyond));
    }
    if let Some(eta) = j.eta2_firm {
        parts.push(en2(
            "dash-joint-between",
            "share",
            pct(eta),
            "icc",
            opt(j.icc1_firm, 2),
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
    let mut parts = vec![en1("dash-summary-wave", "wave", wave)];
    for &side in sides {
        let text = match whole(report, wave, side, dimension) {
            Some(DimensionRecord { id, .. }) if id.suppressed.is_some() => {
                withheld(id.suppressed.as_deref().unwrap_or_default())
            }
            Some(DimensionRecord { stats: Some(s), .. }) => {
                en1("dash-summary-mean", "mean", opt(s.summary.mean, 2))
            }
            _ => en("dash-no-answers"),
        };
        parts.push(en2(
            "dash-summary-firm",
            "firm",
            firm(report, side),
            "text",
            text,
        ));
    }
    if let Some(r) = inter_firm(report, wave, dimension) {
        if let (Some(c), Some(sig)) = (&r.comparison, r.significance) {
            parts.push(en2(
                "dash-summary-gap",
                "gap",
                opt(c.mean_diff.map(f64::abs), 2),
                "significance",
                sig,
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
                    parts.push(en_with(
                        "dash-summary-shift",
                        &[
                            ("firm", &firm(report, side)),
                            ("before", &fixed(before.mean, 2)),
                            ("from", &before.from_wave),
                            ("to", &before.to_wave),
                            ("after", &fixed(after.mean, 2)),
                            ("since", &after.from_wave),
                        ],
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
                    en("dash-significant")
                } else {
                    en("dash-not-significant")
                };
                parts.push(en_with(
                    "dash-summary-trend",
                    &[
                        ("firm", &firm(report, side)),
                        ("slope", &signed(slope, 2)),
                        ("significance", &sig),
                        ("p", &p_value(Some(p))),
                    ],
                ));
            }
        }
    }
    parts.join(" ")
}
