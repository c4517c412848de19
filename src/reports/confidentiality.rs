//! Which groups a report may show. Pure: no I/O.
//!
//! Rules (each has its own test in `tests/analytics`):
//! 1. a group (a side of a wave, or a segment of it) with fewer responses than the
//!    partnership's minimum reporting size is suppressed, with the reason;
//! 2. linked-table protection: every breakdown the service can publish for a side of a
//!    wave (the total, level, function, level × function, region) is decided together, over
//!    the side's finest cells (level × function × region), by `reports::disclosure::protect`,
//!    so that no group of fewer than the minimum — named or not — can be recovered by adding
//!    and subtracting published numbers, whichever reports, pages and exports a viewer
//!    combines (the decision does not depend on the breakdowns a request asks for);
//! 3. the cross-tab is one of those breakdowns, not a table protected on its own;
//! 4. a suppressed group's counts, response rate and statistics are all withheld, and so is
//!    every statistic that combines it with other groups (ICC across its segments, the
//!    between-firm comparison and health index of a suppressed side, its trend point);
//! 5. inside a shown group, an item answered by fewer people than the minimum (the others
//!    said "don't know") is withheld, and so is a dimension with fewer listwise-complete
//!    respondents than the minimum; rule 2 then applies to those answer counts per item and
//!    dimension (with the groups withheld at the respondent level staying withheld), and
//!    rule 4 to everything computed from a withheld item or dimension.
//!
//! This module holds the reasons' words (they name no group and no count); the decisions
//! are made in `report::protection`.

use std::cell::RefCell;
use std::collections::HashMap;

/// The catalog's words for `id` with the minimum `min`. A report asks for the same few
/// reasons for thousands of cells, so each (reason, minimum) is formatted once per thread.
fn reason(id: &'static str, min: u64) -> String {
    thread_local! {
        static MADE: RefCell<HashMap<(&'static str, u64), String>> = RefCell::default();
    }
    MADE.with(|made| {
        made.borrow_mut()
            .entry((id, min))
            .or_insert_with(|| crate::i18n::en1(id, "min", min))
            .clone()
    })
}

/// Why a group is not shown.
pub fn below_minimum(min: u64) -> String {
    reason("withheld-below-minimum", min)
}

/// Why a group above the minimum is not shown either.
pub fn complementary(min: u64) -> String {
    reason("withheld-complementary", min)
}

/// Why an item of a shown group is not shown: too few people answered it (not "don't know").
pub fn fewer_answers(min: u64) -> String {
    reason("withheld-fewer-answers", min)
}

/// Why an item answered by enough people is not shown either.
pub fn complementary_answers(min: u64) -> String {
    reason("withheld-complementary-answers", min)
}

/// Why a dimension of a shown group is not shown: too few listwise-complete respondents.
pub fn fewer_complete_answers(min: u64) -> String {
    reason("withheld-fewer-complete", min)
}

/// Why a dimension with enough complete respondents is not shown either.
pub fn complementary_complete_answers(min: u64) -> String {
    reason("withheld-complementary-complete", min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reasons_name_the_minimum_and_are_the_same_every_time() {
        assert_eq!(below_minimum(3), "fewer than 3 responses");
        assert_eq!(below_minimum(5), "fewer than 5 responses");
        assert_eq!(below_minimum(3), "fewer than 3 responses");
        assert_eq!(
            complementary_complete_answers(4),
            "withheld so that fewer than 4 complete answers cannot be recovered by subtraction"
        );
    }
}
