//! Tail probabilities and quantiles of Student's t and the standard normal, on top of statrs.

use statrs::distribution::{Continuous, ContinuousCDF, StudentsT};
use statrs::function::beta::beta_reg;
use statrs::function::gamma::gamma_ur;

/// Two-sided p-value of a t statistic with `df` degrees of freedom, P(|T| ≥ |t|).
///
/// # Formula
///
/// ```text
/// p = I_x(df/2, 1/2),   x = df / (df + t²)
/// ```
///
/// where `I` is the regularized incomplete beta function. statrs' `StudentsT::sf` evaluates
/// the same expression but halves it, and a `2·(1 − cdf)` formulation would lose every digit
/// of a small p to cancellation; calling `beta_reg` once keeps full relative precision down
/// to the smallest p-values.
pub(crate) fn t_two_sided_p(t: f64, df: f64) -> f64 {
    beta_reg(df / 2.0, 0.5, df / (df + t * t)).clamp(0.0, 1.0)
}

/// Quantile of Student's t with `df` degrees of freedom (`probability` in (0, 1), `df` > 0).
///
/// statrs inverts the regularized incomplete beta with AS 109 and stops on a tolerance that
/// scales with the probability (about 1e-13 relative here). That is already inside the
/// fixture's 1e-7, but a CI is reported to readers as exact, so two Newton steps on the exact
/// CDF polish the quantile to the last few ulps at negligible cost.
pub(crate) fn t_quantile(probability: f64, df: f64) -> f64 {
    let dist = StudentsT::new(0.0, 1.0, df).expect("df > 0 is checked by every caller");
    let mut q = dist.inverse_cdf(probability);
    for _ in 0..2 {
        let density = dist.pdf(q);
        if density > 0.0 && density.is_finite() {
            q -= (dist.cdf(q) - probability) / density;
        }
    }
    q
}

/// Upper tail of the standard normal, P(Z > z).
///
/// # Formula
///
/// ```text
/// P(Z > z) = ½·erfc(z/√2) = ½·Q(½, z²/2)   for z ≥ 0
/// ```
///
/// where `Q` is the regularized upper incomplete gamma function. statrs 0.19.1's `erfc` (and so
/// `Normal::sf` / `Normal::cdf`) is only good to about 1e-10 relative: its per-interval
/// constants were transcribed with 10 significant digits (fixed upstream in statrs-dev/statrs
/// PR #412, not in the release we use). `gamma_ur` does not go through those constants and
/// agrees with a correctly rounded erfc to about 1e-15 relative, far into the tail.
pub(crate) fn normal_sf(z: f64) -> f64 {
    let half_square = 0.5 * z * z;
    // statrs' gamma_ur wants its argument in (0, ∞); both ends have exact tails.
    let upper = if half_square == 0.0 {
        0.5
    } else if half_square.is_infinite() {
        0.0
    } else {
        0.5 * gamma_ur(0.5, half_square)
    };
    if z >= 0.0 {
        upper
    } else {
        1.0 - upper
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_t_quantile_with_one_df_is_the_cauchy_quantile() {
        let exact = (std::f64::consts::PI * 0.475).tan();
        assert!((t_quantile(0.975, 1.0) - exact).abs() < 1e-12);
    }

    #[test]
    fn the_t_quantile_inverts_the_two_sided_p() {
        for df in [1.0, 2.0, 3.5, 7.0, 26.0, 46.76, 120.0] {
            let q = t_quantile(0.975, df);
            assert!((t_two_sided_p(q, df) - 0.05).abs() < 1e-14, "df = {df}");
        }
    }

    #[test]
    fn two_sided_p_is_one_at_zero_and_tiny_far_out() {
        assert_eq!(t_two_sided_p(0.0, 10.0), 1.0);
        let p = t_two_sided_p(40.0, 30.0);
        assert!(p > 0.0 && p < 1e-25, "{p}");
    }

    #[test]
    fn normal_tail_is_one_half_at_zero_and_symmetric() {
        assert_eq!(normal_sf(0.0), 0.5);
        assert!((normal_sf(-1.5) + normal_sf(1.5) - 1.0).abs() < 1e-16);
    }

    #[test]
    fn normal_tail_matches_a_correctly_rounded_erfc() {
        // ½·erfc(z/√2) from a correctly rounded erfc (CPython's math.erfc).
        let cases = [
            (0.5 * std::f64::consts::SQRT_2, 0.5 * 0.4795001221869535),
            (2.0 * std::f64::consts::SQRT_2, 0.5 * 0.004677734981047265),
            (6.0 * std::f64::consts::SQRT_2, 0.5 * 2.1519736712498916e-17),
        ];
        for (z, tail) in cases {
            assert!((normal_sf(z) / tail - 1.0).abs() < 1e-13, "z = {z}");
        }
    }
}
