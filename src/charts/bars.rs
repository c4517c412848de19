//! Response rate per wave and firm: grouped bars, 0–100 %.

use super::axis::Scale;
use super::svg::{text_width, Anchor, Canvas};
use crate::domain::Side;
use crate::i18n::en;

/// One bar's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Rate {
    /// Responded / invited, in [0, 1].
    Shown(f64),
    /// The group is withheld: drawn hatched with the reason, never a number.
    Withheld(String),
    /// Nobody was invited.
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RateBar {
    pub side: Side,
    pub rate: Rate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RateGroup {
    pub wave: i64,
    pub bars: Vec<RateBar>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RateChart {
    pub id: String,
    pub title: String,
    pub desc: String,
    pub groups: Vec<RateGroup>,
    /// The firms in the legend, in bar order.
    pub legend: Vec<(Side, String)>,
}

const WIDTH: f64 = 680.0;
const TOP: f64 = 22.0;
const PLOT_HEIGHT: f64 = 170.0;

fn bar_class(side: Side) -> &'static str {
    match side {
        Side::Customer => "tc-bar-customer",
        Side::Supplier => "tc-bar-supplier",
    }
}

impl RateChart {
    pub fn render(&self) -> Result<String, askama::Error> {
        let (x0, x1) = (56.0, WIDTH - 16.0);
        let bottom = TOP + PLOT_HEIGHT;
        let mut c = Canvas::new(&self.id, WIDTH, bottom + 74.0);
        let y = Scale::new((0.0, 1.0), (bottom, TOP));
        for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
            c.line(x0, y.at(t), x1, y.at(t), "tc-grid");
            c.text(
                x0 - 8.0,
                y.at(t) + 4.0,
                &format!("{:.0} %", t * 100.0),
                Anchor::End,
                "tc-tick",
            );
        }
        c.line(x0, TOP, x0, bottom, "tc-axis");
        c.line(x0, bottom, x1, bottom, "tc-axis");
        c.vertical_text(
            14.0,
            (TOP + bottom) / 2.0,
            &en("chart-response-rate"),
            "tc-label",
        );

        let n = self.groups.len().max(1) as f64;
        let slot = (x1 - x0) / n;
        let per_group = self
            .groups
            .iter()
            .map(|g| g.bars.len())
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        let bar_w = ((slot * 0.72) / per_group).min(44.0);
        for (i, g) in self.groups.iter().enumerate() {
            let centre = x0 + slot * (i as f64 + 0.5);
            let start = centre - bar_w * g.bars.len() as f64 / 2.0;
            for (j, b) in g.bars.iter().enumerate() {
                let bx = start + bar_w * j as f64 + 2.5;
                let w = bar_w - 5.0;
                match &b.rate {
                    Rate::Shown(r) => {
                        let top = y.clamped(*r);
                        c.rect(bx, top, w, bottom - top, bar_class(b.side));
                        // Inside the bar when it is tall enough, above it otherwise; a bar
                        // too narrow for its label leaves the number to the data table.
                        let label = format!("{:.0}%", r * 100.0);
                        let fits = text_width(&label, 11.5) + 4.0 <= w;
                        if fits && bottom - top > 22.0 {
                            c.text(
                                bx + w / 2.0,
                                top + 15.0,
                                &label,
                                Anchor::Middle,
                                "tc-value-in",
                            );
                        } else if fits {
                            c.text(bx + w / 2.0, top - 5.0, &label, Anchor::Middle, "tc-value");
                        }
                    }
                    Rate::Withheld(reason) => {
                        c.hatched(bx, bottom - 26.0, w, 26.0, reason);
                        c.vertical_text(
                            bx + w / 2.0 + 4.0,
                            bottom - 60.0,
                            &en("chart-withheld"),
                            "tc-withheld",
                        );
                    }
                    Rate::None => {
                        c.text(bx + w / 2.0, bottom - 6.0, "–", Anchor::Middle, "tc-small");
                    }
                }
            }
            c.text(
                centre,
                bottom + 18.0,
                &g.wave.to_string(),
                Anchor::Middle,
                "tc-tick",
            );
        }
        c.text(
            (x0 + x1) / 2.0,
            bottom + 36.0,
            &en("chart-wave"),
            Anchor::Middle,
            "tc-label",
        );
        let mut lx = x0;
        for (side, name) in &self.legend {
            c.rect(lx, bottom + 52.0, 14.0, 14.0, bar_class(*side));
            c.text(lx + 20.0, bottom + 63.0, name, Anchor::Start, "tc-small");
            lx += 20.0 + text_width(name, 10.5) + 28.0;
        }
        c.render(&self.title, &self.desc)
    }
}
