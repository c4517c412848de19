//! Counts, mean, SD, median, favourable share and the t confidence interval of a mean.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::agreement::{ad_m, awg, rwg};
use super::distribution::t_critical_95;
use super::sample::{median, ItemHistogram, Moments, ValueCounts};

/// Descriptives of a weighted sample (a dimension's respondent means, or any [`ValueCounts`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleSummary {
    /// Respondents in the sample.
    pub n: u64,
    /// x̄; `None` when n = 0.
    pub mean: Option<f64>,
    /// Sample SD s (divisor n − 1); `None` when n < 2.
    pub sd: Option<f64>,
    /// `[lower, upper]` 95 % t interval of the mean; `None` when n < 2 or s = 0.
    pub mean_ci95: Option<[f64; 2]>,
}

/// Descriptives and single-item agreement of one item in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemSummary {
    /// Answered values (don't-know excluded).
    pub n: u64,
    /// Don't-know answers.
    pub n_dont_know: u64,
    /// A, the number of points of the item's scale (the length of `counts`; not serialized).
    #[serde(skip)]
    pub points: u8,
    /// Respondents per answer 1..=A; serialized as `{"1": …, …, "A": …}`.
    #[serde(serialize_with = "counts_by_answer")]
    pub counts: Vec<u64>,
    /// x̄; `None` when n = 0.
    pub mean: Option<f64>,
    /// Sample SD; `None` when n < 2.
    pub sd: Option<f64>,
    /// Middle value, or the mean of the two middle values when n is even; `None` when n = 0.
    pub median: Option<f64>,
    /// 100 · (answers in the `favourable` top points) / n; `None` when n = 0.
    pub favourable_pct: Option<f64>,
    /// `[lower, upper]` 95 % t interval of the mean, not clipped to the scale; `None` when n < 2
    /// or s = 0.
    pub mean_ci95: Option<[f64; 2]>,
    /// See [`rwg`](super::rwg).
    pub rwg: Option<f64>,
    /// See [`awg`](super::awg).
    pub awg: Option<f64>,
    /// See [`ad_m`](super::ad_m).
    pub ad_m: Option<f64>,
}

/// Mean, SD and 95 % confidence interval of the mean of a weighted sample.
///
/// # Formula
///
/// ```text
/// x̄ = Σ cᵢvᵢ / n
/// s² = Σ cᵢ(vᵢ − x̄)² / (n − 1)
/// CI = x̄ ± t(0.975, n − 1) · s / √n
/// ```
///
/// The interval is `scipy.stats.t.interval(0.95, n − 1, loc = x̄, scale = s/√n)`; it is not
/// defined for n < 2 and degenerate (zero width) for s = 0, so both give `None`.
///
/// # Examples
///
/// ```
/// use tandem::stats::{describe_sample, ValueCounts};
///
/// // Four respondents answered all three items of a dimension, with sums 13, 11, 11 and 8.
/// let means = ValueCounts::from_sums(3, [(13, 1), (11, 2), (8, 1)]);
/// let summary = describe_sample(&means);
/// assert_eq!(summary.n, 4);
/// assert!((summary.mean.unwrap() - 43.0 / 12.0).abs() < 1e-15);
/// ```
pub fn describe_sample(sample: &ValueCounts) -> SampleSummary {
    let moments = Moments::of(sample.bins());
    SampleSummary {
        n: sample.n(),
        mean: moments.map(|m| m.mean),
        sd: moments.and_then(|m| m.variance()).map(f64::sqrt),
        mean_ci95: moments.and_then(|m| mean_ci95(&m)),
    }
}

/// Everything reported for one item in one group, exactly, from its answer histogram.
///
/// n, counts, mean, SD, median and the CI are as in [`describe_sample`] over the answered values;
/// favourable_pct = 100 · (count₄ + count₅) / n; rwg, awg and AD_M are the single-item indices of
/// [`rwg`](super::rwg), [`awg`](super::awg) and [`ad_m`](super::ad_m). Don't-know answers are
/// only counted.
///
/// # Examples
///
/// ```
/// use tandem::stats::{describe_item, ItemHistogram};
///
/// // Answers 3, 4, 4, 5 and two don't-knows.
/// let h = ItemHistogram::from_counts(&[0, 0, 1, 2, 1], 2);
/// let item = describe_item(&h, 2);
/// assert_eq!((item.n, item.mean, item.median), (4, Some(4.0), Some(4.0)));
/// assert_eq!(item.favourable_pct, Some(75.0));
/// assert!((item.rwg.unwrap() - 2.0 / 3.0).abs() < 1e-15);
/// ```
///
/// `favourable` is the number of top points counted as favourable (2 on the five-point
/// agreement scale: 4 and 5); it is clamped to 1..=A.
pub fn describe_item(histogram: &ItemHistogram, favourable: u8) -> ItemSummary {
    let bins = histogram.bins();
    let sample = describe_sample(&ValueCounts::from_histogram(histogram));
    let n = sample.n;
    let counts = histogram.answer_counts();
    let top = usize::from(favourable.clamp(1, histogram.points()));
    let favourable: u64 = counts[counts.len() - top..].iter().sum();
    ItemSummary {
        n,
        n_dont_know: histogram.dont_know,
        points: histogram.points(),
        counts: counts.to_vec(),
        mean: sample.mean,
        sd: sample.sd,
        median: median(&bins),
        favourable_pct: (n > 0).then(|| 100.0 * favourable as f64 / n as f64),
        mean_ci95: sample.mean_ci95,
        rwg: rwg(histogram),
        awg: awg(histogram),
        ad_m: ad_m(histogram),
    }
}

fn mean_ci95(moments: &Moments) -> Option<[f64; 2]> {
    let sd = moments.variance()?.sqrt();
    if sd == 0.0 {
        return None;
    }
    let standard_error = sd / (moments.n as f64).sqrt();
    let half_width = t_critical_95((moments.n - 1) as f64) * standard_error;
    Some([moments.mean - half_width, moments.mean + half_width])
}

fn counts_by_answer<S: Serializer>(counts: &[u64], serializer: S) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(counts.len()))?;
    for (answer, count) in (1..).zip(counts) {
        map.serialize_entry(&format!("{answer}"), count)?;
    }
    map.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::sample::{answered, histogram};

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn a_single_respondent_has_a_mean_but_no_spread() {
        let item = describe_item(&answered(&[4]), 2);
        assert_eq!(item.mean, Some(4.0));
        assert_eq!(item.median, Some(4.0));
        assert_eq!(item.favourable_pct, Some(100.0));
        assert_eq!((item.sd, item.mean_ci95), (None, None));
        assert_eq!((item.rwg, item.awg, item.ad_m), (None, None, None));
    }

    #[test]
    fn a_constant_group_has_zero_sd_and_no_interval() {
        let item = describe_item(&answered(&[3, 3, 3, 3, 3]), 2);
        assert_eq!(item.sd, Some(0.0));
        assert_eq!(item.mean_ci95, None);
    }

    #[test]
    fn an_empty_group_reports_only_its_counts() {
        let item = describe_item(&histogram(&[None, None]), 2);
        assert_eq!((item.n, item.n_dont_know), (0, 2));
        assert_eq!(
            (item.mean, item.median, item.favourable_pct),
            (None, None, None)
        );
    }

    #[test]
    fn the_interval_with_two_answers_uses_one_degree_of_freedom() {
        // README edge case two_respondents_var_2: 3 ± t(0.975, 1) · √2/√2.
        let ci = describe_item(&answered(&[2, 4]), 2).mean_ci95.unwrap();
        assert!(close(ci[0], -9.706204736174694) && close(ci[1], 15.706204736174694));
    }

    #[test]
    fn typical_item_matches_the_readme_edge_case() {
        let item = describe_item(&answered(&[2, 3, 3, 4, 4, 4, 5, 3]), 2);
        assert!(close(item.sd.unwrap(), 0.9258200997725514));
        let ci = item.mean_ci95.unwrap();
        assert!(close(ci[0], 2.7259950269248403) && close(ci[1], 4.27400497307516));
    }

    #[test]
    fn counts_serialize_keyed_by_answer() {
        let json = serde_json::to_value(describe_item(&answered(&[1, 5, 5]), 2)).unwrap();
        assert_eq!(
            json["counts"],
            serde_json::json!({"1": 1, "2": 0, "3": 0, "4": 0, "5": 2})
        );
        assert!(json["mean_ci95"].is_array());
    }
}
