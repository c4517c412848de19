//! Two `tandem serve` instances on one PostgreSQL database, each with its scheduler and its
//! outbox worker: a due wave opens once, each invitation is sent once, responses posted
//! through both are stored once, a wave opened by hand through both opens once, and when the
//! instance dispatching it is killed the other finishes the outbox.

use std::time::Instant;

use serde_json::{json, Value};

use crate::common::{Backend, TestDb, ADMIN_TOKEN};
use crate::instance::Instance;
use crate::sink::{Received, Sink};
use crate::{due_partnership, duplicate_bound, every_invitee_has, invitees, outbox_settled, poll};

const ITEMS: [&str; 8] = [
    "win_win",
    "shares_rewards",
    "trust",
    "dependable_people",
    "holds_up_end",
    "common_objectives",
    "does_homework",
    "decides_and_sticks",
];

fn answers(value: u8) -> Value {
    Value::Object(
        ITEMS
            .iter()
            .map(|i| ((*i).to_owned(), json!(value)))
            .collect(),
    )
}

fn token_in(mail: &Received) -> String {
    let text = mail.part("text/plain").expect("a text part");
    let at = text.find("/s/").expect("a survey link in the mail") + 3;
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
async fn two_instances_open_a_wave_once_send_each_mail_once_and_survive_losing_one() {
    let n = invitees();
    let db = TestDb::fresh(Backend::Postgres).unwrap();
    // Migrated and filled before either instance runs; both then race for the due wave.
    let partnership = due_partnership(&db, n);
    let sink = Sink::start();
    let mail = [(
        "TANDEM_MAIL_URL",
        format!("smtp://127.0.0.1:{}?tls=none", sink.port),
    )];
    let started = Instant::now();
    let mut a = Instance::start(&db, "a", &mail);
    let mut b = Instance::start(&db, "b", &mail);
    a.ready().await;
    b.ready().await;

    // 1. The scheduled wave: opened once, each invitation sent once.
    let counts = every_invitee_has(&sink, n, 1).await;
    let first_wave = started.elapsed();
    let by_status = outbox_settled(&db).await;
    assert_eq!(db.count("waves"), 1);
    assert_eq!(db.count("invitations"), n as i64);
    assert_eq!(
        db.count("(SELECT DISTINCT wave_id, person_id FROM invitations) AS i"),
        n as i64
    );
    assert!(
        counts.values().all(|&c| c == 1),
        "an invitation went out twice with both instances alive"
    );
    assert_eq!(by_status["sent"], n as i64, "{by_status:?}");

    // 2. Responses posted through both instances at once, each person's twice (once per
    // instance): one response per person.
    let responders = 200.min(n);
    let received = sink.received();
    let client = reqwest::Client::new();
    let mut posts = tokio::task::JoinSet::new();
    for (i, m) in received.iter().take(responders).enumerate() {
        let token = token_in(m);
        for (k, instance) in [&a, &b].into_iter().enumerate() {
            let request = client
                .post(instance.url(&format!("/api/responses/{token}")))
                .json(&json!({"answers": answers(1 + ((i + k) % 5) as u8)}));
            posts.spawn(async move {
                let r = request.send().await.unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            });
        }
    }
    while let Some(answer) = posts.join_next().await {
        let (status, body) = answer.unwrap();
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(db.count("responses"), responders as i64);
    assert_eq!(db.count("answers"), 8 * responders as i64);
    assert_eq!(
        db.count("(SELECT DISTINCT invitation_id FROM responses) AS r"),
        responders as i64
    );

    // 3. The next wave opened by hand through both at once: one opens it, one is refused.
    let closed = client
        .post(a.url(&format!("/api/partnerships/{partnership}/waves/close")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 200, "{}", closed.text().await.unwrap());
    assert_eq!(db.count("invitations WHERE responded"), responders as i64);
    let open = |who: &Instance| {
        client
            .post(who.url(&format!("/api/partnerships/{partnership}/waves")))
            .bearer_auth(ADMIN_TOKEN)
            .send()
    };
    let (ra, rb) = tokio::join!(open(&a), open(&b));
    let (sa, sb) = (ra.unwrap().status().as_u16(), rb.unwrap().status().as_u16());
    let mut statuses = [sa, sb];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "the wave opened by hand twice");
    assert_eq!(db.count("waves"), 2);
    assert_eq!(db.count("invitations"), 2 * n as i64);

    // 4. The instance that opened it is killed mid-dispatch (its worker was woken at once;
    // the other one's wakes within its 5 s idle poll): the other finishes the outbox, the
    // dead one's leased rows once their lease ends.
    let (mut opener, survivor, opener_name) = if sa == 201 { (a, b, "a") } else { (b, a, "b") };
    let at_kill = poll(
        "a quarter of the second wave",
        crate::mail_deadline(),
        || {
            let c = sink.count();
            (c >= n + n / 4).then_some(c)
        },
    )
    .await;
    opener.kill();
    let received_at_kill = sink.count();
    let leased_at_kill =
        db.count("outbox WHERE status = 'pending' AND locked_until > (now() AT TIME ZONE 'UTC')");
    assert!(
        received_at_kill < 2 * n,
        "the whole second wave was out before the kill; nothing was tested"
    );
    let kill_at = Instant::now();
    let counts = every_invitee_has(&sink, n, 2).await;
    let finished = kill_at.elapsed();
    let by_status = outbox_settled(&db).await;
    assert_eq!(by_status["failed"], 0, "{by_status:?}");
    let duplicates = counts.values().sum::<usize>() - 2 * n;
    assert!(
        duplicates <= duplicate_bound(),
        "{duplicates} duplicates, more than the {} the dead instance can have in flight",
        duplicate_bound()
    );
    assert_eq!(db.count("waves"), 2);
    eprintln!(
        "DRILL two instances: {n} invitees; first wave delivered once each {:.1} s after start; \
         second wave: the opener ({opener_name}) killed at {at_kill}..{received_at_kill} \
         received with {leased_at_kill} rows leased, the other finished {:.1} s later, \
         {duplicates} duplicates (bound {})",
        first_wave.as_secs_f64(),
        finished.as_secs_f64(),
        duplicate_bound()
    );
    drop(survivor);
}
