//! Secrets (link tokens, session ids, API tokens): 128 bits or more from the OS CSPRNG,
//! URL-safe, and stored only as SHA-256 hashes. A secret's plain text exists in memory, in
//! the mail or response that carries it, and nowhere else.

use base64::Engine;
use rand::TryRngCore;
use sha2::{Digest, Sha256};

/// A new secret: 24 random bytes (192 bits) as 32 URL-safe base64 characters.
pub fn new_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random number generator failed");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a secret: lowercase hex SHA-256.
pub fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored form of the admin API token: its SHA-256 digest (surrounding blanks ignored).
pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.trim().as_bytes()).into()
}

/// Compares two digests in time independent of where they differ.
pub fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_digests() {
        assert!(constant_time_eq(&hash_token("a"), &hash_token(" a ")));
        assert!(!constant_time_eq(&hash_token("a"), &hash_token("b")));
    }

    #[test]
    fn tokens_are_long_url_safe_and_distinct() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), hash(&b));
    }
}

/// Files at rest that hold secrets or answers (the SQLite database, the admin token, demo
/// sign-ins, mail files): readable by the service's own user only. Folders are created
/// 0700 and files 0600; an existing file or folder is tightened to that. The process umask
/// is left alone: it is process-wide state (tests run many servers in one process) and
/// would also change files an operator means to share, such as exported reports.
pub mod at_rest {
    use std::io;
    use std::path::Path;

    /// Creates `dir` and its missing parents; `dir` itself ends up 0700.
    pub fn private_dir(dir: &Path) -> io::Result<()> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir)?;
        restrict(dir, 0o700)
    }

    /// Makes an existing file readable and writable by its owner only (0600).
    pub fn private_file(path: &Path) -> io::Result<()> {
        restrict(path, 0o600)
    }

    /// Creates `path` empty and 0600 if it does not exist, else tightens it to 0600 by path.
    ///
    /// An existing file is never opened: for a SQLite database, closing any descriptor of
    /// the file drops every POSIX lock this process holds on it, under the feet of the
    /// connections already open ("disk I/O error").
    pub fn create_private_file(path: &Path) -> io::Result<()> {
        if path.exists() {
            return private_file(path);
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(path) {
            Ok(file) => drop(file),
            // Another process created it a moment ago: only tighten it.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        private_file(path)
    }

    #[cfg(unix)]
    fn restrict(path: &Path, mode: u32) -> io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }

    #[cfg(not(unix))]
    fn restrict(_: &Path, _: u32) -> io::Result<()> {
        Ok(())
    }
}
