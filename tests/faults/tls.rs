//! SMTP over TLS against a relay on loopback whose certificate comes from a CA made here:
//! STARTTLS and implicit TLS deliver when the CA is trusted through `?ca_file=`; an unknown
//! CA and a certificate for another host name are refused, each with a message naming the
//! problem and keeping the mail for a later attempt.
//!
//! The relay is a minimal SMTP server over tokio-rustls: enough of the protocol for lettre
//! to deliver (EHLO, STARTTLS, MAIL, RCPT, DATA, RSET, NOOP, QUIT).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use tandem::mail::{MailSettings, Mailer, OutboxRow};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    StartTls,
    Implicit,
}

/// A test CA, a relay certificate it signed for `localhost`, and the CA as a PEM file.
struct Pki {
    dir: tempfile::TempDir,
    server: Arc<ServerConfig>,
}

impl Pki {
    fn new() -> Pki {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "Tandem drill CA");
        let ca = ca.self_signed(&ca_key).unwrap();
        let key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .signed_by(&key, &ca, &ca_key)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
        let server =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(
                    vec![leaf.der().clone()],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
                )
                .unwrap();
        Pki {
            dir,
            server: Arc::new(server),
        }
    }

    fn ca_file(&self) -> String {
        self.dir.path().join("ca.pem").display().to_string()
    }
}

/// A TLS SMTP relay on a loopback port; counts the messages it accepted. Its task ends with
/// the test's runtime.
struct Relay {
    port: u16,
    accepted: Arc<AtomicUsize>,
}

impl Relay {
    async fn start(pki: &Pki, mode: Mode) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let acceptor = TlsAcceptor::from(Arc::clone(&pki.server));
        let count = Arc::clone(&accepted);
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                tokio::spawn(session(tcp, acceptor.clone(), mode, Arc::clone(&count)));
            }
        });
        Relay { port, accepted }
    }
}

async fn session(tcp: TcpStream, acceptor: TlsAcceptor, mode: Mode, count: Arc<AtomicUsize>) {
    match mode {
        Mode::Implicit => {
            if let Ok(tls) = acceptor.accept(tcp).await {
                smtp(tls, false, true, &count).await;
            }
        }
        Mode::StartTls => {
            if let Some(tcp) = smtp(tcp, true, true, &count).await {
                if let Ok(tls) = acceptor.accept(tcp).await {
                    smtp(tls, false, false, &count).await;
                }
            }
        }
    }
}

/// Speaks SMTP on `stream`; returns the stream when the client asked for
/// STARTTLS (offered only if `offer_starttls`), so the caller can upgrade it and call again.
async fn smtp<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    offer_starttls: bool,
    greet: bool,
    count: &AtomicUsize,
) -> Option<S> {
    let mut io = BufReader::new(stream);
    let mut line = String::new();
    // After STARTTLS nobody greets again: the client speaks first (EHLO).
    if greet {
        io.write_all(b"220 relay.test ESMTP\r\n").await.ok()?;
    }
    loop {
        line.clear();
        if io.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" if offer_starttls => b"250-relay.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n",
            "EHLO" => b"250-relay.test\r\n250 8BITMIME\r\n",
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
            "STARTTLS" if offer_starttls => {
                io.write_all(b"220 go ahead\r\n").await.ok()?;
                io.flush().await.ok()?;
                return Some(io.into_inner());
            }
            "DATA" => {
                io.write_all(b"354 end with .\r\n").await.ok()?;
                loop {
                    line.clear();
                    if io.read_line(&mut line).await.ok()? == 0 {
                        return None;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                }
                count.fetch_add(1, Ordering::SeqCst);
                b"250 queued\r\n"
            }
            "QUIT" => {
                let _ = io.write_all(b"221 bye\r\n").await;
                let _ = io.flush().await;
                return None;
            }
            _ => b"502 not here\r\n",
        };
        io.write_all(reply).await.ok()?;
        io.flush().await.ok()?;
    }
}

fn row() -> OutboxRow {
    let now = tandem::db::now();
    OutboxRow {
        id: 1,
        kind: "drill".into(),
        recipient: "ann@tls.test".into(),
        subject: "TLS drill".into(),
        body_text: "hello over TLS".into(),
        body_html: "<p>hello over TLS</p>".into(),
        headers: "[]".into(),
        message_id: "<tls-drill@tandem>".into(),
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: now,
        locked_until: None,
        last_error: None,
        sent_at: None,
        invitation_id: None,
        created_at: now,
    }
}

fn mailer(url: &str) -> Mailer {
    let settings = MailSettings::parse(url, "Tandem <survey@tandem.test>").unwrap();
    Mailer::new(&settings).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_and_smtps_deliver_to_a_relay_whose_ca_is_given() {
    let pki = Pki::new();
    let starttls = Relay::start(&pki, Mode::StartTls).await;
    let smtps = Relay::start(&pki, Mode::Implicit).await;
    let ca = pki.ca_file();
    for (relay, url) in [
        (
            &starttls,
            format!(
                "smtp://localhost:{}?tls=starttls&ca_file={ca}",
                starttls.port
            ),
        ),
        (
            &smtps,
            format!("smtps://localhost:{}?ca_file={ca}", smtps.port),
        ),
    ] {
        mailer(&url)
            .send(&row())
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(relay.accepted.load(Ordering::SeqCst), 1, "{url}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_signed_by_an_unknown_ca_is_refused_with_the_reason_and_the_fix() {
    let pki = Pki::new();
    for mode in [Mode::StartTls, Mode::Implicit] {
        let relay = Relay::start(&pki, mode).await;
        let url = match mode {
            Mode::StartTls => format!("smtp://localhost:{}?tls=starttls", relay.port),
            Mode::Implicit => format!("smtps://localhost:{}", relay.port),
        };
        let err = mailer(&url).send(&row()).await.expect_err(&url);
        let text = err.to_string();
        eprintln!("refused as expected: {text}");
        assert!(!err.is_permanent(), "{url}: the mail must wait for a fix");
        assert!(
            text.contains("not signed by a trusted CA") && text.contains("ca_file="),
            "{url}: {text}"
        );
        assert_eq!(relay.accepted.load(Ordering::SeqCst), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_for_another_host_name_is_refused_even_with_its_ca_trusted() {
    let pki = Pki::new();
    let ca = pki.ca_file();
    for mode in [Mode::StartTls, Mode::Implicit] {
        let relay = Relay::start(&pki, mode).await;
        // The certificate names `localhost`; the URL says 127.0.0.1.
        let url = match mode {
            Mode::StartTls => {
                format!("smtp://127.0.0.1:{}?tls=starttls&ca_file={ca}", relay.port)
            }
            Mode::Implicit => format!("smtps://127.0.0.1:{}?ca_file={ca}", relay.port),
        };
        let err = mailer(&url).send(&row()).await.expect_err(&url);
        let text = err.to_string();
        eprintln!("refused as expected: {text}");
        assert!(!err.is_permanent(), "{url}");
        assert!(
            text.contains("not valid for the host name 127.0.0.1"),
            "{url}: {text}"
        );
        assert_eq!(relay.accepted.load(Ordering::SeqCst), 0);
    }
}

#[test]
fn a_missing_or_empty_ca_file_stops_the_start_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    for (path, expected) in [
        (dir.path().join("absent.pem"), "cannot read ca_file"),
        (empty, "holds no PEM certificate"),
    ] {
        let url = format!("smtps://relay.test?ca_file={}", path.display());
        let settings = MailSettings::parse(&url, "Tandem <survey@tandem.test>").unwrap();
        let err = Mailer::new(&settings).expect_err(&url).to_string();
        assert!(err.contains(expected), "{err}");
        assert!(err.contains(&path.display().to_string()), "{err}");
    }
}
