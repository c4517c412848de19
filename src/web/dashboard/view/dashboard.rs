//! The dashboard page as a whole: which sections it shows for the latest wave.

use super::*;

/// A row of the items list.
#[derive(Debug, Clone)]
pub struct ItemLink {
    pub id: String,
    pub wording: String,
    pub dimension: String,
    pub cells: Vec<TableCell>,
}

pub(super) fn whole_item<'a>(
    report: &'a Report,
    wave: i64,
    side: Side,
    item: &str,
) -> Option<&'a ItemRecord> {
    report.items.iter().find(|i| {
        i.id.wave == wave && i.id.side == side && i.id.segment_kind == "all" && i.item == item
    })
}

pub(super) fn item_cell(rec: Option<&ItemRecord>) -> TableCell {
    match rec {
        Some(r) if r.id.suppressed.is_some() => {
            TableCell::hidden(r.id.suppressed.as_deref().unwrap_or_default())
        }
        Some(ItemRecord { stats: Some(s), .. }) if s.mean.is_some() => TableCell::value(en2(
            "dash-item-cell",
            "mean",
            opt(s.mean, 2),
            "favourable",
            s.favourable_pct
                .map_or_else(|| "–".into(), |f| format!("{} %", fixed(f, 0))),
        )),
        _ => TableCell::value(en("dash-no-answers")),
    }
}

/// The dashboard of one partnership.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub latest_wave: i64,
    /// A of the latest wave's scale (the means' axis runs 1..A).
    pub scale_points: u8,
    pub firms: Vec<(String, &'static str)>,
    pub health: Option<HealthView>,
    pub dimensions: Vec<DimensionView>,
    pub rates: RatesView,
    pub heatmaps: Vec<HeatmapView>,
    pub items: Vec<ItemLink>,
    pub kpis: Vec<KpiView>,
    /// Each firm's guess of the other's answers (templates with meta items; both firms only).
    pub meta: Vec<MetaRow>,
}

impl Dashboard {
    /// Every chart of the page, for the `.svg` export.
    pub fn charts(&self) -> impl Iterator<Item = &ChartView> {
        self.health
            .iter()
            .map(|h| &h.chart)
            .chain(self.dimensions.iter().map(|d| &d.chart))
            .chain(std::iter::once(&self.rates.chart))
            .chain(self.heatmaps.iter().map(|h| &h.chart))
            .chain(self.kpis.iter().map(|k| &k.chart))
    }
}

pub(super) fn latest(report: &Report) -> i64 {
    report.waves.last().map_or(0, |w| w.wave)
}

/// Builds the dashboard from a report already restricted to `visibility`.
pub fn dashboard(
    report: &Report,
    labels: &Labels,
    visibility: Visibility,
) -> Result<Dashboard, askama::Error> {
    let sides = sides(visibility);
    let last = latest(report);
    let dimensions = dimension_ids(report)
        .iter()
        .map(|d| dimension_view(report, labels, &sides, d, last))
        .collect::<Result<Vec<_>, _>>()?;
    let mut heatmaps = Vec::new();
    for &side in &sides {
        // One heatmap per breakdown of the report but the cross-tab and the on-request
        // language split: level, function, region, business unit and the partnership's
        // custom attributes, where the waves have them.
        let kinds = report
            .breakdowns
            .iter()
            .filter(|k| !matches!(k.as_str(), "level_function" | "language"));
        for kind in kinds {
            heatmaps.extend(heatmap_view(report, labels, side, kind, last)?);
        }
    }
    let items = item_ids(report)
        .into_iter()
        .map(|(id, dim)| ItemLink {
            wording: labels
                .items
                .get(&id)
                .map(|w| w.0.clone())
                .unwrap_or_else(|| humanize(&id)),
            dimension: dim
                .as_deref()
                .map(|d| labels.dimension(d))
                .unwrap_or_default(),
            cells: sides
                .iter()
                .map(|&s| item_cell(whole_item(report, last, s, &id)))
                .collect(),
            id,
        })
        .collect();
    Ok(Dashboard {
        latest_wave: last,
        scale_points: report.scale.points,
        firms: sides
            .iter()
            .map(|&s| (firm(report, s).to_owned(), s.as_str()))
            .collect(),
        health: health_view(report, last)?,
        dimensions,
        rates: rates_view(report, &sides, last)?,
        heatmaps,
        items,
        kpis: kpi_views(report, labels)?,
        meta: meta_rows(report, last),
    })
}
