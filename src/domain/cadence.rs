use std::fmt;
use std::str::FromStr;

/// How often a partnership's survey runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    Monthly,
    Quarterly,
    /// Every six months.
    HalfYearly,
    EveryDays(u32),
}

impl FromStr for Cadence {
    type Err = String;

    /// `monthly`, `quarterly`, `half-yearly` (also `semiannual`), or `every N days` (N from 7
    /// to 366).
    fn from_str(raw: &str) -> Result<Self, String> {
        let t = raw.trim().to_ascii_lowercase();
        match t.as_str() {
            "monthly" => return Ok(Cadence::Monthly),
            "quarterly" => return Ok(Cadence::Quarterly),
            "half-yearly" | "half yearly" | "halfyearly" | "semiannual" | "semi-annual" => {
                return Ok(Cadence::HalfYearly)
            }
            _ => {}
        }
        let words: Vec<&str> = t.split_whitespace().collect();
        if let ["every", n, "days" | "day"] = words.as_slice() {
            let n: u32 = n
                .parse()
                .map_err(|_| format!("cadence {raw:?}: {n:?} is not a whole number of days"))?;
            if !(7..=366).contains(&n) {
                return Err(format!(
                    "cadence {raw:?}: the number of days must be between 7 and 366"
                ));
            }
            return Ok(Cadence::EveryDays(n));
        }
        Err(format!(
            "cadence {raw:?} is not understood: use \"monthly\", \"quarterly\", \"half-yearly\" or \"every N days\""
        ))
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cadence::Monthly => f.write_str("monthly"),
            Cadence::Quarterly => f.write_str("quarterly"),
            Cadence::HalfYearly => f.write_str("half-yearly"),
            Cadence::EveryDays(n) => write!(f, "every {n} days"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_cadences() {
        for s in ["monthly", "quarterly", "half-yearly", "every 14 days"] {
            assert_eq!(s.parse::<Cadence>().unwrap().to_string(), s);
        }
        assert_eq!(
            " Quarterly ".parse::<Cadence>().unwrap(),
            Cadence::Quarterly
        );
        assert_eq!(
            "Semiannual".parse::<Cadence>().unwrap(),
            Cadence::HalfYearly
        );
        assert!("every 3 days".parse::<Cadence>().is_err());
        assert!("weekly-ish"
            .parse::<Cadence>()
            .unwrap_err()
            .contains("monthly"));
    }
}
