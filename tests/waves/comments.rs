//! Comments of a wave reach the dashboard and the review pack through the real path (mail,
//! link, JSON submission, close), only for a firm with at least `min_comment_size` answers,
//! for the whole firm, escaped and in alphabetical order.

use serde_json::{json, Value};
use tandem::auth::Role;
use tandem::domain::Side;

use crate::world_test;

const ROSTER: &str = "email,name,side,level,function,region,roles\n\
c1@north.com,C One,customer,executive,procurement,EU,\n\
c2@north.com,C Two,customer,staff,engineering,EU,\n\
c3@north.com,C Three,customer,staff,engineering,EU,\n\
s1@south.com,S One,supplier,manager,sales,US,\n\
s2@south.com,S Two,supplier,staff,operations,US,\n";

fn answers() -> Value {
    Value::Object(
        crate::ITEMS
            .iter()
            .map(|i| (i.to_string(), json!(4)))
            .collect(),
    )
}

world_test!(
    comments_show_for_a_firm_with_enough_answers_and_never_below,
    |w| {
        let r = w
            .app
            .post("/api/partnerships")
            .json(
                &json!({"name": "North / South", "customer": "North", "supplier": "South",
                "min_reporting_size": 3, "min_comment_size": 3}),
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
            .body(ROSTER)
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
        w.mail(5).await;
        let said = [
            ("c1@north.com", "Pricing talks were <b>hard</b>"),
            ("c2@north.com", "Deliveries improved a lot"),
            ("c3@north.com", ""),
            ("s1@south.com", "A remark only two people could have made"),
            ("s2@south.com", "Another supplier remark"),
        ];
        for (who, comment) in said {
            let token = w.token_for(who);
            let r = w
                .app
                .client
                .post(w.app.url(&format!("/api/responses/{token}")))
                .json(&json!({"answers": answers(), "comments": {"changes": comment}}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        }
        let r = w
            .app
            .post(&format!("/api/partnerships/{p}/waves/close"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());

        let admin = w
            .app
            .signed_in("admin@example.com", Role::Admin, vec![])
            .await;
        for path in [
            format!("/partnerships/{p}"),
            format!("/partnerships/{p}/review"),
        ] {
            let html = admin
                .get(w.app.url(&path))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let first = html
                .find("Deliveries improved a lot")
                .unwrap_or_else(|| panic!("{path}: {html}"));
            let second = html
                .find("Pricing talks were &#60;b&#62;hard&#60;/b&#62;")
                .expect("escaped");
            assert!(first < second, "alphabetical, not by who answered first");
            assert!(!html.contains("<b>hard</b>"));
            assert!(
                html.contains("Not shown: fewer than 3 people of this firm answered the wave"),
                "{path}"
            );
            assert!(
                !html.contains("only two people"),
                "{path}: below the minimum"
            );
            assert!(!html.contains("Another supplier remark"));
            let heading = html
                .find("<h2 id=\"comments\">")
                .or_else(|| html.find("<h2>Comments</h2>"))
                .unwrap();
            let rest = &html[heading + 4..];
            let section = &rest[..rest.find("<h2").unwrap_or(rest.len())];
            for attribute in ["engineering", "procurement", "executive", "staff", "EU"] {
                assert!(
                    !section.contains(attribute),
                    "{path}: comments carry no attributes"
                );
            }
        }

        let south = w
            .app
            .signed_in(
                "south@example.com",
                Role::Manager,
                vec![(p, Some(Side::Supplier))],
            )
            .await;
        let html = south
            .get(w.app.url(&format!("/partnerships/{p}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Not shown: fewer than 3 people"));
        assert!(
            !html.contains("Deliveries improved"),
            "the other firm's comments stay hidden"
        );
    }
);
