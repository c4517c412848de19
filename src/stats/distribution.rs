//! Tail probabilities and critical values of Student's t and the standard normal, on top of
//! statrs, with the workarounds the statrs release we use needs (each explained where it is).

use std::cell::RefCell;

use statrs::distribution::{Continuous, ContinuousCDF, StudentsT};
use statrs::function::beta::beta_reg;
use statrs::function::gamma::gamma_ur;

/// Φ⁻¹(0.975), the two-sided 95 % critical value of the standard normal.
const Z_975: f64 = 1.959963984540054;

/// Degrees of freedom above which statrs' incomplete-beta routines are not used.
///
/// Measured on statrs 0.19.1: `StudentsT::inverse_cdf(0.975)` is good to 3e-13 relative up to
/// df ≈ 1e4 but off by 3e-7 at df = 3e4 and 6e-5 at df = 1e6, and at df ≥ 1e8 its AS 109 loop
/// never terminates; `beta_reg` (the CDF) drifts from about 1e-13 at df = 1e3 to 1e-10
/// relative at df = 1e5 and 3e-5 at df = 1e7 (its continued fraction stops after 140 terms).
/// Survey groups never come close, but a group size must not be able to hang a report or bend
/// a p-value, and above 1e5 the large-df expansions below are at least as accurate.
const LARGE_DF: f64 = 1e5;

/// Two-sided p-value of a t statistic with `df` degrees of freedom, P(|T| ≥ |t|).
///
/// # Formula
///
/// ```text
/// p = I_x(df/2, 1/2),   x = df / (df + t²)
/// ```
///
/// where `I` is the regularized incomplete beta function. statrs' `StudentsT::sf` evaluates the
/// same expression but halves it, and a `2·(1 − cdf)` formulation would lose every digit of a
/// small p to cancellation; one `beta_reg` call keeps full relative precision.
///
/// Above [`LARGE_DF`], Wallace's (1959) normal approximation
/// z = (8df + 1)/(8df + 3) · √(df·ln(1 + t²/df)), p = 2·P(Z > z), whose relative error is
/// O(1/df²): about 1e-11 relative at the switch, where it agrees with `beta_reg` to a few 1e-10.
pub(crate) fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if df > LARGE_DF {
        let z = (8.0 * df + 1.0) / (8.0 * df + 3.0) * (df * (t * t / df).ln_1p()).sqrt();
        return (2.0 * normal_sf(z)).min(1.0);
    }
    beta_reg(df / 2.0, 0.5, df / (df + t * t)).clamp(0.0, 1.0)
}

/// Two-sided 95 % critical value of Student's t, t(0.975, df), for `df` ≥ 1.
///
/// statrs inverts the regularized incomplete beta (AS 109) to about 3e-13 relative for the
/// df of survey groups and drifts beyond df ≈ 1e4 (see [`LARGE_DF`]); two Newton steps on the
/// CDF bring it back to the CDF's own accuracy at negligible cost. Above [`LARGE_DF`] the
/// Cornish–Fisher expansion of t in 1/df (Abramowitz & Stegun 26.7.5), whose first omitted
/// term is below 1e-19 there, replaces the inversion.
///
/// Integer df up to [`CACHED_DF`] (every CI of a mean: df = n − 1) are computed once per thread
/// and then read from a table, bit-identical to computing them again: a report asks for the
/// same few hundred df thousands of times. Fractional (Welch) df are computed each time.
pub(crate) fn t_critical_95(df: f64) -> f64 {
    if df.fract() != 0.0 || !(1.0..=CACHED_DF as f64).contains(&df) {
        return t_critical_95_computed(df);
    }
    // In range and integral, so the cast is exact.
    let index = df as usize;
    T_CRITICAL_95.with(|cell| {
        let mut table = cell.borrow_mut();
        if table.len() <= index {
            table.resize(index + 1, f64::NAN);
        }
        if table[index].is_nan() {
            table[index] = t_critical_95_computed(df);
        }
        table[index]
    })
}

/// Largest integer df kept in the per-thread table of [`t_critical_95`] (at most 512 KiB).
const CACHED_DF: usize = 1 << 16;

thread_local! {
    /// t(0.975, df) by integer df; NaN = not computed yet.
    static T_CRITICAL_95: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

fn t_critical_95_computed(df: f64) -> f64 {
    if df > LARGE_DF {
        let z = Z_975;
        let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
        let g1 = (z3 + z) / 4.0;
        let g2 = (5.0 * z5 + 16.0 * z3 + 3.0 * z) / 96.0;
        let g3 = (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / 384.0;
        return z + g1 / df + g2 / (df * df) + g3 / (df * df * df);
    }
    let dist = StudentsT::new(0.0, 1.0, df).expect("df ≥ 1 is checked by every caller");
    let mut q = dist.inverse_cdf(0.975);
    for _ in 0..2 {
        let density = dist.pdf(q);
        if density > 0.0 {
            q -= (dist.cdf(q) - 0.975) / density;
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
    fn the_critical_value_with_one_df_is_the_cauchy_quantile() {
        let exact = (std::f64::consts::PI * 0.475).tan();
        assert!((t_critical_95(1.0) - exact).abs() < 1e-12);
    }

    #[test]
    fn the_critical_value_inverts_the_two_sided_p() {
        for df in [1.0, 2.0, 3.5, 7.0, 26.0, 46.76, 120.0, 3.0e4, 9.9e4] {
            let q = t_critical_95(df);
            assert!((t_two_sided_p(q, df) - 0.05).abs() < 1e-12, "df = {df}");
        }
    }

    #[test]
    fn cached_critical_values_are_those_computed() {
        for df in [1.0, 2.0, 7.0, 199.0, 19_999.0, 65_536.0, 65_537.0, 46.76] {
            let first = t_critical_95(df);
            assert_eq!(
                first.to_bits(),
                t_critical_95_computed(df).to_bits(),
                "df = {df}"
            );
            assert_eq!(first.to_bits(), t_critical_95(df).to_bits(), "df = {df}");
        }
    }

    #[test]
    fn both_sides_of_the_large_df_switch_agree() {
        let below = t_critical_95(LARGE_DF);
        let above = t_critical_95(LARGE_DF * (1.0 + 1e-12));
        assert!((below - above).abs() < 1e-10, "{below} vs {above}");
        for t in [0.5, 1.96, 3.0] {
            let exact = beta_reg(LARGE_DF / 2.0, 0.5, LARGE_DF / (LARGE_DF + t * t));
            let approx = t_two_sided_p(t, LARGE_DF * (1.0 + 1e-12));
            assert!(
                (approx / exact - 1.0).abs() < 1e-9,
                "t = {t}: {approx} vs {exact}"
            );
        }
    }

    #[test]
    fn huge_df_terminate_and_approach_the_normal() {
        assert!((t_critical_95(1e12) - Z_975).abs() < 1e-11);
        assert!((t_two_sided_p(Z_975, 1e12) - 0.05).abs() < 1e-12);
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
        // ½·erfc(x) with x = z/√2, from a correctly rounded erfc (CPython's math.erfc).
        let cases = [
            (0.5, 0.4795001221869535),
            (2.0, 0.004677734981047265),
            (6.0, 2.1519736712498916e-17),
        ];
        for (x, erfc) in cases {
            let z = x * std::f64::consts::SQRT_2;
            assert!((normal_sf(z) / (0.5 * erfc) - 1.0).abs() < 1e-13, "x = {x}");
        }
        assert!((normal_sf(Z_975) - 0.025).abs() < 1e-16);
    }
}
