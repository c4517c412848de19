//! Mail configuration: where mail goes (`TANDEM_MAIL_URL`), who it is from
//! (`TANDEM_MAIL_FROM`) and how the outbox worker paces delivery.
//!
//! Parsing is strict: a URL this module does not fully understand is an error naming the
//! problem, so a typo stops the service at start instead of silently dropping mail.
//! Passwords never appear in `Debug`, `Display` or error messages.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use lettre::message::Mailbox;

/// The sender used when `TANDEM_MAIL_FROM` is not set.
pub const DEFAULT_FROM: &str = "Tandem <tandem@localhost>";

/// Everything the mailer and the outbox worker need.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub transport: TransportSettings,
    /// The `From:` mailbox of every mail (and the envelope sender).
    pub from: Mailbox,
    pub delivery: DeliverySettings,
    /// VERP envelope senders and how soft bounces turn hard.
    pub bounces: super::bounces::BounceSettings,
}

/// Where mail is handed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportSettings {
    /// An SMTP relay.
    Smtp {
        host: String,
        port: u16,
        security: SmtpSecurity,
        credentials: Option<SmtpCredentials>,
        /// `?ca_file=`: trust only the CA certificates in this PEM file (a relay with a
        /// private CA) instead of the public roots. Host names are still checked.
        ca_file: Option<PathBuf>,
    },
    /// One `.eml` file per mail in a folder: the embedded default, so a demo needs no mail
    /// server.
    File { dir: PathBuf },
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain text (`smtp://…?tls=none`): for a relay on the same host or network only.
    None,
    /// Plain connection upgraded with STARTTLS, which must succeed (`smtp://…?tls=starttls`).
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

/// SMTP login. `Debug` shows the user, never the password.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpCredentials {
    pub user: String,
    pub password: String,
}

impl fmt::Debug for SmtpCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpCredentials")
            .field("user", &self.user)
            .field("password", &"***")
            .finish()
    }
}

/// How the outbox worker paces delivery. The defaults suit production; tests shorten the
/// durations so that leases and back-off can be observed in milliseconds.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// Rows claimed per round trip to the database.
    pub batch_size: i64,
    /// Mails in flight at once (also the most SMTP connections kept open).
    pub concurrency: usize,
    /// How long a claimed row stays reserved for the worker that claimed it. A worker that
    /// dies mid-batch delays its rows by at most this much; a worker never starts sending a
    /// row whose lease is about to run out, so a slow worker cannot cause a duplicate.
    pub lease: Duration,
    pub backoff: Backoff,
    /// Longest wait between two looks at the outbox when nothing is due and nobody rang.
    pub idle_poll: Duration,
    /// Time limit of one mail's whole SMTP exchange (connect, commands, data); a relay that
    /// takes longer counts as a transient failure.
    pub smtp_timeout: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            batch_size: 256,
            concurrency: 32,
            lease: Duration::from_secs(10 * 60),
            backoff: Backoff::default(),
            idle_poll: Duration::from_secs(5),
            smtp_timeout: Duration::from_secs(30),
        }
    }
}

/// Exponential back-off with jitter for transient failures.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// Wait after the first failure; doubled after each further failure.
    pub base: Duration,
    /// The longest wait.
    pub cap: Duration,
    /// Relative jitter: each wait is multiplied by a uniform factor in `[1 − j, 1 + j]`, so
    /// that mails which failed together (a relay outage) do not all come back together.
    pub jitter: f64,
    /// Attempts after which a mail that still fails transiently is marked failed.
    pub max_attempts: i64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(30),
            cap: Duration::from_secs(60 * 60),
            jitter: 0.2,
            max_attempts: 12,
        }
    }
}

impl Backoff {
    /// The wait before the next attempt, given how many attempts have been made so far
    /// (`attempts ≥ 1` after a failure): `min(base · 2^(attempts − 1), cap) · U(1 − j, 1 + j)`.
    /// `None` when the mail has had its last attempt.
    pub fn next_delay(&self, attempts: i64) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let exponent = attempts.saturating_sub(1).clamp(0, 30) as i32;
        let nominal = (self.base.as_secs_f64() * 2f64.powi(exponent)).min(self.cap.as_secs_f64());
        let jitter = self.jitter.clamp(0.0, 1.0);
        let factor = if jitter > 0.0 {
            rand::Rng::random_range(&mut rand::rng(), 1.0 - jitter..=1.0 + jitter)
        } else {
            1.0
        };
        Some(Duration::from_secs_f64(nominal * factor))
    }
}

/// A mail configuration that cannot work, with what to change.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MailConfigError {
    #[error("TANDEM_MAIL_URL {url}: unknown scheme {scheme:?}; use smtp://, smtps:// or file://")]
    UnknownScheme { url: String, scheme: String },
    #[error("TANDEM_MAIL_URL {url}: not a URL ({reason}); expected e.g. smtp://user:password@mail.example.com:587?tls=starttls")]
    NotAUrl { url: String, reason: String },
    #[error("TANDEM_MAIL_URL {url}: the port is not a number from 1 to 65535")]
    BadPort { url: String },
    #[error("TANDEM_MAIL_URL {url}: no host name")]
    MissingHost { url: String },
    #[error("TANDEM_MAIL_URL {url}: a password without a user name")]
    PasswordWithoutUser { url: String },
    #[error("TANDEM_MAIL_URL {url}: a user name without a password")]
    UserWithoutPassword { url: String },
    #[error("TANDEM_MAIL_URL {url}: the user name or password has a bad %-escape")]
    BadEscape { url: String },
    #[error("TANDEM_MAIL_URL {url}: unknown option {option:?}; smtp:// takes tls=starttls|none and ca_file=/path/ca.pem, smtps:// only ca_file")]
    UnknownOption { url: String, option: String },
    #[error(
        "TANDEM_MAIL_URL {url}: tls={value:?} is not understood; use tls=starttls or tls=none"
    )]
    BadTls { url: String, value: String },
    #[error("TANDEM_MAIL_URL {url}: smtps:// always uses TLS and takes no tls= option")]
    OptionOnSmtps { url: String },
    #[error(
        "TANDEM_MAIL_URL {url}: ca_file= only applies with TLS; add tls=starttls or use smtps://"
    )]
    CaFileWithoutTls { url: String },
    #[error("TANDEM_MAIL_URL {url}: ca_file= needs an absolute path to a PEM file")]
    BadCaFile { url: String },
    #[error("TANDEM_MAIL_URL {url}: a path after the host is not used by SMTP")]
    PathOnSmtp { url: String },
    #[error("TANDEM_MAIL_URL {url}: the password would travel in clear text to {host}; use smtps:// or ?tls=starttls (clear text is accepted for a relay on this host only)")]
    CredentialsInClear { url: String, host: String },
    #[error(
        "TANDEM_MAIL_URL {url}: no folder; use file:///absolute/folder or file://relative/folder"
    )]
    EmptyFilePath { url: String },
    #[error("TANDEM_MAIL_FROM {value:?} is not a mailbox ({reason}); expected e.g. \"Tandem <surveys@example.com>\"")]
    BadFrom { value: String, reason: String },
    #[error("cannot create the mail folder {path}: {reason}")]
    CreateDir { path: PathBuf, reason: String },
    #[error("TLS cannot be set up for {host}: {reason}")]
    Tls { host: String, reason: String },
    #[error(
        "the SMTP mailer must be created inside a Tokio runtime (its connection pool runs there)"
    )]
    NoRuntime,
}

impl MailSettings {
    /// Parses a mail URL and a `From:` mailbox, with the default delivery pacing.
    ///
    /// - `smtp://[user:password@]host[:port][?tls=starttls|none]`: default `tls=none` on
    ///   port 25, port 587 with `tls=starttls`;
    /// - `smtps://[user:password@]host[:port]`: implicit TLS, port 465;
    /// - `file:///absolute/folder` or `file://relative/folder`: one `.eml` file per mail.
    ///
    /// Both TLS forms take `ca_file=/absolute/ca.pem`: trust only the CA certificates in that
    /// PEM file instead of the public roots (a relay with a private CA); the host name is
    /// still checked. User and password may be %-escaped. Credentials over `tls=none` are
    /// refused unless the relay is on this host.
    pub fn parse(url: &str, from: &str) -> Result<MailSettings, MailConfigError> {
        let from_mailbox =
            Mailbox::from_str(from.trim()).map_err(|e| MailConfigError::BadFrom {
                value: from.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(MailSettings {
            transport: TransportSettings::parse(url)?,
            from: from_mailbox,
            delivery: DeliverySettings::default(),
            bounces: super::bounces::BounceSettings::default(),
        })
    }

    /// Reads `TANDEM_MAIL_URL` and `TANDEM_MAIL_FROM`; an unset or empty URL means `.eml`
    /// files in `<data dir>/mail`, an unset sender means [`DEFAULT_FROM`].
    pub fn from_env_or_default(data_dir: &Path) -> Result<MailSettings, MailConfigError> {
        let url = std::env::var("TANDEM_MAIL_URL").ok();
        let from = std::env::var("TANDEM_MAIL_FROM").ok();
        Self::from_values(url.as_deref(), from.as_deref(), data_dir)
    }

    /// [`from_env_or_default`](Self::from_env_or_default) with the values given, for callers
    /// (and tests) that read configuration elsewhere.
    pub fn from_values(
        url: Option<&str>,
        from: Option<&str>,
        data_dir: &Path,
    ) -> Result<MailSettings, MailConfigError> {
        let from = from
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .unwrap_or(DEFAULT_FROM);
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => Self::parse(u, from),
            None => {
                let mut s = Self::parse("file://mail", from)?;
                s.transport = TransportSettings::File {
                    dir: data_dir.join("mail"),
                };
                Ok(s)
            }
        }
    }

    /// The mail URL with any password replaced by `***`, for logs.
    pub fn describe(&self) -> String {
        self.transport.to_string()
    }
}

impl TransportSettings {
    pub fn parse(raw: &str) -> Result<TransportSettings, MailConfigError> {
        let raw = raw.trim();
        let redacted = redact(raw);
        let Some((scheme, rest)) = raw.split_once("://") else {
            return Err(MailConfigError::NotAUrl {
                url: redacted,
                reason: "no scheme://".into(),
            });
        };
        match scheme.to_ascii_lowercase().as_str() {
            "file" => {
                if rest.is_empty() || rest == "/" {
                    return Err(MailConfigError::EmptyFilePath { url: redacted });
                }
                Ok(TransportSettings::File {
                    dir: PathBuf::from(rest),
                })
            }
            "smtp" | "smtps" => parse_smtp(raw, &redacted),
            other => Err(MailConfigError::UnknownScheme {
                url: redacted,
                scheme: other.to_owned(),
            }),
        }
    }
}

fn parse_smtp(raw: &str, redacted: &str) -> Result<TransportSettings, MailConfigError> {
    let url_err = |reason: String| MailConfigError::NotAUrl {
        url: redacted.to_owned(),
        reason,
    };
    let parsed = url::Url::parse(raw).map_err(|e| match e {
        url::ParseError::InvalidPort => MailConfigError::BadPort {
            url: redacted.to_owned(),
        },
        url::ParseError::EmptyHost => MailConfigError::MissingHost {
            url: redacted.to_owned(),
        },
        other => url_err(other.to_string()),
    })?;
    let implicit = parsed.scheme() == "smtps";
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| MailConfigError::MissingHost {
            url: redacted.to_owned(),
        })?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    if !matches!(parsed.path(), "" | "/") {
        return Err(MailConfigError::PathOnSmtp {
            url: redacted.to_owned(),
        });
    }
    if parsed.port() == Some(0) {
        return Err(MailConfigError::BadPort {
            url: redacted.to_owned(),
        });
    }

    let mut security = if implicit {
        SmtpSecurity::Implicit
    } else {
        SmtpSecurity::None
    };
    let mut ca_file = None;
    for (key, value) in parsed.query_pairs() {
        if key == "ca_file" {
            let path = PathBuf::from(value.as_ref());
            if !path.is_absolute() {
                return Err(MailConfigError::BadCaFile {
                    url: redacted.to_owned(),
                });
            }
            ca_file = Some(path);
            continue;
        }
        if implicit && key == "tls" {
            return Err(MailConfigError::OptionOnSmtps {
                url: redacted.to_owned(),
            });
        }
        if key != "tls" {
            return Err(MailConfigError::UnknownOption {
                url: redacted.to_owned(),
                option: key.into_owned(),
            });
        }
        security = match value.to_ascii_lowercase().as_str() {
            "starttls" => SmtpSecurity::StartTls,
            "none" => SmtpSecurity::None,
            _ => {
                return Err(MailConfigError::BadTls {
                    url: redacted.to_owned(),
                    value: value.into_owned(),
                })
            }
        };
    }

    let user = percent_decode(parsed.username()).ok_or_else(|| MailConfigError::BadEscape {
        url: redacted.to_owned(),
    })?;
    let password = match parsed.password() {
        Some(p) => Some(percent_decode(p).ok_or_else(|| MailConfigError::BadEscape {
            url: redacted.to_owned(),
        })?),
        None => None,
    };
    let credentials = match (user.is_empty(), password) {
        (true, None) => None,
        (true, Some(_)) => {
            return Err(MailConfigError::PasswordWithoutUser {
                url: redacted.to_owned(),
            })
        }
        (false, None) => {
            return Err(MailConfigError::UserWithoutPassword {
                url: redacted.to_owned(),
            })
        }
        (false, Some(password)) => Some(SmtpCredentials { user, password }),
    };
    if ca_file.is_some() && security == SmtpSecurity::None {
        return Err(MailConfigError::CaFileWithoutTls {
            url: redacted.to_owned(),
        });
    }
    if credentials.is_some() && security == SmtpSecurity::None && !is_loopback(&host) {
        return Err(MailConfigError::CredentialsInClear {
            url: redacted.to_owned(),
            host,
        });
    }

    let port = parsed.port().unwrap_or(match security {
        SmtpSecurity::None => 25,
        SmtpSecurity::StartTls => 587,
        SmtpSecurity::Implicit => 465,
    });
    Ok(TransportSettings::Smtp {
        host,
        port,
        security,
        credentials,
        ca_file,
    })
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `%XX` escapes of a URL's user-info part; `None` on a malformed escape or non-UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The URL with the password part of `user:password@` replaced, before it is even parsed,
/// so that no error message can carry it.
fn redact(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return raw.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let masked = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_owned()
            };
            format!("{scheme}://{masked}@{host}{tail}")
        }
        None => raw.to_owned(),
    }
}

impl fmt::Display for TransportSettings {
    /// The settings as a URL, the password replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportSettings::File { dir } => write!(f, "file://{}", dir.display()),
            TransportSettings::Smtp {
                host,
                port,
                security,
                credentials,
                ca_file,
            } => {
                let scheme = match security {
                    SmtpSecurity::Implicit => "smtps",
                    _ => "smtp",
                };
                let user = credentials
                    .as_ref()
                    .map(|c| format!("{}:***@", c.user))
                    .unwrap_or_default();
                let host = if host.contains(':') {
                    format!("[{host}]")
                } else {
                    host.clone()
                };
                let mut query = match security {
                    SmtpSecurity::StartTls => "?tls=starttls".to_owned(),
                    SmtpSecurity::None => "?tls=none".to_owned(),
                    SmtpSecurity::Implicit => String::new(),
                };
                if let Some(ca) = ca_file {
                    query.push(if query.is_empty() { '?' } else { '&' });
                    query.push_str(&format!("ca_file={}", ca.display()));
                }
                write!(f, "{scheme}://{user}{host}:{port}{query}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(url: &str) -> TransportSettings {
        TransportSettings::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn smtp_defaults_to_port_25_in_clear_and_587_with_starttls() {
        assert_eq!(
            smtp("smtp://mail.example.com"),
            TransportSettings::Smtp {
                host: "mail.example.com".into(),
                port: 25,
                security: SmtpSecurity::None,
                credentials: None,
                ca_file: None
            }
        );
        assert_eq!(
            smtp("smtp://mail.example.com?tls=starttls"),
            TransportSettings::Smtp {
                host: "mail.example.com".into(),
                port: 587,
                security: SmtpSecurity::StartTls,
                credentials: None,
                ca_file: None
            }
        );
    }

    #[test]
    fn smtps_uses_implicit_tls_on_465_and_decodes_credentials() {
        assert_eq!(
            smtp("smtps://ann%40x.com:p%3Ass@mail.example.com"),
            TransportSettings::Smtp {
                host: "mail.example.com".into(),
                port: 465,
                security: SmtpSecurity::Implicit,
                credentials: Some(SmtpCredentials {
                    user: "ann@x.com".into(),
                    password: "p:ss".into()
                }),
                ca_file: None
            }
        );
    }

    #[test]
    fn explicit_port_and_loopback_credentials_in_clear_are_accepted() {
        assert!(matches!(
            smtp("smtp://u:p@127.0.0.1:2525?tls=none"),
            TransportSettings::Smtp { port: 2525, .. }
        ));
    }

    #[test]
    fn ca_file_pins_trust_on_starttls_and_smtps() {
        for url in [
            "smtp://relay.internal?tls=starttls&ca_file=/etc/tandem/ca.pem",
            "smtps://relay.internal?ca_file=/etc/tandem/ca.pem",
        ] {
            let TransportSettings::Smtp { ca_file, .. } = smtp(url) else {
                panic!("{url}: not SMTP");
            };
            assert_eq!(ca_file, Some(PathBuf::from("/etc/tandem/ca.pem")), "{url}");
            assert!(smtp(url)
                .to_string()
                .ends_with("ca_file=/etc/tandem/ca.pem"));
        }
    }

    #[test]
    fn file_urls_take_absolute_and_relative_folders() {
        assert_eq!(
            smtp("file:///var/spool/tandem"),
            TransportSettings::File {
                dir: PathBuf::from("/var/spool/tandem")
            }
        );
        assert_eq!(
            smtp("file://data/mail"),
            TransportSettings::File {
                dir: PathBuf::from("data/mail")
            }
        );
    }

    #[test]
    fn each_mistake_is_named() {
        type Check = fn(&MailConfigError) -> bool;
        let cases: &[(&str, Check)] = &[
            ("imap://x.com", |e| {
                matches!(e, MailConfigError::UnknownScheme { .. })
            }),
            ("mail.example.com", |e| {
                matches!(e, MailConfigError::NotAUrl { .. })
            }),
            ("smtp://x.com:99999", |e| {
                matches!(e, MailConfigError::BadPort { .. })
            }),
            ("smtp://x.com:0", |e| {
                matches!(e, MailConfigError::BadPort { .. })
            }),
            ("smtp://x.com:abc", |e| {
                matches!(e, MailConfigError::BadPort { .. })
            }),
            ("smtp://", |e| {
                matches!(e, MailConfigError::MissingHost { .. })
            }),
            ("smtp://:secret@x.com?tls=starttls", |e| {
                matches!(e, MailConfigError::PasswordWithoutUser { .. })
            }),
            ("smtp://ann@x.com?tls=starttls", |e| {
                matches!(e, MailConfigError::UserWithoutPassword { .. })
            }),
            ("smtp://x.com?tls=yes", |e| {
                matches!(e, MailConfigError::BadTls { .. })
            }),
            ("smtp://x.com?pool=4", |e| {
                matches!(e, MailConfigError::UnknownOption { .. })
            }),
            ("smtps://x.com?tls=none", |e| {
                matches!(e, MailConfigError::OptionOnSmtps { .. })
            }),
            ("smtp://x.com?ca_file=/etc/ca.pem", |e| {
                matches!(e, MailConfigError::CaFileWithoutTls { .. })
            }),
            ("smtps://x.com?ca_file=ca.pem", |e| {
                matches!(e, MailConfigError::BadCaFile { .. })
            }),
            ("smtp://x.com/inbox", |e| {
                matches!(e, MailConfigError::PathOnSmtp { .. })
            }),
            ("smtp://ann:secret@x.com", |e| {
                matches!(e, MailConfigError::CredentialsInClear { .. })
            }),
            ("file://", |e| {
                matches!(e, MailConfigError::EmptyFilePath { .. })
            }),
        ];
        for (url, expected) in cases {
            let err = TransportSettings::parse(url).expect_err(url);
            assert!(expected(&err), "{url}: unexpected error {err:?}");
            assert!(err.to_string().contains("TANDEM_MAIL_URL"), "{err}");
        }
    }

    #[test]
    fn passwords_never_show() {
        let err = TransportSettings::parse("smtp://ann:hunter2@x.com").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(!format!("{err:?}").contains("hunter2"));
        let err = TransportSettings::parse("smtp://ann:hunter2@x.com:99999").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let ok = MailSettings::parse("smtps://ann:hunter2@x.com", DEFAULT_FROM).unwrap();
        assert!(!format!("{ok:?}").contains("hunter2"));
        assert_eq!(ok.describe(), "smtps://ann:***@x.com:465");
    }

    #[test]
    fn defaults_to_files_in_the_data_folder_and_a_local_sender() {
        let s = MailSettings::from_values(None, Some(" "), Path::new("/srv/tandem")).unwrap();
        assert_eq!(
            s.transport,
            TransportSettings::File {
                dir: PathBuf::from("/srv/tandem/mail")
            }
        );
        assert_eq!(s.from.email.to_string(), "tandem@localhost");
        assert_eq!(s.from.name.as_deref(), Some("Tandem"));
    }

    #[test]
    fn a_bad_sender_is_refused() {
        let err =
            MailSettings::from_values(None, Some("not a mailbox"), Path::new("d")).unwrap_err();
        assert!(matches!(err, MailConfigError::BadFrom { .. }), "{err:?}");
    }

    #[test]
    fn backoff_doubles_is_capped_jittered_and_ends() {
        let b = Backoff {
            base: Duration::from_secs(30),
            cap: Duration::from_secs(3600),
            jitter: 0.2,
            max_attempts: 12,
        };
        for attempts in 1..12 {
            let nominal = (30.0 * 2f64.powi(attempts as i32 - 1)).min(3600.0);
            let d = b.next_delay(attempts).unwrap().as_secs_f64();
            assert!(
                d >= nominal * 0.8 - 1e-9 && d <= nominal * 1.2 + 1e-9,
                "attempt {attempts}: {d}"
            );
        }
        assert_eq!(b.next_delay(12), None);
        let exact = Backoff {
            jitter: 0.0,
            ..b.clone()
        };
        assert_eq!(exact.next_delay(1), Some(Duration::from_secs(30)));
        assert_eq!(exact.next_delay(3), Some(Duration::from_secs(120)));
        assert_eq!(exact.next_delay(11), Some(Duration::from_secs(3600)));
    }
}
