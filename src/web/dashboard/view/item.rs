//! One item's page: its statistics per side and wave, distribution and trend.

use super::*;

#[derive(Debug, Clone)]
pub struct ItemStatsRow {
    pub wave: i64,
    pub firm: String,
    pub cells: Vec<TableCell>,
}

#[derive(Debug, Clone)]
pub struct ItemPage {
    pub id: String,
    pub dimension: String,
    /// (firm, the question as that firm reads it)
    pub wordings: Vec<(String, String)>,
    pub chart: ChartView,
    pub answers: Vec<String>,
    pub rows: Vec<ItemStatsRow>,
    pub gaps: Vec<(i64, String, String)>,
    pub segments: Vec<(String, String, TableCell)>,
    pub latest_wave: i64,
}

/// The item drill-down; `None` when the report has no such item. `item` is the item's id
/// (`/items/win_win`) or the slug its chart is named by (`/charts/item-win-win.svg`).
pub fn item_page(
    report: &Report,
    labels: &Labels,
    visibility: Visibility,
    item: &str,
) -> Result<Option<ItemPage>, askama::Error> {
    let Some((id, dimension)) = item_ids(report)
        .into_iter()
        .find(|(i, _)| i == item || slug(i) == item)
    else {
        return Ok(None);
    };
    let sides = sides(visibility);
    let last = latest(report);
    let answers = labels.answers(report.scale.points);
    let width = answers.len();
    let mut dist_rows = Vec::new();
    let mut rows = Vec::new();
    for w in waves(report).into_iter().rev() {
        for &side in &sides {
            let rec = whole_item(report, w, side, &id);
            let label = en2("dash-item-row", "wave", w, "firm", firm(report, side));
            let bar = match rec {
                Some(r) if r.id.suppressed.is_some() => {
                    Bar::Withheld(withheld(r.id.suppressed.as_deref().unwrap_or_default()))
                }
                // A wave asked on another scale than the latest (an earlier template version)
                // cannot share the latest scale's columns: its counts are written out instead.
                Some(ItemRecord { stats: Some(s), .. }) if s.counts.len() != width - 1 => {
                    Bar::Withheld(en1("dash-item-other-scale", "points", s.counts.len()))
                }
                Some(ItemRecord { stats: Some(s), .. }) => {
                    let mut c = s.counts.clone();
                    c.push(s.n_dont_know);
                    Bar::Shown(c)
                }
                _ => Bar::Shown(vec![0; width]),
            };
            dist_rows.push(DistRow { label, bar });
            let cells = match rec {
                Some(r) if r.id.suppressed.is_some() => {
                    vec![TableCell::hidden(
                        r.id.suppressed.as_deref().unwrap_or_default(),
                    )]
                }
                Some(ItemRecord {
                    stats: Some(s),
                    agreement,
                    ..
                }) => {
                    let mut v: Vec<TableCell> = if s.counts.len() == width - 1 {
                        s.counts
                            .iter()
                            .chain([&s.n_dont_know])
                            .map(|n| TableCell::value(n.to_string()))
                            .collect()
                    } else {
                        // Another scale: every count in the first cell, the rest left empty,
                        // so the mean, favourable and agreement stay in their columns.
                        let counts: Vec<String> = (1..)
                            .zip(&s.counts)
                            .map(|(point, n)| format!("{point}: {n}"))
                            .chain([en1("dash-item-dont-know-count", "n", s.n_dont_know)])
                            .collect();
                        let mut cells = vec![TableCell::value(en2(
                            "dash-item-other-scale-counts",
                            "points",
                            s.counts.len(),
                            "counts",
                            counts.join(" · "),
                        ))];
                        cells.resize(width, TableCell::value(String::new()));
                        cells
                    };
                    v.push(TableCell::value(format!(
                        "{}{}",
                        opt(s.mean, 2),
                        s.mean_ci95
                            .map(|[lo, hi]| {
                                en2("dash-cell-ci", "lo", fixed(lo, 2), "hi", fixed(hi, 2))
                            })
                            .unwrap_or_default()
                    )));
                    v.push(TableCell::value(
                        s.favourable_pct
                            .map_or_else(|| "–".into(), |f| format!("{} %", fixed(f, 0))),
                    ));
                    v.push(TableCell::value(format!(
                        "{} {}",
                        opt(s.rwg, 2),
                        agreement.unwrap_or("")
                    )));
                    v
                }
                _ => vec![TableCell::value(en("dash-no-answers"))],
            };
            rows.push(ItemStatsRow {
                wave: w,
                firm: firm(report, side).to_owned(),
                cells,
            });
        }
    }
    let gaps = report
        .inter_firm
        .items
        .iter()
        .filter(|r| r.item.as_deref() == Some(id.as_str()))
        .rev()
        .map(|r| match (&r.suppressed, &r.comparison) {
            (Some(reason), _) => (r.wave, withheld(reason), String::new()),
            (None, Some(c)) => (
                r.wave,
                opt(c.mean_diff, 2),
                en2(
                    "dash-significance-p",
                    "significance",
                    r.significance.unwrap_or("–"),
                    "p",
                    p_value(c.welch_p),
                ),
            ),
            (None, None) => (r.wave, "–".into(), String::new()),
        })
        .collect();
    let mut segments = Vec::new();
    for &side in &sides {
        for rec in report.items.iter().filter(|i| {
            i.id.wave == last
                && i.id.side == side
                && i.item == id
                && (i.id.segment_kind == "level" || i.id.segment_kind == "function")
        }) {
            segments.push((
                format!("{} · {}", firm(report, side), rec.id.segment_kind),
                rec.id.segment.clone().unwrap_or_default(),
                item_cell(Some(rec)),
            ));
        }
    }
    let wordings = sides
        .iter()
        .filter_map(|&s| {
            let (c, sup) = labels.items.get(&id)?;
            Some((
                firm(report, s).to_owned(),
                if s == Side::Customer {
                    c.clone()
                } else {
                    sup.clone()
                },
            ))
        })
        .collect();
    let title = en1(
        "dash-item-title",
        "question",
        labels.items.get(&id).map_or(id.as_str(), |w| w.0.as_str()),
    );
    let desc = en1("dash-item-desc", "rows", dist_rows.len());
    let d = Distribution {
        id: format!("item-{id}"),
        title,
        desc,
        answers: answers.clone(),
        rows: dist_rows,
    };
    Ok(Some(ItemPage {
        chart: chart(format!("item-{}", slug(&id)), d.render())?,
        dimension: dimension
            .as_deref()
            .map(|d| labels.dimension(d))
            .unwrap_or_default(),
        id,
        wordings,
        answers,
        rows,
        gaps,
        segments,
        latest_wave: last,
    }))
}
