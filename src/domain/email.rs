use std::fmt;

/// An email address, trimmed and lowercased (people are matched by email on re-import, so
/// `Ann@X.com` and `ann@x.com` must be one person).
///
/// The check is deliberately modest: one `@`, a non-empty local part, a domain with a dot
/// and no spaces or control characters. Deliverability is proven by the mail itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let t = raw.trim();
        if t.is_empty() {
            return Err("email is empty".into());
        }
        if t.len() > 254 {
            return Err(format!("email {t:?} is longer than 254 characters"));
        }
        if t.chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
        {
            return Err(format!(
                "email {t:?} contains a space or a character not allowed in an address"
            ));
        }
        let Some((local, domain)) = t.split_once('@') else {
            return Err(format!("email {t:?} has no @"));
        };
        if local.is_empty() || domain.contains('@') {
            return Err(format!("email {t:?} is not of the form name@domain"));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels
                .iter()
                .any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-'))
        {
            return Err(format!("email {t:?} has no valid domain after the @"));
        }
        Ok(Email(t.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For logs: `a***@example.com`, so addresses do not spread through log files.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises_addresses() {
        assert_eq!(
            Email::parse(" Ann.Lee@Example.COM ").unwrap().as_str(),
            "ann.lee@example.com"
        );
    }

    #[test]
    fn refuses_malformed_addresses_with_a_reason() {
        for bad in [
            "",
            "ann",
            "ann@",
            "@x.com",
            "ann@x",
            "a b@x.com",
            "a@b@c.com",
            "a@x..com",
            "a@-x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Email::parse("annx.com").unwrap_err().contains("no @"));
    }

    #[test]
    fn masks_for_logs() {
        assert_eq!(Email::parse("ann@x.com").unwrap().masked(), "a***@x.com");
    }
}
