//! Linear trend of wave means over waves.

use serde::Serialize;

use super::distribution::t_two_sided_p;

/// Ordinary least-squares line through `(x, y)` points, as `scipy.stats.linregress`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// Number of points.
    pub n: usize,
    /// b, change in y per unit of x (per wave).
    pub slope: Option<f64>,
    /// a, the fitted y at x = 0 (wave 0).
    pub intercept: Option<f64>,
    /// Standard error of the slope.
    pub stderr: Option<f64>,
    /// Standard error of the intercept.
    pub intercept_stderr: Option<f64>,
    /// Pearson r of x and y.
    pub r: Option<f64>,
    /// Two-sided p of the t test of b = 0, n − 2 degrees of freedom.
    pub p: Option<f64>,
}

/// OLS trend of y on x, each point weighted equally (a wave's mean counts once, whatever its
/// n), as `scipy.stats.linregress(x, y)`.
///
/// # Formula
///
/// ```text
/// Sxx = Σ(x − x̄)²,  Syy = Σ(y − ȳ)²,  Sxy = Σ(x − x̄)(y − ȳ)
/// b = Sxy/Sxx,   a = ȳ − b·x̄,   r = Sxy/√(Sxx·Syy)
/// SE(b) = √( (1 − r²)·Syy / Sxx / (n − 2) ),   SE(a) = SE(b)·√(Σx²/n)
/// t = r·√( (n − 2)/((1 − r)(1 + r)) ),   p = 2·P(T_{n−2} > |t|)
/// ```
///
/// # Null rules
///
/// * everything: fewer than 2 points, or all x equal (Sxx = 0, no line);
/// * `stderr`, `intercept_stderr`: fewer than 3 points (a line through 2 points has no
///   residual degrees of freedom; scipy's 0.0 there is not a standard error);
/// * `r` and `p`: fewer than 3 points, or all y equal (r = 0/0; the slope is then exactly 0
///   with standard errors 0).
///
/// Points exactly on a non-flat line give |r| = 1, standard errors 0 and p = 0.
pub fn linear_trend(points: &[(f64, f64)]) -> Trend {
    let n = points.len();
    let undefined = Trend {
        n,
        slope: None,
        intercept: None,
        stderr: None,
        intercept_stderr: None,
        r: None,
        p: None,
    };
    if n < 2 {
        return undefined;
    }
    let n_f = n as f64;
    let sums = CentredSums::of(points);
    let CentredSums {
        x_mean,
        y_mean,
        sxx,
        syy,
        sxy,
    } = sums;
    if sxx == 0.0 {
        return undefined;
    }
    let slope = sxy / sxx;
    let intercept = y_mean - slope * x_mean;
    if n < 3 {
        return Trend {
            slope: Some(slope),
            intercept: Some(intercept),
            ..undefined
        };
    }
    let df = (n - 2) as f64;
    let r = sums.r();
    let unexplained = r.map_or(0.0, |r| (1.0 - r) * (1.0 + r));
    let stderr = (unexplained * syy / sxx / df).sqrt();
    Trend {
        slope: Some(slope),
        intercept: Some(intercept),
        stderr: Some(stderr),
        intercept_stderr: Some(stderr * (sxx / n_f + x_mean * x_mean).sqrt()),
        r,
        p: r.map(|r| correlation_p(r, df)),
        ..undefined
    }
}

/// Means and centred sums of squares and cross-products of paired values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CentredSums {
    pub x_mean: f64,
    pub y_mean: f64,
    pub sxx: f64,
    pub syy: f64,
    pub sxy: f64,
}

impl CentredSums {
    /// Two passes (means first), which keeps Sxx, Syy and Sxy accurate for series such as KPI
    /// values near 97 that vary only in the second decimal.
    pub(crate) fn of(points: &[(f64, f64)]) -> Self {
        let n = points.len() as f64;
        let x_mean = points.iter().map(|&(x, _)| x).sum::<f64>() / n;
        let y_mean = points.iter().map(|&(_, y)| y).sum::<f64>() / n;
        let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
        for &(x, y) in points {
            let (dx, dy) = (x - x_mean, y - y_mean);
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
        Self {
            x_mean,
            y_mean,
            sxx,
            syy,
            sxy,
        }
    }

    /// r = Sxy/√(Sxx·Syy), clamped against rounding; `None` when either series is constant.
    pub(crate) fn r(&self) -> Option<f64> {
        (self.sxx > 0.0 && self.syy > 0.0)
            .then(|| (self.sxy / (self.sxx * self.syy).sqrt()).clamp(-1.0, 1.0))
    }
}

/// Two-sided p of a Pearson r under H₀: ρ = 0, via t = r·√(df/(1 − r²)) with `df` degrees of
/// freedom; 0 for |r| = 1.
pub(crate) fn correlation_p(r: f64, df: f64) -> f64 {
    let unexplained = (1.0 - r) * (1.0 + r);
    if unexplained <= 0.0 {
        return 0.0;
    }
    t_two_sided_p(r * (df / unexplained).sqrt(), df)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waves(ys: &[f64]) -> Vec<(f64, f64)> {
        (1..).zip(ys).map(|(x, &y)| (f64::from(x), y)).collect()
    }

    #[test]
    fn recovers_an_exact_line() {
        let t = linear_trend(&waves(&[3.0, 2.5, 2.0, 1.5]));
        assert_eq!((t.slope, t.intercept), (Some(-0.5), Some(3.5)));
        assert_eq!((t.r, t.p, t.stderr), (Some(-1.0), Some(0.0), Some(0.0)));
    }

    #[test]
    fn a_flat_series_has_slope_zero_and_no_correlation() {
        let t = linear_trend(&waves(&[3.0; 5]));
        assert_eq!((t.slope, t.stderr), (Some(0.0), Some(0.0)));
        assert_eq!((t.r, t.p), (None, None));
    }

    #[test]
    fn two_points_give_a_line_without_inference() {
        let t = linear_trend(&waves(&[3.0, 4.0]));
        assert_eq!(t.slope, Some(1.0));
        assert_eq!(
            (t.stderr, t.intercept_stderr, t.r, t.p),
            (None, None, None, None)
        );
    }

    #[test]
    fn no_spread_in_x_or_too_few_points_give_no_trend() {
        assert_eq!(
            linear_trend(&[(2.0, 1.0), (2.0, 3.0), (2.0, 4.0)]).slope,
            None
        );
        assert_eq!(linear_trend(&[(1.0, 1.0)]).slope, None);
        assert_eq!(linear_trend(&[]).n, 0);
    }

    #[test]
    fn supplier_trust_trend_matches_scipy() {
        let t = linear_trend(&waves(&[
            3.6923076923076925,
            3.6833333333333336,
            3.520833333333333,
            3.2121212121212115,
            2.569892473118279,
            2.393939393939394,
        ]));
        assert!((t.slope.unwrap() + 0.2897393198199651).abs() < 1e-12);
        assert!((t.stderr.unwrap() - 0.04690573792601619).abs() < 1e-12);
        assert!((t.p.unwrap() - 0.0034891043987021002).abs() < 1e-12);
    }
}
