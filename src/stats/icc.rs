//! ICC(1) and ICC(2) from a one-way ANOVA across groups (levels within a firm).

use serde::Serialize;

use super::sample::{Moments, ValueCounts};

/// One-way ANOVA across groups and the two intraclass correlations built on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Icc {
    /// Observations over all groups, N.
    pub n: u64,
    /// Observations per group, in the order the groups were given (empty groups included).
    pub group_sizes: Vec<u64>,
    /// Mean group size N/G over the G non-empty groups.
    pub k: Option<f64>,
    /// G − 1.
    pub df_between: Option<f64>,
    /// N − G.
    pub df_within: Option<f64>,
    /// Mean square between groups.
    pub msb: Option<f64>,
    /// Mean square within groups.
    pub msw: Option<f64>,
    /// ICC(1); not truncated, negative when groups differ less than chance.
    pub icc1: Option<f64>,
    /// ICC(2); not truncated, far below 0 when MSB is small.
    pub icc2: Option<f64>,
}

/// ICC(1) and ICC(2) of a one-way ANOVA across groups (Bliese 2000), as
/// `multilevel::ICC1(aov(y ~ as.factor(group)))` and `ICC2(...)`.
///
/// Each group is a weighted sample of y: for an item, the answers of one level; for a
/// dimension, the listwise respondent means of one level.
///
/// # Formula
///
/// ```text
/// G = non-empty groups, N = Σ n_g, ȳ = grand mean
/// MSB = Σ n_g (ȳ_g − ȳ)² / (G − 1),   MSW = Σ_g Σᵢ (y_gi − ȳ_g)² / (N − G)
/// k = N / G
/// ICC(1) = (MSB − MSW) / (MSB + (k − 1)·MSW),   ICC(2) = (MSB − MSW) / MSB
/// ```
///
/// k is the mean group size, as `multilevel::ICC1` computes it, not the unbalanced-design
/// k₀ = (N − Σn_g²/N)/(G − 1). Neither ICC is truncated.
///
/// # Null rules
///
/// Everything but `n` and `group_sizes` is `None` with fewer than 2 non-empty groups or N ≤ G
/// (no within-group degrees of freedom). `icc2` is also `None` when MSB = 0, and `icc1` when
/// MSB = MSW = 0 (every observation equal).
pub fn icc(groups: &[ValueCounts]) -> Icc {
    let group_sizes: Vec<u64> = groups.iter().map(ValueCounts::n).collect();
    let n: u64 = group_sizes.iter().sum();
    let undefined = Icc {
        n,
        group_sizes: group_sizes.clone(),
        k: None,
        df_between: None,
        df_within: None,
        msb: None,
        msw: None,
        icc1: None,
        icc2: None,
    };
    let present: Vec<Moments> = groups
        .iter()
        .filter_map(|g| Moments::of(g.bins()))
        .collect();
    let g = present.len() as u64;
    if g < 2 || n <= g {
        return undefined;
    }
    let n_f = n as f64;
    let grand_mean = present.iter().map(|m| m.n as f64 * m.mean).sum::<f64>() / n_f;
    let ss_between: f64 = present
        .iter()
        .map(|m| m.n as f64 * (m.mean - grand_mean).powi(2))
        .sum();
    let ss_within: f64 = present.iter().map(|m| m.sum_sq_dev).sum();
    let df_between = (g - 1) as f64;
    let df_within = (n - g) as f64;
    let msb = ss_between / df_between;
    let msw = ss_within / df_within;
    let k = n_f / g as f64;
    let icc1_denominator = msb + (k - 1.0) * msw;
    Icc {
        k: Some(k),
        df_between: Some(df_between),
        df_within: Some(df_within),
        msb: Some(msb),
        msw: Some(msw),
        icc1: (icc1_denominator != 0.0).then(|| (msb - msw) / icc1_denominator),
        icc2: (msb != 0.0).then(|| (msb - msw) / msb),
        ..undefined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::sample::answered;

    fn sample(values: &[u8]) -> ValueCounts {
        ValueCounts::from_histogram(&answered(values))
    }

    #[test]
    fn k_is_the_mean_group_size_not_k0() {
        let groups = [sample(&[4; 6]), sample(&[3; 6]), sample(&[2; 15])];
        assert_eq!(icc(&groups).k, Some(9.0));
    }

    #[test]
    fn matches_a_hand_computed_anova() {
        // Groups {1, 2, 3} and {4, 5, 6}: MSB = 13.5, MSW = 1, k = 3.
        let r = icc(&[sample(&[1, 2, 3]), sample(&[4, 5]), ValueCounts::default()]);
        assert_eq!(r.group_sizes, vec![3, 2, 0]);
        let r = icc(&[
            sample(&[1, 2, 3]),
            ValueCounts::from_sums(1, [(4, 1), (5, 1), (6, 1)]),
        ]);
        assert_eq!((r.df_between, r.df_within), (Some(1.0), Some(4.0)));
        assert_eq!((r.msb, r.msw), (Some(13.5), Some(1.0)));
        assert_eq!(r.icc1, Some(12.5 / 15.5));
        assert_eq!(r.icc2, Some(12.5 / 13.5));
    }

    #[test]
    fn a_single_group_or_no_within_variance_degrees_gives_null() {
        assert_eq!(icc(&[sample(&[1, 2, 3])]).icc1, None);
        let one_each = icc(&[sample(&[1]), sample(&[3]), ValueCounts::default()]);
        assert_eq!((one_each.n, one_each.icc1, one_each.k), (2, None, None));
    }

    #[test]
    fn identical_observations_leave_both_iccs_undefined() {
        let r = icc(&[sample(&[3, 3]), sample(&[3, 3, 3])]);
        assert_eq!((r.msb, r.msw), (Some(0.0), Some(0.0)));
        assert_eq!((r.icc1, r.icc2), (None, None));
    }

    #[test]
    fn the_order_of_groups_does_not_change_the_iccs() {
        let (a, b, c) = (
            sample(&[1, 2, 2, 4]),
            sample(&[3, 5, 4]),
            sample(&[2, 2, 3, 3, 5]),
        );
        let abc = icc(&[a.clone(), b.clone(), c.clone()]);
        let cab = icc(&[c, a, b]);
        assert!((abc.icc1.unwrap() - cab.icc1.unwrap()).abs() < 1e-14);
        assert!((abc.icc2.unwrap() - cab.icc2.unwrap()).abs() < 1e-14);
    }
}
