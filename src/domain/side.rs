use std::fmt;
use std::str::FromStr;

/// Which firm of a partnership a person belongs to.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Customer,
    Supplier,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::Customer, Side::Supplier];

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Customer => "customer",
            Side::Supplier => "supplier",
        }
    }

    /// The other firm of the partnership.
    pub fn partner(self) -> Side {
        match self {
            Side::Customer => Side::Supplier,
            Side::Supplier => Side::Customer,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Side {
    type Err = String;

    /// Accepts `customer` or `supplier`, trimmed, in any case.
    fn from_str(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "customer" => Ok(Side::Customer),
            "supplier" => Ok(Side::Supplier),
            _ => Err(format!(
                "side {:?} is neither \"customer\" nor \"supplier\"",
                raw.trim()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sides_in_any_case() {
        assert_eq!(" Customer ".parse::<Side>().unwrap(), Side::Customer);
        assert_eq!("SUPPLIER".parse::<Side>().unwrap(), Side::Supplier);
        assert!("vendor".parse::<Side>().unwrap_err().contains("vendor"));
        assert_eq!(Side::Customer.partner(), Side::Supplier);
    }
}
