//! `tandem bench mail`: how fast invitations go from template to SMTP, end to end.
//!
//! It renders `n` invitations, enqueues them in transactions of 1,000 (multi-row INSERTs), drains the outbox
//! through the real SMTP mailer into a local sink, and reports mails per second and the
//! process's peak resident memory. It sends every pending row of the database it is given,
//! so it refuses a database with pending mail: point it at a scratch database.

use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::db::Pool;
use crate::domain::Email;
use crate::mail::messages::{self, InvitationMail};
use crate::mail::outbox;
use crate::mail::worker::drain_once;
use crate::mail::Mailer;
use crate::mail::{MailSettings, DEFAULT_FROM};

/// Mails per enqueue transaction.
const ENQUEUE_CHUNK: usize = 1000;

/// What one benchmark run measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BenchReport {
    pub mails: usize,
    /// Rendering and writing the outbox rows.
    pub enqueue_secs: f64,
    /// Claiming, sending over SMTP and recording.
    pub dispatch_secs: f64,
    pub total_secs: f64,
    /// `mails / total_secs`.
    pub mails_per_sec: f64,
    pub sent: usize,
    pub failed: usize,
    /// Messages the sink accepted.
    pub received: u64,
    /// Peak resident set of the process (VmHWM), in KiB; `None` where /proc is missing.
    pub peak_rss_kib: Option<u64>,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} mails in {:.2} s: {:.0} mails/s end to end (enqueue {:.2} s, dispatch {:.2} s); \
             sent {}, failed {}, received by the sink {}; peak RSS {}",
            self.mails,
            self.total_secs,
            self.mails_per_sec,
            self.enqueue_secs,
            self.dispatch_secs,
            self.sent,
            self.failed,
            self.received,
            self.peak_rss_kib
                .map(|k| format!("{:.1} MiB", k as f64 / 1024.0))
                .unwrap_or_else(|| "unknown".into())
        )
    }
}

/// Runs the benchmark on `pool` (a scratch database: see the module doc), with the sink on
/// `smtp_port` of the loopback interface (0 picks a free port).
pub async fn bench_dispatch(pool: Pool, n: usize, smtp_port: u16) -> anyhow::Result<BenchReport> {
    let stats = blocking(&pool, outbox::stats).await?;
    if stats.pending > 0 {
        anyhow::bail!(
            "the outbox holds {} pending mails, which the benchmark would send to its sink; \
             run it against a scratch database",
            stats.pending
        );
    }
    let sink = Sink::start(smtp_port).context("starting the local SMTP sink")?;
    let settings = MailSettings::parse(
        &format!("smtp://127.0.0.1:{}?tls=none", sink.port()),
        DEFAULT_FROM,
    )?;
    let mailer = Arc::new(Mailer::new(&settings)?);

    let started = Instant::now();
    let mut next = 0;
    while next < n {
        let chunk = (n - next).min(ENQUEUE_CHUNK);
        let first = next;
        let pool = pool.clone();
        tokio::task::spawn_blocking(move || enqueue_chunk(&pool, first, chunk)).await??;
        next += chunk;
    }
    let enqueued = Instant::now();
    let report = drain_once(&pool, &mailer, &settings.delivery).await?;
    let done = Instant::now();
    drop(mailer);
    let received = sink.received();
    sink.stop();

    let total = (done - started).as_secs_f64();
    Ok(BenchReport {
        mails: n,
        enqueue_secs: (enqueued - started).as_secs_f64(),
        dispatch_secs: (done - enqueued).as_secs_f64(),
        total_secs: total,
        mails_per_sec: n as f64 / total.max(f64::EPSILON),
        sent: report.sent,
        failed: report.failed,
        received,
        peak_rss_kib: peak_rss_kib(),
    })
}

fn enqueue_chunk(pool: &Pool, first: usize, count: usize) -> anyhow::Result<()> {
    let mut mails = Vec::with_capacity(count);
    for i in first..first + count {
        let token = crate::secrets::new_token();
        let (link, opt_out_link) = messages::survey_links("https://tandem.example.com", &token);
        let mail = messages::invitation(&InvitationMail {
            person_name: format!("Person {i}"),
            own_firm: "Acme Retail".into(),
            partner_firm: "Globex Supply".into(),
            deadline_local: "Friday 4 December 2026 at 17:00 CET".into(),
            minutes: 2,
            link,
            opt_out_link,
            min_reporting_size: 5,
            language: crate::domain::Language::En,
        })?;
        let recipient =
            Email::parse(&format!("person{i}@bench.example.com")).map_err(anyhow::Error::msg)?;
        mails.push(mail.to(recipient, None));
    }
    let mut conn = pool.get()?;
    conn.write_transaction::<_, anyhow::Error, _>(|conn| {
        outbox::enqueue_many(conn, &mails)?;
        Ok(())
    })
}

async fn blocking<T, F>(pool: &Pool, f: F) -> anyhow::Result<T>
where
    T: Send + 'static,
    F: FnOnce(&mut crate::db::Conn) -> diesel::QueryResult<T> + Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<T> {
        let mut conn = pool.get()?;
        Ok(f(&mut conn)?)
    })
    .await?
}

/// Peak resident set size of this process in KiB, from `/proc/self/status`.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// An SMTP server that accepts every mail and only counts it.
///
/// Hand-written because the benchmark ships in the binary, where the test sink
/// (`mailin-embedded`, a dev-dependency) is not available, and a counting sink needs only
/// the few commands lettre sends. Blocking threads, one per connection: the benchmark opens
/// as many connections as its concurrency, so this stays small.
struct Sink {
    port: u16,
    received: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    acceptor: JoinHandle<()>,
}

impl Sink {
    fn start(port: u16) -> std::io::Result<Sink> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let port = listener.local_addr()?.port();
        let received = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s) = (Arc::clone(&received), Arc::clone(&stop));
        let acceptor = std::thread::Builder::new()
            .name("bench-smtp-sink".into())
            .spawn(move || {
                let mut sessions = Vec::new();
                for stream in listener.incoming() {
                    if s.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (r, s) = (Arc::clone(&r), Arc::clone(&s));
                    sessions.push(std::thread::spawn(move || {
                        // A session ends when the client leaves or the sink stops; an I/O
                        // error only ends that session.
                        let _ = session(stream, &r, &s);
                    }));
                    sessions.retain(|h: &JoinHandle<()>| !h.is_finished());
                }
                for h in sessions {
                    let _ = h.join();
                }
            })?;
        Ok(Sink {
            port,
            received,
            stop,
            acceptor,
        })
    }

    fn port(&self) -> u16 {
        self.port
    }

    fn received(&self) -> u64 {
        self.received.load(Ordering::SeqCst)
    }

    /// Stops accepting, ends every session and waits for the threads.
    fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor blocked in accept(); failure means it is already gone.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        let _ = self.acceptor.join();
    }
}

fn session(stream: TcpStream, received: &AtomicU64, stop: &AtomicBool) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_millis(200)))?;
    stream.set_nodelay(true)?;
    let mut out = stream.try_clone()?;
    let mut input = BufReader::new(stream);
    out.write_all(b"220 sink ESMTP\r\n")?;
    let mut line = Vec::with_capacity(1024);
    let mut in_data = false;
    loop {
        match input.read_until(b'\n', &mut line) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if stop.load(Ordering::SeqCst) {
                    return Ok(());
                }
                continue;
            }
            Err(e) => return Err(e),
        }
        if !line.ends_with(b"\n") {
            continue;
        }
        if in_data {
            if line == b".\r\n" || line == b".\n" {
                in_data = false;
                received.fetch_add(1, Ordering::SeqCst);
                out.write_all(b"250 2.0.0 accepted\r\n")?;
            }
            line.clear();
            continue;
        }
        let verb: String = line
            .iter()
            .take(4)
            .map(|b| b.to_ascii_uppercase() as char)
            .collect();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 2.0.0 ok\r\n",
            "DATA" => {
                in_data = true;
                b"354 go ahead\r\n"
            }
            "QUIT" => {
                out.write_all(b"221 2.0.0 bye\r\n")?;
                return Ok(());
            }
            _ => b"502 5.5.2 not implemented\r\n",
        };
        out.write_all(reply)?;
        line.clear();
    }
}
