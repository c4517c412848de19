//! Secrets at rest and in logs: the request log never holds a link token, and the database,
//! the admin token and mail files are readable by the service's user only.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::common::{Backend, TestApp};
use crate::{both_backends, roster};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Every log line of this test process, as the binary's subscriber would print them.
fn captured() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        tracing_subscriber::fmt()
            .with_env_filter("info")
            .with_writer(move || Capture(sink.clone()))
            .try_init()
            .expect("the only subscriber of this test binary");
        log
    })
    .clone()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_tokens_never_reach_the_request_log() {
    let log = captured();
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let token = tandem::secrets::new_token();
    let reset = tandem::secrets::new_token();

    for path in [
        format!("/s/{token}"),
        format!("/s/{token}/thanks"),
        format!("/set-password/{reset}"),
        format!("/login?next=/s/{token}"),
    ] {
        app.client.get(app.url(&path)).send().await.unwrap();
    }
    app.client
        .post(app.url(&format!("/s/{token}/opt-out")))
        .send()
        .await
        .unwrap();

    let deadline = Instant::now() + Duration::from_secs(10);
    let text = loop {
        let text = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
        if text.contains("POST /s/…/opt-out") {
            break text;
        }
        assert!(Instant::now() < deadline, "no request line logged:\n{text}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        !text.contains(&token),
        "a survey token is in the log:\n{text}"
    );
    assert!(
        !text.contains(&reset),
        "a set-password token is in the log:\n{text}"
    );
    for line in [
        "GET /s/… ",
        "GET /s/…/thanks ",
        "GET /set-password/… ",
        "GET /login?next=… ",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }
}

both_backends!(data_and_mail_files_are_owner_only, |app| {
    let data = app.db.dir.path().join("data");
    // The CLI makes the admin token file in the data folder.
    app.cli(&["partnership", "list"]).assert_ok();
    let partnership = app.create_partnership("Files").await;
    let r = app
        .post(&format!("/api/partnerships/{partnership}/roster"))
        .header("content-type", "text/csv")
        .body(roster())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app
        .post(&format!("/api/partnerships/{partnership}/waves"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    let mail = data.join("mail");
    let deadline = Instant::now() + Duration::from_secs(20);
    // A mail counts as sent once its file is written and made private.
    while app.db.count("outbox WHERE status = 'sent'") < 12 {
        assert!(
            Instant::now() < deadline,
            "the twelve invitations were not sent"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let files: Vec<_> = std::fs::read_dir(&mail)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 12, "{files:?}");

    for f in &files {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
    assert_eq!(mode(&mail), 0o700);
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("admin-token")), 0o600);
    if app.db.backend == Backend::Sqlite {
        let db = app.db.dir.path().join("tandem.db");
        assert_eq!(mode(&db), 0o600);
        let wal = app.db.dir.path().join("tandem.db-wal");
        if wal.exists() {
            assert_eq!(mode(&wal), 0o600);
        }
    }
});
