//! Bounce handling settings: `TANDEM_BOUNCE_ADDRESS` (the base of VERP envelope senders;
//! unset: off) and `TANDEM_BOUNCE_SOFT_DAYS`.

/// Bounce handling (`TANDEM_BOUNCE_ADDRESS`, `TANDEM_BOUNCE_SOFT_DAYS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BounceSettings {
    /// The base of every mail's VERP envelope sender (`bounces@example.org` makes
    /// `bounces+<outbox id>-<tag>@example.org`); `None`: the envelope sender is the From:
    /// address, as without bounce handling.
    pub address: Option<lettre::Address>,
    /// Soft bounces of one address spread over at least this many days count as hard.
    pub soft_days: u32,
}

/// Days of soft bounces after which an address counts as undeliverable, by default.
pub const DEFAULT_SOFT_DAYS: u32 = 3;

impl Default for BounceSettings {
    fn default() -> Self {
        BounceSettings {
            address: None,
            soft_days: DEFAULT_SOFT_DAYS,
        }
    }
}

impl BounceSettings {
    /// Parses `TANDEM_BOUNCE_ADDRESS` (empty or unset: off) and the soft-bounce days.
    pub fn parse(
        address: Option<&str>,
        soft_days: u32,
    ) -> Result<BounceSettings, BounceConfigError> {
        let address = match address.map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(raw) => {
                let parsed: lettre::Address = raw.parse().map_err(|e| BounceConfigError {
                    value: raw.to_owned(),
                    reason: format!("{e}"),
                })?;
                if parsed.user().contains('+') {
                    return Err(BounceConfigError {
                        value: raw.to_owned(),
                        reason:
                            "it already has a +tag; give the plain mailbox, Tandem adds +<id>-<tag>"
                                .into(),
                    });
                }
                Some(parsed)
            }
        };
        Ok(BounceSettings { address, soft_days })
    }
}

/// A bounce address that cannot work, with what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("TANDEM_BOUNCE_ADDRESS {value:?} is not a plain address ({reason}); expected e.g. bounces@example.org")]
pub struct BounceConfigError {
    pub value: String,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unset_address_turns_verp_off_and_a_tagged_one_is_refused() {
        assert_eq!(BounceSettings::parse(Some("  "), 3).unwrap().address, None);
        let on = BounceSettings::parse(Some("bounces@example.org"), 0).unwrap();
        assert_eq!(on.address.unwrap().to_string(), "bounces@example.org");
        let err = BounceSettings::parse(Some("bounces+x@example.org"), 3).unwrap_err();
        assert!(err.to_string().contains("+tag"), "{err}");
        assert!(BounceSettings::parse(Some("not an address"), 3).is_err());
    }
}
