//! Line charts over waves: a dimension's trend for both firms (95 % CI bands, significant
//! gaps marked), the health index, and the KPI overlay (a second axis on the right).

use super::axis::{tick_label, Scale};
use super::svg::{ellipsis, text_width, Anchor, Canvas};
use crate::i18n::{en, en1, en2, en_with};

/// How a series is drawn: each has its own colour, dash pattern and marker shape, so the
/// series stay apart in greyscale print and for every colour-vision deficiency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Blue, solid line, round markers.
    Customer,
    /// Vermillion, dashed line, square markers.
    Supplier,
    /// Green, dotted line, diamond markers.
    Kpi,
    /// Ink, solid line, round markers.
    Neutral,
}

impl Style {
    fn line(self) -> &'static str {
        match self {
            Style::Customer => "tc-customer",
            Style::Supplier => "tc-supplier",
            Style::Kpi => "tc-kpi",
            Style::Neutral => "tc-neutral",
        }
    }

    fn dot(self) -> &'static str {
        match self {
            Style::Customer => "tc-dot-customer",
            Style::Supplier => "tc-dot-supplier",
            Style::Kpi => "tc-dot-kpi",
            Style::Neutral => "tc-dot-neutral",
        }
    }

    fn band(self) -> &'static str {
        match self {
            Style::Customer => "tc-band-customer",
            Style::Supplier => "tc-band-supplier",
            Style::Kpi | Style::Neutral => "tc-band-neutral",
        }
    }
}

/// One value of a series at a wave.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub wave: i64,
    pub value: f64,
    /// 95 % confidence interval, drawn as a band.
    pub ci95: Option<[f64; 2]>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub style: Style,
    /// Waves without a value (withheld, or no answers) are left out and break the line.
    pub points: Vec<Point>,
}

/// The level of a series between two change points: a flat step from the first wave of a
/// segment to its last, joined to the next step by a vertical riser.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub style: Style,
    pub from: i64,
    pub to: i64,
    pub value: f64,
}

/// A between-firm gap that is significant at a wave: a bar between the two means.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    pub wave: i64,
    pub from: f64,
    pub to: f64,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub title: String,
    pub domain: (f64, f64),
    pub ticks: Vec<f64>,
}

impl Axis {
    /// The five-point scale, 1 to 5.
    pub fn likert() -> Axis {
        Axis::scale(5)
    }

    /// An A-point scale, 1 to A, a tick at every point.
    pub fn scale(points: u8) -> Axis {
        let points = points.max(2);
        Axis {
            title: en1("chart-mean-axis", "points", points),
            domain: (1.0, f64::from(points)),
            ticks: (1..=points).map(f64::from).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub id: String,
    pub title: String,
    pub desc: String,
    /// Every wave on the x axis, oldest first.
    pub waves: Vec<i64>,
    pub left: Axis,
    pub series: Vec<Series>,
    /// A second y axis on the right and the series measured on it.
    pub right: Option<(Axis, Vec<Series>)>,
    pub gaps: Vec<Gap>,
    /// Levels between change points, per series (drawn only when a series has a change).
    pub steps: Vec<Step>,
    /// Draw the 95 % bands.
    pub bands: bool,
}

const WIDTH: f64 = 600.0;
const TOP: f64 = 18.0;
const PLOT_HEIGHT: f64 = 210.0;
const LEGEND_ROW: f64 = 22.0;

enum LegendKey {
    Series(Style),
    Band,
    Gap,
    Step,
}

impl LineChart {
    pub fn render(&self) -> Result<String, askama::Error> {
        let left_margin = 62.0;
        let right_margin = if self.right.is_some() { 70.0 } else { 22.0 };
        let (x0, x1) = (left_margin, WIDTH - right_margin);

        let mut legend: Vec<(LegendKey, String)> = self
            .series
            .iter()
            .chain(self.right.iter().flat_map(|(_, s)| s))
            .map(|s| (LegendKey::Series(s.style), s.label.clone()))
            .collect();
        if self.bands
            && self
                .all_series()
                .any(|s| s.points.iter().any(|p| p.ci95.is_some()))
        {
            legend.push((LegendKey::Band, en("chart-legend-band")));
        }
        if !self.gaps.is_empty() {
            legend.push((LegendKey::Gap, en("chart-legend-gap")));
        }
        if !self.steps.is_empty() {
            legend.push((LegendKey::Step, en("chart-legend-steps")));
        }
        let rows = legend_rows(&legend, WIDTH - 32.0);
        let plot_bottom = TOP + PLOT_HEIGHT;
        let height = plot_bottom + 52.0 + rows.len() as f64 * LEGEND_ROW + 6.0;
        let mut c = Canvas::new(&self.id, WIDTH, height);

        let x = self.x_scale(x0, x1);
        let y = Scale::new(self.left.domain, (plot_bottom, TOP));
        for t in &self.left.ticks {
            let ty = y.at(*t);
            c.line(x0, ty, x1, ty, "tc-grid");
            c.text(
                x0 - 8.0,
                ty + 4.0,
                &tick_label(*t, &self.left.ticks),
                Anchor::End,
                "tc-tick",
            );
        }
        c.line(x0, TOP, x0, plot_bottom, "tc-axis");
        c.line(x0, plot_bottom, x1, plot_bottom, "tc-axis");
        c.vertical_text(
            16.0,
            (TOP + plot_bottom) / 2.0,
            &self.left.title,
            "tc-label",
        );
        let every = label_every(self.waves.len(), x1 - x0);
        for (i, w) in self.waves.iter().enumerate() {
            let wx = x(*w);
            c.line(wx, plot_bottom, wx, plot_bottom + 5.0, "tc-axis");
            if i % every == 0 || i + 1 == self.waves.len() {
                c.text(
                    wx,
                    plot_bottom + 18.0,
                    &w.to_string(),
                    Anchor::Middle,
                    "tc-tick",
                );
            }
        }
        c.text(
            (x0 + x1) / 2.0,
            plot_bottom + 36.0,
            &en("chart-wave"),
            Anchor::Middle,
            "tc-label",
        );

        let right = self.right.as_ref().map(|(axis, series)| {
            let scale = Scale::new(axis.domain, (plot_bottom, TOP));
            for t in &axis.ticks {
                c.text(
                    x1 + 8.0,
                    scale.at(*t) + 4.0,
                    &tick_label(*t, &axis.ticks),
                    Anchor::Start,
                    "tc-tick",
                );
            }
            c.line(x1, TOP, x1, plot_bottom, "tc-axis");
            c.vertical_text(
                WIDTH - 12.0,
                (TOP + plot_bottom) / 2.0,
                &ellipsis(&axis.title, 38),
                "tc-label",
            );
            (scale, series)
        });

        if self.bands {
            for s in &self.series {
                draw_band(&mut c, s, &x, &y, &self.waves);
            }
        }
        for g in &self.gaps {
            let gx = x(g.wave);
            let (ya, yb) = (y.clamped(g.from), y.clamped(g.to));
            c.line(gx, ya, gx, yb, "tc-gap");
            c.text(
                gx + 7.0,
                (ya + yb) / 2.0 + 4.0,
                &g.label,
                Anchor::Start,
                "tc-gap-label",
            );
        }
        for pair in self.steps.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if a.style == b.style {
                c.line(
                    x(b.from),
                    y.clamped(a.value),
                    x(b.from),
                    y.clamped(b.value),
                    "tc-step",
                );
            }
        }
        for step in &self.steps {
            let (xa, xb) = (x(step.from), x(step.to));
            c.line(
                xa,
                y.clamped(step.value),
                xb,
                y.clamped(step.value),
                "tc-step",
            );
        }
        for s in &self.series {
            draw_series(&mut c, s, &x, &y, &self.waves);
        }
        if let Some((scale, series)) = &right {
            for s in series.iter() {
                draw_series(&mut c, s, &x, scale, &self.waves);
            }
        }

        let mut ly = plot_bottom + 62.0;
        for row in rows {
            let mut lx = 16.0;
            for i in row {
                let (key, label) = &legend[i];
                draw_key(&mut c, key, lx, ly);
                c.text(lx + 34.0, ly + 4.0, label, Anchor::Start, "tc-small");
                lx += legend_item_width(label);
            }
            ly += LEGEND_ROW;
        }
        c.render(&self.title, &self.desc)
    }

    fn all_series(&self) -> impl Iterator<Item = &Series> {
        self.series
            .iter()
            .chain(self.right.iter().flat_map(|(_, s)| s))
    }

    fn x_scale(&self, x0: f64, x1: f64) -> impl Fn(i64) -> f64 + '_ {
        let pad = 24.0;
        let n = self.waves.len();
        move |wave: i64| {
            let i = self.waves.iter().position(|w| *w == wave).unwrap_or(0);
            if n <= 1 {
                (x0 + x1) / 2.0
            } else {
                x0 + pad + i as f64 * (x1 - x0 - 2.0 * pad) / (n - 1) as f64
            }
        }
    }
}

fn label_every(n: usize, width: f64) -> usize {
    let per = width / n.max(1) as f64;
    if per >= 28.0 {
        1
    } else {
        (28.0 / per).ceil() as usize
    }
}

fn legend_item_width(label: &str) -> f64 {
    34.0 + text_width(label, 11.5) + 20.0
}

/// Legend items packed into rows no wider than `width`.
fn legend_rows(items: &[(LegendKey, String)], width: f64) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut used = f64::INFINITY;
    for (i, (_, label)) in items.iter().enumerate() {
        let w = legend_item_width(label);
        if used + w > width {
            rows.push(Vec::new());
            used = 0.0;
        }
        if let Some(row) = rows.last_mut() {
            row.push(i);
        }
        used += w;
    }
    rows
}

fn draw_key(c: &mut Canvas, key: &LegendKey, x: f64, y: f64) {
    match key {
        LegendKey::Series(style) => {
            c.line(x, y, x + 28.0, y, style.line());
            marker(c, *style, x + 14.0, y, None);
        }
        LegendKey::Band => c.rect(x, y - 6.0, 28.0, 12.0, "tc-band-neutral"),
        LegendKey::Gap => c.line(x + 14.0, y - 7.0, x + 14.0, y + 7.0, "tc-gap"),
        LegendKey::Step => {
            c.line(x, y + 4.0, x + 14.0, y + 4.0, "tc-step");
            c.line(x + 14.0, y + 4.0, x + 14.0, y - 4.0, "tc-step");
            c.line(x + 14.0, y - 4.0, x + 28.0, y - 4.0, "tc-step");
        }
    }
}

fn marker(c: &mut Canvas, style: Style, x: f64, y: f64, tip: Option<String>) {
    match style {
        Style::Supplier => c.polygon(
            &[
                (x - 4.5, y - 4.5),
                (x + 4.5, y - 4.5),
                (x + 4.5, y + 4.5),
                (x - 4.5, y + 4.5),
            ],
            style.dot(),
            tip,
        ),
        Style::Kpi => c.polygon(
            &[(x, y - 6.0), (x + 6.0, y), (x, y + 6.0), (x - 6.0, y)],
            style.dot(),
            tip,
        ),
        Style::Customer | Style::Neutral => c.circle(x, y, 5.0, style.dot(), tip),
    }
}

/// Runs of points at consecutive waves (a missing wave breaks the line).
fn runs<'a>(s: &'a Series, waves: &[i64]) -> Vec<Vec<&'a Point>> {
    let index = |w: i64| waves.iter().position(|x| *x == w);
    let mut out: Vec<Vec<&Point>> = Vec::new();
    let mut last: Option<usize> = None;
    for p in &s.points {
        let Some(i) = index(p.wave) else { continue };
        match (last, out.last_mut()) {
            (Some(l), Some(run)) if i == l + 1 => run.push(p),
            _ => out.push(vec![p]),
        }
        last = Some(i);
    }
    out
}

fn draw_band(c: &mut Canvas, s: &Series, x: &impl Fn(i64) -> f64, y: &Scale, waves: &[i64]) {
    for run in runs(s, waves) {
        if run.len() < 2 || run.iter().all(|p| p.ci95.is_none()) {
            continue;
        }
        let bound = |p: &Point, i: usize| p.ci95.map_or(p.value, |ci| ci[i]);
        let mut points: Vec<(f64, f64)> = run
            .iter()
            .map(|p| (x(p.wave), y.clamped(bound(p, 1))))
            .collect();
        points.extend(
            run.iter()
                .rev()
                .map(|p| (x(p.wave), y.clamped(bound(p, 0)))),
        );
        c.polygon(&points, s.style.band(), None);
    }
}

fn draw_series(c: &mut Canvas, s: &Series, x: &impl Fn(i64) -> f64, y: &Scale, waves: &[i64]) {
    for run in runs(s, waves) {
        if run.len() >= 2 {
            let points: Vec<(f64, f64)> = run
                .iter()
                .map(|p| (x(p.wave), y.clamped(p.value)))
                .collect();
            c.polyline(&points, s.style.line());
        }
    }
    for p in &s.points {
        let ci = p
            .ci95
            .map(|[lo, hi]| {
                en2(
                    "chart-tip-ci",
                    "lo",
                    format!("{lo:.2}"),
                    "hi",
                    format!("{hi:.2}"),
                )
            })
            .unwrap_or_default();
        let tip = en_with(
            "chart-line-tip",
            &[
                ("series", &s.label),
                ("wave", &p.wave),
                ("value", &format!("{:.2}", p.value)),
                ("ci", &ci),
            ],
        );
        marker(c, s.style, x(p.wave), y.clamped(p.value), Some(tip));
    }
}
