//! The sufficient statistics every other part of `stats` is computed from.

use serde::{Deserialize, Serialize};

/// Lowest answer on every scale (L in the awg formula).
pub const SCALE_MIN: u8 = 1;
/// Fewest points an ordered scale may have.
pub const MIN_POINTS: u8 = 2;
/// Most points an ordered scale may have (histograms hold this many counters).
pub const MAX_POINTS: usize = 11;
/// Points of the default (five-point agreement) scale, and of a [`ItemHistogram::default`].
pub const DEFAULT_POINTS: u8 = 5;

/// How often each answer was given to one item by one group (a firm, or a level within a firm,
/// in one wave).
///
/// Exact for every item statistic in this module: n, mean, variance, median, AD_M, rwg and awg
/// depend on the answers only through these counts.
///
/// The histogram carries its scale's number of points A (`points`), so every statistic reads A
/// from the data it is computed on: σ²_EU = (A² − 1)/12 for rwg and rwg(j), the bounds 1 and A
/// for awg. Counters beyond `points` stay 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ItemHistogram {
    /// A, the number of answer points (2..=11): answers are 1..=A.
    pub points: u8,
    /// `counts[0]` respondents answered 1, …, `counts[A − 1]` answered A; the rest are 0.
    pub counts: [u64; MAX_POINTS],
    /// Respondents who answered "don't know". Reported, never part of a statistic.
    pub dont_know: u64,
}

/// An empty five-point histogram (the default scale).
impl Default for ItemHistogram {
    fn default() -> Self {
        Self::empty(DEFAULT_POINTS)
    }
}

impl ItemHistogram {
    /// No answers yet on a scale of `points` points.
    ///
    /// # Panics
    ///
    /// If `points` is outside 2..=11.
    pub fn empty(points: u8) -> Self {
        assert!(
            (MIN_POINTS..=MAX_POINTS as u8).contains(&points),
            "a scale has 2 to 11 points, not {points}"
        );
        Self {
            points,
            counts: [0; MAX_POINTS],
            dont_know: 0,
        }
    }

    /// A histogram of `counts.len()` points: `counts[0]` answered 1, and so on.
    ///
    /// # Panics
    ///
    /// If there are fewer than 2 or more than 11 counts.
    pub fn from_counts(counts: &[u64], dont_know: u64) -> Self {
        let points = u8::try_from(counts.len()).unwrap_or(u8::MAX);
        let mut h = Self::empty(points);
        h.counts[..counts.len()].copy_from_slice(counts);
        h.dont_know = dont_know;
        h
    }

    /// A, the number of points of the scale.
    pub fn points(&self) -> u8 {
        self.points
    }

    /// The counts of answers 1..=A (no trailing zeros beyond A).
    pub fn answer_counts(&self) -> &[u64] {
        &self.counts[..usize::from(self.points)]
    }

    /// Records one answer; `false` (and nothing recorded) when `value` is outside 1..=A.
    pub fn record(&mut self, value: u8) -> bool {
        if !(SCALE_MIN..=self.points).contains(&value) {
            return false;
        }
        self.counts[usize::from(value - 1)] += 1;
        true
    }

    /// Adds another histogram of the same scale.
    ///
    /// # Panics
    ///
    /// If the two scales have different numbers of points.
    pub fn add(&mut self, other: &ItemHistogram) {
        assert_eq!(self.points, other.points, "histograms of different scales");
        for (total, add) in self.counts.iter_mut().zip(other.counts) {
            *total += add;
        }
        self.dont_know += other.dont_know;
    }

    /// Number of answered values (don't-know excluded).
    pub fn n(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Sum of the answered values.
    pub(crate) fn sum(&self) -> u64 {
        (1u64..)
            .zip(self.counts)
            .map(|(value, count)| value * count)
            .sum()
    }

    pub(crate) fn bins(&self) -> Vec<(f64, u64)> {
        (1u8..)
            .zip(self.answer_counts())
            .map(|(value, &count)| (f64::from(value), count))
            .collect()
    }
}

/// A weighted sample: distinct values in ascending order, each with the number of respondents
/// who had it.
///
/// Built from an item's [`ItemHistogram`] (values 1..=A) or from the histogram of respondent
/// sums over a dimension's J items, where each respondent's dimension mean is `sum / J`.
/// Keeping integer sums as the stored key is what makes ties exact: two respondents with the same
/// sum get the bit-identical mean, so midranks, tie corrections and "all values equal" checks
/// never depend on floating-point luck.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueCounts {
    bins: Vec<(f64, u64)>,
}

impl ValueCounts {
    /// The answered values of one item.
    pub fn from_histogram(histogram: &ItemHistogram) -> Self {
        Self {
            bins: histogram
                .bins()
                .into_iter()
                .filter(|&(_, count)| count > 0)
                .collect(),
        }
    }

    /// Respondent dimension means from `(sum over the dimension's items, respondents)` pairs.
    ///
    /// Only respondents who answered all `items` items belong here (listwise), so each mean is
    /// `sum / items`. Pairs may come in any order and repeat a sum; their counts are added.
    ///
    /// # Panics
    ///
    /// If `items` is 0.
    pub fn from_sums(items: u32, sums: impl IntoIterator<Item = (u32, u64)>) -> Self {
        assert!(items > 0, "a dimension has at least one item");
        let mut by_sum: Vec<(u32, u64)> = sums.into_iter().filter(|&(_, c)| c > 0).collect();
        by_sum.sort_unstable_by_key(|&(sum, _)| sum);
        let mut bins: Vec<(f64, u64)> = Vec::with_capacity(by_sum.len());
        let mut last_sum = None;
        for (sum, count) in by_sum {
            match bins.last_mut() {
                Some(last) if last_sum == Some(sum) => last.1 += count,
                _ => bins.push((f64::from(sum) / f64::from(items), count)),
            }
            last_sum = Some(sum);
        }
        Self { bins }
    }

    /// Number of respondents in the sample.
    pub fn n(&self) -> u64 {
        self.bins.iter().map(|&(_, count)| count).sum()
    }

    /// True when the sample holds no respondent.
    pub fn is_empty(&self) -> bool {
        self.bins.is_empty()
    }

    /// The `(value, respondents)` pairs, ascending by value, each value once, counts > 0.
    pub fn bins(&self) -> &[(f64, u64)] {
        &self.bins
    }
}

/// Count, mean and sum of squared deviations of a weighted sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Moments {
    pub n: u64,
    pub mean: f64,
    /// Σ cᵢ (vᵢ − x̄)².
    pub sum_sq_dev: f64,
}

impl Moments {
    /// `None` for an empty sample. Bins with a zero count are ignored.
    ///
    /// The mean is accumulated as an offset from the first value so that a sample with a single
    /// distinct value has exactly that mean and exactly zero variance. Zero variance decides
    /// several null rules (CI, Welch, Cohen's d), so it must not come out as 1e-17.
    pub fn of(bins: &[(f64, u64)]) -> Option<Self> {
        let present = bins.iter().filter(|&&(_, count)| count > 0);
        let &(origin, _) = present.clone().next()?;
        let n: u64 = present.clone().map(|&(_, count)| count).sum();
        let n_f = n as f64;
        let offset: f64 = present
            .clone()
            .map(|&(value, count)| count as f64 * (value - origin))
            .sum();
        let mean = origin + offset / n_f;
        let sum_sq_dev = present
            .map(|&(value, count)| count as f64 * (value - mean).powi(2))
            .sum();
        Some(Self {
            n,
            mean,
            sum_sq_dev,
        })
    }

    /// Sample variance s² = Σ cᵢ (vᵢ − x̄)² / (n − 1); `None` when n < 2.
    pub fn variance(&self) -> Option<f64> {
        (self.n >= 2).then(|| self.sum_sq_dev / (self.n - 1) as f64)
    }

    /// Mean absolute deviation around the mean, (1/n) Σ cᵢ |vᵢ − x̄|.
    pub fn mean_abs_dev(&self, bins: &[(f64, u64)]) -> f64 {
        let total: f64 = bins
            .iter()
            .map(|&(value, count)| count as f64 * (value - self.mean).abs())
            .sum();
        total / self.n as f64
    }
}

/// The middle value, or the mean of the two middle values when n is even (numpy = R);
/// `None` for an empty sample. `bins` must be ascending by value.
pub(crate) fn median(bins: &[(f64, u64)]) -> Option<f64> {
    let n: u64 = bins.iter().map(|&(_, count)| count).sum();
    if n == 0 {
        return None;
    }
    // 0-based ranks of the two middle values; equal when n is odd.
    let (lower_rank, upper_rank) = ((n - 1) / 2, n / 2);
    let value_at = |rank: u64| {
        let mut seen = 0;
        bins.iter()
            .find(|&&(_, count)| {
                seen += count;
                seen > rank
            })
            .map(|&(value, _)| value)
    };
    Some((value_at(lower_rank)? + value_at(upper_rank)?) / 2.0)
}

#[cfg(test)]
pub(crate) fn histogram(answers: &[Option<u8>]) -> ItemHistogram {
    histogram_of(5, answers)
}

#[cfg(test)]
pub(crate) fn histogram_of(points: u8, answers: &[Option<u8>]) -> ItemHistogram {
    let mut h = ItemHistogram::empty(points);
    for answer in answers {
        match answer {
            Some(v) => assert!(h.record(*v), "{v} is not on a {points}-point scale"),
            None => h.dont_know += 1,
        }
    }
    h
}

#[cfg(test)]
pub(crate) fn answered(values: &[u8]) -> ItemHistogram {
    histogram(&values.iter().map(|&v| Some(v)).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_answers_and_dont_know_separately() {
        let h = histogram(&[Some(4), None, Some(5), Some(3), None, Some(4)]);
        assert_eq!(h.answer_counts(), [0, 0, 1, 2, 1]);
        assert_eq!(h.dont_know, 2);
        assert_eq!(h.n(), 4);
        assert_eq!(h.sum(), 16);
    }

    #[test]
    fn sums_are_merged_sorted_and_divided_by_the_item_count() {
        let s = ValueCounts::from_sums(3, [(12, 2), (7, 1), (12, 1), (9, 0)]);
        assert_eq!(s.bins(), &[(7.0 / 3.0, 1), (4.0, 3)]);
        assert_eq!(s.n(), 4);
    }

    #[test]
    fn a_single_distinct_value_has_exactly_zero_variance() {
        let s = ValueCounts::from_sums(3, [(11, 7)]);
        let m = Moments::of(s.bins()).unwrap();
        assert_eq!(m.mean, 11.0 / 3.0);
        assert_eq!(m.variance(), Some(0.0));
    }

    #[test]
    fn median_takes_the_mean_of_the_two_middle_values_when_n_is_even() {
        assert_eq!(
            median(&answered(&[2, 3, 3, 4, 4, 4, 5, 3]).bins()),
            Some(3.5)
        );
        assert_eq!(median(&answered(&[5, 5, 5, 4]).bins()), Some(5.0));
        assert_eq!(median(&answered(&[4]).bins()), Some(4.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn an_empty_sample_has_no_moments() {
        assert_eq!(Moments::of(ValueCounts::default().bins()), None);
        assert_eq!(Moments::of(&ItemHistogram::default().bins()), None);
    }
}
