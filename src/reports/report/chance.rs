//! Agreement beyond chance for the whole report at once: every group size the report needs
//! a critical value for is computed in one walk per number of items (see
//! `stats::precompute_critical_values`), then read back for each record.

use super::*;

/// Computes the critical values of every shown item and dimension record and of every joint
/// alignment the report will hold; returns them by (n, J).
pub(super) fn precompute(
    report: &Report,
    waves: &[&WaveGroups],
    dimensions: &[String],
    first_dimension: usize,
) -> BTreeMap<(u64, u32), f64> {
    let mut needed: Vec<(u64, u32)> = Vec::new();
    for item in &report.items {
        if let Some(s) = item.stats.as_ref().filter(|s| s.rwg.is_some()) {
            needed.push((s.n, 1));
        }
    }
    for d in &report.dimensions {
        if let Some(s) = d.stats.as_ref().filter(|s| s.agreement.rwg_j.is_some()) {
            needed.push((s.n_complete, items_of(s)));
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
                needed.push((c.n_complete + s.n_complete, items));
            }
        }
    }
    stats::precompute_critical_values(needed, stats::SCALE_OPTIONS as u32)
}

fn items_of(s: &DimensionStats) -> u32 {
    u32::try_from(s.items.len()).unwrap_or(u32::MAX)
}

/// Sets `rwg_crit95` / `rwg_j_crit95` and `beyond_chance` on every record with an rwg.
pub(super) fn fill(report: &mut Report, values: &BTreeMap<(u64, u32), f64>) {
    for item in &mut report.items {
        let Some((n, rwg)) = item.stats.as_ref().and_then(|s| Some((s.n, s.rwg?))) else {
            continue;
        };
        item.rwg_crit95 = values.get(&(n, 1)).copied();
        item.beyond_chance = item.rwg_crit95.map(|crit| stats::beyond_chance(rwg, crit));
    }
    for d in &mut report.dimensions {
        let Some(s) = d.stats.as_mut() else { continue };
        let Some(rwg_j) = s.agreement.rwg_j else {
            continue;
        };
        s.rwg_j_crit95 = values.get(&(s.n_complete, items_of(s))).copied();
        s.beyond_chance = s.rwg_j_crit95.map(|crit| stats::beyond_chance(rwg_j, crit));
    }
}
