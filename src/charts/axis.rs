//! Linear scales and "nice" tick values.

/// Maps a data interval onto a pixel interval (which may run backwards, as y does).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub domain: (f64, f64),
    pub range: (f64, f64),
}

impl Scale {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Scale {
        Scale { domain, range }
    }

    pub fn at(&self, v: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if (d1 - d0).abs() < f64::EPSILON {
            return (r0 + r1) / 2.0;
        }
        r0 + (v - d0) / (d1 - d0) * (r1 - r0)
    }

    /// [`Scale::at`] with `v` clamped to the domain first.
    pub fn clamped(&self, v: f64) -> f64 {
        let (lo, hi) = (
            self.domain.0.min(self.domain.1),
            self.domain.0.max(self.domain.1),
        );
        self.at(v.clamp(lo, hi))
    }
}

/// About `count` round tick values covering `[min, max]`, and the domain they span.
pub fn nice_ticks(min: f64, max: f64, count: usize) -> (Vec<f64>, (f64, f64)) {
    let (mut lo, mut hi) = if min.is_finite() && max.is_finite() {
        (min.min(max), min.max(max))
    } else {
        (0.0, 1.0)
    };
    if (hi - lo).abs() < 1e-12 {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.05 };
        lo -= pad;
        hi += pad;
    }
    let raw = (hi - lo) / count.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let start = (lo / step).floor() * step;
    let end = (hi / step).ceil() * step;
    let n = ((end - start) / step).round() as usize;
    let ticks = (0..=n).map(|i| start + i as f64 * step).collect();
    (ticks, (start, end))
}

/// A tick label with as many decimals as the step needs.
pub fn tick_label(v: f64, ticks: &[f64]) -> String {
    let step = ticks
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(f64::INFINITY, f64::min);
    let digits = if !step.is_finite() || step >= 1.0 {
        0
    } else if step >= 0.1 {
        1
    } else {
        2
    };
    format!("{v:.digits$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_cover_the_data_with_round_steps() {
        let (ticks, (lo, hi)) = nice_ticks(91.3, 97.2, 5);
        assert!(lo <= 91.3 && hi >= 97.2);
        assert_eq!(ticks.first().copied(), Some(lo));
        assert_eq!(ticks.last().copied(), Some(hi));
        assert!(ticks.len() >= 3 && ticks.len() <= 8, "{ticks:?}");
    }

    #[test]
    fn a_constant_series_still_gets_an_interval() {
        let (ticks, (lo, hi)) = nice_ticks(240.0, 240.0, 4);
        assert!(lo < 240.0 && hi > 240.0);
        assert!(ticks.len() >= 2);
    }

    #[test]
    fn scales_map_and_clamp() {
        let y = Scale::new((1.0, 5.0), (200.0, 0.0));
        assert_eq!(y.at(1.0), 200.0);
        assert_eq!(y.at(5.0), 0.0);
        assert_eq!(y.clamped(6.0), 0.0);
    }
}
