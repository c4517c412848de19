//! Which groups of one side of one wave the report withholds, decided once for every
//! breakdown the service can publish (total, level, function, level × function, region,
//! business unit, language, the partnership's custom attributes) as
//! one linked system over the side's finest cells (`reports::disclosure`), whatever
//! breakdowns a request asks for: two reports that ask for different breakdowns publish
//! from the same protected set, so nothing small can be recovered by combining them.
//!
//! Per measure: respondents first (a withheld group withholds every number of it), then
//! each item (answers on the scale) and each dimension (listwise-complete respondents) with
//! the respondent-level withholdings carried over.

use std::collections::HashMap;

use super::*;
use crate::reports::disclosure::{self, Group, Outcome, Protection, Reason, Table};

/// The attributes of a finest cell, in the priority order of the protection (a breakdown by
/// an earlier one is kept in preference to one by a later one).
const ATTRIBUTES: [&str; 5] = ["level", "function", "region", "business_unit", "language"];

/// Which of the optional attributes (region, business unit, language, custom attributes) a
/// wave publishes breakdowns by, and so which the protection decides over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Optional {
    pub(super) regions: bool,
    pub(super) business_units: bool,
    pub(super) languages: bool,
    /// The custom attributes' breakdowns (`SegmentKind::Attribute`), sorted.
    pub(super) attributes: Vec<SegmentKind>,
}

/// Why breakdowns are withheld when a wave's cell counts are missing (aggregates from before
/// the cells were stored and not yet rebuilt): without them no breakdown can be proved safe.
pub(super) fn cells_missing() -> String {
    crate::i18n::en("withheld-cells-missing")
}

/// The disclosure group a stored segment stands for.
pub(super) fn group_of(g: &GroupAggregate) -> Group {
    match g.kind {
        SegmentKind::All => Group::total(),
        SegmentKind::Level => Group::total().with("level", g.key.as_str()),
        SegmentKind::Function => Group::total().with("function", g.key.as_str()),
        SegmentKind::Region => Group::total().with("region", g.key.as_str()),
        SegmentKind::BusinessUnit => Group::total().with("business_unit", g.key.as_str()),
        SegmentKind::Language => Group::total().with("language", g.key.as_str()),
        SegmentKind::Attribute(_) => Group::total().with(g.kind.stored(), g.key.as_str()),
        SegmentKind::LevelFunction => {
            let (level, function) = g
                .key
                .split_once(aggregate::CROSS_TAB_SEPARATOR)
                .unwrap_or((g.key.as_str(), ""));
            Group::total()
                .with("level", level)
                .with("function", function)
        }
    }
}

/// A reason's words for a minimum.
type Words = fn(u64) -> String;

/// The decisions for one side of one wave.
pub(super) struct SideProtection<'a> {
    whole: &'a GroupAggregate,
    min: u64,
    /// Whether the side's cells are known (stored with the aggregates).
    cells_known: bool,
    /// Every breakdown of the cells, when some cell is small (else nothing needs them).
    candidates: Vec<Group>,
    /// `None` when no cell holds between 1 and N − 1 respondents: then a group is withheld
    /// exactly when it is below N itself, and no protection run is needed.
    respondents: Option<Protection>,
    /// The custom attributes the table has beyond [`ATTRIBUTES`].
    custom: Vec<SegmentKind>,
}

impl<'a> SideProtection<'a> {
    /// `optional`: the optional breakdowns the wave has (see [`optional_breakdowns`]).
    pub(super) fn new(whole: &'a GroupAggregate, min: u64, optional: &Optional) -> Self {
        let smallest = whole.smallest_cell;
        // Cells are loaded only when one is small; a small cell without cells loaded is a
        // table that cannot be read, which counts as unknown.
        let cells_known =
            whole.responded == 0 || smallest.is_some_and(|n| n >= min || !whole.cells.is_empty());
        let mut this = Self {
            whole,
            min,
            cells_known,
            candidates: Vec::new(),
            respondents: None,
            custom: optional.attributes.clone(),
        };
        if cells_known && smallest.is_some_and(|n| n < min) {
            let mut by: Vec<&[&str]> = vec![&[], &["level"], &["function"], &["level", "function"]];
            if optional.regions {
                by.push(&["region"]);
            }
            if optional.business_units {
                by.push(&["business_unit"]);
            }
            if optional.languages {
                by.push(&["language"]);
            }
            let custom: Vec<[&str; 1]> = this.custom.iter().map(|k| [k.stored()]).collect();
            by.extend(custom.iter().map(|k| k.as_slice()));
            let counts: Vec<u64> = whole.cells.iter().map(|c| c.responded).collect();
            match this
                .table(&counts)
                .and_then(|t| Ok((t.breakdowns(&by)?, t)))
            {
                Ok((candidates, table)) => {
                    this.candidates = candidates;
                    if this.is_small(&counts) {
                        this.respondents = Some(run(&table, &this.candidates, &[], min));
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "stored cell counts are malformed");
                    this.cells_known = false;
                }
            }
        }
        this
    }

    fn is_small(&self, counts: &[u64]) -> bool {
        counts.iter().any(|&n| n > 0 && n < self.min)
    }

    /// The table of `counts` (one per cell) when some cell holds between 1 and N − 1.
    fn table_if_small(&self, counts: &[u64]) -> Option<Table> {
        self.is_small(counts)
            .then(|| self.table(counts).ok())
            .flatten()
    }

    fn table(&self, counts: &[u64]) -> Result<Table, disclosure::DisclosureError> {
        Table::new(
            ATTRIBUTES
                .into_iter()
                .chain(self.custom.iter().map(|k| k.stored())),
            self.whole.cells.iter().zip(counts).map(|(c, &n)| {
                let custom = self.custom.iter().map(|k| {
                    k.attribute_key()
                        .and_then(|key| c.attributes.get(key))
                        .map(String::as_str)
                        .unwrap_or("")
                });
                let key: Vec<&str> = [
                    c.level.as_str(),
                    c.function.as_str(),
                    c.region.as_str(),
                    c.business_unit.as_str(),
                    c.language.as_str(),
                ]
                .into_iter()
                .chain(custom)
                .collect();
                (key, n)
            }),
        )
    }

    /// Why the group `g` of this side is withheld, if it is.
    pub(super) fn reason(&self, g: &GroupAggregate) -> Option<String> {
        if !self.cells_known && g.kind != SegmentKind::All {
            return Some(cells_missing());
        }
        match &self.respondents {
            None => (g.responded < self.min).then(|| confidentiality::below_minimum(self.min)),
            Some(p) => match outcome(p, g) {
                Outcome::Published => None,
                Outcome::Withheld(Reason::Complementary) => {
                    Some(confidentiality::complementary(self.min))
                }
                Outcome::Withheld(_) => Some(confidentiality::below_minimum(self.min)),
            },
        }
    }

    /// The protection of one target (an item or a dimension of the wave's template), or
    /// `None` when none is needed: no cell holds between 1 and N − 1 answers for it and no
    /// group is withheld at the respondent level, so a group is withheld exactly when it is
    /// below N itself.
    pub(super) fn target(&self, kind: TargetKind, target: &str) -> Option<Protection> {
        let counts = self.cell_counts(kind, target)?;
        match &self.respondents {
            None => self
                .table_if_small(&counts)
                .map(|t| run(&t, &self.candidates, &[], self.min)),
            Some(p) => {
                let t = self.table(&counts).ok()?;
                Some(run(&t, &self.candidates, &p.withheld(), self.min))
            }
        }
    }

    /// Why the target of `g` is withheld, given the target's protection and the group's own
    /// reason (`before`).
    pub(super) fn target_reason(
        &self,
        g: &GroupAggregate,
        before: Option<&String>,
        protection: Option<&Protection>,
        kind: TargetKind,
        target: &str,
    ) -> Option<String> {
        if let Some(reason) = before {
            return Some(reason.clone());
        }
        let (fewer, complementary): (Words, Words) = match kind {
            TargetKind::Item => (
                confidentiality::fewer_answers,
                confidentiality::complementary_answers,
            ),
            TargetKind::Dimension => (
                confidentiality::fewer_complete_answers,
                confidentiality::complementary_complete_answers,
            ),
        };
        match protection {
            None => (target_count(g, kind, target) < self.min).then(|| fewer(self.min)),
            Some(p) => match outcome(p, g) {
                Outcome::Published => None,
                Outcome::Withheld(Reason::Complementary) => Some(complementary(self.min)),
                Outcome::Withheld(_) => Some(fewer(self.min)),
            },
        }
    }

    /// Each cell's count for the target, in cell order; `None` when the wave's template has
    /// no such item or dimension.
    fn cell_counts(&self, kind: TargetKind, target: &str) -> Option<Vec<u64>> {
        if !self.cells_known || self.candidates.is_empty() {
            return None;
        }
        let index = match kind {
            TargetKind::Item => self.whole.items.iter().position(|(i, _)| i == target)?,
            TargetKind::Dimension => self
                .whole
                .dimensions
                .iter()
                .position(|(d, _)| d == target)?,
        };
        Some(
            self.whole
                .cells
                .iter()
                .map(|c| {
                    let v = match kind {
                        TargetKind::Item => &c.items,
                        TargetKind::Dimension => &c.dimensions,
                    };
                    v.get(index).copied().unwrap_or(0)
                })
                .collect(),
        )
    }
}

/// [`disclosure::protect`]; should it fail (a malformed table, which the aggregation never
/// writes), every candidate but the total is withheld, which is always safe.
fn run(table: &Table, candidates: &[Group], before: &[Group], min: u64) -> Protection {
    disclosure::protect(table, candidates, before, min).unwrap_or_else(|e| {
        tracing::error!(error = %e, "disclosure control failed; withholding every breakdown");
        Protection {
            decisions: candidates
                .iter()
                .map(|g| disclosure::Decision {
                    group: g.clone(),
                    outcome: if g.is_total() && table.count(g).is_ok_and(|n| n >= min) {
                        Outcome::Published
                    } else {
                        Outcome::Withheld(Reason::Complementary)
                    },
                })
                .collect(),
        }
    })
}

/// The decision about a stored segment; a segment the candidates do not know (it cannot
/// happen: the candidates are every breakdown of the cells) is withheld.
fn outcome(p: &Protection, g: &GroupAggregate) -> Outcome {
    p.outcome(&group_of(g))
        .unwrap_or(Outcome::Withheld(Reason::Complementary))
}

/// Everything decided for one wave: (side, kind, key) → reason, and (side, kind, position,
/// target) → reason.
pub(super) type Decisions = (
    HashMap<(Side, SegmentKind, String), String>,
    HashMap<(Side, SegmentKind, usize, usize), String>,
);

/// Decides every group and every target of every group of one wave.
pub(super) fn decide(
    by_kind: &HashMap<(Side, SegmentKind), Vec<&GroupAggregate>>,
    min: u64,
    targets: &[(TargetKind, &str)],
) -> Decisions {
    let optional = optional_breakdowns(by_kind);
    let mut hidden = HashMap::new();
    let mut target_hidden = HashMap::new();
    for side in Side::BOTH {
        let Some(whole) = by_kind
            .get(&(side, SegmentKind::All))
            .and_then(|v| v.first())
        else {
            continue;
        };
        let shield = SideProtection::new(whole, min, &optional);
        let protections: Vec<Option<Protection>> = targets
            .iter()
            .map(|&(kind, target)| shield.target(kind, target))
            .collect();
        for (&(s, kind), members) in by_kind {
            if s != side {
                continue;
            }
            for (pos, g) in members.iter().enumerate() {
                let reason = shield.reason(g);
                for (t, &(target_kind, target)) in targets.iter().enumerate() {
                    let r = shield.target_reason(
                        g,
                        reason.as_ref(),
                        protections[t].as_ref(),
                        target_kind,
                        target,
                    );
                    if let Some(r) = r {
                        target_hidden.insert((side, kind, pos, t), r);
                    }
                }
                if let Some(r) = reason {
                    hidden.insert((side, kind, g.key.clone()), r);
                }
            }
        }
    }
    (hidden, target_hidden)
}

/// The optional breakdowns a wave has, by the rules the aggregation stores them by
/// (`aggregate::compute`): region and business unit when someone on either side has one,
/// language when the wave was answered in more than one. Read from both sides' cells, which
/// `aggregate::load` reads whenever a side of the wave needs a protection, so the answer does
/// not depend on the kinds a request loads (the groups loaded agree with the cells; they
/// decide alone only when no cell is loaded, and then no protection runs). Stored cells from
/// before business unit and language read them as "", which adds neither breakdown to an old
/// wave.
pub(super) fn optional_breakdowns(
    by_kind: &HashMap<(Side, SegmentKind), Vec<&GroupAggregate>>,
) -> Optional {
    let groups = || by_kind.values().flatten();
    let cells = || groups().flat_map(|g| g.cells.iter());
    let languages: std::collections::BTreeSet<&str> = cells()
        .filter(|c| c.responded > 0 && !c.language.is_empty())
        .map(|c| c.language.as_str())
        .collect();
    Optional {
        regions: groups().any(|g| g.kind == SegmentKind::Region)
            || cells().any(|c| !c.region.is_empty()),
        business_units: groups().any(|g| g.kind == SegmentKind::BusinessUnit)
            || cells().any(|c| !c.business_unit.is_empty()),
        languages: groups().any(|g| g.kind == SegmentKind::Language) || languages.len() > 1,
        attributes: groups()
            .filter(|g| matches!(g.kind, SegmentKind::Attribute(_)))
            .map(|g| g.kind)
            .chain(
                cells()
                    .flat_map(|c| c.attributes.iter())
                    .filter(|(_, v)| !v.is_empty())
                    .filter_map(|(k, _)| SegmentKind::attribute(k).ok()),
            )
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
    }
}
