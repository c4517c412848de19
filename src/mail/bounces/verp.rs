//! VERP: each mail's envelope sender names the outbox row it carries, so a bounce says which
//! mail (and so which address) failed even when the report itself is vague.
//!
//! With `TANDEM_BOUNCE_ADDRESS=bounces@example.org`, outbox row 42 goes out with the envelope
//! sender `bounces+42-<tag>@example.org`. The tag is the first 16 hex digits (64 bits) of
//! SHA-256 over the row's random Message-ID (192 bits from the OS, stored with the row), so
//! nobody who has not seen the mail can forge a bounce for it: guessing a tag takes 2^63
//! tries on average. Whoever *has* seen the mail (its recipient, from the Return-Path
//! header) could mark that one address bounced, which is no more than they can do by
//! opting out. The tag needs no key to keep or rotate, and every instance computes it alike.

use lettre::Address;
use sha2::{Digest, Sha256};

/// Hex digits of the tag.
const TAG_LEN: usize = 16;

/// The tag of an outbox row with this stored Message-ID.
pub fn tag(message_id: &str) -> String {
    let digest = Sha256::digest(format!("tandem-verp:{message_id}").as_bytes());
    digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()[..TAG_LEN]
        .to_owned()
}

/// The envelope sender of outbox row `outbox_id`: `<local>+<id>-<tag>@<domain>`.
pub fn address(base: &Address, outbox_id: i64, message_id: &str) -> Address {
    let local = format!("{}+{outbox_id}-{}", base.user(), tag(message_id));
    Address::new(local, base.domain()).unwrap_or_else(|_| base.clone())
}

/// The outbox id and tag a VERP address of `base` carries, or `None` when `candidate` is
/// not one (another address, or no `+<id>-<tag>` part). Case and angle brackets are ignored.
pub fn parse(base: &Address, candidate: &str) -> Option<(i64, String)> {
    let candidate = candidate
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    let (local, domain) = candidate.rsplit_once('@')?;
    if !domain.eq_ignore_ascii_case(base.domain()) {
        return None;
    }
    let rest = local
        .to_ascii_lowercase()
        .strip_prefix(&format!("{}+", base.user().to_ascii_lowercase()))?
        .to_owned();
    let (id, tag) = rest.split_once('-')?;
    let id: i64 = id.parse().ok()?;
    if tag.len() != TAG_LEN || !tag.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((id, tag.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Address {
        "bounces@example.org".parse().unwrap()
    }

    #[test]
    fn an_address_carries_the_row_and_a_tag_that_parses_back() {
        let a = address(&base(), 42, "<abc@tandem>");
        let text = a.to_string();
        assert!(text.starts_with("bounces+42-"), "{text}");
        assert!(text.ends_with("@example.org"), "{text}");
        assert_eq!(parse(&base(), &text), Some((42, tag("<abc@tandem>"))));
        assert_eq!(
            parse(&base(), &format!("<{}>", text.to_uppercase())),
            Some((42, tag("<abc@tandem>")))
        );
    }

    #[test]
    fn tags_differ_per_message_and_are_64_bits_of_hex() {
        assert_ne!(tag("<a@tandem>"), tag("<b@tandem>"));
        assert_eq!(tag("<a@tandem>").len(), 16);
    }

    #[test]
    fn other_addresses_are_not_verp() {
        for other in [
            "bounces@example.org",
            "someone+42-0123456789abcdef@example.org",
            "bounces+42-0123456789abcdef@other.example",
            "bounces+x-0123456789abcdef@example.org",
            "bounces+42-short@example.org",
            "not an address",
        ] {
            assert_eq!(parse(&base(), other), None, "{other}");
        }
    }
}
