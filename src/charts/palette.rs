//! Colours: the Okabe–Ito palette (distinguishable with every common colour-vision
//! deficiency) for the two firms and KPIs, and a blue–orange diverging scale for means.

use super::svg::Colour;
use crate::domain::Side;

/// Okabe–Ito blue: the customer firm.
pub const CUSTOMER: Colour = Colour(0x00, 0x72, 0xB2);
/// Okabe–Ito vermillion: the supplier firm.
pub const SUPPLIER: Colour = Colour(0xD5, 0x5E, 0x00);
/// Okabe–Ito bluish green: KPIs.
pub const KPI: Colour = Colour(0x00, 0x9E, 0x73);
/// Text.
pub const INK: Colour = Colour(0x1b, 0x1f, 0x24);
/// Text on a dark fill.
pub const WHITE: Colour = Colour(0xff, 0xff, 0xff);

/// The colour of a firm.
pub fn side(side: Side) -> Colour {
    match side {
        Side::Customer => CUSTOMER,
        Side::Supplier => SUPPLIER,
    }
}

/// A mean on the 1–5 scale as a fill: vermillion tints below the midpoint 3, blue tints
/// above, white at 3. Light enough that dark text stays readable on every cell.
pub fn mean_fill(mean: f64) -> Colour {
    mean_fill_on(mean, 5)
}

/// A mean on the 1–A scale as a fill, white at the midpoint (A + 1)/2 ([`mean_fill`] is A = 5).
pub fn mean_fill_on(mean: f64, points: u8) -> Colour {
    let points = f64::from(points.max(2));
    let (mid, half) = ((points + 1.0) / 2.0, (points - 1.0) / 2.0);
    let t = ((mean - mid) / half).clamp(-1.0, 1.0);
    let base = if t < 0.0 { SUPPLIER } else { CUSTOMER };
    base.tint(t.abs() * 0.62)
}

/// The five answers (strongly disagree … strongly agree) and don't-know, as fills: a
/// purple–orange diverging scale (ColorBrewer PuOr, colour-blind safe) and a neutral grey.
pub const ANSWERS: [Colour; 6] = [
    Colour(0xb3, 0x58, 0x06),
    Colour(0xf1, 0xa3, 0x40),
    Colour(0xe8, 0xe8, 0xe8),
    Colour(0x99, 0x8e, 0xc3),
    Colour(0x54, 0x27, 0x88),
    Colour(0xbd, 0xbd, 0xbd),
];

/// Readable text on an answer fill.
/// The colour of answer `index` (0-based) on a scale of `points` points; `index == points` is
/// don't know. Five points use [`ANSWERS`] as they are; other scales interpolate along the same
/// diverging ramp, lowest point to highest.
pub fn answer(index: usize, points: usize) -> Colour {
    if index >= points {
        return ANSWERS[5];
    }
    if points == 5 {
        return ANSWERS[index];
    }
    let t = index as f64 * 4.0 / (points.max(2) - 1) as f64;
    let (lo, frac) = (t.floor() as usize, t - t.floor());
    let (a, b) = (ANSWERS[lo.min(4)], ANSWERS[(lo + 1).min(4)]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * frac).round() as u8;
    Colour(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Text colour readable on [`answer`]`(index, points)`.
pub fn text_on(index: usize, points: usize) -> Colour {
    if points == 5 {
        return text_on_answer(index);
    }
    let Colour(r, g, b) = answer(index, points);
    let luminance = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
    if luminance < 140.0 {
        WHITE
    } else {
        INK
    }
}

pub fn text_on_answer(index: usize) -> Colour {
    if matches!(index, 0 | 4) {
        WHITE
    } else {
        INK
    }
}
