//! Differences between segments of one firm (levels, functions): Welch's ANOVA, the
//! Kruskal–Wallis test and their effect sizes, over k groups of respondent scores.

use serde::Serialize;
use statrs::function::beta::beta_reg;
use statrs::function::gamma::gamma_ur;

use super::sample::{Moments, ValueCounts};

/// Tests and effect sizes of a one-way layout of k segments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentDifferences {
    /// Non-empty groups, k.
    pub groups: usize,
    /// Respondents over all groups, N.
    pub n: u64,
    /// Respondents per group, in the order given (empty groups included).
    pub group_sizes: Vec<u64>,
    /// Welch's F.
    pub welch_f: Option<f64>,
    /// k − 1.
    pub welch_df1: Option<f64>,
    /// Welch's denominator degrees of freedom, fractional.
    pub welch_df2: Option<f64>,
    /// P(F(df1, df2) > F).
    pub welch_p: Option<f64>,
    /// Kruskal–Wallis H, corrected for ties.
    pub kruskal_h: Option<f64>,
    /// k − 1.
    pub kruskal_df: Option<f64>,
    /// P(χ²(k − 1) > H).
    pub kruskal_p: Option<f64>,
    /// ε² = H/(N − 1), the rank-based effect size.
    pub epsilon_squared: Option<f64>,
    /// ω² of the classic one-way ANOVA; can be negative.
    pub omega_squared: Option<f64>,
}

/// Do k segments of a firm differ on one dimension (or item)? Welch's heteroscedastic ANOVA,
/// the Kruskal–Wallis rank test, ε² and ω², on weighted samples of respondent scores (for a
/// dimension: the listwise respondent means of each segment, `DimensionAggregate::means`).
///
/// # Formula
///
/// For the k non-empty groups with nᵢ, x̄ᵢ, s²ᵢ and N = Σnᵢ:
///
/// ```text
/// Welch (1951), as statsmodels anova_oneway(use_var="unequal") and pingouin.welch_anova:
///   wᵢ = nᵢ/s²ᵢ,  W = Σwᵢ,  x̃ = Σwᵢx̄ᵢ/W,  Λ = Σ (1 − wᵢ/W)²/(nᵢ − 1)
///   F = [Σwᵢ(x̄ᵢ − x̃)²/(k − 1)] / [1 + 2(k − 2)Λ/(k² − 1)]
///   df1 = k − 1,  df2 = (k² − 1)/(3Λ),  p = P(F_{df1,df2} > F)
/// Kruskal & Wallis (1952), as scipy.stats.kruskal: Rᵢ = sum of group i's mid-ranks in the
///   pooled sample, t = sizes of the groups of tied values,
///   H = [12/(N(N + 1)) Σ Rᵢ²/nᵢ − 3(N + 1)] / [1 − Σ(t³ − t)/(N³ − N)],  p = P(χ²_{k−1} > H)
/// ε² = H/(N − 1)                                    (Tomczak & Tomczak 2014)
/// ω² = (SS_B − (k − 1)·MS_W)/(SS_T + MS_W),  MS_W = SS_W/(N − k)     (Hays 1963)
/// ```
///
/// Empty groups are ignored (they do not count in k) but kept in `group_sizes`. Values are
/// compared exactly for ranking: respondent means built by [`ValueCounts::from_sums`] with the
/// same item count are bit-identical when their sums are.
///
/// # Null rules
///
/// * everything but `groups`, `n` and `group_sizes`: fewer than 2 non-empty groups;
/// * Welch (`welch_f`, `welch_df1`, `welch_df2`, `welch_p`): any non-empty group with fewer
///   than 2 respondents or zero variance (its weight nᵢ/s²ᵢ is undefined; pingouin returns
///   NaN or ∞ there);
/// * Kruskal–Wallis and ε²: every value equal (the tie correction is 0; scipy returns NaN);
/// * ω²: N ≤ k (no within-group degrees of freedom) or SS_T + MS_W = 0 (every value equal).
///
/// # References
///
/// Welch, B. L. (1951). On the comparison of several mean values: an alternative approach.
/// *Biometrika, 38*, 330–336. Kruskal, W. H., & Wallis, W. A. (1952). Use of ranks in
/// one-criterion variance analysis. *JASA, 47*, 583–621. Tomczak, M., & Tomczak, E. (2014).
/// The need to report effect size estimates revisited. *Trends in Sport Sciences, 21*, 19–25.
/// Hays, W. L. (1963). *Statistics for Psychologists*. Holt, Rinehart & Winston.
pub fn segment_differences(groups: &[ValueCounts]) -> SegmentDifferences {
    let group_sizes: Vec<u64> = groups.iter().map(ValueCounts::n).collect();
    let present: Vec<(&ValueCounts, Moments)> = groups
        .iter()
        .filter_map(|g| Moments::of(g.bins()).map(|m| (g, m)))
        .collect();
    let k = present.len();
    let n: u64 = group_sizes.iter().sum();
    let mut result = SegmentDifferences {
        groups: k,
        n,
        group_sizes,
        welch_f: None,
        welch_df1: None,
        welch_df2: None,
        welch_p: None,
        kruskal_h: None,
        kruskal_df: None,
        kruskal_p: None,
        epsilon_squared: None,
        omega_squared: None,
    };
    if k < 2 {
        return result;
    }
    let moments: Vec<Moments> = present.iter().map(|&(_, m)| m).collect();
    if let Some((f, df1, df2, p)) = welch_anova(&moments) {
        result.welch_f = Some(f);
        result.welch_df1 = Some(df1);
        result.welch_df2 = Some(df2);
        result.welch_p = Some(p);
    }
    let samples: Vec<&ValueCounts> = present.iter().map(|&(g, _)| g).collect();
    if let Some(h) = kruskal_h(&samples, n) {
        let df = (k - 1) as f64;
        result.kruskal_h = Some(h);
        result.kruskal_df = Some(df);
        result.kruskal_p = Some(chi_squared_sf(h, df));
        result.epsilon_squared = Some(h / (n - 1) as f64);
    }
    result.omega_squared = omega_squared(&moments, n);
    result
}

/// (F, df1, df2, p), or `None` when a group has n < 2 or zero variance.
fn welch_anova(groups: &[Moments]) -> Option<(f64, f64, f64, f64)> {
    let k = groups.len() as f64;
    let weights: Vec<f64> = groups
        .iter()
        .map(|m| {
            let variance = m.variance()?;
            (variance > 0.0).then(|| m.n as f64 / variance)
        })
        .collect::<Option<_>>()?;
    let total: f64 = weights.iter().sum();
    let weighted_mean = groups
        .iter()
        .zip(&weights)
        .map(|(m, w)| w * m.mean)
        .sum::<f64>()
        / total;
    let between = groups
        .iter()
        .zip(&weights)
        .map(|(m, w)| w * (m.mean - weighted_mean).powi(2))
        .sum::<f64>()
        / (k - 1.0);
    let lambda: f64 = groups
        .iter()
        .zip(&weights)
        .map(|(m, w)| (1.0 - w / total).powi(2) / (m.n - 1) as f64)
        .sum();
    let f = between / (1.0 + 2.0 * (k - 2.0) * lambda / (k * k - 1.0));
    let (df1, df2) = (k - 1.0, (k * k - 1.0) / (3.0 * lambda));
    Some((f, df1, df2, f_sf(f, df1, df2)))
}

/// Tie-corrected Kruskal–Wallis H; `None` when every value is equal.
fn kruskal_h(groups: &[&ValueCounts], n: u64) -> Option<f64> {
    // Every (value, group, count), sorted by value, to assign mid-ranks per distinct value.
    let mut cells: Vec<(f64, usize, u64)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, sample)| sample.bins().iter().map(move |&(v, c)| (v, g, c)))
        .collect();
    cells.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_sums = vec![0.0; groups.len()];
    let mut ties = 0u128;
    let mut below = 0u64;
    let mut start = 0;
    while start < cells.len() {
        let value = cells[start].0;
        let end = start + cells[start..].iter().take_while(|c| c.0 == value).count();
        let t: u64 = cells[start..end].iter().map(|c| c.2).sum();
        // Ranks below + 1 ..= below + t, whose mean is below + (t + 1)/2.
        let mid_rank = below as f64 + (t as f64 + 1.0) / 2.0;
        for &(_, g, c) in &cells[start..end] {
            rank_sums[g] += c as f64 * mid_rank;
        }
        ties += u128::from(t).pow(3) - u128::from(t);
        below += t;
        start = end;
    }
    let n_f = n as f64;
    let correction = 1.0 - ties as f64 / (n_f.powi(3) - n_f);
    if correction <= 0.0 {
        return None;
    }
    let sum: f64 = rank_sums
        .iter()
        .zip(groups)
        .map(|(r, g)| r * r / g.n() as f64)
        .sum();
    let h = (12.0 / (n_f * (n_f + 1.0)) * sum - 3.0 * (n_f + 1.0)) / correction;
    // Rounding can leave −1e-15 where the groups' mean ranks are equal.
    Some(h.max(0.0))
}

/// ω² of the classic one-way ANOVA; `None` when N ≤ k or SS_T + MS_W = 0.
fn omega_squared(groups: &[Moments], n: u64) -> Option<f64> {
    let k = groups.len() as u64;
    if n <= k {
        return None;
    }
    let n_f = n as f64;
    let grand = groups.iter().map(|m| m.n as f64 * m.mean).sum::<f64>() / n_f;
    let between: f64 = groups
        .iter()
        .map(|m| m.n as f64 * (m.mean - grand).powi(2))
        .sum();
    let within: f64 = groups.iter().map(|m| m.sum_sq_dev).sum();
    let ms_within = within / (n - k) as f64;
    let denominator = between + within + ms_within;
    (denominator > 0.0).then(|| (between - (k - 1) as f64 * ms_within) / denominator)
}

/// P(F_{df1, df2} > f) = I_{df2/(df2 + df1·f)}(df2/2, df1/2), one incomplete-beta call so a
/// small p keeps its relative precision.
fn f_sf(f: f64, df1: f64, df2: f64) -> f64 {
    if f <= 0.0 {
        return 1.0;
    }
    beta_reg(df2 / 2.0, df1 / 2.0, df2 / (df2 + df1 * f)).clamp(0.0, 1.0)
}

/// P(χ²_df > x) = Q(df/2, x/2), the regularized upper incomplete gamma function.
fn chi_squared_sf(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    gamma_ur(df / 2.0, x / 2.0).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::sample::answered;

    fn sample(values: &[u8]) -> ValueCounts {
        ValueCounts::from_histogram(&answered(values))
    }

    fn close(a: Option<f64>, b: f64, tol: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() <= tol * (1.0 + b.abs()))
    }

    #[test]
    fn three_groups_match_scipy_statsmodels_and_pingouin() {
        // scipy.stats.kruskal, statsmodels anova_oneway(use_var="unequal"), pingouin
        // welch_anova / anova on [3,4,4,5,2], [2,2,3,1,2,3], [4,5,5,4].
        let d = segment_differences(&[
            sample(&[3, 4, 4, 5, 2]),
            sample(&[2, 2, 3, 1, 2, 3]),
            sample(&[4, 5, 5, 4]),
        ]);
        assert_eq!((d.groups, d.n), (3, 15));
        assert!(close(d.welch_f, 14.124842277259841, 1e-12), "{d:?}");
        assert!(close(d.welch_df2, 7.537200848184993, 1e-12), "{d:?}");
        assert!(close(d.welch_p, 0.0028215630061581127, 1e-9), "{d:?}");
        assert!(close(d.kruskal_h, 8.561842105263157, 1e-12), "{d:?}");
        assert!(close(d.kruskal_p, 0.013829918135962209, 1e-9), "{d:?}");
        assert!(close(d.omega_squared, 0.5232789961299402, 1e-12), "{d:?}");
    }

    #[test]
    fn two_groups_welch_f_is_the_square_of_welch_t() {
        let (a, b) = (sample(&[3, 4, 4, 5, 2, 4, 3]), sample(&[2, 3, 3, 4, 2, 1]));
        let d = segment_differences(&[a.clone(), b.clone()]);
        let c = crate::stats::compare(&a, &b);
        assert!(close(d.welch_f, c.welch_t.unwrap().powi(2), 1e-12));
        assert!(close(d.welch_df2, c.welch_df.unwrap(), 1e-12));
        assert!(close(d.welch_p, c.welch_p.unwrap(), 1e-12));
    }

    #[test]
    fn fewer_than_two_groups_leave_everything_undefined() {
        let d = segment_differences(&[sample(&[1, 2, 3]), ValueCounts::default()]);
        assert_eq!((d.groups, d.n, d.group_sizes.clone()), (1, 3, vec![3, 0]));
        assert_eq!(
            (d.welch_f, d.kruskal_h, d.omega_squared),
            (None, None, None)
        );
    }

    #[test]
    fn a_constant_or_single_respondent_group_has_no_welch_but_a_kruskal() {
        let d = segment_differences(&[sample(&[4, 4, 4]), sample(&[1, 2, 3])]);
        assert_eq!(d.welch_f, None);
        assert!(d.kruskal_p.is_some() && d.omega_squared.is_some());
        let d = segment_differences(&[sample(&[4]), sample(&[1, 2, 3])]);
        assert_eq!(d.welch_p, None);
        assert!(d.kruskal_h.is_some());
    }

    #[test]
    fn every_value_equal_leaves_the_tests_undefined() {
        let d = segment_differences(&[sample(&[3, 3]), sample(&[3, 3, 3])]);
        assert_eq!((d.kruskal_h, d.epsilon_squared), (None, None));
        assert_eq!((d.welch_f, d.omega_squared), (None, None));
    }

    #[test]
    fn identical_groups_have_h_zero_and_p_one() {
        let d = segment_differences(&[sample(&[1, 3, 5]), sample(&[5, 3, 1])]);
        assert_eq!((d.kruskal_h, d.kruskal_p), (Some(0.0), Some(1.0)));
        assert_eq!((d.welch_f, d.welch_p), (Some(0.0), Some(1.0)));
        assert!(d.omega_squared.unwrap() < 0.0);
    }

    #[test]
    fn group_order_does_not_matter() {
        let (a, b, c) = (
            sample(&[1, 2, 2, 4]),
            sample(&[3, 5, 4]),
            sample(&[2, 3, 3, 5]),
        );
        let abc = segment_differences(&[a.clone(), b.clone(), c.clone()]);
        let cab = segment_differences(&[c, a, b]);
        for (x, y) in [
            (abc.welch_p, cab.welch_p),
            (abc.kruskal_h, cab.kruskal_h),
            (abc.omega_squared, cab.omega_squared),
        ] {
            assert!((x.unwrap() - y.unwrap()).abs() < 1e-13);
        }
    }
}
