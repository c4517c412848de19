//! A real SMTP server on loopback for the mail tests (`mailin-embedded`), keeping what it
//! receives in memory, with scripted refusals; and a small reader for what it received.
//!
//! The server thread cannot be stopped (the crate has no shutdown); it lives as long as the
//! test process, listening on loopback only.

use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine;
use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server, SslConfig};

/// One message the sink accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub raw: String,
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    /// Replies to give to the next DATA commands, instead of accepting.
    data_refusals: VecDeque<(u16, String)>,
    /// Recipients starting with this prefix are refused with this reply.
    rcpt_refusal: Option<(String, u16, String)>,
}

#[derive(Clone)]
pub struct Sink {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl Sink {
    /// A sink on a free loopback port.
    pub fn start() -> Sink {
        Self::start_on(0)
    }

    /// A sink on `port` (0 = any free port).
    pub fn start_on(port: u16) -> Sink {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the SMTP sink");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let handler = Session {
            state: Arc::clone(&state),
            from: String::new(),
            to: Vec::new(),
            data: Vec::new(),
        };
        let mut server = Server::new(handler);
        server
            .with_name("sink.test")
            .with_ssl(SslConfig::None)
            .expect("no TLS")
            .with_num_threads(64)
            .with_tcp_listener(listener);
        std::thread::Builder::new()
            .name(format!("smtp-sink-{port}"))
            .spawn(move || {
                if let Err(e) = server.serve() {
                    eprintln!("the SMTP sink on port {port} stopped: {e}");
                }
            })
            .expect("start the SMTP sink thread");
        Sink { port, state }
    }

    /// A loopback port with nothing listening on it (free a moment ago).
    pub fn free_port() -> u16 {
        TcpListener::bind(("127.0.0.1", 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    pub fn count(&self) -> usize {
        self.lock().received.len()
    }

    /// Answers the next DATA command with `code message` instead of accepting it. (At the
    /// DATA command, not after the message: after an error there, mailin 0.6 stays in its
    /// data state and would take the client's QUIT as message text.)
    pub fn refuse_next_data(&self, code: u16, message: &str) {
        self.lock()
            .data_refusals
            .push_back((code, message.to_owned()));
    }

    /// Refuses every recipient starting with `prefix` with `code message`.
    pub fn refuse_recipients(&self, prefix: &str, code: u16, message: &str) {
        self.lock().rcpt_refusal = Some((prefix.to_owned(), code, message.to_owned()));
    }

    /// How many accepted messages each recipient got (addresses as given in RCPT TO), read
    /// without copying the messages, so it is cheap enough to poll.
    #[allow(
        dead_code,
        reason = "used by tests/faults, not by every test binary sharing this file"
    )]
    pub fn count_by_recipient(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for r in &self.lock().received {
            for to in &r.to {
                *counts.entry(to.clone()).or_insert(0) += 1;
            }
        }
        counts
    }

    /// How many accepted messages carry each Message-ID.
    pub fn count_by_message_id(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for r in self.received() {
            let id = r.header("Message-ID").expect("a Message-ID header");
            *counts.entry(id).or_insert(0) += 1;
        }
        counts
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Clone)]
struct Session {
    state: Arc<Mutex<State>>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Session {
    fn rcpt(&mut self, to: &str) -> Response {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match &state.rcpt_refusal {
            Some((prefix, code, message)) if to.starts_with(prefix.as_str()) => {
                Response::custom(*code, message.clone())
            }
            _ => OK,
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((code, message)) = state.data_refusals.pop_front() {
            return Response::custom(code, message);
        }
        self.from = from.to_owned();
        self.to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.received.push(Received {
            from: self.from.clone(),
            to: std::mem::take(&mut self.to),
            raw: String::from_utf8_lossy(&std::mem::take(&mut self.data)).into_owned(),
        });
        OK
    }

    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        OK
    }
}

impl Received {
    /// A top-level header's value, unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        header_in(head(&self.raw), name)
    }

    /// The decoded body of the first part whose Content-Type starts with `content_type`.
    pub fn part(&self, content_type: &str) -> Option<String> {
        let boundary = self
            .header("Content-Type")?
            .split(';')
            .find_map(|p| p.trim().strip_prefix("boundary="))?
            .trim_matches('"')
            .to_owned();
        self.raw
            .split(&format!("--{boundary}"))
            .skip(1)
            .find_map(|part| {
                let part = part.trim_start_matches("\r\n");
                let headers = head(part);
                let ct = header_in(headers, "Content-Type")?;
                if !ct.starts_with(content_type) {
                    return None;
                }
                let body = part.split_once("\r\n\r\n").map_or("", |(_, b)| b);
                Some(decode(
                    body,
                    header_in(headers, "Content-Transfer-Encoding").as_deref(),
                ))
            })
    }
}

fn head(raw: &str) -> &str {
    raw.split_once("\r\n\r\n").map_or(raw, |(h, _)| h)
}

fn header_in(headers: &str, name: &str) -> Option<String> {
    let mut value: Option<String> = None;
    for line in headers.split("\r\n") {
        match (&mut value, line.starts_with([' ', '\t'])) {
            (Some(v), true) => v.push_str(line.trim_start()),
            (Some(_), false) => break,
            (None, _) => {
                if let Some((n, v)) = line.split_once(':') {
                    if n.eq_ignore_ascii_case(name) {
                        value = Some(v.trim().to_owned());
                    }
                }
            }
        }
    }
    value
}

fn decode(body: &str, encoding: Option<&str>) -> String {
    match encoding.map(str::to_ascii_lowercase).as_deref() {
        Some("base64") => {
            let compact: String = body.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(compact.trim_end_matches('-'))
                .expect("valid base64 body");
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Some("quoted-printable") => {
            let joined = body.replace("=\r\n", "");
            let bytes = joined.as_bytes();
            let mut out = Vec::with_capacity(bytes.len());
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'=' && i + 2 < bytes.len() {
                    if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                }
                out.push(bytes[i]);
                i += 1;
            }
            String::from_utf8_lossy(&out).into_owned()
        }
        _ => body.to_owned(),
    }
}
