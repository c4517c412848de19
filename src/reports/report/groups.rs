//! The groups of one wave indexed for the builder, with their suppression decided, and the statistics of one group.

use super::*;

/// The groups of one wave, indexed for the builder, with their suppression decided.
pub(super) struct WaveGroups<'a> {
    pub(super) seq: i64,
    /// (side, kind) → groups of that kind, in stored order.
    pub(super) by_kind: HashMap<(Side, SegmentKind), Vec<&'a GroupAggregate>>,
    /// (side, kind, key) → reason.
    pub(super) hidden: HashMap<(Side, SegmentKind, String), String>,
    /// (side, kind, position in `by_kind`, target index) → why that item or dimension of the
    /// group is withheld: the group's own reason, or rule 5 of `confidentiality`.
    pub(super) target_hidden: HashMap<(Side, SegmentKind, usize, usize), String>,
}

/// The count rule 5 of `confidentiality` is about: answers to an item, listwise-complete
/// respondents of a dimension.
pub(super) fn target_count(g: &GroupAggregate, kind: TargetKind, target: &str) -> u64 {
    match kind {
        TargetKind::Item => item_histogram(g, target).n(),
        TargetKind::Dimension => dimension(g, target).map_or(0, |d| d.n_complete),
    }
}

impl<'a> WaveGroups<'a> {
    pub(super) fn new(
        seq: i64,
        groups: Vec<&'a GroupAggregate>,
        min: u64,
        targets: &[(TargetKind, &str)],
    ) -> Self {
        let mut by_kind: HashMap<(Side, SegmentKind), Vec<&GroupAggregate>> = HashMap::new();
        for g in groups {
            by_kind.entry((g.side, g.kind)).or_default().push(g);
        }
        let (hidden, target_hidden) = protection::decide(&by_kind, min, targets);
        Self {
            seq,
            by_kind,
            hidden,
            target_hidden,
        }
    }

    /// Why the `t`-th target of the group at `pos` is withheld, if it is.
    pub(super) fn target_reason(
        &self,
        side: Side,
        kind: SegmentKind,
        pos: usize,
        t: usize,
    ) -> Option<&str> {
        self.target_hidden
            .get(&(side, kind, pos, t))
            .map(String::as_str)
    }

    /// The whole side's group when its `t`-th target may be shown.
    pub(super) fn shown_whole_target(&self, side: Side, t: usize) -> Option<&'a GroupAggregate> {
        self.whole(side)
            .filter(|_| self.target_reason(side, SegmentKind::All, 0, t).is_none())
    }

    /// Why the whole side's `t`-th target is withheld (the side missing counts as too small).
    pub(super) fn whole_target_reason(&self, side: Side, t: usize, min: u64) -> Option<String> {
        match self.whole(side) {
            None => Some(confidentiality::below_minimum(min)),
            Some(_) => self
                .target_reason(side, SegmentKind::All, 0, t)
                .map(str::to_owned),
        }
    }

    pub(super) fn groups(&self, side: Side, kind: SegmentKind) -> &[&'a GroupAggregate] {
        self.by_kind
            .get(&(side, kind))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    pub(super) fn whole(&self, side: Side) -> Option<&'a GroupAggregate> {
        self.groups(side, SegmentKind::All).first().copied()
    }

    pub(super) fn reason(&self, g: &GroupAggregate) -> Option<String> {
        self.hidden.get(&(g.side, g.kind, g.key.clone())).cloned()
    }

    pub(super) fn id(&self, g: &GroupAggregate) -> GroupId {
        GroupId {
            wave: self.seq,
            side: g.side,
            segment_kind: g.kind.as_str(),
            segment: (g.kind != SegmentKind::All).then(|| g.label.clone()),
            suppressed: self.reason(g),
        }
    }

    /// The whole side's group when it may be shown.
    pub(super) fn shown_whole(&self, side: Side) -> Option<&'a GroupAggregate> {
        self.whole(side).filter(|g| self.reason(g).is_none())
    }
}

pub(super) fn item_histogram(g: &GroupAggregate, item: &str) -> ItemHistogram {
    g.items
        .iter()
        .find(|(i, _)| i == item)
        .map(|(_, h)| *h)
        .unwrap_or_default()
}

pub(super) fn dimension<'g>(g: &'g GroupAggregate, id: &str) -> Option<&'g DimensionAggregate> {
    g.dimensions.iter().find(|(d, _)| d == id).map(|(_, d)| d)
}

/// The statistics of a shown dimension; `pairwise_withheld` is why its pairwise block is not
/// shown (one of its items is withheld in the group), if it is not.
pub(super) fn dimension_stats(
    g: &GroupAggregate,
    d: &DimensionAggregate,
    pairwise_withheld: Option<&str>,
) -> DimensionStats {
    let summary = stats::describe_sample(d.means());
    let agreement = stats::dimension_agreement(&d.listwise_histograms());
    let pairwise_histograms: Vec<ItemHistogram> = d
        .listwise
        .iter()
        .map(|(item, _)| item_histogram(g, item))
        .collect();
    let pairwise = stats::dimension_agreement(&pairwise_histograms);
    DimensionStats {
        points: d
            .listwise
            .first()
            .map_or(stats::DEFAULT_POINTS, |(_, h)| h.points()),
        // filled for the whole report at once, see `chance::fill`
        beyond_chance: None,
        rwg_j_crit95: None,
        items: d.listwise.iter().map(|(i, _)| i.clone()).collect(),
        n_respondents: d.n_respondents,
        n_complete: d.n_complete,
        n_excluded_listwise: d.n_respondents.saturating_sub(d.n_complete),
        summary,
        agreement_band: agreement
            .rwg_j
            .map(|r| en_static(agreement_band(r).words_key())),
        agreement,
        pairwise: match pairwise_withheld {
            Some(reason) => Pairwise {
                suppressed: Some(crate::i18n::en1("withheld-item", "reason", reason)),
                rwg_j: None,
                ad_m: None,
                awg: None,
                n_per_item: BTreeMap::new(),
            },
            None => Pairwise {
                suppressed: None,
                rwg_j: pairwise.rwg_j,
                ad_m: pairwise.ad_m,
                awg: pairwise.awg,
                n_per_item: d
                    .listwise
                    .iter()
                    .zip(&pairwise_histograms)
                    .map(|((item, _), h)| (item.clone(), h.n()))
                    .collect(),
            },
        },
    }
}

/// The sample a statistic of the target is computed from: an item's answers (made here), a
/// dimension's complete respondents' means (made once per group and dimension).
pub(super) fn sample<'g>(
    g: &'g GroupAggregate,
    kind: TargetKind,
    target: &str,
) -> std::borrow::Cow<'g, ValueCounts> {
    use std::borrow::Cow;
    match kind {
        TargetKind::Item => Cow::Owned(ValueCounts::from_histogram(&item_histogram(g, target))),
        TargetKind::Dimension => dimension(g, target).map_or_else(
            || Cow::Owned(ValueCounts::default()),
            |d| Cow::Borrowed(d.means()),
        ),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TargetKind {
    Item,
    Dimension,
}

impl TargetKind {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            TargetKind::Item => "item",
            TargetKind::Dimension => "dimension",
        }
    }
}
