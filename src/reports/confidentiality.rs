//! Which groups a report may show. Pure: no I/O.
//!
//! Rules (each has its own test in `tests/analytics`):
//! 1. a group (a side of a wave, or a segment of it) with fewer responses than the
//!    partnership's minimum reporting size is suppressed, with the reason;
//! 2. complementary suppression: within the segments of one attribute of a side and wave,
//!    the suppressed segments together must hold at least the minimum, otherwise the next
//!    smallest shown segment is suppressed too, until they do (or nothing is left) — so no
//!    small group can be recovered by subtracting shown segments from the shown total;
//! 3. cross-tabs (level × function) follow rule 2 along every row (a level) and every column
//!    (a function), repeated until nothing changes;
//! 4. a suppressed group's counts, response rate and statistics are all withheld, and so is
//!    every statistic that combines it with other groups (ICC across its segments, the
//!    between-firm comparison and health index of a suppressed side, its trend point);
//! 5. inside a shown group, an item answered by fewer people than the minimum (the others
//!    said "don't know") is withheld, and so is a dimension with fewer listwise-complete
//!    respondents than the minimum; rules 2 and 3 then apply to those answer counts per item
//!    and dimension (the withheld segments' answers together must reach the minimum, so
//!    they cannot be recovered from the shown total), and rule 4 to everything computed from
//!    a withheld item or dimension.

use std::collections::{BTreeMap, HashMap};

/// Why a group is not shown.
pub fn below_minimum(min: u64) -> String {
    format!("fewer than {min} responses")
}

/// Why a group above the minimum is not shown either.
pub fn complementary(min: u64) -> String {
    format!(
        "withheld so that a group of fewer than {min} responses cannot be recovered by subtraction"
    )
}

/// Why an item of a shown group is not shown: too few people answered it (not "don't know").
pub fn fewer_answers(min: u64) -> String {
    format!("fewer than {min} answers")
}

/// Why an item answered by enough people is not shown either.
pub fn complementary_answers(min: u64) -> String {
    format!("withheld so that fewer than {min} answers cannot be recovered by subtraction")
}

/// Why a dimension of a shown group is not shown: too few listwise-complete respondents.
pub fn fewer_complete_answers(min: u64) -> String {
    format!("fewer than {min} complete answers")
}

/// Why a dimension with enough complete respondents is not shown either.
pub fn complementary_complete_answers(min: u64) -> String {
    format!("withheld so that fewer than {min} complete answers cannot be recovered by subtraction")
}

/// One segment as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub key: String,
    /// For a cross-tab cell: (row key, column key); `None` for a one-attribute segment.
    pub cross: Option<(String, String)>,
    /// What the threshold is on: responses for a group, answers for an item, complete
    /// respondents for a dimension.
    pub responded: u64,
}

/// The words of one threshold: why a small cell is withheld and why its complement is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reasons {
    pub below: String,
    pub complement: String,
}

impl Reasons {
    /// Groups, counted in responses.
    pub fn responses(min: u64) -> Self {
        Self {
            below: below_minimum(min),
            complement: complementary(min),
        }
    }

    /// Items, counted in answers other than "don't know".
    pub fn answers(min: u64) -> Self {
        Self {
            below: fewer_answers(min),
            complement: complementary_answers(min),
        }
    }

    /// Dimensions, counted in listwise-complete respondents.
    pub fn complete_answers(min: u64) -> Self {
        Self {
            below: fewer_complete_answers(min),
            complement: complementary_complete_answers(min),
        }
    }
}

/// Applies rules 1–3 to the segments of one kind within one side of one wave. Returns the
/// suppressed keys with their reasons.
pub fn suppress(cells: &[Cell], min: u64) -> HashMap<String, String> {
    suppress_from(cells, min, HashMap::new(), &Reasons::responses(min))
}

/// Rules 1–3 for one item or dimension across the segments of one kind (rule 5): `cells`
/// count answers (or complete respondents), `already` holds the segments withheld before
/// (a withheld group withholds all its items), whose reasons are kept; their counts still
/// count towards the minimum the withheld cells must hold together.
pub fn suppress_from(
    cells: &[Cell],
    min: u64,
    already: HashMap<String, String>,
    reasons: &Reasons,
) -> HashMap<String, String> {
    let mut out = already;
    for c in cells.iter().filter(|c| c.responded < min) {
        out.entry(c.key.clone())
            .or_insert_with(|| reasons.below.clone());
    }
    if out.is_empty() {
        return out;
    }
    let partitions: Vec<Vec<&Cell>> = if cells.iter().any(|c| c.cross.is_some()) {
        let mut rows: BTreeMap<&str, Vec<&Cell>> = BTreeMap::new();
        let mut columns: BTreeMap<&str, Vec<&Cell>> = BTreeMap::new();
        for c in cells {
            if let Some((r, col)) = &c.cross {
                rows.entry(r).or_default().push(c);
                columns.entry(col).or_default().push(c);
            }
        }
        rows.into_values().chain(columns.into_values()).collect()
    } else {
        vec![cells.iter().collect()]
    };
    loop {
        let mut changed = false;
        for part in &partitions {
            let hidden: u64 = part
                .iter()
                .filter(|c| out.contains_key(&c.key))
                .map(|c| c.responded)
                .sum();
            let any_hidden = part.iter().any(|c| out.contains_key(&c.key));
            if !any_hidden || hidden >= min {
                continue;
            }
            let next = part
                .iter()
                .filter(|c| !out.contains_key(&c.key))
                .min_by(|a, b| a.responded.cmp(&b.responded).then(a.key.cmp(&b.key)));
            if let Some(next) = next {
                out.insert(next.key.clone(), reasons.complement.clone());
                changed = true;
            }
        }
        if !changed {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(key: &str, responded: u64) -> Cell {
        Cell {
            key: key.into(),
            cross: None,
            responded,
        }
    }

    fn cross(row: &str, col: &str, responded: u64) -> Cell {
        Cell {
            key: format!("{row}/{col}"),
            cross: Some((row.into(), col.into())),
            responded,
        }
    }

    #[test]
    fn a_lone_small_segment_takes_the_next_smallest_with_it() {
        let s = suppress(&[cell("exec", 2), cell("manager", 7), cell("staff", 17)], 3);
        assert_eq!(s.len(), 2);
        assert_eq!(s["exec"], "fewer than 3 responses");
        assert!(s["manager"].starts_with("withheld"));
    }

    #[test]
    fn small_segments_that_together_reach_the_minimum_need_no_partner() {
        let s = suppress(&[cell("a", 2), cell("b", 2), cell("c", 9)], 3);
        assert_eq!(s.len(), 2);
        assert!(!s.contains_key("c"));
    }

    #[test]
    fn nothing_small_means_nothing_hidden() {
        assert!(suppress(&[cell("a", 3), cell("b", 9)], 3).is_empty());
    }

    #[test]
    fn cross_tabs_protect_rows_and_columns() {
        let cells = [
            cross("exec", "sales", 1),
            cross("exec", "ops", 6),
            cross("staff", "sales", 8),
            cross("staff", "ops", 9),
        ];
        let s = suppress(&cells, 3);
        // exec/sales is small; its row partner exec/ops and its column partner staff/sales
        // go too; staff/ops can stay, since each hidden pair then holds at least 3.
        assert_eq!(s.len(), 3);
        assert!(!s.contains_key("staff/ops"));
    }

    #[test]
    fn an_item_answered_by_too_few_takes_its_complement_with_it() {
        let cells = [cell("exec", 2), cell("manager", 6), cell("staff", 9)];
        let s = suppress_from(&cells, 5, HashMap::new(), &Reasons::answers(5));
        assert_eq!(s["exec"], "fewer than 5 answers");
        assert!(s["manager"].starts_with("withheld so that fewer than 5 answers"));
        assert!(!s.contains_key("staff"));
    }

    #[test]
    fn cells_withheld_before_keep_their_reason_and_count_towards_the_minimum() {
        let cells = [cell("exec", 2), cell("manager", 6), cell("staff", 9)];
        let already = HashMap::from([("manager".to_owned(), "fewer than 5 responses".to_owned())]);
        let s = suppress_from(&cells, 5, already, &Reasons::complete_answers(5));
        assert_eq!(s.len(), 2, "exec and manager hold 8 together: staff stays");
        assert_eq!(s["manager"], "fewer than 5 responses");
        assert_eq!(s["exec"], "fewer than 5 complete answers");
    }
}
