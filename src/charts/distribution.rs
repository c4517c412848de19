//! An item's answer distribution: one 100 % stacked bar per wave and firm, strongly
//! lowest … highest point of the item's scale, then don't know.

use super::palette;
use super::svg::{ellipsis, text_width, Anchor, Canvas};
use crate::i18n::en;

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub enum Bar {
    /// Counts of 1..=A, then don't know (A + 1 numbers, as many as the chart's answers).
    Shown(Vec<u64>),
    Withheld(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    pub bar: Bar,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    pub id: String,
    pub title: String,
    pub desc: String,
    /// The labels of points 1..=A, then don't know.
    pub answers: Vec<String>,
    pub rows: Vec<Row>,
}

const WIDTH: f64 = 680.0;
const LABEL_W: f64 = 170.0;
const ROW_H: f64 = 30.0;
const TOP: f64 = 10.0;

impl Distribution {
    pub fn render(&self) -> Result<String, askama::Error> {
        let (x0, x1) = (LABEL_W, WIDTH - 16.0);
        let bottom = TOP + self.rows.len() as f64 * ROW_H;
        let points = self.answers.len().saturating_sub(1);
        // Legend in up to two rows.
        let mut keys = Vec::new();
        let (mut lx, mut ly) = (16.0, bottom + 22.0);
        for (k, a) in self.answers.iter().enumerate() {
            let w = 20.0 + text_width(a, 10.5) + 18.0;
            if lx + w > WIDTH - 8.0 {
                lx = 16.0;
                ly += 20.0;
            }
            keys.push((k, lx, ly));
            lx += w;
        }
        let mut c = Canvas::new(&self.id, WIDTH, ly + 24.0);
        for (i, row) in self.rows.iter().enumerate() {
            let y = TOP + i as f64 * ROW_H;
            c.text(
                x0 - 10.0,
                y + ROW_H / 2.0 + 4.0,
                &ellipsis(&row.label, 28),
                Anchor::End,
                "tc-label",
            );
            let (by, bh) = (y + 4.0, ROW_H - 8.0);
            match &row.bar {
                Bar::Shown(counts) => {
                    let total: u64 = counts.iter().sum();
                    if total == 0 {
                        c.text(
                            x0 + 4.0,
                            y + ROW_H / 2.0 + 4.0,
                            &en("chart-no-answers"),
                            Anchor::Start,
                            "tc-small",
                        );
                        continue;
                    }
                    let mut x = x0;
                    for (k, n) in counts.iter().enumerate() {
                        let share = *n as f64 / total as f64;
                        let w = share * (x1 - x0);
                        if w <= 0.0 {
                            continue;
                        }
                        let tip = format!(
                            "{}: {} — {n} ({:.0} %)",
                            row.label,
                            self.answers.get(k).map_or("?", String::as_str),
                            share * 100.0
                        );
                        let colour = palette::answer(k, points);
                        c.filled(x, by, w, bh, "tc-cell", colour, Some(tip));
                        if w >= 30.0 {
                            c.text_in(
                                x + w / 2.0,
                                by + bh / 2.0 + 4.0,
                                &format!("{:.0}%", share * 100.0),
                                Anchor::Middle,
                                "tc-value",
                                palette::text_on(k, points),
                            );
                        }
                        x += w;
                    }
                }
                Bar::Withheld(reason) => {
                    c.hatched(x0, by, x1 - x0, bh, reason);
                    let word = en("chart-withheld");
                    let w = text_width(&word, 11.0) + 12.0;
                    let cx = (x0 + x1) / 2.0;
                    c.rect(cx - w / 2.0, by + 2.0, w, bh - 4.0, "tc-bg");
                    c.text(
                        cx,
                        by + bh / 2.0 + 4.0,
                        &word,
                        Anchor::Middle,
                        "tc-withheld",
                    );
                }
            }
        }
        for (k, kx, ky) in keys {
            c.filled(
                kx,
                ky - 10.0,
                14.0,
                14.0,
                "tc-cell",
                palette::answer(k, points),
                None,
            );
            c.text(
                kx + 20.0,
                ky + 1.0,
                &self.answers[k],
                Anchor::Start,
                "tc-small",
            );
        }
        c.render(&self.title, &self.desc)
    }
}
