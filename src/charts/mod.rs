//! Charts as SVG, rendered on the server so they work the same in the dashboard, the
//! printable review pack and the `.svg` exports, with no JavaScript.
//!
//! Every chart is a typed list of shapes ([`svg::Canvas`]) rendered through one askama
//! template, so every piece of text — firm names, segment names, item and KPI names — is
//! escaped by askama; no chart writes markup with `format!`. Each chart has a `<title>` and
//! a `<desc>` for screen readers; the pages put a data table under every chart.
//!
//! Why no chart crate: `plotters`' SVG backend lays out text through font libraries
//! (fontconfig/freetype for text measurement), which would add system dependencies to a
//! service that otherwise needs none, and it offers neither hatch patterns nor `<title>` /
//! `<desc>`. The five charts here need a few hundred lines of geometry.
//!
//! This module must never draw a number for a withheld group: withheld cells and bars take
//! only the reason ([`heatmap::Cell::Withheld`], [`bars::Rate::Withheld`],
//! [`distribution::Bar::Withheld`]) and are drawn hatched with the word "withheld".
//! Output is deterministic: the same input gives byte-identical SVG.

pub mod axis;
pub mod bars;
pub mod distribution;
pub mod heatmap;
pub mod line;
pub mod palette;
pub mod svg;

pub use svg::slug;

#[cfg(test)]
mod tests {
    use super::bars::{Rate, RateBar, RateChart, RateGroup};
    use super::distribution::{Bar, Distribution, Row as DistRow};
    use super::heatmap::{Cell, Heatmap, Row};
    use super::line::{Axis, Gap, LineChart, Point, Series, Step, Style};
    use crate::domain::Side;

    const NASTY: &str = r#"<script>alert("x")</script> & Söhne"#;

    fn trend(customer: &str) -> LineChart {
        LineChart {
            id: "trend-trust".into(),
            title: format!("Trust: {customer} and Supplier"),
            desc: "Means by wave".into(),
            waves: vec![1, 2, 3],
            left: Axis::likert(),
            series: vec![
                Series {
                    label: customer.into(),
                    style: Style::Customer,
                    points: vec![
                        Point {
                            wave: 1,
                            value: 3.9,
                            ci95: Some([3.6, 4.2]),
                        },
                        Point {
                            wave: 2,
                            value: 3.8,
                            ci95: Some([3.5, 4.1]),
                        },
                        Point {
                            wave: 3,
                            value: 3.85,
                            ci95: None,
                        },
                    ],
                },
                Series {
                    label: "Supplier".into(),
                    style: Style::Supplier,
                    points: vec![
                        Point {
                            wave: 1,
                            value: 3.7,
                            ci95: Some([3.4, 4.0]),
                        },
                        Point {
                            wave: 3,
                            value: 2.6,
                            ci95: Some([2.3, 2.9]),
                        },
                    ],
                },
            ],
            right: None,
            gaps: vec![Gap {
                wave: 3,
                from: 3.85,
                to: 2.6,
                label: "gap 1.25".into(),
            }],
            steps: vec![
                Step {
                    style: Style::Supplier,
                    from: 1,
                    to: 2,
                    value: 3.5,
                },
                Step {
                    style: Style::Supplier,
                    from: 3,
                    to: 3,
                    value: 2.6,
                },
            ],
            bands: true,
        }
    }

    fn heatmap(min: u64) -> Heatmap {
        Heatmap {
            id: "heat".into(),
            title: "Level × dimension".into(),
            desc: "Means".into(),
            columns: vec!["trust".into(), NASTY.into()],
            points: 5,
            rows: vec![
                Row {
                    label: "staff".into(),
                    cells: vec![
                        Cell::Shown {
                            mean: 3.456,
                            rwg_j: Some(0.8),
                            n: 12,
                        },
                        Cell::Empty,
                    ],
                },
                Row {
                    label: NASTY.into(),
                    cells: vec![
                        Cell::Withheld(format!("fewer than {min} responses")),
                        Cell::Withheld(format!("fewer than {min} responses")),
                    ],
                },
            ],
        }
    }

    #[test]
    fn labels_are_escaped() {
        let svg = trend(NASTY).render().unwrap();
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(
            svg.contains("&#60;script&#62;") || svg.contains("&lt;script&gt;"),
            "{svg}"
        );
        assert!(!svg.contains("& Söhne"));
        let svg = heatmap(5).render().unwrap();
        assert!(!svg.contains("<script>"));
    }

    #[test]
    fn a_withheld_cell_shows_the_word_and_no_value() {
        let svg = heatmap(5).render().unwrap();
        assert_eq!(svg.matches(">withheld</text>").count(), 2, "{svg}");
        assert!(svg.contains("fewer than 5 responses"));
        // The only numbers in cells are the shown cell's.
        assert!(svg.contains(">3.46</text>"));
        let bars = RateChart {
            id: "rates".into(),
            title: "Response rate".into(),
            desc: String::new(),
            groups: vec![RateGroup {
                wave: 1,
                bars: vec![
                    RateBar {
                        side: Side::Customer,
                        rate: Rate::Shown(0.5),
                    },
                    RateBar {
                        side: Side::Supplier,
                        rate: Rate::Withheld("fewer than 5 responses".into()),
                    },
                ],
            }],
            legend: vec![(Side::Customer, "C".into()), (Side::Supplier, "S".into())],
        }
        .render()
        .unwrap();
        assert!(bars.contains(">50%</text>"));
        assert_eq!(
            bars.matches("%</text>").count(),
            6,
            "five axis ticks and one bar: {bars}"
        );
        let dist = Distribution {
            id: "d".into(),
            title: "t".into(),
            desc: String::new(),
            answers: ["1", "2", "3", "4", "5", "?"].map(String::from).to_vec(),
            rows: vec![DistRow {
                label: "withheld row".into(),
                bar: Bar::Withheld("fewer than 5 responses".into()),
            }],
        }
        .render()
        .unwrap();
        assert!(dist.contains(">withheld</text>"));
        assert!(!dist.contains("%</text>"), "{dist}");
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(
            trend("Acme").render().unwrap(),
            trend("Acme").render().unwrap()
        );
        assert_eq!(heatmap(5).render().unwrap(), heatmap(5).render().unwrap());
    }

    #[test]
    fn charts_carry_title_and_description_for_screen_readers() {
        let svg = trend("Acme").render().unwrap();
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"<title id="trend-trust-title">Trust: Acme and Supplier</title>"#));
        assert!(svg.contains(r#"<desc id="trend-trust-desc">Means by wave</desc>"#));
        assert!(
            svg.contains("gap between the firms, significant (p &#60; 0.05)")
                || svg.contains("gap between the firms, significant (p &lt; 0.05)")
        );
    }

    #[test]
    fn ids_are_slugs() {
        assert_eq!(super::slug("Trend: Trust & <x>"), "trend-trust-x");
        assert_eq!(super::slug("<>"), "chart");
    }
}
