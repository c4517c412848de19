//! Two independent groups compared: mean difference, Welch's t test, Cohen's d / Hedges' g,
//! the Mann–Whitney U test and Cliff's delta.

use std::cmp::Ordering;

use serde::Serialize;

use super::distribution::{normal_sf, t_critical_95, t_two_sided_p};
use super::sample::{Moments, ValueCounts};

/// Group 1 against group 2.
///
/// Group 1 is the customer and group 2 the supplier in a between-firm comparison
/// ([`compare`]); for a wave-over-wave change ([`wave_change`]) group 1 is the later wave and
/// group 2 the earlier one, so that `mean_diff` is the change. Serialized under the between-firm
/// names of the report schema (`n_customer`, `mwu_u_customer`, …).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Respondents in group 1.
    #[serde(rename = "n_customer")]
    pub n_1: u64,
    /// Respondents in group 2.
    #[serde(rename = "n_supplier")]
    pub n_2: u64,
    /// x̄₁; `None` when group 1 is empty.
    #[serde(rename = "mean_customer")]
    pub mean_1: Option<f64>,
    /// x̄₂; `None` when group 2 is empty.
    #[serde(rename = "mean_supplier")]
    pub mean_2: Option<f64>,
    /// x̄₁ − x̄₂.
    pub mean_diff: Option<f64>,
    /// Welch's t.
    pub welch_t: Option<f64>,
    /// Welch–Satterthwaite degrees of freedom, fractional, not rounded.
    pub welch_df: Option<f64>,
    /// Two-sided p of Welch's t.
    pub welch_p: Option<f64>,
    /// `[lower, upper]` 95 % Welch interval of x̄₁ − x̄₂.
    pub diff_ci95: Option<[f64; 2]>,
    /// Cohen's d with the pooled SD.
    pub cohens_d: Option<f64>,
    /// Hedges' g, d with the small-sample correction.
    pub hedges_g: Option<f64>,
    /// Mann–Whitney U of group 1.
    #[serde(rename = "mwu_u_customer")]
    pub mwu_u_1: Option<f64>,
    /// Two-sided asymptotic p of U, tie-corrected, with continuity correction.
    pub mwu_p: Option<f64>,
    /// Cliff's δ in [−1, 1]; positive when group 1 tends to answer higher.
    pub cliffs_delta: Option<f64>,
}

/// Compares two independent groups: customer (group 1) against supplier (group 2) for one item
/// (answered values) or one dimension (listwise respondent means) in one wave.
///
/// # Formula
///
/// Welch (Welch 1947; Satterthwaite 1946), as `scipy.stats.ttest_ind(equal_var = False)`:
///
/// ```text
/// SE = √(s₁²/n₁ + s₂²/n₂),   t = (x̄₁ − x̄₂)/SE
/// df = (s₁²/n₁ + s₂²/n₂)² / [ (s₁²/n₁)²/(n₁ − 1) + (s₂²/n₂)²/(n₂ − 1) ]
/// p = 2·P(T_df > |t|),   CI = (x̄₁ − x̄₂) ± t(0.975, df)·SE
/// ```
///
/// Cohen's d and Hedges' g (Hedges & Olkin 1985), as `pingouin.compute_effsize`:
///
/// ```text
/// s_p = √( ((n₁ − 1)s₁² + (n₂ − 1)s₂²)/(n₁ + n₂ − 2) ),   d = (x̄₁ − x̄₂)/s_p
/// g = d · (1 − 3/(4(n₁ + n₂) − 9))
/// ```
///
/// g uses Hedges & Olkin's approximation 1 − 3/(4·df − 1) of the exact gamma-function factor,
/// as pingouin does.
///
/// Mann–Whitney (Mann & Whitney 1947), as `scipy.stats.mannwhitneyu(method = "asymptotic",
/// use_continuity = True)`, and Cliff's delta (Cliff 1993):
///
/// ```text
/// U₁ = #{xᵢ > yⱼ} + ½·#{xᵢ = yⱼ},   μ = n₁n₂/2,   N = n₁ + n₂
/// σ² = (n₁n₂/12)·[ (N + 1) − Σ(t³ − t)/(N(N − 1)) ]     t = sizes of tied groups
/// z = (|U₁ − μ| − ½)/σ,   p = min(1, 2·(1 − Φ(z)))
/// δ = (#{xᵢ > yⱼ} − #{xᵢ < yⱼ})/(n₁n₂) = 2U₁/(n₁n₂) − 1
/// ```
///
/// Ties, midranks and pair counts come exactly from the grouped counts.
///
/// # Null rules
///
/// * means: `None` for an empty group; `mean_diff` when either is empty;
/// * Welch t, df, p and CI: n₁ < 2, n₂ < 2, or SE = 0 (both groups constant);
/// * d and g: n₁ < 2, n₂ < 2, or s_p = 0;
/// * U, δ: an empty group; `mwu_p` also when all N values are identical (σ = 0).
///
/// # Examples
///
/// ```
/// use tandem::stats::{compare, ItemHistogram, ValueCounts};
///
/// let answers = |counts: [u64; 5]| ValueCounts::from_histogram(&ItemHistogram::from_counts(&counts, 0));
/// // The customer answered 1, 2, 2 and the supplier 4, 4, 5, 5.
/// let c = compare(&answers([1, 2, 0, 0, 0]), &answers([0, 0, 0, 2, 2]));
/// assert_eq!(c.mwu_u_1, Some(0.0));
/// assert_eq!(c.cliffs_delta, Some(-1.0));
/// assert!((c.welch_t.unwrap() + 6.425396041156863).abs() < 1e-12);
/// ```
pub fn compare(group_1: &ValueCounts, group_2: &ValueCounts) -> Comparison {
    let m1 = Moments::of(group_1.bins());
    let m2 = Moments::of(group_2.bins());
    let both = m1.zip(m2);
    let spreads = both.and_then(|(a, b)| Some((Spread::of(&a)?, Spread::of(&b)?)));
    let welch = spreads.and_then(|(a, b)| welch(&a, &b));
    let pooled = spreads.and_then(|(a, b)| pooled_effect_sizes(&a, &b));
    let ranks = ranks(group_1.bins(), group_2.bins());
    Comparison {
        n_1: group_1.n(),
        n_2: group_2.n(),
        mean_1: m1.map(|m| m.mean),
        mean_2: m2.map(|m| m.mean),
        mean_diff: both.map(|(a, b)| a.mean - b.mean),
        welch_t: welch.map(|w| w.t),
        welch_df: welch.map(|w| w.df),
        welch_p: welch.map(|w| w.p),
        diff_ci95: welch.map(|w| w.ci95),
        cohens_d: pooled.map(|(d, _)| d),
        hedges_g: pooled.map(|(_, g)| g),
        mwu_u_1: ranks.map(|r| r.u_1),
        mwu_p: ranks.and_then(|r| r.p),
        cliffs_delta: ranks.map(|r| r.delta),
    }
}

/// Wave-over-wave change of one side: [`compare`] with the later wave as group 1 and the
/// earlier wave as group 2, so `mean_diff` = x̄_later − x̄_earlier, a positive δ means answers
/// rose, and every formula and null rule is that of [`compare`].
///
/// The waves are treated as independent samples. Respondents overlap between waves and a
/// person's answers correlate positively over time, so the tests are conservative for them;
/// they are what the report can compute from per-wave aggregates without linking anyone's
/// answers across waves.
pub fn wave_change(earlier: &ValueCounts, later: &ValueCounts) -> Comparison {
    compare(later, earlier)
}

/// Welch's t test of two groups known only by their summaries (n, x̄, s): group 1 − group 2.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WelchTest {
    /// x̄₁ − x̄₂.
    pub mean_diff: f64,
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// Two-sided p.
    pub p: f64,
    /// One-sided p for x̄₁ < x̄₂ (the alternative that group 1 lies below group 2).
    pub p_below: f64,
}

/// Welch's t test from two [`SampleSummary`]s, as
/// `scipy.stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False)` (two-sided
/// `p`) and with `alternative="less"` (`p_below`). Same formula as [`compare`]'s Welch test.
///
/// # Null rules
///
/// `None` when either group has fewer than 2 respondents (no s) or both SDs are 0.
///
/// # Examples
///
/// ```
/// use tandem::stats::{welch_from_summaries, SampleSummary};
///
/// let group = |n, mean, sd| SampleSummary { n, mean: Some(mean), sd: Some(sd), mean_ci95: None };
/// let w = welch_from_summaries(&group(30, 3.1, 0.8), &group(25, 3.6, 0.7)).unwrap();
/// // scipy.stats.ttest_ind_from_stats(3.1, 0.8, 30, 3.6, 0.7, 25, equal_var=False)
/// assert!((w.t + 2.471334023696013).abs() < 1e-12);
/// assert!(w.p_below < w.p);
/// ```
pub fn welch_from_summaries(
    group_1: &super::SampleSummary,
    group_2: &super::SampleSummary,
) -> Option<WelchTest> {
    let spread = |s: &super::SampleSummary| -> Option<Spread> {
        let sd = s.sd?;
        (s.n >= 2).then_some(Spread {
            n: s.n as f64,
            mean: s.mean?,
            variance: sd * sd,
        })
    };
    let (a, b) = (spread(group_1)?, spread(group_2)?);
    let w = welch(&a, &b)?;
    let p_below = if w.t < 0.0 {
        w.p / 2.0
    } else {
        1.0 - w.p / 2.0
    };
    Some(WelchTest {
        mean_diff: a.mean - b.mean,
        t: w.t,
        df: w.df,
        p: w.p,
        p_below,
    })
}

/// n, mean and sample variance of a group with at least 2 respondents.
#[derive(Debug, Clone, Copy)]
struct Spread {
    n: f64,
    mean: f64,
    variance: f64,
}

impl Spread {
    fn of(moments: &Moments) -> Option<Self> {
        Some(Self {
            n: moments.n as f64,
            mean: moments.mean,
            variance: moments.variance()?,
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct Welch {
    t: f64,
    df: f64,
    p: f64,
    ci95: [f64; 2],
}

fn welch(a: &Spread, b: &Spread) -> Option<Welch> {
    let (va, vb) = (a.variance / a.n, b.variance / b.n);
    let se2 = va + vb;
    if se2 == 0.0 {
        return None;
    }
    let se = se2.sqrt();
    let diff = a.mean - b.mean;
    let t = diff / se;
    let df = se2 * se2 / (va * va / (a.n - 1.0) + vb * vb / (b.n - 1.0));
    let half_width = t_critical_95(df) * se;
    Some(Welch {
        t,
        df,
        p: t_two_sided_p(t, df),
        ci95: [diff - half_width, diff + half_width],
    })
}

fn pooled_effect_sizes(a: &Spread, b: &Spread) -> Option<(f64, f64)> {
    let dof = a.n + b.n - 2.0;
    let pooled_sd = (((a.n - 1.0) * a.variance + (b.n - 1.0) * b.variance) / dof).sqrt();
    if pooled_sd == 0.0 {
        return None;
    }
    let d = (a.mean - b.mean) / pooled_sd;
    let g = d * (1.0 - 3.0 / (4.0 * (a.n + b.n) - 9.0));
    Some((d, g))
}

#[derive(Debug, Clone, Copy)]
struct Ranks {
    u_1: f64,
    p: Option<f64>,
    delta: f64,
}

/// Mann–Whitney U₁, its p and Cliff's δ from two ascending bin lists, in one merge pass.
fn ranks(x: &[(f64, u64)], y: &[(f64, u64)]) -> Option<Ranks> {
    let n1 = u128::from(x.iter().map(|&(_, c)| c).sum::<u64>());
    let n2 = u128::from(y.iter().map(|&(_, c)| c).sum::<u64>());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    // Pairs (xᵢ, yⱼ) with xᵢ > yⱼ and xᵢ = yⱼ, and Σ(t³ − t) over tied groups of the pooled
    // sample; all integers, so U, δ and the tie correction carry no rounding.
    let (mut greater, mut equal, mut tie_term) = (0u128, 0u128, 0u128);
    let mut y_below = 0u128;
    let (mut i, mut j) = (0, 0);
    while i < x.len() || j < y.len() {
        let order = match (x.get(i), y.get(j)) {
            (Some(a), Some(b)) => a.0.total_cmp(&b.0),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        let cx = if order != Ordering::Greater {
            x[i].1
        } else {
            0
        };
        let cy = if order != Ordering::Less { y[j].1 } else { 0 };
        let (cx, cy) = (u128::from(cx), u128::from(cy));
        greater += cx * y_below;
        equal += cx * cy;
        let tied = cx + cy;
        tie_term += tied * tied * tied - tied;
        y_below += cy;
        i += usize::from(order != Ordering::Greater);
        j += usize::from(order != Ordering::Less);
    }
    let pairs = n1 * n2;
    let lesser = pairs - greater - equal;
    // 2·(U₁ − μ) = #{x > y} − #{x < y}, exact.
    let twice_dev = greater as f64 - lesser as f64;
    let n = n1 + n2;
    let variance_numerator = n * n * n - n - tie_term;
    let p = (variance_numerator > 0).then(|| {
        let sigma =
            (pairs as f64 * variance_numerator as f64 / (12.0 * (n * (n - 1)) as f64)).sqrt();
        let z = (twice_dev.abs() / 2.0 - 0.5) / sigma;
        if z <= 0.0 {
            1.0
        } else {
            (2.0 * normal_sf(z)).min(1.0)
        }
    });
    Some(Ranks {
        u_1: (2 * greater + equal) as f64 / 2.0,
        p,
        delta: twice_dev / pairs as f64,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn welch_from_summaries_matches_scipy_ttest_ind_from_stats() {
        let group = |n, mean, sd| crate::stats::SampleSummary {
            n,
            mean: Some(mean),
            sd: Some(sd),
            mean_ci95: None,
        };
        // scipy.stats.ttest_ind_from_stats(3.1, 0.8, 30, 3.6, 0.7, 25, equal_var=False)
        let w = welch_from_summaries(&group(30, 3.1, 0.8), &group(25, 3.6, 0.7)).unwrap();
        assert!((w.t + 2.471334023696013).abs() < 1e-12);
        assert!((w.p - 0.01671797344345026).abs() < 1e-7);
        // … alternative="less"
        assert!((w.p_below - 0.00835898672172513).abs() < 1e-7);
        // group 1 above group 2: (3.9, 0.6, 12) vs (3.6, 0.9, 20), alternative="less"
        let w = welch_from_summaries(&group(12, 3.9, 0.6), &group(20, 3.6, 0.9)).unwrap();
        assert!((w.t - 1.1298653657320634).abs() < 1e-12);
        assert!((w.p_below - 0.8661907427732829).abs() < 1e-7);
        assert!(welch_from_summaries(&group(1, 3.0, 0.0), &group(20, 3.6, 0.9)).is_none());
    }

    use super::*;
    use crate::stats::sample::answered;

    fn sample(values: &[u8]) -> ValueCounts {
        ValueCounts::from_histogram(&answered(values))
    }

    fn close(a: Option<f64>, b: f64, tol: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() <= tol)
    }

    #[test]
    fn constant_equal_groups_leave_only_u_and_delta() {
        let c = compare(&sample(&[4, 4, 4]), &sample(&[4, 4, 4, 4]));
        assert_eq!(c.mean_diff, Some(0.0));
        assert_eq!(
            (c.welch_t, c.welch_df, c.welch_p, c.diff_ci95),
            (None, None, None, None)
        );
        assert_eq!((c.cohens_d, c.hedges_g, c.mwu_p), (None, None, None));
        assert_eq!((c.mwu_u_1, c.cliffs_delta), (Some(6.0), Some(0.0)));
    }

    #[test]
    fn constant_different_groups_still_have_a_rank_test() {
        let c = compare(&sample(&[5, 5, 5]), &sample(&[3, 3, 3]));
        assert_eq!((c.welch_t, c.cohens_d), (None, None));
        assert_eq!((c.mwu_u_1, c.cliffs_delta), (Some(9.0), Some(1.0)));
        assert!(close(c.mwu_p, 0.04685417760387376, 1e-12));
    }

    #[test]
    fn a_single_respondent_has_no_t_test_and_a_rank_p_of_one() {
        let c = compare(&sample(&[4]), &sample(&[2, 3, 4, 5]));
        assert_eq!((c.welch_t, c.hedges_g), (None, None));
        assert_eq!(
            (c.mwu_u_1, c.mwu_p, c.cliffs_delta),
            (Some(2.5), Some(1.0), Some(0.25))
        );
    }

    #[test]
    fn ties_typical_matches_scipy_and_pingouin() {
        let c = compare(
            &sample(&[3, 4, 4, 5, 2, 4, 3]),
            &sample(&[2, 3, 3, 4, 2, 1]),
        );
        assert!(close(c.welch_t, 1.8958505218708452, 1e-12));
        assert!(close(c.welch_df, 10.401226679291549, 1e-12));
        assert!(close(c.welch_p, 0.08608194211584554, 1e-12));
        let ci = c.diff_ci95.unwrap();
        assert!((ci[0] + 0.18123753553900968).abs() < 1e-12);
        assert!((ci[1] - 2.324094678396153).abs() < 1e-12);
        assert!(close(c.hedges_g, 0.9871094130287842, 1e-12));
        assert_eq!(c.mwu_u_1, Some(32.5));
        assert!(close(c.mwu_p, 0.10396133407911937, 1e-12));
    }

    #[test]
    fn no_overlap_matches_scipy_and_pingouin() {
        let c = compare(&sample(&[1, 2, 2]), &sample(&[4, 5, 5, 4]));
        assert!(close(c.welch_df, 4.454545454545453, 1e-12));
        assert!(close(c.welch_p, 0.002068616186871859, 1e-12));
        assert!(close(c.cohens_d, -4.907477288111819, 1e-12));
        assert!(close(c.hedges_g, -4.132612453146795, 1e-12));
        assert!(close(c.mwu_p, 0.04562778898313937, 1e-12));
    }

    #[test]
    fn the_result_does_not_depend_on_the_order_sums_were_recorded() {
        let a = ValueCounts::from_sums(3, [(9, 2), (12, 1), (7, 4), (15, 1)]);
        let a_shuffled = ValueCounts::from_sums(3, [(15, 1), (7, 1), (12, 1), (9, 2), (7, 3)]);
        let b = ValueCounts::from_sums(3, [(10, 3), (13, 2), (6, 1)]);
        assert_eq!(compare(&a, &b), compare(&a_shuffled, &b));
    }

    #[test]
    fn swapping_the_groups_mirrors_every_signed_statistic() {
        let (a, b) = (sample(&[1, 2, 2, 3, 5, 5]), sample(&[2, 3, 3, 4, 4]));
        let (ab, ba) = (compare(&a, &b), compare(&b, &a));
        assert_eq!(ab.mean_diff.map(|d| -d), ba.mean_diff);
        assert_eq!(ab.welch_p, ba.welch_p);
        assert_eq!(ab.mwu_p, ba.mwu_p);
        assert_eq!(ab.cliffs_delta.map(|d| -d), ba.cliffs_delta);
        let u_sum = ab.mwu_u_1.unwrap() + ba.mwu_u_1.unwrap();
        assert_eq!(u_sum, (ab.n_1 * ab.n_2) as f64);
    }

    #[test]
    fn an_empty_group_leaves_everything_comparative_undefined() {
        let c = compare(&sample(&[3, 4]), &ValueCounts::default());
        assert_eq!((c.n_1, c.n_2, c.mean_1, c.mean_2), (2, 0, Some(3.5), None));
        assert_eq!((c.mean_diff, c.mwu_u_1, c.cliffs_delta), (None, None, None));
    }

    #[test]
    fn wave_change_reports_later_minus_earlier() {
        let change = wave_change(&sample(&[4, 4, 5]), &sample(&[2, 3, 3]));
        assert!(change.mean_diff.unwrap() < 0.0);
        assert!(change.cliffs_delta.unwrap() < 0.0);
    }

    #[test]
    fn cliffs_delta_stays_in_range_and_matches_u() {
        let groups: Vec<ValueCounts> = (1u8..=5)
            .flat_map(|a| (a..=5).map(move |b| sample(&[a, b, 3, b])))
            .collect();
        for x in &groups {
            for y in &groups {
                let c = compare(x, y);
                let delta = c.cliffs_delta.unwrap();
                assert!((-1.0..=1.0).contains(&delta));
                let from_u = 2.0 * c.mwu_u_1.unwrap() / (c.n_1 * c.n_2) as f64 - 1.0;
                assert!((delta - from_u).abs() < 1e-15);
                if let Some(p) = c.mwu_p {
                    assert!((0.0..=1.0).contains(&p));
                }
            }
        }
    }
}
