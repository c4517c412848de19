use chrono::TimeDelta;
use serde_json::Value;

use crate::{all_answers, world_test};
use tandem::survey_templates::Catalog;
use tandem::waves::lifecycle;

world_test!(a_reminder_reaches_only_those_who_have_not_answered, |w| {
    w.open_wave().await;
    w.mail(4).await;
    let ann = w.token_for("ann@acme.com");
    let r = w
        .app
        .client
        .post(w.app.url(&format!("/s/{ann}")))
        .form(&all_answers(4))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection());

    let pool = w.app.db.pool();
    let links = tandem::mail::Links {
        base_url: w.app.address.clone(),
    };
    let in_4_days = tandem::db::now() + TimeDelta::days(4);
    let queued = {
        let mut conn = pool.get().unwrap();
        let first = lifecycle::send_due_reminders(&mut conn, in_4_days, &links).unwrap();
        let again = lifecycle::send_due_reminders(&mut conn, in_4_days, &links).unwrap();
        assert_eq!(again, 0, "a reminder is never sent twice for the same day");
        first
    };
    assert_eq!(queued, 3);
    // wake the worker: the reminders were queued outside the app
    w.app
        .post(&format!("/api/partnerships/{}/waves", w.partnership))
        .send()
        .await
        .unwrap();
    let mails = w.mail(7).await;
    let reminded: Vec<&str> = mails[4..].iter().map(|m| m.to[0].as_str()).collect();
    assert!(!reminded.contains(&"ann@acme.com"), "{reminded:?}");
    // the reminder's fresh link and the invitation's both lead to Bob's one invitation
    let bob_links: Vec<String> = mails
        .iter()
        .filter(|m| m.to[0] == "bob@acme.com")
        .map(|m| crate::token_in(&m.part("text/plain").unwrap()))
        .collect();
    assert_eq!(bob_links.len(), 2);
    assert_ne!(bob_links[0], bob_links[1]);
    for t in &bob_links {
        let page = w
            .app
            .client
            .get(w.app.url(&format!("/s/{t}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
    }
    // after downtime past both reminder days, only one more catches up
    let in_8_days = tandem::db::now() + TimeDelta::days(8);
    let mut conn = pool.get().unwrap();
    assert_eq!(
        lifecycle::send_due_reminders(&mut conn, in_8_days, &links).unwrap(),
        3
    );
    assert_eq!(
        lifecycle::send_due_reminders(&mut conn, in_8_days, &links).unwrap(),
        0
    );
});

world_test!(the_scheduler_opens_a_slot_once_however_often_it_runs, |w| {
    let today = chrono::Utc::now().date_naive() - chrono::Days::new(2);
    let out = w.app.cli(&[
        "partnership",
        "create",
        "--name",
        "Scheduled",
        "--customer",
        "Acme",
        "--supplier",
        "Bolt",
        "--cadence",
        "monthly",
        "--first-wave-on",
        &today.to_string(),
        "--send-time",
        "00:00",
        "--timezone",
        "UTC",
        "--response-window-days",
        "10",
    ]);
    out.assert_ok();
    let id: i64 = out.last_line().parse().unwrap();
    let roster = crate::common::write_file(&w.app.db, "r.csv", crate::ROSTER.as_bytes());
    w.app
        .cli(&[
            "roster",
            "import",
            "--partnership",
            &id.to_string(),
            roster.to_str().unwrap(),
        ])
        .assert_ok();

    let pool = w.app.db.pool();
    let catalog = Catalog::load(None).unwrap();
    let links = tandem::mail::Links {
        base_url: w.app.address.clone(),
    };
    let now = tandem::db::now();
    // two scheduler instances at once, then a third pass later on
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let pool = pool.clone();
            let catalog = catalog.clone();
            let links = links.clone();
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                tandem::services::waves::tick_at(&mut conn, &catalog, now, &links).unwrap()
            })
        })
        .collect();
    let opened: usize = handles
        .into_iter()
        .map(|h| h.join().unwrap().opened.len())
        .sum();
    assert_eq!(opened, 1);
    let mut conn = pool.get().unwrap();
    let later =
        tandem::services::waves::tick_at(&mut conn, &catalog, now + TimeDelta::hours(1), &links)
            .unwrap();
    assert!(later.opened.is_empty());
    assert!(later.missed.is_empty(), "{:?}", later.missed);
    let waves: Value = w
        .app
        .get(&format!("/api/partnerships/{id}/waves"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(waves.as_array().unwrap().len(), 1);
    assert_eq!(waves[0]["invited"], 4);

    // after months of downtime: the overdue wave closes, the current slot opens, and the
    // slots whose whole window passed meanwhile are reported as missed. Slot k opens on
    // `today` + k months at 00:00 UTC and stays open 10 days; 95 days on, slot 3 is open
    // (it opened 89 to 92 days after `today`) and slots 1 and 2 have closed.
    let slot_opens = |k: u32| {
        today
            .checked_add_months(chrono::Months::new(k))
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
    };
    // Two instances notice it in the same instant: between them each wave closes and opens
    // once and each missed slot is reported once (the database refuses a second report).
    let much_later = now + TimeDelta::days(95);
    let racers: Vec<_> = (0..2)
        .map(|_| {
            let (pool, catalog, links) = (pool.clone(), catalog.clone(), links.clone());
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                tandem::services::waves::tick_at(&mut conn, &catalog, much_later, &links).unwrap()
            })
        })
        .collect();
    let mut r = tandem::services::waves::TickReport::default();
    for racer in racers {
        let one = racer.join().unwrap();
        r.closed.extend(one.closed);
        r.opened.extend(one.opened);
        r.missed.extend(one.missed);
    }
    r.missed.sort_by_key(|m| m.index);
    assert_eq!(r.closed, vec![(id, 1)]);
    assert_eq!(r.opened, vec![(id, 2)], "slot 3 opens as wave 2");
    let missed: Vec<(i64, u32, chrono::NaiveDateTime)> = r
        .missed
        .iter()
        .map(|m| (m.partnership, m.index, m.opens_at))
        .collect();
    assert_eq!(
        missed,
        vec![(id, 1, slot_opens(1)), (id, 2, slot_opens(2))],
        "exactly the two slots whose window passed"
    );
    for (m, k) in r.missed.iter().zip(1..) {
        assert_eq!(m.closes_at, slot_opens(k) + TimeDelta::days(10));
        let day = slot_opens(k).format("%-d %B %Y, 00:00 (UTC)").to_string();
        assert!(m.opens_local.ends_with(&day), "{} / {day}", m.opens_local);
        let next = slot_opens(3).format("%-d %B %Y, 00:00 (UTC)").to_string();
        assert!(m.next_local.as_deref().unwrap().ends_with(&next));
    }
    let waves = tandem::db::waves::for_partnership(&mut conn, id).unwrap();
    assert_eq!(waves.len(), 2);
    assert_eq!(waves[1].seq, 2);
    assert_eq!(waves[1].opens_at, slot_opens(3));
    assert_eq!(waves[1].slot_at, Some(slot_opens(3)));
    assert_eq!(waves[1].closes_at, slot_opens(3) + TimeDelta::days(10));

    // a second pass, at once or later in the window, opens and reports nothing new
    for at in [much_later, much_later + TimeDelta::days(2)] {
        let again = tandem::services::waves::tick_at(&mut conn, &catalog, at, &links).unwrap();
        assert!(again.opened.is_empty(), "{:?}", again.opened);
        assert!(again.missed.is_empty(), "{:?}", again.missed);
    }
    let audited: Vec<String> = tandem::auth::audit::recent(&mut conn, 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "wave.missed")
        .inspect(|e| {
            assert_eq!(e.actor, "scheduler");
            assert_eq!(e.target, format!("partnership {id}"));
        })
        .map(|e| e.details)
        .collect();
    assert_eq!(audited.len(), 2, "{audited:?}");
    assert!(
        audited.iter().any(|d| d.starts_with("slot 1:")),
        "{audited:?}"
    );
    assert!(
        audited.iter().any(|d| d.starts_with("slot 2:")),
        "{audited:?}"
    );
    // A third instance that read "not reported yet" a moment too early is refused by the
    // database, not trusted to check first.
    let again = tandem::auth::audit::audit(
        &mut conn,
        "scheduler",
        "wave.missed",
        &format!("partnership {id}"),
        audited.iter().find(|d| d.starts_with("slot 1:")).unwrap(),
    );
    assert!(
        matches!(
            again,
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        ),
        "{again:?}"
    );
});

world_test!(
    tandem_tick_names_each_missed_slot_once_and_the_next_one,
    |w| {
        // every 20 days from 45 days ago, 10-day windows: the slots of 45 and 25 days ago were
        // missed (no scheduler ran), the one of 5 days ago is open now
        let today = chrono::Utc::now().date_naive();
        let first = today - chrono::Days::new(45);
        let out = w.app.cli(&[
            "partnership",
            "create",
            "--name",
            "Late",
            "--customer",
            "Acme",
            "--supplier",
            "Bolt",
            "--cadence",
            "every 20 days",
            "--first-wave-on",
            &first.to_string(),
            "--send-time",
            "00:00",
            "--timezone",
            "UTC",
            "--response-window-days",
            "10",
        ]);
        out.assert_ok();
        let id: i64 = out.last_line().parse().unwrap();
        let day = |d: chrono::NaiveDate| d.format("%-d %B %Y, 00:00 (UTC)").to_string();
        let tick = w.app.cli(&["tick"]);
        tick.assert_ok();
        let lines: Vec<&str> = tick
            .stdout
            .lines()
            .filter(|l| l.contains("was missed"))
            .collect();
        assert_eq!(lines.len(), 2, "{}", tick.stdout);
        for (line, missed) in lines.iter().zip([first, first + chrono::Days::new(20)]) {
            assert!(
                line.starts_with(&format!("partnership {id}: the wave due on ")),
                "{line}"
            );
            assert!(line.contains(&day(missed)), "{line}");
            assert!(
                line.contains("(the service was down for its whole window); the next opens on "),
                "{line}"
            );
            assert!(line.ends_with(&day(today - chrono::Days::new(5))), "{line}");
        }
        let again = w.app.cli(&["tick"]);
        again.assert_ok();
        assert!(!again.stdout.contains("was missed"), "{}", again.stdout);
    }
);

world_test!(the_wave_cli_opens_reports_and_closes, |w| {
    let id = w.partnership.to_string();
    let open = w.app.cli(&["wave", "open", "--partnership", &id]);
    open.assert_ok();
    assert!(
        open.stdout.contains("wave 1 opened: 4 invitations queued"),
        "{}",
        open.stdout
    );
    let twice = w.app.cli(&["wave", "open", "--partnership", &id]);
    assert_eq!(twice.status, 1);
    assert!(twice.stderr.contains("still open"), "{}", twice.stderr);
    let status = w.app.cli(&["wave", "status", "--partnership", &id]);
    status.assert_ok();
    assert!(status.stdout.contains("open"), "{}", status.stdout);
    let close = w.app.cli(&["wave", "close", "--partnership", &id]);
    close.assert_ok();
    assert!(
        close.stdout.contains("wave 1 closed: 0 of 4"),
        "{}",
        close.stdout
    );
    let again = w.app.cli(&["wave", "close", "--partnership", &id]);
    assert_eq!(again.status, 1);
    assert!(again.stderr.contains("no open wave"));
});

world_test!(a_wave_opened_by_hand_covers_the_slots_before_it, |w| {
    // A monthly schedule that began a year ago, and a wave opened by hand today: the slots
    // of the past year are not "missed" — the partnership simply ran its survey by hand.
    let year_ago = (chrono::Utc::now() - TimeDelta::days(365)).date_naive();
    let r = w
        .app
        .post("/api/partnerships")
        .json(
            &serde_json::json!({"name": "By hand", "customer": "Acme", "supplier": "Bolt",
                                  "cadence": "monthly", "first_wave_on": year_ago}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let p = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = w
        .app
        .post(&format!("/api/partnerships/{p}/roster"))
        .header("content-type", "text/csv")
        .body(crate::ROSTER)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = w
        .app
        .post(&format!("/api/partnerships/{p}/waves"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let pool = w.app.db.pool();
    let links = tandem::mail::Links {
        base_url: w.app.address.clone(),
    };
    let report = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        let catalog = Catalog::load(None).unwrap();
        tandem::services::waves::tick_at(&mut conn, &catalog, tandem::db::now(), &links).unwrap()
    })
    .await
    .unwrap();
    assert!(
        report.missed.iter().all(|m| m.partnership != p),
        "{:?}",
        report.missed
    );
    assert_eq!(
        w.app.db.count(&format!(
            "audit_log WHERE action = 'wave.missed' AND target = 'partnership {p}'"
        )),
        0
    );
});
