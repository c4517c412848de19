//! Change points in a series of wave means: where did the level shift? Exact optimal
//! partitioning by PELT, never an approximation such as binary segmentation.

use std::collections::BTreeMap;

use serde::Serialize;

/// Fewest waves a series needs before change points are looked for.
pub const MIN_WAVES: usize = 6;

/// Fewest points in a segment.
pub const MIN_SEGMENT: usize = 2;

/// One stretch of waves with a constant level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// First wave of the segment.
    pub from_wave: u32,
    /// Last wave of the segment.
    pub to_wave: u32,
    /// Mean of the segment's wave means.
    pub mean: f64,
}

/// The optimal segmentation of a series of wave means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangePoints {
    /// Waves of the series, ascending.
    pub waves: Vec<u32>,
    /// The wave means, in the order of `waves`.
    pub means: Vec<f64>,
    /// β, the cost of one more change point.
    pub penalty: f64,
    /// First wave of every segment after the first, ascending.
    pub change_waves: Vec<u32>,
    /// The segments, in wave order, covering every wave once.
    pub segments: Vec<Segment>,
}

/// Change points of a series of wave means by PELT (Killick, Fearnhead & Eckley 2012): the
/// exact minimiser of penalised squared error, as `ruptures.Pelt(model="l2", min_size=2,
/// jump=1).fit(m).predict(pen=β)`.
///
/// # Formula
///
/// For the means m₁..m_T (in wave order) find the segmentation into contiguous segments of at
/// least 2 points that minimises
///
/// ```text
/// Σ_segments C(segment) + β·(number of segments − 1),   C(s) = Σ_{t∈s} (m_t − m̄_s)²
/// β = 2·σ̂²·ln T,   σ̂² = Σ_{t=2..T} (m_t − m_{t−1})² / (2(T − 1))
/// ```
///
/// σ̂² estimates the noise variance from successive differences, which a level shift barely
/// inflates (von Neumann's mean square successive difference); β = 2σ̂² ln T is the BIC-style
/// penalty of Killick et al. for a change in mean. The search is optimal partitioning
/// (F(t) = min_τ F(τ) + C(τ+1..t) + β, F(0) = −β) where a split τ is dropped for good once
/// F(τ) + C(τ+1..t) > F(t); with the 2-point minimum a dropped τ is still tried at t + 1, the
/// one end point for which F(t) does not prove it useless. On exact ties the earliest last
/// change wins.
///
/// A missing wave is not interpolated: the series is taken in wave order, so a segment can
/// span a gap.
///
/// # Null rules
///
/// `None` with fewer than [`MIN_WAVES`] (6) waves. When σ̂² = 0 (every mean the same) there is
/// no change point and a single segment.
///
/// # References
///
/// Killick, R., Fearnhead, P., & Eckley, I. A. (2012). Optimal detection of changepoints with a
/// linear computational cost. *Journal of the American Statistical Association, 107*,
/// 1590–1598. Truong, C., Oudre, L., & Vayatis, N. (2020). Selective review of offline change
/// point detection methods. *Signal Processing, 167*, 107299 (ruptures).
pub fn change_points(series: &BTreeMap<u32, f64>) -> Option<ChangePoints> {
    let waves: Vec<u32> = series.keys().copied().collect();
    let means: Vec<f64> = series.values().copied().collect();
    let t_count = means.len();
    if t_count < MIN_WAVES {
        return None;
    }
    let noise =
        means.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f64>() / (2.0 * (t_count - 1) as f64);
    let penalty = 2.0 * noise * (t_count as f64).ln();
    let ends = if noise == 0.0 {
        vec![t_count]
    } else {
        optimal_partition(&means, penalty)
    };
    let mut segments = Vec::with_capacity(ends.len());
    let mut start = 0;
    for &end in &ends {
        segments.push(Segment {
            from_wave: waves[start],
            to_wave: waves[end - 1],
            mean: mean(&means[start..end]),
        });
        start = end;
    }
    Some(ChangePoints {
        change_waves: segments.iter().skip(1).map(|s| s.from_wave).collect(),
        waves,
        means,
        penalty,
        segments,
    })
}

/// Ends (exclusive indices) of the segments of the optimal partition, the last being
/// `values.len()`. Needs at least [`MIN_SEGMENT`] values.
fn optimal_partition(values: &[f64], penalty: f64) -> Vec<usize> {
    let t_count = values.len();
    // best[t]: optimal penalised cost of values[..t] (−β for t = 0, so that every segment pays
    // β and the first is free); last[t]: start of its last segment.
    let mut best = vec![f64::INFINITY; t_count + 1];
    let mut last = vec![0usize; t_count + 1];
    best[0] = -penalty;
    // Candidate starts of the last segment, each with the t at which it was found useless.
    let mut candidates: Vec<(usize, Option<usize>)> = vec![(0, None)];
    for t in MIN_SEGMENT..=t_count {
        let mut evaluated: Vec<(usize, f64)> = Vec::with_capacity(candidates.len());
        for &(tau, _) in candidates
            .iter()
            .filter(|&&(tau, _)| t - tau >= MIN_SEGMENT)
        {
            let total = best[tau] + cost(&values[tau..t]) + penalty;
            evaluated.push((tau, total));
            if total < best[t] {
                best[t] = total;
                last[t] = tau;
            }
        }
        // Killick et al.'s pruning with K = 0 (squared error is additive: C(a..b) + C(b..c) ≤
        // C(a..c)). The slack keeps rounding from dropping a start that ties with the optimum.
        let slack = 1e-12 * (best[t].abs() + penalty);
        for (tau, total) in evaluated {
            if total - penalty > best[t] + slack {
                if let Some(c) = candidates.iter_mut().find(|c| c.0 == tau) {
                    c.1.get_or_insert(t);
                }
            }
        }
        // A start found useless at t may still end the best partition of t + 1 (the witness
        // segment t..t+1 would be too short); it is gone after that.
        candidates.retain(|&(_, useless_at)| useless_at.is_none_or(|u| t < u + 1));
        // values[..t − MIN_SEGMENT + 1] can now be the prefix before a last segment.
        let newest = t + 1 - MIN_SEGMENT;
        if newest >= MIN_SEGMENT && best[newest].is_finite() {
            candidates.push((newest, None));
        }
    }
    let mut ends = vec![t_count];
    let mut end = t_count;
    while last[end] > 0 {
        end = last[end];
        ends.push(end);
    }
    ends.reverse();
    ends
}

/// Σ (v − v̄)², two passes.
fn cost(values: &[f64]) -> f64 {
    let m = mean(values);
    values.iter().map(|v| (v - m).powi(2)).sum()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rng::SplitMix64;

    fn series(means: &[f64]) -> BTreeMap<u32, f64> {
        (1..).zip(means.iter().copied()).collect()
    }

    /// The penalised cost of a partition given by its segment ends.
    fn objective(values: &[f64], ends: &[usize], penalty: f64) -> f64 {
        let mut start = 0;
        let mut total = -penalty;
        for &end in ends {
            total += cost(&values[start..end]) + penalty;
            start = end;
        }
        total
    }

    /// Every partition into segments of at least 2 points, by brute force: the best objective,
    /// and every partition within `tie` of it.
    fn brute_force(values: &[f64], penalty: f64, tie: f64) -> (f64, Vec<Vec<usize>>) {
        fn extend(start: usize, len: usize, ends: &mut Vec<usize>, all: &mut Vec<Vec<usize>>) {
            if start == len {
                all.push(ends.clone());
                return;
            }
            for end in start + MIN_SEGMENT..=len {
                if len - end == 1 {
                    continue;
                }
                ends.push(end);
                extend(end, len, ends, all);
                ends.pop();
            }
        }
        let mut all = Vec::new();
        extend(0, values.len(), &mut vec![], &mut all);
        let scored: Vec<(f64, Vec<usize>)> = all
            .into_iter()
            .map(|ends| (objective(values, &ends, penalty), ends))
            .collect();
        let best = scored.iter().map(|s| s.0).fold(f64::INFINITY, f64::min);
        let ties = scored
            .into_iter()
            .filter(|s| s.0 <= best + tie)
            .map(|s| s.1)
            .collect();
        (best, ties)
    }

    #[test]
    fn fewer_than_six_waves_give_none() {
        assert_eq!(change_points(&series(&[1.0, 2.0, 3.0, 4.0, 5.0])), None);
    }

    #[test]
    fn a_flat_series_has_one_segment_and_no_change() {
        let c = change_points(&series(&[3.5; 7])).unwrap();
        assert_eq!(c.penalty, 0.0);
        assert!(c.change_waves.is_empty());
        assert_eq!(
            c.segments,
            vec![Segment {
                from_wave: 1,
                to_wave: 7,
                mean: 3.5
            }]
        );
    }

    #[test]
    fn a_clear_drop_is_found_at_the_wave_it_happens() {
        let c = change_points(&series(&[3.7, 3.8, 3.7, 3.75, 2.5, 2.6, 2.45, 2.55])).unwrap();
        assert_eq!(c.change_waves, vec![5]);
        assert_eq!(c.segments.len(), 2);
        assert_eq!((c.segments[0].from_wave, c.segments[0].to_wave), (1, 4));
        assert!((c.segments[1].mean - 2.525).abs() < 1e-12);
    }

    #[test]
    fn segments_keep_the_caller_s_wave_numbers_across_gaps() {
        let s: BTreeMap<u32, f64> = [(2, 1.0), (3, 1.1), (4, 1.0), (7, 4.0), (8, 4.1), (9, 4.0)]
            .into_iter()
            .collect();
        let c = change_points(&s).unwrap();
        assert_eq!(c.change_waves, vec![7]);
        assert_eq!(c.segments[0].to_wave, 4);
    }

    #[test]
    fn no_segment_is_shorter_than_two_waves_even_for_a_single_outlier() {
        let c = change_points(&series(&[3.0, 3.0, 3.0, 9.0, 3.0, 3.0, 3.0])).unwrap();
        for s in &c.segments {
            assert!(s.to_wave > s.from_wave, "{s:?}");
        }
    }

    #[test]
    fn pelt_finds_the_exact_optimum_of_many_generated_series() {
        let mut rng = SplitMix64::new(2012);
        let mut compared = 0;
        for round in 0..600 {
            let len = 6 + (round % 9);
            // Noise plus up to three planted shifts; every fourth series is coarse so that
            // ties and near-ties between partitions occur.
            let mut level = 0.0;
            let values: Vec<f64> = (0..len)
                .map(|_| {
                    if rng.below(5) == 0 {
                        level += rng.below(400) as f64 / 100.0 - 2.0;
                    }
                    let noise = rng.below(1_000) as f64 / 1_000.0 - 0.5;
                    if round % 4 == 0 {
                        (level + noise).round()
                    } else {
                        level + noise
                    }
                })
                .collect();
            let Some(found) = change_points(&series(&values)) else {
                unreachable!("len ≥ 6");
            };
            if found.penalty == 0.0 {
                continue;
            }
            let index = |wave: u32| wave as usize - 1;
            let mut ends: Vec<usize> = found.change_waves.iter().map(|&w| index(w)).collect();
            ends.push(len);
            let ours = objective(&values, &ends, found.penalty);
            let (best, ties) = brute_force(&values, found.penalty, 1e-9);
            assert!(
                (ours - best).abs() <= 1e-9 * (1.0 + best.abs()),
                "{values:?}: PELT {ours} with {ends:?}, optimum {best} with {ties:?}"
            );
            assert!(
                ties.contains(&ends),
                "{values:?}: {ends:?} not among {ties:?}"
            );
            compared += 1;
        }
        assert!(compared > 550, "{compared}");
    }

    /// Optimal partitioning without pruning (Jackson et al. 2005), O(T²) segment costs.
    fn unpruned(values: &[f64], penalty: f64) -> Vec<usize> {
        let len = values.len();
        let mut best = vec![f64::INFINITY; len + 1];
        let mut last = vec![0; len + 1];
        best[0] = -penalty;
        for t in MIN_SEGMENT..=len {
            for tau in (0..=t - MIN_SEGMENT).filter(|&tau| tau == 0 || tau >= MIN_SEGMENT) {
                let total = best[tau] + cost(&values[tau..t]) + penalty;
                if total < best[t] {
                    best[t] = total;
                    last[t] = tau;
                }
            }
        }
        let mut ends = vec![len];
        while last[*ends.last().unwrap()] > 0 {
            ends.push(last[*ends.last().unwrap()]);
        }
        ends.reverse();
        ends
    }

    #[test]
    fn pruning_changes_nothing_on_long_series() {
        let mut rng = SplitMix64::new(77);
        for round in 0..40 {
            let len = 20 + round;
            let step = 5 + round % 7;
            let values: Vec<f64> = (0..len)
                .map(|t| (t / step) as f64 * 0.6 + rng.below(1_000) as f64 / 1_000.0)
                .collect();
            let c = change_points(&series(&values)).unwrap();
            let mut ends: Vec<usize> = c.change_waves.iter().map(|&w| w as usize - 1).collect();
            ends.push(len);
            assert_eq!(ends, unpruned(&values, c.penalty), "{values:?}");
        }
    }

    #[test]
    fn a_long_series_with_three_shifts_is_split_where_they_are() {
        let mut rng = SplitMix64::new(77);
        let values: Vec<f64> = (0..60)
            .map(|t| f64::from(t / 15) + rng.below(1_000) as f64 / 2_000.0)
            .collect();
        let c = change_points(&series(&values)).unwrap();
        assert_eq!(c.change_waves, vec![16, 31, 46]);
    }
}
