//! Passwords: argon2id (the `argon2` crate's default: m = 19 MiB, t = 2, p = 1, the OWASP
//! minimum), a fresh random salt per hash, stored in PHC form (`$argon2id$v=19$…`).
//! Hashing is deliberately slow: call it on the blocking pool, never on an actix worker.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::TryRngCore;

/// Fewest characters a password may have.
pub const MIN_LEN: usize = 12;
/// Most characters a password may have (bounds the hashing work an attacker can ask for).
pub const MAX_LEN: usize = 1024;

/// A password that meets the length policy. The text is never logged or displayed.
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Password, String> {
        let n = raw.chars().count();
        if n < MIN_LEN {
            return Err(format!(
                "the password must have at least {MIN_LEN} characters"
            ));
        }
        if n > MAX_LEN {
            return Err(format!(
                "the password must have at most {MAX_LEN} characters"
            ));
        }
        Ok(Password(raw.to_owned()))
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// The PHC string to store.
pub fn hash(password: &Password) -> anyhow::Result<String> {
    // 16 bytes from the OS CSPRNG (the crate's own `SaltString::generate` needs a
    // rand_core feature this build does not enable).
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).map_err(|e| {
        anyhow::anyhow!("the operating system's random number generator failed: {e}")
    })?;
    let salt = SaltString::encode_b64(&bytes)
        .map_err(|e| anyhow::anyhow!("encoding a password salt failed: {e}"))?;
    Argon2::default()
        .hash_password(password.0.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
}

/// Whether `candidate` matches `stored`. A stored value that is not a PHC string is an
/// error, not a mismatch, so a corrupted row is noticed.
pub fn verify(candidate: &str, stored: &str) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(stored)
        .map_err(|e| anyhow::anyhow!("a stored password hash is not valid: {e}"))?;
    match Argon2::default().verify_password(candidate.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(anyhow::anyhow!("verifying a password failed: {e}")),
    }
}

/// Spends the same work as a real verification, for sign-ins with an unknown email, so the
/// response time does not say whether an account exists.
pub fn verify_dummy(candidate: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = DUMMY
        .get_or_init(|| hash(&Password("dummy-password-for-timing".into())).unwrap_or_default());
    // The outcome is irrelevant: only the time spent matters.
    let _ = verify(candidate, stored);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let pw = Password::parse("correct horse battery").unwrap();
        let a = hash(&pw).unwrap();
        let b = hash(&pw).unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("correct horse battery", &a).unwrap());
        assert!(!verify("correct horse batterY", &a).unwrap());
        assert!(verify("x", "not a hash").is_err());
    }

    #[test]
    fn length_policy_counts_characters() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("ééééééééééé").is_err());
        assert!(Password::parse("éééééééééééé").is_ok());
        assert!(Password::parse(&"x".repeat(MAX_LEN + 1)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("secret secret").unwrap()),
            "Password(***)"
        );
    }
}
