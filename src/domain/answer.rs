use std::fmt;

/// The highest point any scale has (an 11-point scale).
const MAX_POINT: i64 = 11;

/// A point on an ordered scale, 1..=11 (the most points a scale may have). Whether it is a point
/// of a given template's scale (1..=A) is checked against that template
/// (`services::responses::validate`, the import).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Likert(u8);

impl Likert {
    pub fn new(value: i64) -> Result<Self, String> {
        if (1..=MAX_POINT).contains(&value) {
            Ok(Likert(value as u8))
        } else {
            Err(format!(
                "value {value} is outside every scale (1..{MAX_POINT})"
            ))
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// One answer to one item: a scale point, or "don't know" (stored and counted, never averaged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    Point(Likert),
    DontKnow,
}

impl Answer {
    /// Parses a CSV or form cell: `1`..`11`, or empty / `dk` / `don't know` for don't know.
    pub fn parse_cell(raw: &str) -> Result<Self, String> {
        let t = raw.trim();
        if t.is_empty() {
            return Ok(Answer::DontKnow);
        }
        let lower = t.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "dk" | "don't know" | "dont know" | "dont_know"
        ) {
            return Ok(Answer::DontKnow);
        }
        let n: i64 = t.parse().map_err(|_| {
            format!("value {t:?} is not a whole number 1..A or empty for \"don't know\"")
        })?;
        Likert::new(n).map(Answer::Point)
    }

    /// The stored form: `Some(1..=A)`, or `None` for don't know.
    pub fn to_db(self) -> Option<i64> {
        match self {
            Answer::Point(l) => Some(i64::from(l.get())),
            Answer::DontKnow => None,
        }
    }

    pub fn from_db(value: Option<i64>) -> Result<Self, String> {
        match value {
            None => Ok(Answer::DontKnow),
            Some(v) => Likert::new(v).map(Answer::Point),
        }
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Point(l) => write!(f, "{}", l.get()),
            Answer::DontKnow => f.write_str("don't know"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cells() {
        assert_eq!(
            Answer::parse_cell(" 4 ").unwrap(),
            Answer::Point(Likert::new(4).unwrap())
        );
        assert_eq!(Answer::parse_cell("").unwrap(), Answer::DontKnow);
        assert_eq!(Answer::parse_cell("DK").unwrap(), Answer::DontKnow);
        // 6..11 are points of some scale (checked against the template elsewhere); 12 of none.
        assert!(Answer::parse_cell("6").is_ok());
        assert!(Answer::parse_cell("12").unwrap_err().contains("outside"));
        assert!(Answer::parse_cell("0").is_err());
        assert!(Answer::parse_cell("3.5")
            .unwrap_err()
            .contains("whole number"));
    }

    #[test]
    fn round_trips_through_the_stored_form() {
        for cell in ["1", "2", "3", "4", "5", ""] {
            let a = Answer::parse_cell(cell).unwrap();
            assert_eq!(Answer::from_db(a.to_db()).unwrap(), a);
        }
        assert!(Answer::from_db(Some(12)).is_err());
    }
}
