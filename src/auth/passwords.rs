//! Passwords: argon2id (the `argon2` crate's default: m = 19 MiB, t = 2, p = 1, the OWASP
//! minimum), a fresh random salt per hash, stored in PHC form (`$argon2id$v=19$…`).
//! Hashing is deliberately slow: call it on the blocking pool, never on an actix worker,
//! and only while holding a [`HashGate`] permit, so a flood of sign-ins cannot run more
//! than a few hashes (19 MiB each) at once and starve everything else.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::TryRngCore;

use crate::i18n::{en, en1};

/// Fewest characters a password may have.
pub const MIN_LEN: usize = 12;
/// Most characters a password may have (bounds the hashing work an attacker can ask for).
pub const MAX_LEN: usize = 1024;

/// A password that meets the length policy. The text is never logged or displayed.
pub struct Password(String);

/// Passwords that are long enough and still among the first an attacker tries (breach
/// lists' most common entries of 12 characters or more). Compared without case.
const COMMON: [&str; 40] = [
    "123456789012",
    "1234567890123",
    "12345678901234",
    "123456789123",
    "123412341234",
    "111222333444",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "qwertyuiop12",
    "qwertyuiop123",
    "qwertyuiopasdf",
    "qwerty123456",
    "qwertyqwerty",
    "asdfghjkl123",
    "zaq12wsxcde3",
    "qazwsxedcrfv",
    "password1234",
    "password12345",
    "password123456",
    "passwordpassword",
    "password1!password1!",
    "p@ssw0rd1234",
    "iloveyou1234",
    "administrator",
    "adminadmin123",
    "welcome12345",
    "welcome123456",
    "letmein12345",
    "changeme1234",
    "abcdefghijkl",
    "abc123abc123",
    "football1234",
    "baseball1234",
    "sunshine1234",
    "princess1234",
    "trustno1trustno1",
    "monkey123456",
    "dragon123456",
    "superman1234",
    "starwars1234",
];

impl Password {
    /// At least [`MIN_LEN`] and at most [`MAX_LEN`] characters, not only spaces, not one
    /// character repeated, and not one of the most common passwords.
    pub fn parse(raw: &str) -> Result<Password, String> {
        if raw.trim().is_empty() {
            return Err(en("password-problem-blank"));
        }
        if raw.contains('\0') {
            return Err(en("password-problem-nul"));
        }
        let n = raw.chars().count();
        if n < MIN_LEN {
            return Err(en1("password-problem-too-short", "min", MIN_LEN));
        }
        if n > MAX_LEN {
            return Err(en1("password-problem-too-long", "max", MAX_LEN));
        }
        let mut chars = raw.chars();
        let first = chars.next();
        if chars.all(|c| Some(c) == first) {
            return Err(en("password-problem-repeated"));
        }
        let lower = raw.trim().to_lowercase();
        if COMMON.contains(&lower.as_str()) {
            return Err(en("password-problem-common"));
        }
        Ok(Password(raw.to_owned()))
    }
}

/// At most a few argon2 computations at once (each takes ~19 MiB and tens of milliseconds
/// of one core). A request waits at most the gate's bound for its turn, then is answered
/// "busy, try again" instead of queueing without end.
#[derive(Debug)]
pub struct HashGate {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    wait: std::time::Duration,
    size: usize,
    entered: std::sync::atomic::AtomicU64,
    peak: std::sync::atomic::AtomicUsize,
}

/// The gate's wait ran out: too many hashes in flight.
#[derive(Debug, thiserror::Error)]
#[error("too many passwords are being checked at once; try again in a few seconds")]
pub struct Busy;

impl HashGate {
    /// Hashes allowed at once in one `serve` process.
    pub const CONCURRENT: usize = 2;
    /// The longest a request waits for its turn.
    pub const WAIT: std::time::Duration = std::time::Duration::from_secs(3);

    pub fn new(concurrent: usize, wait: std::time::Duration) -> HashGate {
        HashGate {
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(concurrent)),
            wait,
            size: concurrent,
            entered: std::sync::atomic::AtomicU64::new(0),
            peak: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// A permit to hash, held until dropped; [`Busy`] after the gate's wait.
    pub async fn enter(&self) -> Result<tokio::sync::OwnedSemaphorePermit, Busy> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        self.entered
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let in_use = self.size - self.permits.available_permits();
        self.peak
            .fetch_max(in_use, std::sync::atomic::Ordering::Relaxed);
        Ok(permit)
    }

    /// How many permits were handed out so far (each is one password check or hash).
    pub fn entered(&self) -> u64 {
        self.entered.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The most permits ever held at once.
    pub fn peak(&self) -> usize {
        self.peak.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Default for HashGate {
    fn default() -> Self {
        HashGate::new(HashGate::CONCURRENT, HashGate::WAIT)
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
    fn blank_repeated_and_common_passwords_are_refused_with_a_reason() {
        for (weak, why) in [
            ("            ", "only spaces"),
            ("\t\t\t\t\t\t\t\t\t\t\t\t", "only spaces"),
            ("aaaaaaaaaaaa", "repeated"),
            ("éééééééééééé", "repeated"),
            ("Password1234", "most common"),
            ("123456789012", "most common"),
        ] {
            let e = Password::parse(weak).unwrap_err();
            assert!(e.contains(why), "{weak:?}: {e}");
        }
        assert!(Password::parse("correct horse battery staple").is_ok());
    }

    #[test]
    fn the_refusals_read_as_the_set_password_page_shows_them() {
        assert_eq!(
            Password::parse("short").unwrap_err(),
            "the password must have at least 12 characters"
        );
        assert_eq!(
            Password::parse(&"xy".repeat(MAX_LEN)).unwrap_err(),
            "the password must have at most 1024 characters"
        );
        assert_eq!(
            Password::parse("abc\0defghijklm").unwrap_err(),
            "the password cannot contain a NUL character"
        );
    }

    #[tokio::test]
    async fn the_gate_lets_two_hash_at_once_and_turns_the_third_away_after_its_wait() {
        let gate = HashGate::new(2, std::time::Duration::from_millis(50));
        let a = gate.enter().await.unwrap();
        let _b = gate.enter().await.unwrap();

        assert!(gate.enter().await.is_err(), "a third waits, then is busy");
        drop(a);
        assert!(gate.enter().await.is_ok(), "a freed permit is reused");
        assert_eq!(gate.entered(), 3);
        assert_eq!(gate.peak(), 2);
    }

    #[test]
    fn length_policy_counts_characters() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("ééééééééééé").is_err());
        assert!(Password::parse("éééééééééééa").is_ok());
        assert!(Password::parse(&"x".repeat(MAX_LEN + 1)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("secret secret").unwrap()),
            "Password(***)"
        );
    }
}
