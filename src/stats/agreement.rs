//! Within-group agreement: rwg and rwg(j), AD_M and awg, as R's `multilevel` package computes
//! them.

use serde::Serialize;

use super::sample::{ItemHistogram, Moments, SCALE_MIN};

/// σ²_EU = (A² − 1)/12: the variance of answers drawn uniformly from A options, the null ("no
/// agreement at all") distribution of rwg and rwg(j). 2.0 for A = 5, 1.25 for A = 4.
pub fn null_variance(points: u8) -> f64 {
    let a = f64::from(points);
    (a * a - 1.0) / 12.0
}

/// Agreement of one group over the J items of a dimension.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DimensionAgreement {
    /// rwg(j), in [0, 1].
    pub rwg_j: Option<f64>,
    /// Mean over the items of their AD_M; 0 is perfect agreement.
    pub ad_m: Option<f64>,
    /// Mean over the items of their awg, skipping items whose awg is undefined.
    pub awg: Option<f64>,
}

/// Within-group agreement of a single item (James, Demaree & Wolf 1984).
///
/// # Formula
///
/// ```text
/// rwg = 1 − min(s², σ²_EU) / σ²_EU,   σ²_EU = (A² − 1)/12
/// ```
///
/// A is the histogram's number of points (σ²_EU = 2.0 on five points, 1.25 on four).
///
/// The `min` is R's behaviour (`multilevel::rwg(x, grp, ranvar = 2)`): a group that disagrees
/// more than random answering gets 0, never a negative value, so rwg ∈ [0, 1]. Everyone giving
/// the same answer gives 1. `None` when fewer than 2 answers.
pub fn rwg(histogram: &ItemHistogram) -> Option<f64> {
    let variance = Moments::of(&histogram.bins())?.variance()?;
    let null = null_variance(histogram.points());
    Some(1.0 - variance.min(null) / null)
}

/// Average deviation around the mean of a single item, AD_M (Burke, Finkelstein & Dusig 1999).
///
/// # Formula
///
/// ```text
/// AD_M = (1/n) Σ |xᵢ − x̄|
/// ```
///
/// The divisor is n, as in `multilevel::ad.m(x, grp, type = "mean")`. Lower means more
/// agreement, 0 is perfect agreement. `None` when fewer than 2 answers.
pub fn ad_m(histogram: &ItemHistogram) -> Option<f64> {
    let bins = histogram.bins();
    let moments = Moments::of(&bins).filter(|m| m.n >= 2)?;
    Some(moments.mean_abs_dev(&bins))
}

/// Agreement of a single item relative to the largest disagreement its mean allows, awg
/// (Brown & Hauenstein 2005), with L = 1 and H = A the scale ends.
///
/// # Formula
///
/// ```text
/// awg = 1 − 2s² / ( [(H + L)x̄ − x̄² − HL] · n/(n − 1) )
/// ```
///
/// The denominator is the largest sample variance possible for that mean and n. Following
/// `multilevel::awg(x, grp, range = c(1, A))`:
/// * x̄ = L or x̄ = H (everyone chose the same end point) gives exactly 1;
/// * otherwise `None` when x̄ < (L(n − 1) + H)/n or x̄ > (H(n − 1) + L)/n, where the mean is too
///   close to an end of the scale for the index to be meaningful;
/// * `None` when fewer than 2 answers;
/// * no truncation: awg goes down to −1 for a group split between the two ends.
///
/// The bounds are checked on the integer sum Σxᵢ (x̄·n), which is exact.
pub fn awg(histogram: &ItemHistogram) -> Option<f64> {
    let n = histogram.n();
    let variance = Moments::of(&histogram.bins())?.variance()?;
    let (low, high) = (u64::from(SCALE_MIN), u64::from(histogram.points()));
    let sum = histogram.sum();
    if sum == low * n || sum == high * n {
        return Some(1.0);
    }
    if sum < low * (n - 1) + high || sum > high * (n - 1) + low {
        return None;
    }
    let (low, high, n) = (low as f64, high as f64, n as f64);
    let mean = sum as f64 / n;
    let max_variance = ((high + low) * mean - mean * mean - high * low) * (n / (n - 1.0));
    Some(1.0 - 2.0 * variance / max_variance)
}

/// Agreement over the J items of a dimension: rwg(j) (James, Demaree & Wolf 1984), AD_M(J)
/// (Burke et al. 1999) and awg(J) (Brown & Hauenstein 2005), as `multilevel::rwg.j`, `ad.m` and
/// `awg` compute them for a multi-column input.
///
/// # Formula
///
/// ```text
/// s̄² = min( (1/J) Σⱼ s²ⱼ , σ²_EU )
/// rwg(j) = J(1 − s̄²/σ²_EU) / ( J(1 − s̄²/σ²_EU) + s̄²/σ²_EU )
/// AD_M(J) = (1/J) Σⱼ AD_M,ⱼ
/// awg(J) = mean of the items' awg that are defined
/// ```
///
/// Pass one histogram per item of the dimension, all on the same scale (σ²_EU is that of the
/// first item's A).
/// * **Listwise** (the reported value): histograms counted over the respondents who answered
///   every item of the dimension, so all have the same n, as R's `na.exclude` leaves them.
/// * **Pairwise** (the comparison block): each item's full histogram, everyone who answered it.
///
/// Everything is `None` when there are no items or any item has fewer than 2 answers (for the
/// listwise input: fewer than 2 complete respondents); `awg` is also `None` when no item's awg
/// is defined.
pub fn dimension_agreement(items: &[ItemHistogram]) -> DimensionAgreement {
    const UNDEFINED: DimensionAgreement = DimensionAgreement {
        rwg_j: None,
        ad_m: None,
        awg: None,
    };
    let Some(variances) = items
        .iter()
        .map(|item| Moments::of(&item.bins())?.variance())
        .collect::<Option<Vec<f64>>>()
    else {
        return UNDEFINED;
    };
    if variances.is_empty() {
        return UNDEFINED;
    }
    let j = variances.len() as f64;
    let null = null_variance(items[0].points());
    let mean_variance = (variances.iter().sum::<f64>() / j).min(null);
    let ratio = mean_variance / null;
    let rwg_j = j * (1.0 - ratio) / (j * (1.0 - ratio) + ratio);

    let ad_m = items
        .iter()
        .map(ad_m)
        .sum::<Option<f64>>()
        .map(|sum| sum / j);

    let defined: Vec<f64> = items.iter().filter_map(awg).collect();
    let awg = (!defined.is_empty()).then(|| defined.iter().sum::<f64>() / defined.len() as f64);

    DimensionAgreement {
        rwg_j: Some(rwg_j),
        ad_m,
        awg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::sample::{answered, histogram};

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    /// Per-item histograms of a respondent × item matrix (`None` = don't know), listwise and
    /// pairwise.
    fn dimension(rows: &[[Option<u8>; 3]]) -> (Vec<ItemHistogram>, Vec<ItemHistogram>) {
        let complete: Vec<_> = rows
            .iter()
            .filter(|r| r.iter().all(Option::is_some))
            .collect();
        let listwise = (0..3)
            .map(|j| histogram(&complete.iter().map(|r| r[j]).collect::<Vec<_>>()))
            .collect();
        let pairwise = (0..3)
            .map(|j| histogram(&rows.iter().map(|r| r[j]).collect::<Vec<_>>()))
            .collect();
        (listwise, pairwise)
    }

    #[test]
    fn rwg_is_zero_when_variance_exceeds_the_uniform_null() {
        assert_eq!(rwg(&answered(&[1, 1, 1, 5, 5, 5])), Some(0.0));
        assert_eq!(rwg(&answered(&[2, 4])), Some(0.0));
    }

    #[test]
    fn perfect_agreement_gives_rwg_and_awg_one_and_ad_m_zero() {
        for value in 1..=5 {
            let h = answered(&[value; 4]);
            assert_eq!(
                (rwg(&h), awg(&h), ad_m(&h)),
                (Some(1.0), Some(1.0), Some(0.0))
            );
        }
    }

    #[test]
    fn awg_is_undefined_when_the_mean_is_too_close_to_a_scale_end() {
        assert_eq!(awg(&answered(&[5, 5, 5, 4])), None);
        assert_eq!(awg(&answered(&[1, 2])), None);
    }

    #[test]
    fn awg_is_not_truncated_below_zero() {
        assert_eq!(awg(&answered(&[1, 1, 1, 5, 5, 5])), Some(-1.0));
    }

    #[test]
    fn single_item_indices_match_the_readme_edge_cases() {
        let h = histogram(&[Some(4), None, Some(5), Some(3), None, Some(4)]);
        assert!(close(rwg(&h), 0.6666666666666667));
        assert!(close(awg(&h), 0.6666666666666667));
        assert!(close(ad_m(&h), 0.5));
        let typical = answered(&[2, 3, 3, 4, 4, 4, 5, 3]);
        assert!(close(rwg(&typical), 0.5714285714285714));
        assert!(close(awg(&typical), 0.6));
        assert!(close(ad_m(&typical), 0.75));
        assert!(close(awg(&answered(&[2, 4])), 0.5));
    }

    #[test]
    fn fewer_than_two_answers_leave_every_index_undefined() {
        for h in [answered(&[3]), ItemHistogram::default()] {
            assert_eq!((rwg(&h), awg(&h), ad_m(&h)), (None, None, None));
        }
    }

    #[test]
    fn listwise_deletion_drops_incomplete_respondents() {
        let (listwise, pairwise) = dimension(&[
            [Some(4), Some(4), Some(5)],
            [Some(3), Some(4), Some(4)],
            [Some(5), None, Some(5)],
            [Some(4), Some(3), Some(4)],
            [Some(2), Some(3), Some(3)],
        ]);
        let a = dimension_agreement(&listwise);
        assert!(close(a.rwg_j, 0.8647058823529411));
        assert!(close(a.ad_m, 0.5833333333333334));
        assert!(close(a.awg, 0.728042328042328));
        assert!(close(
            dimension_agreement(&pairwise).rwg_j,
            0.8250000000000001
        ));
    }

    #[test]
    fn item_variances_above_the_null_give_rwg_j_zero() {
        let (listwise, _) = dimension(&[
            [Some(1), Some(1), Some(5)],
            [Some(5), Some(5), Some(1)],
            [Some(1), Some(5), Some(1)],
            [Some(5), Some(1), Some(5)],
        ]);
        let a = dimension_agreement(&listwise);
        assert_eq!((a.rwg_j, a.ad_m, a.awg), (Some(0.0), Some(2.0), Some(-1.0)));
    }

    #[test]
    fn a_single_complete_row_leaves_listwise_undefined_but_not_pairwise() {
        let (listwise, pairwise) = dimension(&[
            [Some(4), Some(4), Some(4)],
            [Some(3), None, Some(4)],
            [None, Some(2), Some(2)],
        ]);
        let a = dimension_agreement(&listwise);
        assert_eq!((a.rwg_j, a.ad_m, a.awg), (None, None, None));
        assert!(close(
            dimension_agreement(&pairwise).rwg_j,
            0.6290322580645161
        ));
    }

    #[test]
    fn no_items_means_no_agreement() {
        assert_eq!(dimension_agreement(&[]).rwg_j, None);
    }

    #[test]
    fn dimension_awg_skips_items_whose_awg_is_undefined() {
        let items = [answered(&[5, 5, 5, 4]), answered(&[2, 3, 3, 4])];
        assert_eq!(dimension_agreement(&items).awg, awg(&items[1]));
        let none = [answered(&[5, 5, 5, 4]), answered(&[1, 1, 1, 2])];
        assert_eq!(dimension_agreement(&none).awg, None);
    }

    #[test]
    fn agreement_stays_in_range_for_every_small_group() {
        // Every histogram of 2..=6 answers over the five options.
        let mut checked = 0;
        for n in 2u64..=6 {
            for code in 0..6u64.pow(5) {
                let mut counts = [0u64; 5];
                let mut rest = code;
                for c in counts.iter_mut() {
                    *c = rest % 6;
                    rest /= 6;
                }
                if counts.iter().sum::<u64>() != n {
                    continue;
                }
                let h = ItemHistogram::from_counts(&counts, 0);
                let r = rwg(&h).unwrap();
                assert!((0.0..=1.0).contains(&r), "rwg {r} for {counts:?}");
                if let Some(a) = awg(&h) {
                    assert!((-1.0 - 1e-12..=1.0).contains(&a), "awg {a} for {counts:?}");
                }
                let d = ad_m(&h).unwrap();
                assert!((0.0..=2.0).contains(&d), "ad_m {d} for {counts:?}");
                let rj = dimension_agreement(&[h, h]).rwg_j.unwrap();
                assert!((0.0..=1.0).contains(&rj), "rwg_j {rj} for {counts:?}");
                checked += 1;
            }
        }
        assert!(checked > 400);
    }
}
