//! Agreement beyond chance for the whole report at once: every group size the report needs
//! a critical value for is computed in one walk per number of items (see
//! `stats::precompute_critical_values`), then read back for each record.

use super::*;

/// Computes the critical values of every shown item and dimension record and of every joint
/// alignment the report will hold; returns them by (A, J, n): each record's A is that of its own
/// histograms, so a report mixing a five-point and a four-point wave uses each wave's A.
pub(super) fn precompute(
    report: &Report,
    waves: &[&WaveGroups],
    dimensions: &[String],
    first_dimension: usize,
) -> CriticalValues {
    // Each (A, J, n) once, marked in one flag vector per (A, J): a report has thousands of
    // records but only a few hundred group sizes.
    let mut seen: BTreeMap<(u8, u32), Vec<bool>> = BTreeMap::new();
    let mut mark = |points: u8, n: u64, items: u32| {
        let flags = seen.entry((points, items)).or_default();
        let i = usize::try_from(n).unwrap_or(usize::MAX);
        if i >= flags.len() {
            flags.resize(i.saturating_add(1), false);
        }
        flags[i] = true;
    };
    for item in &report.items {
        if let Some(s) = item.stats.as_ref().filter(|s| s.rwg.is_some()) {
            mark(s.points, s.n, 1);
        }
    }
    for d in &report.dimensions {
        if let Some(s) = d.stats.as_ref().filter(|s| s.agreement.rwg_j.is_some()) {
            mark(s.points, s.n_complete, items_of(s));
        }
    }
    for w in waves {
        for (i, d) in dimensions.iter().enumerate() {
            let t = first_dimension + i;
            let pooled = Side::BOTH.map(|side| {
                w.shown_whole_target(side, t)
                    .and_then(|g| super::groups::dimension(g, d))
            });
            if let [Some(c), Some(s)] = pooled {
                let items = u32::try_from(c.listwise.len()).unwrap_or(u32::MAX);
                let points = c
                    .listwise
                    .first()
                    .map_or(stats::DEFAULT_POINTS, |(_, h)| h.points());
                mark(points, c.n_complete + s.n_complete, items);
            }
        }
    }
    let mut by_points: BTreeMap<u8, Vec<(u64, u32)>> = BTreeMap::new();
    for ((points, items), flags) in seen {
        let needed = by_points.entry(points).or_default();
        needed.extend(
            flags
                .into_iter()
                .enumerate()
                .filter(|(_, on)| *on)
                .map(|(n, _)| (n as u64, items)),
        );
    }
    let mut table = CriticalValues::default();
    for (points, needed) in by_points {
        for ((n, items), value) in stats::precompute_critical_values(needed, u32::from(points)) {
            let by_n = table.by_items.entry((points, items)).or_default();
            let i = usize::try_from(n).unwrap_or(usize::MAX);
            if i >= by_n.len() {
                by_n.resize(i.saturating_add(1), None);
            }
            by_n[i] = Some(value);
        }
    }
    table
}

/// Critical values by number of items, then by group size (an index, not a search: the
/// report reads one per record).
#[derive(Default)]
pub(super) struct CriticalValues {
    by_items: BTreeMap<(u8, u32), Vec<Option<f64>>>,
}

impl CriticalValues {
    fn get(&self, points: u8, n: u64, items: u32) -> Option<f64> {
        let by_n = self.by_items.get(&(points, items))?;
        by_n.get(usize::try_from(n).ok()?).copied().flatten()
    }
}

fn items_of(s: &DimensionStats) -> u32 {
    u32::try_from(s.items.len()).unwrap_or(u32::MAX)
}

/// Sets `rwg_crit95` / `rwg_j_crit95` and `beyond_chance` on every record with an rwg.
pub(super) fn fill(report: &mut Report, values: &CriticalValues) {
    for item in &mut report.items {
        let Some((points, n, rwg)) = item
            .stats
            .as_ref()
            .and_then(|s| Some((s.points, s.n, s.rwg?)))
        else {
            continue;
        };
        item.rwg_crit95 = values.get(points, n, 1);
        item.beyond_chance = item.rwg_crit95.map(|crit| stats::beyond_chance(rwg, crit));
    }
    for d in &mut report.dimensions {
        let Some(s) = d.stats.as_mut() else { continue };
        let Some(rwg_j) = s.agreement.rwg_j else {
            continue;
        };
        s.rwg_j_crit95 = values.get(s.points, s.n_complete, items_of(s));
        s.beyond_chance = s.rwg_j_crit95.map(|crit| stats::beyond_chance(rwg_j, crit));
    }
}
