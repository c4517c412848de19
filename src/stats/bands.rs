//! Interpretation bands: the words a report puts next to an agreement index, an effect size or
//! a p-value.

use serde::Serialize;

/// p below which a difference is called significant: 5 %, two-sided.
pub const SIGNIFICANCE_LEVEL: f64 = 0.05;

/// Strength of within-group agreement for rwg or rwg(j) (LeBreton & Senter 2008, table 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementBand {
    /// 0 – .30
    LackOfAgreement,
    /// .31 – .50
    WeakAgreement,
    /// .51 – .70
    ModerateAgreement,
    /// .71 – .90
    StrongAgreement,
    /// .91 – 1.00
    VeryStrongAgreement,
}

/// Size of a standardized effect (Hedges' g, Cliff's δ), by magnitude.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectSize {
    Negligible,
    Small,
    Medium,
    Large,
}

/// Whether a two-sided test rejects at [`SIGNIFICANCE_LEVEL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Significance {
    Significant,
    NotSignificant,
}

/// Band of an rwg or rwg(j) value (LeBreton & Senter 2008).
///
/// | rwg | band |
/// |---|---|
/// | ≤ .30 | lack of agreement |
/// | ≤ .50 | weak agreement |
/// | ≤ .70 | moderate agreement |
/// | ≤ .90 | strong agreement |
/// | > .90 | very strong agreement |
///
/// The published bands are written to two decimals (0–.30, .31–.50, …); a value between two of
/// them, such as .305, belongs to the lower band, so each upper bound is inclusive.
pub fn agreement_band(rwg: f64) -> AgreementBand {
    match rwg {
        r if r <= 0.30 => AgreementBand::LackOfAgreement,
        r if r <= 0.50 => AgreementBand::WeakAgreement,
        r if r <= 0.70 => AgreementBand::ModerateAgreement,
        r if r <= 0.90 => AgreementBand::StrongAgreement,
        _ => AgreementBand::VeryStrongAgreement,
    }
}

/// Band of Cliff's δ by |δ| (Romano et al. 2006): < .147 negligible, < .33 small, < .474 medium,
/// otherwise large.
pub fn cliffs_delta_band(delta: f64) -> EffectSize {
    effect_size(delta.abs(), [0.147, 0.33, 0.474])
}

/// Band of Hedges' g (or Cohen's d) by |g|, Cohen's (1988) conventions: < 0.2 negligible, < 0.5
/// small, < 0.8 medium, otherwise large.
pub fn hedges_g_band(g: f64) -> EffectSize {
    effect_size(g.abs(), [0.2, 0.5, 0.8])
}

/// Significant when p < [`SIGNIFICANCE_LEVEL`] (5 %).
pub fn significance(p: f64) -> Significance {
    if p < SIGNIFICANCE_LEVEL {
        Significance::Significant
    } else {
        Significance::NotSignificant
    }
}

fn effect_size(magnitude: f64, [small, medium, large]: [f64; 3]) -> EffectSize {
    match magnitude {
        m if m < small => EffectSize::Negligible,
        m if m < medium => EffectSize::Small,
        m if m < large => EffectSize::Medium,
        _ => EffectSize::Large,
    }
}

// The words of each band live in the managers' catalog (`src/i18n/locales/manager-en.ftl`):
// `stats` stands on `domain` alone, so a band names its key and the report reads the words.

impl AgreementBand {
    /// The catalog key of the band's words ("strong agreement").
    pub fn words_key(self) -> &'static str {
        match self {
            Self::LackOfAgreement => "band-lack-of-agreement",
            Self::WeakAgreement => "band-weak-agreement",
            Self::ModerateAgreement => "band-moderate-agreement",
            Self::StrongAgreement => "band-strong-agreement",
            Self::VeryStrongAgreement => "band-very-strong-agreement",
        }
    }

    pub const ALL: [Self; 5] = [
        Self::LackOfAgreement,
        Self::WeakAgreement,
        Self::ModerateAgreement,
        Self::StrongAgreement,
        Self::VeryStrongAgreement,
    ];
}

impl EffectSize {
    /// The catalog key of the band's words ("medium").
    pub fn words_key(self) -> &'static str {
        match self {
            Self::Negligible => "band-effect-negligible",
            Self::Small => "band-effect-small",
            Self::Medium => "band-effect-medium",
            Self::Large => "band-effect-large",
        }
    }

    pub const ALL: [Self; 4] = [Self::Negligible, Self::Small, Self::Medium, Self::Large];
}

impl Significance {
    /// The catalog key of the verdict's words ("significant at 5 %").
    pub fn words_key(self) -> &'static str {
        match self {
            Self::Significant => "band-significant",
            Self::NotSignificant => "band-not-significant",
        }
    }

    pub const ALL: [Self; 2] = [Self::Significant, Self::NotSignificant];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_bands_follow_lebreton_and_senter() {
        let cases = [
            (0.0, AgreementBand::LackOfAgreement),
            (0.30, AgreementBand::LackOfAgreement),
            (0.305, AgreementBand::WeakAgreement),
            (0.50, AgreementBand::WeakAgreement),
            (0.51, AgreementBand::ModerateAgreement),
            (0.70, AgreementBand::ModerateAgreement),
            (0.7254098360655737, AgreementBand::StrongAgreement),
            (0.90, AgreementBand::StrongAgreement),
            (0.91, AgreementBand::VeryStrongAgreement),
            (1.0, AgreementBand::VeryStrongAgreement),
        ];
        for (rwg, band) in cases {
            assert_eq!(agreement_band(rwg), band, "rwg = {rwg}");
        }
    }

    #[test]
    fn cliffs_delta_bands_follow_romano_and_are_symmetric() {
        assert_eq!(cliffs_delta_band(0.146), EffectSize::Negligible);
        assert_eq!(cliffs_delta_band(0.147), EffectSize::Small);
        assert_eq!(cliffs_delta_band(-0.33), EffectSize::Medium);
        assert_eq!(cliffs_delta_band(0.6425619834710743), EffectSize::Large);
        assert_eq!(cliffs_delta_band(-1.0), EffectSize::Large);
    }

    #[test]
    fn hedges_g_bands_follow_cohen() {
        assert_eq!(hedges_g_band(0.19), EffectSize::Negligible);
        assert_eq!(hedges_g_band(-0.2), EffectSize::Small);
        assert_eq!(hedges_g_band(0.5), EffectSize::Medium);
        assert_eq!(hedges_g_band(1.3189672247007405), EffectSize::Large);
    }

    #[test]
    fn significance_is_strictly_below_five_percent() {
        assert_eq!(significance(0.0499), Significance::Significant);
        assert_eq!(significance(0.05), Significance::NotSignificant);
    }

    #[test]
    fn bands_serialize_in_snake_case() {
        let json = serde_json::to_string(&AgreementBand::VeryStrongAgreement).unwrap();
        assert_eq!(json, "\"very_strong_agreement\"");
    }

    #[test]
    fn every_band_has_its_own_key() {
        let keys: Vec<&str> = AgreementBand::ALL
            .map(AgreementBand::words_key)
            .into_iter()
            .chain(EffectSize::ALL.map(EffectSize::words_key))
            .chain(Significance::ALL.map(Significance::words_key))
            .collect();
        let unique: std::collections::BTreeSet<&str> = keys.iter().copied().collect();
        assert_eq!(unique.len(), 11, "{keys:?}");
    }
}
