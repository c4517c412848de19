//! Segment heatmaps: segments (levels or functions) × dimensions, each cell the segment's
//! mean, coloured on a diverging scale around the midpoint 3. A withheld segment is a
//! hatched cell saying "withheld" — its number never reaches the chart.

use super::palette;
use super::svg::{ellipsis, text_width, Anchor, Canvas};
use crate::i18n::{en, en1, en2, en_with};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Shown {
        mean: f64,
        /// Within-segment agreement rwg(j), when defined.
        rwg_j: Option<f64>,
        n: u64,
    },
    /// Withheld, with the reason (never a value).
    Withheld(String),
    /// Shown group, but no complete answers for this dimension.
    Empty,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    pub id: String,
    pub title: String,
    pub desc: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    /// A of the scale the means are on (the colours run 1..A, white at the midpoint).
    pub points: u8,
}

const CELL_W: f64 = 150.0;
const CELL_H: f64 = 44.0;
const LABEL_W: f64 = 132.0;
const TOP: f64 = 30.0;

impl Heatmap {
    pub fn render(&self) -> Result<String, askama::Error> {
        let cols = self.columns.len().max(1) as f64;
        let width = LABEL_W + cols * CELL_W + 12.0;
        let grid_bottom = TOP + self.rows.len() as f64 * CELL_H;
        let mut c = Canvas::new(&self.id, width.max(420.0), grid_bottom + 56.0);
        for (j, col) in self.columns.iter().enumerate() {
            let cx = LABEL_W + CELL_W * (j as f64 + 0.5);
            c.text(
                cx,
                TOP - 10.0,
                &ellipsis(col, 22),
                Anchor::Middle,
                "tc-label",
            );
        }
        for (i, row) in self.rows.iter().enumerate() {
            let y = TOP + CELL_H * i as f64;
            c.text(
                LABEL_W - 10.0,
                y + CELL_H / 2.0 + 4.0,
                &ellipsis(&row.label, 18),
                Anchor::End,
                "tc-label",
            );
            for (j, cell) in row.cells.iter().enumerate() {
                let x = LABEL_W + CELL_W * j as f64;
                let (cx, cy) = (x + CELL_W / 2.0, y + CELL_H / 2.0);
                match cell {
                    Cell::Shown { mean, rwg_j, n } => {
                        let tip = en_with(
                            "chart-heat-tip",
                            &[
                                ("row", &row.label),
                                ("column", &self.columns[j]),
                                ("mean", &format!("{mean:.2}")),
                                ("n", n),
                            ],
                        );
                        c.filled(
                            x,
                            y,
                            CELL_W,
                            CELL_H,
                            "tc-cell",
                            palette::mean_fill_on(*mean, self.points),
                            Some(tip),
                        );
                        c.text(
                            cx,
                            cy + 1.0,
                            &format!("{mean:.2}"),
                            Anchor::Middle,
                            "tc-strong",
                        );
                        let sub = match rwg_j {
                            Some(r) => en2("chart-heat-rwg-n", "rwg", format!("{r:.2}"), "n", n),
                            None => en1("chart-heat-n", "n", n),
                        };
                        c.text(cx, cy + 15.0, &sub, Anchor::Middle, "tc-small");
                    }
                    Cell::Withheld(reason) => {
                        c.hatched(x + 1.0, y + 1.0, CELL_W - 2.0, CELL_H - 2.0, reason);
                        let word = en("chart-withheld");
                        let w = text_width(&word, 11.0) + 12.0;
                        c.rect(cx - w / 2.0, cy - 9.0, w, 17.0, "tc-bg");
                        c.text(cx, cy + 4.0, &word, Anchor::Middle, "tc-withheld");
                    }
                    Cell::Empty => {
                        c.rect(x + 1.0, y + 1.0, CELL_W - 2.0, CELL_H - 2.0, "tc-frame");
                        c.text(
                            cx,
                            cy + 4.0,
                            &en("chart-no-answers"),
                            Anchor::Middle,
                            "tc-small",
                        );
                    }
                }
            }
        }
        // Key: the colour scale at 1..A, then the withheld pattern.
        let ky = grid_bottom + 22.0;
        c.text(
            LABEL_W - 10.0,
            ky + 12.0,
            &en("chart-heat-key-mean"),
            Anchor::End,
            "tc-small",
        );
        let key: Vec<f64> = (1..=self.points.max(2)).map(f64::from).collect();
        for (k, v) in key.iter().enumerate() {
            let kx = LABEL_W + k as f64 * 34.0;
            let fill = palette::mean_fill_on(*v, self.points);
            c.filled(kx, ky, 32.0, 18.0, "tc-cell", fill, None);
            c.text(
                kx + 16.0,
                ky + 13.0,
                &format!("{v:.0}"),
                Anchor::Middle,
                "tc-small",
            );
        }
        let hx = LABEL_W + key.len() as f64 * 34.0 + 18.0;
        c.hatched(hx, ky, 32.0, 18.0, &en("chart-withheld"));
        c.text(
            hx + 40.0,
            ky + 13.0,
            &en("chart-heat-key-withheld"),
            Anchor::Start,
            "tc-small",
        );
        c.render(&self.title, &self.desc)
    }
}
