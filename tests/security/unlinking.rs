//! Answers unlinked from people when a wave closes: the response keeps its segment snapshot,
//! the invitation keeps only "responded", and no query can join a response to a person any
//! more — while the report, the counts and the comments of the closed wave stay as they were.

use serde_json::{json, Value};

use crate::{submission, world_test};

/// `SELECT COUNT(*)` of responses that some join still ties to a person.
const NAMED_ANSWERS: &str = "responses r JOIN invitations i ON i.id = r.invitation_id \
     JOIN people p ON p.id = i.person_id";

world_test!(
    after_a_wave_closes_no_query_can_join_a_response_to_a_person,
    |w| {
        w.open_wave().await;
        for i in 0..6 {
            for side in ["c", "s"] {
                let domain = if side == "c" { "north" } else { "south" };
                let token = w.token_for(&format!("{side}{i}@{domain}.test"));
                let r = w
                    .submit(
                        &token,
                        &submission(4, json!({"changes": format!("said by {side}{i}")})),
                    )
                    .await;
                assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
            }
        }
        assert_eq!(
            w.app.db.count(NAMED_ANSWERS),
            12,
            "linked while the wave is open"
        );
        let late = w.token_for("c0@north.test");

        let closed = w.close_wave().await;

        assert_eq!(closed.status(), 200);
        let status: Value = closed.json().await.unwrap();
        assert_eq!(
            (status["invited"].as_i64(), status["responded"].as_i64()),
            (Some(12), Some(12))
        );
        assert_eq!(w.app.db.count(NAMED_ANSWERS), 0);
        assert_eq!(
            w.app.db.count("responses WHERE invitation_id IS NOT NULL"),
            0
        );
        assert_eq!(w.app.db.count("invitations WHERE responded"), 12);
        assert_eq!(
            w.app.db.count("responses WHERE level = 'staff'"),
            12,
            "snapshots stay"
        );
        assert_eq!(w.app.db.count("answers"), 12 * 8);
        assert_eq!(w.app.db.count("comments"), 12);
        let report = w
            .app
            .get(&format!("/api/partnerships/{}/report", w.partnership))
            .send()
            .await
            .unwrap();
        assert_eq!(
            report.status(),
            200,
            "the report of the closed wave still builds"
        );
        let report: Value = report.json().await.unwrap();
        let all = report["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["segment_kind"] == "all" && g["side"] == "customer")
            .unwrap_or_else(|| panic!("{}", report["groups"]));
        assert_eq!(all["responded"], 6, "{all}");
        let again = w.submit(&late, &submission(5, json!({}))).await;
        assert_eq!(
            again.status(),
            410,
            "a closed wave's link cannot edit the unlinked answers"
        );
    }
);
