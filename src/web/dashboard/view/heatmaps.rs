//! Heatmaps of a breakdown (level, function, cross-tab) by dimension or item, withheld cells marked.

use super::*;

#[derive(Debug, Clone)]
pub struct HeatmapView {
    pub title: String,
    pub chart: ChartView,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<TableCell>)>,
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
                    let reason = format!("withheld: fewer than {min} complete answers");
                    text.push(TableCell::hidden(&reason));
                    cells.push(Cell::Withheld(reason));
                }
                Some(DimensionRecord {
                    stats: Some(st), ..
                }) if st.summary.mean.is_some() => {
                    let mean = st.summary.mean.unwrap_or_default();
                    text.push(TableCell::value(format!(
                        "{} · rwg(j) {} · n {}",
                        fixed(mean, 2),
                        opt(st.agreement.rwg_j, 2),
                        st.n_complete
                    )));
                    cells.push(Cell::Shown {
                        mean,
                        rwg_j: st.agreement.rwg_j,
                        n: st.n_complete,
                    });
                }
                _ => {
                    text.push(TableCell::value("no answers".into()));
                    cells.push(Cell::Empty);
                }
            }
        }
        rows.push(HeatRow {
            label: s.clone(),
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
    let title = format!(
        "{} ({side}): {kind} × dimension, wave {wave}",
        firm(report, side)
    );
    let desc = format!(
        "Mean of each {kind} on each dimension, wave {wave}. {} segments; {withheld_count} cells withheld because the group is too small to report.",
        segments.len()
    );
    let h = Heatmap {
        id: format!("heatmap-{side}-{kind}"),
        title: title.clone(),
        desc,
        columns: columns.clone(),
        rows,
    };
    Ok(Some(HeatmapView {
        title,
        chart: chart(format!("heatmap-{side}-{kind}"), h.render())?,
        columns,
        rows: table,
    }))
}
