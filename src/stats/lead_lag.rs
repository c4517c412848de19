//! Lead–lag of a perception series and a KPI series on their wave-to-wave changes (first
//! differences), in both directions, for one partnership and pooled over a portfolio with a
//! permutation test.
//!
//! Correlating levels (as [`lead_lag`](super::lead_lag) does) makes any two trending series
//! look related; correlating changes asks whether a change in perception is followed by a
//! change in the KPI. Testing negative lags as well shows when the KPI moves first.

use std::collections::BTreeMap;

use serde::Serialize;

use super::correlation::pearson;
use super::holm::holm;
use super::rng::SplitMix64;
use super::trend::CentredSums;

/// Largest |k| tested: lags run over k = −3..=3.
pub const MAX_LAG: i32 = 3;

/// Fewest pairs of changes for which r and p are reported.
///
/// With 3 or 4 pairs a correlation of changes is close to noise (the 95 % critical |r| is .997
/// and .950) and a single odd wave decides it; 5 pairs (critical |r| = .878) is the least the
/// report is willing to read anything into.
pub const MIN_PAIRS: usize = 5;

/// Partnerships up to which every permutation is enumerated (7! = 5,040 ≤ 10,000 < 8!).
pub const MAX_EXACT_PERMUTATION_COUNT: u64 = 10_000;

/// Random permutations drawn when there are too many partnerships to enumerate them.
pub const RANDOM_PERMUTATIONS: u64 = 10_000;

/// Seed of the [SplitMix64](super::rng) generator that draws the random permutations; fixed,
/// so the same portfolio always gets the same p.
pub const PERMUTATION_SEED: u64 = 0x5EED_1EAD;

/// `method` of a [`DifferenceLeadLag`].
pub const FIRST_DIFFERENCES: &str = "first_differences";

/// `method` of a [`PooledLeadLag`].
pub const POOLED_FIRST_DIFFERENCES: &str = "pooled_first_differences";

/// Correlation of perception changes with KPI changes k waves later.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DifferenceLag {
    /// Waves the KPI change comes after the perception change; negative: before.
    pub k: i32,
    /// Pairs of changes used.
    pub n: usize,
    /// Waves t of the perception changes Δm(t) = m(t) − m(t − 1) paired, ascending.
    pub perception_waves: Vec<u32>,
    /// Waves t + k of the KPI changes Δy(t + k) paired with them.
    pub kpi_waves: Vec<u32>,
    /// Pearson r of the pairs.
    pub r: Option<f64>,
    /// Two-sided p of r, t test with n − 2 degrees of freedom.
    pub p: Option<f64>,
    /// Holm-adjusted p over the family the table was adjusted in (see
    /// [`DifferenceLeadLag::family_size`]).
    pub p_adjusted: Option<f64>,
}

/// Lead–lag table of one perception series and one KPI series on first differences.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DifferenceLeadLag {
    /// Always [`FIRST_DIFFERENCES`].
    pub method: &'static str,
    /// Number of defined p-values the Holm adjustment counted (m): those of this table's lags,
    /// or of every table when adjusted together by [`holm_across`].
    pub family_size: usize,
    /// One entry per k = −3..=3, ascending.
    pub lags: Vec<DifferenceLag>,
}

/// Lead–lag of perception changes and KPI changes, k = −3..=3 (first differences).
///
/// # Formula
///
/// ```text
/// Δm(t) = m(t) − m(t − 1)   only when waves t − 1 and t both have a perception mean
/// Δy(t) = y(t) − y(t − 1)   only when waves t − 1 and t both have a KPI value
/// r_k = corr( Δm(t), Δy(t + k) )   over every t where both changes exist
/// p_k = 2·P(T_{n−2} > |t|),   t = r_k·√((n − 2)/(1 − r_k²))
/// ```
///
/// each r and p computed by [`pearson`](super::pearson) (`scipy.stats.pearsonr`). A positive k
/// means the perception moves first; a negative k that the KPI does. A wave missing from a
/// series removes the two changes it is part of, nothing else. The p-values are then
/// Holm-adjusted over the lags of the table ([`holm`](super::holm)); use [`holm_across`] to
/// adjust several tables as one family instead.
///
/// # Null rules
///
/// `r`, `p` and `p_adjusted` are `None` for a lag with fewer than [`MIN_PAIRS`] (5) pairs or
/// when either side's changes are all equal (no variance). Six waves give five changes, so only
/// k = 0 can reach five pairs: no lead can be tested before a seventh wave.
///
/// # References
///
/// Granger, C. W. J., & Newbold, P. (1974). Spurious regressions in econometrics. *Journal of
/// Econometrics, 2*, 111–120 (why trending levels correlate by accident, and differences do
/// not). Holm, S. (1979). *Scandinavian Journal of Statistics, 6*, 65–70.
pub fn first_difference_lead_lag(
    perception: &BTreeMap<u32, f64>,
    kpi: &BTreeMap<u32, f64>,
) -> DifferenceLeadLag {
    let perception_changes = differences(perception);
    let kpi_changes = differences(kpi);
    let lags = (-MAX_LAG..=MAX_LAG)
        .map(|k| {
            let (mut perception_waves, mut kpi_waves, mut pairs) = (vec![], vec![], vec![]);
            for (t, later, pair) in paired(&perception_changes, &kpi_changes, k) {
                perception_waves.push(t);
                kpi_waves.push(later);
                pairs.push(pair);
            }
            let (r, p) = correlation(&pairs);
            DifferenceLag {
                k,
                n: pairs.len(),
                perception_waves,
                kpi_waves,
                r,
                p,
                p_adjusted: None,
            }
        })
        .collect();
    let mut table = DifferenceLeadLag {
        method: FIRST_DIFFERENCES,
        family_size: 0,
        lags,
    };
    holm_across(std::slice::from_mut(&mut table));
    table
}

/// Holm-adjusts the p of every lag of every table as one family, replacing each
/// `p_adjusted` and `family_size`.
///
/// Use it when a report tests several dimensions against several KPIs and a lead should be
/// claimed only if it survives all of those tests together (m = the defined p's of all the
/// tables). See [`holm`](super::holm).
pub fn holm_across(tables: &mut [DifferenceLeadLag]) {
    let raw: Vec<Option<f64>> = tables
        .iter()
        .flat_map(|t| t.lags.iter().map(|lag| lag.p))
        .collect();
    let family_size = raw.iter().flatten().count();
    let mut adjusted = holm(&raw).into_iter();
    for table in tables {
        table.family_size = family_size;
        for lag in &mut table.lags {
            lag.p_adjusted = adjusted.next().flatten();
        }
    }
}

/// One partnership of a portfolio: its perception series and its KPI series, keyed by wave.
#[derive(Debug, Clone, Copy)]
pub struct PartnershipSeries<'a> {
    pub perception: &'a BTreeMap<u32, f64>,
    pub kpi: &'a BTreeMap<u32, f64>,
}

/// Pooled correlation of changes at one lag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledLag {
    /// Waves the KPI change comes after the perception change; negative: before.
    pub k: i32,
    /// Pairs pooled over all partnerships.
    pub n: usize,
    /// Partnerships that contributed at least one pair.
    pub partnerships: usize,
    /// Pearson r of the pooled pairs.
    pub r: Option<f64>,
    /// Two-sided p of r, t test with n − 2 degrees of freedom (treats the pairs as independent).
    pub p: Option<f64>,
    /// Two-sided permutation p, partnerships' KPI series shuffled among them.
    pub p_permutation: Option<f64>,
    /// Permutations the permutation p is a share of (those with a defined r).
    pub permutations: u64,
}

/// Lead–lag pooled over the partnerships of a portfolio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledLeadLag {
    /// Always [`POOLED_FIRST_DIFFERENCES`].
    pub method: &'static str,
    /// Partnerships given.
    pub partnerships: usize,
    /// True when every permutation was enumerated; false when [`RANDOM_PERMUTATIONS`] were
    /// drawn.
    pub exact: bool,
    /// Seed of the random permutations; `None` when enumerated.
    pub seed: Option<u64>,
    /// One entry per k = −3..=3, ascending.
    pub lags: Vec<PooledLag>,
}

/// Lead–lag of perception changes and KPI changes pooled over several partnerships, with a
/// permutation test that respects the partnerships.
///
/// # Formula
///
/// Changes Δm and Δy are taken within each partnership as in [`first_difference_lead_lag`]
/// (never across partnerships). For each k = −3..=3 the pairs (Δm_i(t), Δy_i(t + k)) of all
/// partnerships i are pooled and
///
/// ```text
/// r_k = Pearson r of the pooled pairs,   p_k = 2·P(T_{n−2} > |t|)   (as pearsonr)
/// ```
///
/// The t-test p treats every pair as independent, which changes of one partnership need not
/// be. The permutation p does not: under H₀ (a partnership's KPI has nothing to do with its
/// perception) any KPI series is as likely to sit beside a perception series as its own. For
/// every permutation π of the P partnerships, r_k(π) is the pooled r of the pairs
/// (Δm_i(t), Δy_π(i)(t + k)), and
///
/// ```text
/// exact (P! ≤ 10,000, i.e. P ≤ 7):  p_perm = #{π : |r_k(π)| ≥ |r_k|} / #{π}
///     over all P! permutations, the identity included, so p_perm ≥ 1/P!;
/// Monte Carlo (P ≥ 8):              p_perm = (1 + #{b : |r_k(π_b)| ≥ |r_k|}) / (1 + B)
///     over B = 10,000 uniformly random permutations π_b (Fisher–Yates driven by SplitMix64,
///     seed PERMUTATION_SEED, the same permutations for every k),
/// ```
///
/// the latter being the (b + 1)/(m + 1) estimate that is never 0 (Phipson & Smyth 2010).
/// "≥" allows 1e-12 for rounding, so that a permutation giving the observed pairs back in
/// another order counts as being as extreme. A permutation whose pooled r is undefined (fewer
/// than 5 pairs, as happens when partnerships cover different waves, or no variance) is left
/// out of both counts; `permutations` is the denominator actually used.
///
/// # Null rules
///
/// `r`, `p` and `p_permutation` are `None` with fewer than 2 partnerships (nothing to
/// permute), fewer than [`MIN_PAIRS`] pooled pairs, or no variance on either side.
///
/// # References
///
/// Good, P. (2005). *Permutation, Parametric and Bootstrap Tests of Hypotheses* (3rd ed.).
/// Springer. Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be zero.
/// *Statistical Applications in Genetics and Molecular Biology, 9*(1), 39.
pub fn pooled_lead_lag(partnerships: &[PartnershipSeries<'_>]) -> PooledLeadLag {
    let count = partnerships.len();
    let perception: Vec<BTreeMap<u32, f64>> = partnerships
        .iter()
        .map(|s| differences(s.perception))
        .collect();
    let kpi: Vec<BTreeMap<u32, f64>> = partnerships.iter().map(|s| differences(s.kpi)).collect();
    let exact = factorial_at_most(count, MAX_EXACT_PERMUTATION_COUNT);
    let ks: Vec<i32> = (-MAX_LAG..=MAX_LAG).collect();

    // The pairs of perception i with KPI j at lag index l, at pairs[(l·P + i)·P + j], so that
    // a permutation only concatenates lists.
    let mut pairs: Vec<Vec<(f64, f64)>> = Vec::with_capacity(ks.len() * count * count);
    for &k in &ks {
        for m in &perception {
            for y in &kpi {
                pairs.push(paired(m, y, k).map(|(_, _, pair)| pair).collect());
            }
        }
    }
    let cell = |lag: usize, i: usize, j: usize| &pairs[(lag * count + i) * count + j];
    let pooled_r = |lag: usize, permutation: &[usize], buffer: &mut Vec<(f64, f64)>| {
        buffer.clear();
        for (i, &j) in permutation.iter().enumerate() {
            buffer.extend_from_slice(cell(lag, i, j));
        }
        // The r of `pearson`, without the t tail it would also compute for every permutation.
        (buffer.len() >= MIN_PAIRS)
            .then(|| CentredSums::of(buffer).r())
            .flatten()
    };

    let identity: Vec<usize> = (0..count).collect();
    let mut buffer = Vec::new();
    let observed: Vec<(usize, usize, Option<f64>, Option<f64>)> = (0..ks.len())
        .map(|lag| {
            let (n, contributing) = identity.iter().fold((0, 0), |(n, c), &i| {
                let len = cell(lag, i, i).len();
                (n + len, c + usize::from(len > 0))
            });
            let (r, p) = if count >= 2 {
                let mut own = Vec::new();
                for &i in &identity {
                    own.extend_from_slice(cell(lag, i, i));
                }
                correlation(&own)
            } else {
                (None, None)
            };
            (n, contributing, r, p)
        })
        .collect();

    // Per lag: permutations with a defined r, and those at least as extreme as observed.
    let mut tally = vec![(0u64, 0u64); ks.len()];
    let mut record = |permutation: &[usize], buffer: &mut Vec<(f64, f64)>| {
        for (lag, (defined, extreme)) in tally.iter_mut().enumerate() {
            let Some(r_observed) = observed[lag].2 else {
                continue;
            };
            if let Some(r) = pooled_r(lag, permutation, buffer) {
                *defined += 1;
                if r.abs() >= r_observed.abs() - EXTREME_TOLERANCE {
                    *extreme += 1;
                }
            }
        }
    };
    if count >= 2 {
        if exact {
            let mut permutation = identity.clone();
            loop {
                record(&permutation, &mut buffer);
                if !next_permutation(&mut permutation) {
                    break;
                }
            }
        } else {
            let mut rng = SplitMix64::new(PERMUTATION_SEED);
            for _ in 0..RANDOM_PERMUTATIONS {
                let mut permutation = identity.clone();
                rng.shuffle(&mut permutation);
                record(&permutation, &mut buffer);
            }
        }
    }

    let lags = ks
        .iter()
        .zip(observed)
        .zip(tally)
        .map(|((&k, (n, contributing, r, p)), (defined, extreme))| {
            let (p_permutation, permutations) = match r {
                None => (None, 0),
                Some(_) if exact => (Some(extreme as f64 / defined as f64), defined),
                Some(_) => (
                    Some((1 + extreme) as f64 / (1 + defined) as f64),
                    defined + 1,
                ),
            };
            PooledLag {
                k,
                n,
                partnerships: contributing,
                r,
                p,
                p_permutation,
                permutations,
            }
        })
        .collect();
    PooledLeadLag {
        method: POOLED_FIRST_DIFFERENCES,
        partnerships: count,
        exact,
        seed: (!exact).then_some(PERMUTATION_SEED),
        lags,
    }
}

/// Slack in "|r(π)| ≥ |r|" of the permutation test, for rounding in sums of the same pairs
/// taken in another order.
const EXTREME_TOLERANCE: f64 = 1e-12;

/// Δ(t) = v(t) − v(t − 1) for every t whose previous wave is also in the series.
fn differences(series: &BTreeMap<u32, f64>) -> BTreeMap<u32, f64> {
    series
        .iter()
        .zip(series.iter().skip(1))
        .filter(|((&previous, _), (&t, _))| t.checked_sub(1) == Some(previous))
        .map(|((_, &before), (&t, &after))| (t, after - before))
        .collect()
}

/// `(t, t + k, (Δm(t), Δy(t + k)))` for every t where both changes exist, ascending in t.
fn paired<'a>(
    perception: &'a BTreeMap<u32, f64>,
    kpi: &'a BTreeMap<u32, f64>,
    k: i32,
) -> impl Iterator<Item = (u32, u32, (f64, f64))> + 'a {
    perception.iter().filter_map(move |(&t, &dm)| {
        let later = u32::try_from(i64::from(t) + i64::from(k)).ok()?;
        kpi.get(&later).map(|&dy| (t, later, (dm, dy)))
    })
}

/// Pearson r and p with the [`MIN_PAIRS`] rule on top of [`pearson`]'s own.
fn correlation(pairs: &[(f64, f64)]) -> (Option<f64>, Option<f64>) {
    if pairs.len() < MIN_PAIRS {
        return (None, None);
    }
    let c = pearson(pairs);
    (c.r, c.p)
}

/// True when n! ≤ limit.
fn factorial_at_most(n: usize, limit: u64) -> bool {
    let mut product: u64 = 1;
    for factor in 2..=n as u64 {
        product = match product.checked_mul(factor) {
            Some(p) if p <= limit => p,
            _ => return false,
        };
    }
    true
}

/// Rearranges into the next permutation in lexicographic order; false (and sorted) after the
/// last one.
fn next_permutation(items: &mut [usize]) -> bool {
    let Some(pivot) = items.windows(2).rposition(|w| w[0] < w[1]) else {
        items.reverse();
        return false;
    };
    let successor = items
        .iter()
        .rposition(|&x| x > items[pivot])
        .expect("the pivot has a larger element after it");
    items.swap(pivot, successor);
    items[pivot + 1..].reverse();
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: &[(u32, f64)]) -> BTreeMap<u32, f64> {
        values.iter().copied().collect()
    }

    fn lag(table: &DifferenceLeadLag, k: i32) -> &DifferenceLag {
        table.lags.iter().find(|l| l.k == k).unwrap()
    }

    #[test]
    fn differences_skip_waves_whose_previous_wave_is_missing() {
        let d = differences(&series(&[(1, 3.0), (2, 3.5), (4, 2.0), (5, 1.0), (6, 1.5)]));
        assert_eq!(d, series(&[(2, 0.5), (5, -1.0), (6, 0.5)]));
        assert!(differences(&series(&[(3, 1.0)])).is_empty());
    }

    #[test]
    fn a_kpi_that_copies_perception_changes_two_waves_later_peaks_at_k_two() {
        let m: Vec<f64> = vec![3.0, 3.4, 3.1, 3.9, 3.3, 3.2, 3.8, 3.0, 3.6, 3.5, 2.9];
        let perception: BTreeMap<u32, f64> = (1..).zip(m.iter().copied()).collect();
        // y(t) = 10·m(t − 2): the KPI change at t + 2 is 10× the perception change at t.
        let kpi: BTreeMap<u32, f64> = (3..).zip(m.iter().map(|v| 10.0 * v)).collect();
        let table = first_difference_lead_lag(&perception, &kpi);
        assert_eq!(table.method, "first_differences");
        assert_eq!(
            table.lags.iter().map(|l| l.k).collect::<Vec<_>>(),
            (-3..=3).collect::<Vec<_>>()
        );
        let two = lag(&table, 2);
        assert!((two.r.unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(two.perception_waves, (2..=11).collect::<Vec<u32>>());
        assert_eq!(two.kpi_waves, (4..=13).collect::<Vec<u32>>());
        for l in table.lags.iter().filter(|l| l.k != 2) {
            assert!(l.r.unwrap().abs() < two.r.unwrap(), "k = {}", l.k);
        }
    }

    #[test]
    fn negative_lags_pair_a_perception_change_with_an_earlier_kpi_change() {
        let perception = series(&[(1, 1.0), (2, 2.0), (3, 4.0), (4, 3.0), (5, 5.0), (6, 4.0)]);
        let kpi = perception.clone();
        let table = first_difference_lead_lag(&perception, &kpi);
        let minus_one = lag(&table, -1);
        assert_eq!(minus_one.perception_waves, vec![3, 4, 5, 6]);
        assert_eq!(minus_one.kpi_waves, vec![2, 3, 4, 5]);
        assert_eq!(lag(&table, -3).kpi_waves, vec![2, 3]);
    }

    #[test]
    fn fewer_than_five_pairs_leave_r_and_p_undefined() {
        // Six waves give five changes: only k = 0 has five pairs.
        let perception = series(&[(1, 1.0), (2, 2.0), (3, 4.0), (4, 3.0), (5, 5.0), (6, 4.0)]);
        let kpi = series(&[(1, 9.0), (2, 7.0), (3, 8.0), (4, 4.0), (5, 6.0), (6, 1.0)]);
        let table = first_difference_lead_lag(&perception, &kpi);
        for l in &table.lags {
            assert_eq!(l.r.is_some(), l.k == 0, "k = {}", l.k);
            assert_eq!(l.p_adjusted.is_some(), l.k == 0, "k = {}", l.k);
        }
        assert_eq!(table.family_size, 1);
        assert_eq!(lag(&table, 0).p, lag(&table, 0).p_adjusted);
    }

    #[test]
    fn constant_changes_have_no_correlation() {
        let perception: BTreeMap<u32, f64> = (1..=9).map(|t| (t, f64::from(t))).collect();
        let kpi: BTreeMap<u32, f64> = (1..=9).map(|t| (t, f64::from(t * t))).collect();
        let table = first_difference_lead_lag(&perception, &kpi);
        assert!(table.lags.iter().all(|l| l.r.is_none()));
        assert_eq!(table.family_size, 0);
    }

    #[test]
    fn holm_across_tables_counts_every_defined_p() {
        let perception: BTreeMap<u32, f64> = (1..=10).map(|t| (t, f64::from(t % 3))).collect();
        let kpi: BTreeMap<u32, f64> = (1..=10).map(|t| (t, f64::from(t % 4))).collect();
        let single = first_difference_lead_lag(&perception, &kpi);
        let mut tables = vec![single.clone(), single.clone()];
        holm_across(&mut tables);
        assert_eq!(tables[0].family_size, 2 * single.family_size);
        for (joint, alone) in tables[0].lags.iter().zip(&single.lags) {
            if let (Some(j), Some(a)) = (joint.p_adjusted, alone.p_adjusted) {
                assert!(j >= a);
            }
        }
    }

    #[test]
    fn next_permutation_enumerates_all_orders_once() {
        let mut items = vec![0, 1, 2, 3];
        let mut seen = std::collections::BTreeSet::new();
        loop {
            assert!(seen.insert(items.clone()));
            if !next_permutation(&mut items) {
                break;
            }
        }
        assert_eq!(seen.len(), 24);
        assert_eq!(items, vec![0, 1, 2, 3]);
    }

    #[test]
    fn factorials_up_to_seven_are_enumerated() {
        assert!(factorial_at_most(0, 10_000));
        assert!(factorial_at_most(7, 10_000));
        assert!(!factorial_at_most(8, 10_000));
        assert!(!factorial_at_most(1_000, 10_000));
    }

    type Portfolio = Vec<(BTreeMap<u32, f64>, BTreeMap<u32, f64>)>;

    fn portfolio(count: u32, lead: u32) -> Portfolio {
        let mut rng = SplitMix64::new(u64::from(count) * 31 + u64::from(lead));
        (0..count)
            .map(|_| {
                let m: Vec<f64> = (0..9).map(|_| rng.below(1_000) as f64 / 250.0).collect();
                let perception: BTreeMap<u32, f64> = (1..).zip(m.iter().copied()).collect();
                let kpi: BTreeMap<u32, f64> = (1 + lead..)
                    .zip(m.iter().map(|v| 2.0 * v + rng.below(100) as f64 / 400.0))
                    .collect();
                (perception, kpi)
            })
            .collect()
    }

    fn run(series: &Portfolio) -> PooledLeadLag {
        let input: Vec<PartnershipSeries<'_>> = series
            .iter()
            .map(|(perception, kpi)| PartnershipSeries { perception, kpi })
            .collect();
        pooled_lead_lag(&input)
    }

    #[test]
    fn pooled_lead_is_found_and_the_exact_p_is_one_over_p_factorial() {
        let data = portfolio(5, 1);
        let pooled = run(&data);
        assert!(pooled.exact);
        assert_eq!(pooled.seed, None);
        let one = &pooled.lags[4];
        assert_eq!(one.k, 1);
        assert_eq!(one.partnerships, 5);
        assert!(one.r.unwrap() > 0.9, "{one:?}");
        assert_eq!(one.permutations, 120);
        // Only the true pairing is this extreme.
        assert_eq!(one.p_permutation, Some(1.0 / 120.0));
        assert!(one.p.unwrap() < 1e-6);
    }

    #[test]
    fn many_partnerships_use_seeded_random_permutations() {
        let data = portfolio(9, 2);
        let pooled = run(&data);
        assert!(!pooled.exact);
        assert_eq!(pooled.seed, Some(PERMUTATION_SEED));
        let two = &pooled.lags[5];
        assert_eq!(two.permutations, RANDOM_PERMUTATIONS + 1);
        assert_eq!(two.p_permutation, Some(1.0 / 10_001.0));
        assert_eq!(run(&data), pooled, "deterministic");
    }

    #[test]
    fn one_partnership_has_nothing_to_permute() {
        let data = portfolio(1, 1);
        let pooled = run(&data);
        assert!(pooled
            .lags
            .iter()
            .all(|l| l.r.is_none() && l.p_permutation.is_none()));
        assert_eq!(pooled.lags[4].n, 8);
    }

    #[test]
    fn permutation_p_is_a_share_of_defined_permutations() {
        let pooled = run(&portfolio(4, 0));
        for l in &pooled.lags {
            if let Some(p) = l.p_permutation {
                assert!(p > 0.0 && p <= 1.0);
                assert!(l.permutations <= 24 && l.permutations > 0);
                let hits = p * l.permutations as f64;
                assert!((hits - hits.round()).abs() < 1e-9);
            }
        }
    }
}
