//! Heatmaps of a breakdown (level, function, cross-tab) by dimension or item, withheld cells marked.

use super::*;

#[derive(Debug, Clone)]
pub struct HeatmapView {
    pub title: String,
    pub chart: ChartView,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<TableCell>)>,
    /// Per dimension: do the shown segments differ (Welch's ANOVA, Kruskal–Wallis) and how
    /// much of the variance lies between them (ICC(1)), in words.
    pub tests: Vec<(String, String)>,
}

/// The segment test and ICC of one dimension across the segments of `kind`, in words.
fn segment_words(
    report: &Report,
    side: Side,
    kind: &str,
    dimension: &str,
    wave: i64,
) -> Option<String> {
    let t = report.segment_tests.iter().find(|t| {
        t.wave == wave && t.side == side && t.attribute == kind && t.dimension == dimension
    })?;
    let mut parts = Vec::new();
    match (t.welch_f, t.welch_df1, t.welch_df2, t.welch_p) {
        (Some(f), Some(df1), Some(df2), Some(p)) => {
            let verdict = if p < SIGNIFICANCE_LEVEL {
                en("dash-groups-differ")
            } else {
                en("dash-groups-no-difference")
            };
            parts.push(en_with(
                "dash-welch-f",
                &[
                    ("verdict", &verdict),
                    ("df1", &fixed(df1, 0)),
                    ("df2", &fixed(df2, 1)),
                    ("f", &fixed(f, 2)),
                    ("p", &p_value(Some(p))),
                ],
            ));
            if let Some(kp) = t.kruskal_p {
                parts.push(en1("dash-kruskal", "p", p_value(Some(kp))));
            }
            if let Some(e) = t.epsilon2 {
                parts.push(format!("ε² {}", fixed(e, 2)));
            }
        }
        _ if t.k < 2 => parts.push(en1("dash-test-too-few-groups", "kind", kind_words(kind))),
        _ => parts.push(en("dash-test-no-variation")),
    }
    if let Some(icc) = report.icc.iter().find(|i| {
        i.wave == wave
            && i.side == side
            && i.grouping == kind
            && i.kind == "dimension"
            && i.target == dimension
    }) {
        match (&icc.suppressed, icc.stats.as_ref().and_then(|s| s.icc1)) {
            (None, Some(v)) => parts.push(format!("ICC(1) {}", fixed(v, 2))),
            (Some(_), _) => parts.push(en("dash-icc-withheld")),
            _ => {}
        }
    }
    Some(en3(
        "dash-test-summary",
        "tests",
        parts.join("; "),
        "groups",
        t.k,
        "n",
        t.n,
    ))
}

/// A breakdown's name in words: the built-in ones from the catalog, a custom attribute by
/// its key (`cost_centre` reads "cost centre").
pub(super) fn kind_words(kind: &str) -> String {
    match kind {
        "level" => en("dash-kind-level"),
        "function" => en("dash-kind-function"),
        "region" => en("dash-kind-region"),
        "business_unit" => en("dash-kind-business-unit"),
        "language" => en("dash-kind-language"),
        other => other.replace('_', " "),
    }
}

pub(super) fn heatmap_view(
    report: &Report,
    labels: &Labels,
    side: Side,
    kind: &str,
    wave: i64,
) -> Result<Option<HeatmapView>, askama::Error> {
    let dims = dimension_ids(report);
    // A group at or above the minimum can still have fewer complete answers to a
    // dimension (don't-know): its mean would then be one or two people's answers.
    let min = report.partnership.min_reporting_size;
    let mut segments: Vec<String> = Vec::new();
    for d in report
        .dimensions
        .iter()
        .filter(|d| d.id.wave == wave && d.id.side == side && d.id.segment_kind == kind)
    {
        if let Some(s) = &d.id.segment {
            if !segments.contains(s) {
                segments.push(s.clone());
            }
        }
    }
    if segments.is_empty() {
        return Ok(None);
    }
    let record = |segment: &str, dim: &str| {
        report.dimensions.iter().find(|d| {
            d.id.wave == wave
                && d.id.side == side
                && d.id.segment_kind == kind
                && d.id.segment.as_deref() == Some(segment)
                && d.dimension == dim
        })
    };
    let mut rows = Vec::new();
    let mut table = Vec::new();
    for s in &segments {
        let mut cells = Vec::new();
        let mut text = Vec::new();
        for d in &dims {
            match record(s, d) {
                Some(DimensionRecord { id, .. }) if id.suppressed.is_some() => {
                    let reason = withheld(id.suppressed.as_deref().unwrap_or_default());
                    text.push(TableCell::hidden(&reason));
                    cells.push(Cell::Withheld(reason));
                }
                Some(DimensionRecord {
                    stats: Some(st), ..
                }) if st.n_complete > 0 && st.n_complete < min => {
                    let reason = en1("dash-withheld-complete", "min", min);
                    text.push(TableCell::hidden(&reason));
                    cells.push(Cell::Withheld(reason));
                }
                Some(DimensionRecord {
                    stats: Some(st), ..
                }) if st.summary.mean.is_some() => {
                    let mean = st.summary.mean.unwrap_or_default();
                    let mut cell = TableCell::value(en3(
                        "dash-heat-cell",
                        "mean",
                        fixed(mean, 2),
                        "rwg",
                        opt(st.agreement.rwg_j, 2),
                        "n",
                        st.n_complete,
                    ));
                    cell.flag_href = Some(super::flag_href(
                        report.partnership.id,
                        &[
                            ("side", side.as_str()),
                            ("dimension", d),
                            ("segment_attribute", kind),
                            ("segment_value", s),
                        ],
                    ));
                    text.push(cell);
                    cells.push(Cell::Shown {
                        mean,
                        rwg_j: st.agreement.rwg_j,
                        n: st.n_complete,
                    });
                }
                _ => {
                    text.push(TableCell::value(en("dash-no-answers")));
                    cells.push(Cell::Empty);
                }
            }
        }
        rows.push(HeatRow {
            // a group with no value in the roster is stored as NO_REGION; shown in words
            label: if s == crate::reports::aggregate::NO_REGION {
                en("dash-segment-not-given")
            } else {
                s.clone()
            },
            cells,
        });
        table.push((s.clone(), text));
    }
    let columns: Vec<String> = dims.iter().map(|d| labels.dimension(d)).collect();
    let withheld_count = table
        .iter()
        .flat_map(|(_, c)| c)
        .filter(|c| c.withheld)
        .count();
    let words = kind_words(kind);
    let title = en_with(
        "dash-heat-title",
        &[
            ("firm", &firm(report, side)),
            ("side", &side),
            ("kind", &words),
            ("wave", &wave),
        ],
    );
    let desc = en_with(
        "dash-heat-desc",
        &[
            ("kind", &words),
            ("wave", &wave),
            ("segments", &segments.len()),
            ("withheld", &withheld_count),
        ],
    );
    let h = Heatmap {
        id: format!("heatmap-{side}-{kind}"),
        title: title.clone(),
        desc,
        columns: columns.clone(),
        rows,
        points: report.scale.points,
    };
    let tests = dims
        .iter()
        .filter_map(|d| {
            segment_words(report, side, kind, d, wave).map(|w| (labels.dimension(d), w))
        })
        .collect();
    Ok(Some(HeatmapView {
        tests,
        title,
        chart: chart(format!("heatmap-{side}-{kind}"), h.render())?,
        columns,
        rows: table,
    }))
}
