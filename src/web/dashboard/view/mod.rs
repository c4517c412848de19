//! From the stored report to what the dashboard pages show: pre-formatted numbers, words,
//! data tables and rendered charts. Pure (no I/O), so the pages and the `.svg` exports draw
//! the same charts from the same document.
//!
//! Everything here reads the report only — never an answer — and every withheld group stays
//! withheld: its text is the report's reason ("withheld: fewer than N responses"), never a
//! number.

use std::collections::BTreeMap;

use crate::auth::Visibility;
use crate::charts::bars::{Rate, RateBar, RateChart, RateGroup};
use crate::charts::distribution::{Bar, Distribution, Row as DistRow};
use crate::charts::heatmap::{Cell, Heatmap, Row as HeatRow};
use crate::charts::line::{Axis, Gap, LineChart, Point, Series, Step, Style};
use crate::charts::{axis, slug};
use crate::domain::Side;
#[allow(unused_imports)]
use crate::i18n::{en, en1, en2, en3, en_with};
use crate::reports::report::{
    DimensionRecord, GroupRecord, InterFirmRecord, ItemRecord, LeadLagRecord, Report,
};
use crate::stats::SIGNIFICANCE_LEVEL;

mod dashboard;
mod dimensions;
mod health;
mod heatmaps;
mod item;
mod kpis;
mod meta;
mod review;

pub use dashboard::*;
pub use dimensions::*;
pub use health::*;
pub use heatmaps::*;
pub use item::*;
pub use kpis::*;
pub use meta::*;
pub use review::*;

/// rwg(j) below which a firm's agreement on a dimension is worth a question in the review.
pub const LOW_AGREEMENT: f64 = 0.70;
/// Response rate below which the review asks how to hear from more people.
pub const LOW_RESPONSE: f64 = 0.40;

/// Names from the survey template of the latest wave; ids stand in where a name is missing.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    pub dimensions: BTreeMap<String, String>,
    /// Item id → (customer wording, supplier wording).
    pub items: BTreeMap<String, (String, String)>,
    /// Labels of 1..=A, then don't know.
    pub answers: Option<Vec<String>>,
    /// The open question for the periodic review, if the template has one.
    pub review_question: Option<String>,
    /// Open question id → (customer wording, supplier wording).
    pub questions: BTreeMap<String, (String, String)>,
}

impl Labels {
    pub fn dimension(&self, id: &str) -> String {
        self.dimensions
            .get(id)
            .cloned()
            .unwrap_or_else(|| humanize(id))
    }

    /// The labels of 1..=A then don't know; without a template, the points' numbers for the A
    /// of `points`.
    pub fn answers(&self, points: u8) -> Vec<String> {
        self.answers.clone().unwrap_or_else(|| {
            (1..=points)
                .map(|p| p.to_string())
                .chain([en("dash-dont-know")])
                .collect()
        })
    }
}

/// The first letter in upper case, for headings.
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub use crate::domain::humanize;

/// Keeps what `visibility` allows: one-side managers see only their firm, and nothing that
/// combines both firms (the between-firm comparison, the health index), since the gap and
/// their own mean would give the other firm's mean away.
pub fn restrict(report: &Report, visibility: Visibility) -> Report {
    match visibility {
        Visibility::Only(side) => report.for_one_side(side),
        Visibility::Both => report.clone(),
    }
}

pub fn sides(visibility: Visibility) -> Vec<Side> {
    match visibility {
        Visibility::Both => Side::BOTH.to_vec(),
        Visibility::Only(s) => vec![s],
    }
}

fn firm(report: &Report, side: Side) -> &str {
    match side {
        Side::Customer => &report.partnership.customer,
        Side::Supplier => &report.partnership.supplier,
    }
}

fn style(side: Side) -> Style {
    match side {
        Side::Customer => Style::Customer,
        Side::Supplier => Style::Supplier,
    }
}

/// "withheld: fewer than 5 responses", or the complementary reason as the report words it.
pub fn withheld(reason: &str) -> String {
    if reason.starts_with("withheld") {
        reason.to_owned()
    } else {
        en1("dash-withheld", "reason", reason)
    }
}

fn fixed(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().any(|c| c != '0' && c != '.') => format!("−{rest}"),
        Some(rest) => rest.to_owned(),
        None => s,
    }
}

fn signed(v: f64, digits: usize) -> String {
    if v > 0.0
        && fixed(v, digits)
            .chars()
            .any(|c| c.is_ascii_digit() && c != '0')
    {
        format!("+{}", fixed(v, digits))
    } else {
        fixed(v, digits)
    }
}

/// A correlation to two decimals, or three when two would round a strong r to ±1.
fn corr(r: f64) -> String {
    let two = fixed(r, 2);
    if r.abs() < 1.0 && two.ends_with("1.00") {
        fixed(r, 3)
    } else {
        two
    }
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".to_owned(), |v| fixed(v, digits))
}

fn p_value(p: Option<f64>) -> String {
    match p {
        None => "–".into(),
        Some(p) if p < 0.001 => "p < 0.001".into(),
        Some(p) => format!("p = {}", fixed(p, 3)),
    }
}

fn pct(v: f64) -> String {
    format!("{} %", fixed(v * 100.0, 0))
}

/// A chart ready for a page, with the name of its `.svg` export.
#[derive(Debug, Clone)]
pub struct ChartView {
    pub name: String,
    pub svg: String,
}

fn chart(name: String, svg: Result<String, askama::Error>) -> Result<ChartView, askama::Error> {
    Ok(ChartView { name, svg: svg? })
}

/// The whole-side dimension record of a wave.
fn whole<'a>(
    report: &'a Report,
    wave: i64,
    side: Side,
    dimension: &str,
) -> Option<&'a DimensionRecord> {
    report.dimensions.iter().find(|d| {
        d.id.wave == wave
            && d.id.side == side
            && d.id.segment_kind == "all"
            && d.dimension == dimension
    })
}

fn whole_group(report: &Report, wave: i64, side: Side) -> Option<&GroupRecord> {
    report
        .groups
        .iter()
        .find(|g| g.id.wave == wave && g.id.side == side && g.id.segment_kind == "all")
}

fn inter_firm<'a>(report: &'a Report, wave: i64, dimension: &str) -> Option<&'a InterFirmRecord> {
    report
        .inter_firm
        .dimensions
        .iter()
        .find(|r| r.wave == wave && r.dimension.as_deref() == Some(dimension))
}

fn significant(r: &InterFirmRecord) -> bool {
    r.comparison
        .as_ref()
        .and_then(|c| c.welch_p)
        .is_some_and(|p| p < SIGNIFICANCE_LEVEL)
}

/// Dimension ids in template order, as the report lists them.
pub fn dimension_ids(report: &Report) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in &report.dimensions {
        if !out.contains(&d.dimension) {
            out.push(d.dimension.clone());
        }
    }
    out
}

pub fn item_ids(report: &Report) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for i in &report.items {
        if !out.iter().any(|(id, _)| id == &i.item) {
            out.push((i.item.clone(), i.dimension.clone()));
        }
    }
    out
}

fn waves(report: &Report) -> Vec<i64> {
    report.waves.iter().map(|w| w.wave).collect()
}

/// One cell of a data table: text, and whether it is a withheld note.
#[derive(Debug, Clone)]
pub struct TableCell {
    pub text: String,
    pub withheld: bool,
    /// Where an ombudsman raises a flag on what the cell shows (`/flags/new?…`), for cells
    /// that show a group's numbers; the page shows it only to those who may raise flags.
    pub flag_href: Option<String>,
}

impl TableCell {
    fn value(text: String) -> TableCell {
        TableCell {
            text,
            withheld: false,
            flag_href: None,
        }
    }

    fn hidden(reason: &str) -> TableCell {
        TableCell {
            text: withheld(reason),
            withheld: true,
            flag_href: None,
        }
    }
}

/// `/flags/new?…` with the partnership and the given scope filled in.
pub(super) fn flag_href(partnership: i64, scope: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("partnership", &partnership.to_string());
    for (key, value) in scope {
        query.append_pair(key, value);
    }
    format!("/flags/new?{}", query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(fixed(-0.004, 2), "0.00");
        assert_eq!(fixed(-0.64, 2), "−0.64");
        assert_eq!(signed(0.84, 2), "+0.84");
        assert_eq!(signed(0.0, 2), "0.00");
        assert_eq!(p_value(Some(0.0001)), "p < 0.001");
        assert_eq!(p_value(Some(0.0345)), "p = 0.035");
        assert_eq!(humanize("on_time_delivery_pct"), "on time delivery (%)");
    }

    #[test]
    fn withheld_reasons_read_as_withheld() {
        assert_eq!(
            withheld("fewer than 5 responses"),
            "withheld: fewer than 5 responses"
        );
        assert!(withheld("withheld so that …").starts_with("withheld so"));
    }
}
