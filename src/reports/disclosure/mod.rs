//! Disclosure control across linked tables: which of the groups a report would like to show
//! together (the total, each breakdown, each cross-tab, for one side of one wave and one
//! measure) may be shown so that no group of fewer than the partnership's minimum reporting
//! size N can be recovered by adding and subtracting the numbers shown.
//!
//! Suppressing each breakdown on its own is not enough: with 4 executives (all in
//! operations), 10 managers (finance) and 12 staff (operations), "operations: 16" and
//! "staff: 12" give the executives' answers as a difference. This module treats everything
//! shown together as one system of linear equations and answers exactly.
//!
//! # The model
//! - A **cell** is one combination of values of all the attributes in play (level, function,
//!   region, any custom attribute) with the number of people in it for the measure at hand
//!   (respondents, answers to an item, listwise-complete respondents of a dimension). The
//!   roster tells a viewer who is in which cell.
//! - A **group** fixes the values of some attributes ([`Group::total`] fixes none); it is the
//!   set of cells that agree with it, its vector `e_G` is the 0/1 vector over cells.
//! - Every number published about a group that adds up over people (its count, the sum of
//!   its answers, the sum of their squares, each bar of its distribution) is the sum of the
//!   same number over its cells. So from published groups `P_1 … P_k` a viewer can compute
//!   that number for any group `G` whose vector is a rational combination of theirs:
//!   **a group is recoverable iff its cell vector is in the span (over the rationals) of the
//!   published groups' vectors.**
//! - A **finding** is a recoverable group — any non-empty union of cells, named or not —
//!   with between 1 and N − 1 people.
//!
//! Cells with a count of 0 for the measure are left out of the vectors: no published number
//! depends on them, so a viewer who knows such a cell is empty (its only member, who said
//! "don't know") can use it with any weight. Leaving them out finds every group the
//! full vectors would, and more.
//!
//! [`audit`] lists the findings of a set of published groups; [`protect`] chooses which
//! candidates to withhold so that the audit of the rest finds nothing:
//!
//! ```
//! use tandem::reports::disclosure::{audit, protect, DisclosureError, Table};
//!
//! let respondents = Table::new(
//!     ["level", "function"],
//!     [(["executive", "ops"], 4), (["manager", "finance"], 10), (["staff", "ops"], 12)],
//! )?;
//! let candidates =
//!     respondents.breakdowns(&[&[], &["level"], &["function"], &["level", "function"]])?;
//! let shown = protect(&respondents, &candidates, &[], 5)?;
//! assert!(audit(&respondents, &shown.published(), 5)?.is_clean());
//!
//! // An item: answers per cell; what the respondent level withheld stays withheld.
//! let answers = Table::new(
//!     ["level", "function"],
//!     [(["executive", "ops"], 4), (["manager", "finance"], 8), (["staff", "ops"], 11)],
//! )?;
//! let item = protect(&answers, &candidates, &shown.withheld(), 5)?;
//! assert!(shown.withheld().iter().all(|g| !item.is_published(g)));
//! # Ok::<(), DisclosureError>(())
//! ```
//!
//! # What it must never do
//! Pure and exact: no I/O, no floating point, nothing from the rest of the crate, and no
//! answer that depends on the order of its inputs. It must never call a set of groups safe
//! that it has not proved safe (an arithmetic overflow or an exhausted search budget makes
//! [`protect`] withhold more, never less), and the [`Protection`] it returns carries no
//! count: a reason names no group and no number that could identify anyone.

mod exact;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use exact::{Echelon, Found, SearchError, Want};

/// How many sets of basis rows one search may try before it gives up (see [`audit`] for the
/// bound on the work). Measured (the `timing` test): a typical report (3 × 4 × 3 cells, 22
/// candidates) tries at most ~200; 5 attributes with 61 candidates, cells of 1–3 people and
/// N = 20, ~130,000 — about 10 ms.
pub const SEARCH_BUDGET: u64 = 2_000_000;

/// Why a table, a group or an audit cannot be handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisclosureError {
    /// The same attribute named twice in a table.
    DuplicateAttribute(String),
    /// A cell key with the wrong number of values.
    KeyLength { key: Vec<String>, expected: usize },
    /// The same cell key given twice.
    DuplicateCell(Vec<String>),
    /// A group fixes an attribute the table does not have.
    UnknownAttribute(String),
    /// A group fixes the same attribute twice.
    AttributeFixedTwice(String),
    /// The exact arithmetic would overflow `i128` (only possible beyond ~35 independent
    /// published groups).
    Overflow,
    /// The audit would try more than [`SEARCH_BUDGET`] sets of basis rows.
    SearchTooLarge,
}

impl fmt::Display for DisclosureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DuplicateAttribute(a) => write!(f, "attribute {a:?} is named twice"),
            Self::KeyLength { key, expected } => write!(
                f,
                "cell {key:?} has {} values, the table has {expected} attributes",
                key.len()
            ),
            Self::DuplicateCell(key) => write!(f, "cell {key:?} is given twice"),
            Self::UnknownAttribute(a) => write!(f, "no attribute {a:?} in the table"),
            Self::AttributeFixedTwice(a) => write!(f, "a group fixes {a:?} twice"),
            Self::Overflow => f.write_str("the exact arithmetic would overflow"),
            Self::SearchTooLarge => write!(
                f,
                "the audit would try more than {SEARCH_BUDGET} combinations of groups"
            ),
        }
    }
}

impl std::error::Error for DisclosureError {}

impl From<SearchError> for DisclosureError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Overflow => Self::Overflow,
            SearchError::Budget => Self::SearchTooLarge,
        }
    }
}

/// One cell: a value per attribute (in the table's attribute order) and how many people it
/// holds for the measure.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Cell {
    pub key: Vec<String>,
    pub count: u64,
}

/// The finest cross-classification of one side of one wave for one measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    attributes: Vec<String>,
    /// Sorted by key.
    cells: Vec<Cell>,
}

impl Table {
    /// A table over `attributes`, in priority order (a breakdown by an earlier attribute is
    /// kept in preference to one by a later one), from `(key, count)` pairs in any order.
    /// Cells of count 0 may be given (an item nobody in the cell answered); they define
    /// groups but count for nothing.
    pub fn new<A, S, C, K, V>(attributes: A, cells: C) -> Result<Self, DisclosureError>
    where
        A: IntoIterator<Item = S>,
        S: Into<String>,
        C: IntoIterator<Item = (K, u64)>,
        K: IntoIterator<Item = V>,
        V: Into<String>,
    {
        let attributes: Vec<String> = attributes.into_iter().map(Into::into).collect();
        let mut seen = BTreeSet::new();
        if let Some(a) = attributes.iter().find(|a| !seen.insert(a.as_str())) {
            return Err(DisclosureError::DuplicateAttribute(a.clone()));
        }
        let mut cells: Vec<Cell> = cells
            .into_iter()
            .map(|(key, count)| Cell {
                key: key.into_iter().map(Into::into).collect(),
                count,
            })
            .collect();
        if let Some(c) = cells.iter().find(|c| c.key.len() != attributes.len()) {
            return Err(DisclosureError::KeyLength {
                key: c.key.clone(),
                expected: attributes.len(),
            });
        }
        cells.sort_by(|a, b| a.key.cmp(&b.key));
        if let Some(w) = cells.windows(2).find(|w| w[0].key == w[1].key) {
            return Err(DisclosureError::DuplicateCell(w[0].key.clone()));
        }
        Ok(Self { attributes, cells })
    }

    pub fn attributes(&self) -> &[String] {
        &self.attributes
    }

    /// The cells, sorted by key.
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    /// How many people `group` holds.
    pub fn count(&self, group: &Group) -> Result<u64, DisclosureError> {
        Ok(self.resolve(group)?.count)
    }

    /// The total (for `&[]`) and, for each list of attributes, one group per combination of
    /// their values that occurs in a cell: `&[&[], &["level"], &["level", "function"]]` gives
    /// the total, the level breakdown and the level × function cross-tab.
    pub fn breakdowns(&self, by: &[&[&str]]) -> Result<Vec<Group>, DisclosureError> {
        let mut out = Vec::new();
        for attributes in by {
            if attributes.is_empty() {
                out.push(Group::total());
                continue;
            }
            let positions = attributes
                .iter()
                .map(|a| self.position(a))
                .collect::<Result<Vec<_>, _>>()?;
            let combinations: BTreeSet<Vec<&str>> = self
                .cells
                .iter()
                .map(|c| positions.iter().map(|&p| c.key[p].as_str()).collect())
                .collect();
            for values in combinations {
                let group = attributes
                    .iter()
                    .zip(values)
                    .fold(Group::total(), |g, (a, v)| g.with(*a, v));
                self.resolve(&group)?;
                out.push(group);
            }
        }
        Ok(out)
    }

    fn position(&self, attribute: &str) -> Result<usize, DisclosureError> {
        self.attributes
            .iter()
            .position(|a| a == attribute)
            .ok_or_else(|| DisclosureError::UnknownAttribute(attribute.to_owned()))
    }

    fn resolve(&self, group: &Group) -> Result<Resolved, DisclosureError> {
        let mut by_position = BTreeMap::new();
        for (attribute, value) in &group.fixed {
            if by_position
                .insert(self.position(attribute)?, value.as_str())
                .is_some()
            {
                return Err(DisclosureError::AttributeFixedTwice(attribute.clone()));
            }
        }
        let members: Vec<usize> = (0..self.cells.len())
            .filter(|&i| by_position.iter().all(|(&p, v)| self.cells[i].key[p] == *v))
            .collect();
        let count = members.iter().map(|&i| self.cells[i].count).sum();
        let priority = Priority {
            fixed: by_position.len(),
            positions: by_position.keys().copied().collect(),
            values: by_position.values().map(|v| (*v).to_owned()).collect(),
        };
        Ok(Resolved {
            group: group.clone(),
            priority,
            members,
            count,
        })
    }

    /// The distinct groups of `groups`, in priority order.
    fn resolve_all(&self, groups: &[Group]) -> Result<Vec<Resolved>, DisclosureError> {
        let mut out = groups
            .iter()
            .map(|g| self.resolve(g))
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_by(|a, b| a.priority.cmp(&b.priority));
        out.dedup_by(|a, b| a.priority == b.priority);
        Ok(out)
    }
}

/// A group of people: the cells whose values agree with the attributes it fixes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Group {
    /// (attribute, value), sorted.
    fixed: Vec<(String, String)>,
}

impl Group {
    /// Everyone: fixes no attribute.
    pub fn total() -> Self {
        Self { fixed: Vec::new() }
    }

    /// This group narrowed to `attribute` = `value`.
    pub fn with(mut self, attribute: impl Into<String>, value: impl Into<String>) -> Self {
        let pair = (attribute.into(), value.into());
        let at = self.fixed.partition_point(|p| *p <= pair);
        self.fixed.insert(at, pair);
        self
    }

    /// The (attribute, value) pairs it fixes, sorted by attribute.
    pub fn fixed(&self) -> &[(String, String)] {
        &self.fixed
    }

    pub fn is_total(&self) -> bool {
        self.fixed.is_empty()
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.fixed.is_empty() {
            return f.write_str("total");
        }
        for (i, (a, v)) in self.fixed.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{a}={v}")?;
        }
        Ok(())
    }
}

/// The order in which groups are kept: the total, then breakdowns by one attribute (in the
/// table's attribute order), then cross-tabs of two, and so on; values alphabetically.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Priority {
    fixed: usize,
    positions: Vec<usize>,
    values: Vec<String>,
}

#[derive(Debug, Clone)]
struct Resolved {
    group: Group,
    priority: Priority,
    /// Indices into the table's cells.
    members: Vec<usize>,
    count: u64,
}

/// The cells with a positive count as columns of the linear algebra: those of count ≥ N
/// first (no small group can contain them), then the small ones, each block in key order.
struct Layout {
    /// Table cell index of each column.
    cell_of_column: Vec<usize>,
    column_of_cell: Vec<Option<usize>>,
    counts: Vec<u64>,
    first_small: usize,
    min: u64,
}

impl Layout {
    fn new(table: &Table, min: u64) -> Self {
        let positive = || (0..table.cells.len()).filter(|&i| table.cells[i].count > 0);
        let mut cell_of_column: Vec<usize> = positive()
            .filter(|&i| table.cells[i].count >= min)
            .collect();
        let first_small = cell_of_column.len();
        cell_of_column.extend(positive().filter(|&i| table.cells[i].count < min));
        let mut column_of_cell = vec![None; table.cells.len()];
        for (c, &i) in cell_of_column.iter().enumerate() {
            column_of_cell[i] = Some(c);
        }
        let counts = cell_of_column
            .iter()
            .map(|&i| table.cells[i].count)
            .collect();
        Self {
            cell_of_column,
            column_of_cell,
            counts,
            first_small,
            min,
        }
    }

    fn vector(&self, group: &Resolved) -> Vec<bool> {
        let mut v = vec![false; self.counts.len()];
        for c in group.members.iter().filter_map(|&i| self.column_of_cell[i]) {
            v[c] = true;
        }
        v
    }

    /// The echelon form of the `published` groups (indices into `groups`, any order),
    /// inserted from the lowest priority up, so that a recovering combination is written in
    /// the least valued groups wherever the published groups are linearly dependent.
    fn echelon(
        &self,
        groups: &[Resolved],
        published: &[usize],
    ) -> Result<Echelon, DisclosureError> {
        let mut order = published.to_vec();
        order.sort_unstable_by(|a, b| b.cmp(a));
        let mut echelon = Echelon::new(groups.len());
        for g in order {
            echelon
                .insert(g, &self.vector(&groups[g]))
                .map_err(|_| DisclosureError::Overflow)?;
        }
        Ok(echelon)
    }

    fn search(
        &self,
        groups: &[Resolved],
        published: &[usize],
        want: Want,
    ) -> Result<Vec<Found>, DisclosureError> {
        self.search_in(&self.echelon(groups, published)?, want)
    }

    fn search_in(&self, echelon: &Echelon, want: Want) -> Result<Vec<Found>, DisclosureError> {
        let limit = self.min.saturating_sub(1);
        Ok(exact::search(
            echelon,
            &self.counts,
            self.first_small,
            limit,
            want,
            SEARCH_BUDGET,
        )?)
    }

    fn finding(&self, table: &Table, groups: &[Resolved], found: Found) -> Finding {
        let mut cells: Vec<usize> = found
            .columns
            .iter()
            .map(|&c| self.cell_of_column[c])
            .collect();
        cells.sort_unstable();
        Finding {
            cells: cells.iter().map(|&i| table.cells[i].key.clone()).collect(),
            count: found.count,
            combination: found
                .combination
                .into_iter()
                .map(|(g, numerator, denominator)| Term {
                    group: groups[g].group.clone(),
                    coefficient: Ratio {
                        numerator,
                        denominator,
                    },
                })
                .collect(),
        }
    }
}

/// An exact rational number in lowest terms, denominator positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Ratio {
    numerator: i128,
    denominator: i128,
}

impl Ratio {
    pub fn numerator(self) -> i128 {
        self.numerator
    }

    pub fn denominator(self) -> i128 {
        self.denominator
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.denominator == 1 {
            write!(f, "{}", self.numerator)
        } else {
            write!(f, "{}/{}", self.numerator, self.denominator)
        }
    }
}

/// One published group and its weight in a recovering combination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    pub group: Group,
    pub coefficient: Ratio,
}

/// A group of between 1 and N − 1 people whose numbers can be computed from published ones.
/// For checking decisions and for tests: it names a small group, never show it to a reader
/// of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The keys of its cells (cells with a positive count only), sorted.
    pub cells: Vec<Vec<String>>,
    /// How many people it holds.
    pub count: u64,
    /// Published groups and coefficients whose weighted sum of vectors is the finding's on
    /// every cell with a positive count; by priority. One such combination, not the only one.
    pub combination: Vec<Term>,
}

/// What a set of published groups discloses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Audit {
    /// Published groups with fewer than N people (a count of 0 included): shown outright.
    pub below_minimum: Vec<Group>,
    /// Every recoverable group of between 1 and N − 1 people (the published ones among them).
    pub recoverable: Vec<Finding>,
}

impl Audit {
    /// Nothing below the minimum is shown or recoverable.
    pub fn is_clean(&self) -> bool {
        self.below_minimum.is_empty() && self.recoverable.is_empty()
    }
}

/// Finds everything `published` discloses about groups smaller than `min`: the published
/// groups below it, and every non-empty union of cells with between 1 and `min` − 1 people
/// whose cell vector is in the span of the published groups' vectors, with a combination
/// that recovers it. Exact (integer arithmetic), independent of the order of `published`,
/// duplicates ignored.
///
/// Cost: one elimination over the published groups, then a search over sets of the `d`
/// basis rows that live on cells of fewer than `min` people, each set holding at most
/// `min` − 1 rows (each row's pivot cell holds at least one person): at most
/// `Σ_{k<min} C(d, k)` sets, d ≤ min(#published groups, #cells below `min`) — 6,195 for 20
/// groups and N = 5 — and bounds on each cell's final value prune most of them (see
/// `exact::search`). [`DisclosureError::SearchTooLarge`] past [`SEARCH_BUDGET`].
pub fn audit(table: &Table, published: &[Group], min: u64) -> Result<Audit, DisclosureError> {
    let groups = table.resolve_all(published)?;
    let layout = Layout::new(table, min);
    let below_minimum = groups
        .iter()
        .filter(|g| g.count < min)
        .map(|g| g.group.clone())
        .collect();
    let all: Vec<usize> = (0..groups.len()).collect();
    let recoverable = layout
        .search(&groups, &all, Want::All)?
        .into_iter()
        .map(|f| layout.finding(table, &groups, f))
        .collect();
    Ok(Audit {
        below_minimum,
        recoverable,
    })
}

/// Why a group is withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// It holds fewer than N people for the measure.
    BelowMinimum,
    /// Showing it with the published groups would let a group below N be recovered.
    Complementary,
    /// The caller withheld it before (e.g. the respondent-level decision for an item); the
    /// caller keeps its own reason.
    WithheldBefore,
}

impl Reason {
    /// The words for a reader. Naming no group and no count, so they identify no one.
    pub fn explain(self, min: u64) -> String {
        match self {
            Self::BelowMinimum => format!("below the minimum reporting size of {min}"),
            Self::Complementary => format!(
                "withheld so that a group of fewer than {min} cannot be recovered by \
                 combining published groups"
            ),
            Self::WithheldBefore => "withheld with the group it belongs to".to_owned(),
        }
    }
}

/// Shown or not, and why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Published,
    Withheld(Reason),
}

/// The decision about one candidate group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub group: Group,
    pub outcome: Outcome,
}

/// The decisions about every distinct candidate, in priority order (total first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Protection {
    pub decisions: Vec<Decision>,
}

impl Protection {
    pub fn outcome(&self, group: &Group) -> Option<Outcome> {
        self.decisions
            .iter()
            .find(|d| d.group == *group)
            .map(|d| d.outcome)
    }

    pub fn is_published(&self, group: &Group) -> bool {
        self.outcome(group) == Some(Outcome::Published)
    }

    /// The groups shown, in priority order.
    pub fn published(&self) -> Vec<Group> {
        self.groups(|o| o == Outcome::Published)
    }

    /// The groups withheld, in priority order: pass them as `withheld_before` when
    /// protecting an item or a dimension of the same side and wave.
    pub fn withheld(&self) -> Vec<Group> {
        self.groups(|o| o != Outcome::Published)
    }

    fn groups(&self, keep: impl Fn(Outcome) -> bool) -> Vec<Group> {
        self.decisions
            .iter()
            .filter(|d| keep(d.outcome))
            .map(|d| d.group.clone())
            .collect()
    }
}

/// Chooses which `candidates` to withhold so that [`audit`] of the others is clean.
///
/// 1. Withhold the groups in `withheld_before` (they stay withheld) and every candidate with
///    fewer than `min` people.
/// 2. Repeat: audit the rest; for its first finding, withhold the published group with a
///    non-zero coefficient in the recovering combination that holds the fewest people (the
///    total only when it is the only one; on a tie the lower priority goes). The combination
///    is written in the lowest-priority groups the published set allows, so breakdowns by
///    later attributes and cross-tabs go before the total and earlier breakdowns.
/// 3. Give back what step 2 took needlessly: in priority order, publish again each group it
///    withheld if the audit stays clean (free when its vector is already in the published
///    span). No single group withheld in step 2 can then be shown without a finding.
///
/// Should an audit overflow or exhaust [`SEARCH_BUDGET`], the lowest-priority published
/// group is withheld as in step 2 instead (withholding is always safe: a total shown alone
/// discloses nothing but itself).
///
/// Candidates are deduplicated and put in priority order (see [`Table::new`]); the result
/// does not depend on the order of cells or candidates. Call once per measure: for an item,
/// a table of answers per cell and the respondent-level withheld groups as `withheld_before`.
pub fn protect(
    table: &Table,
    candidates: &[Group],
    withheld_before: &[Group],
    min: u64,
) -> Result<Protection, DisclosureError> {
    let groups = table.resolve_all(candidates)?;
    let before: BTreeSet<Group> = table
        .resolve_all(withheld_before)?
        .into_iter()
        .map(|r| r.group)
        .collect();
    let layout = Layout::new(table, min);
    let mut status: Vec<Option<Reason>> = groups
        .iter()
        .map(|g| {
            if before.contains(&g.group) {
                Some(Reason::WithheldBefore)
            } else if g.count < min {
                Some(Reason::BelowMinimum)
            } else {
                None
            }
        })
        .collect();
    let published = |status: &[Option<Reason>]| -> Vec<usize> {
        (0..status.len()).filter(|&i| status[i].is_none()).collect()
    };

    loop {
        let shown = published(&status);
        let victim = match layout.search(&groups, &shown, Want::First) {
            Ok(found) => match found.first() {
                None => break,
                Some(finding) => least_valued(&groups, finding),
            },
            Err(_) => shown
                .iter()
                .rev()
                .copied()
                .find(|&g| !groups[g].group.is_total())
                .or(shown.first().copied()),
        };
        match victim {
            Some(g) => status[g] = Some(Reason::Complementary),
            None => break,
        }
    }

    // Only the span matters from here on (is a set clean?), not which combination the
    // echelon form would write, so one form is kept and widened as groups come back.
    let mut echelon = layout.echelon(&groups, &published(&status)).ok();
    for g in 0..groups.len() {
        let Some(current) = echelon.as_ref() else {
            break;
        };
        if status[g] != Some(Reason::Complementary) {
            continue;
        }
        let vector = layout.vector(&groups[g]);
        match current.contains(&vector) {
            Ok(true) => status[g] = None,
            Ok(false) => {
                let mut wider = current.clone();
                let clean = wider.insert(g, &vector).is_ok()
                    && matches!(layout.search_in(&wider, Want::First), Ok(f) if f.is_empty());
                if clean {
                    status[g] = None;
                    echelon = Some(wider);
                }
            }
            Err(_) => {}
        }
    }

    Ok(Protection {
        decisions: groups
            .into_iter()
            .zip(status)
            .map(|(g, s)| Decision {
                group: g.group,
                outcome: s.map_or(Outcome::Published, Outcome::Withheld),
            })
            .collect(),
    })
}

/// The group of a recovering combination to withhold: fewest people, the total last, the
/// lower priority on a tie.
fn least_valued(groups: &[Resolved], finding: &Found) -> Option<usize> {
    let involved = || finding.combination.iter().map(|&(g, _, _)| g);
    involved()
        .filter(|&g| !groups[g].group.is_total())
        .min_by(|&a, &b| groups[a].count.cmp(&groups[b].count).then(b.cmp(&a)))
        .or_else(|| involved().next())
}
