use crate::{all_answers, world_test};

world_test!(
    an_invitation_reaches_everyone_and_its_link_leads_to_a_form_that_stores_the_answers,
    |w| {
        let opened = w.open_wave().await;
        assert_eq!(opened["invited"], 4);
        let mails = w.mail(4).await;
        let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
        to.sort();
        assert_eq!(
            to,
            ["ann@acme.com", "bob@acme.com", "cy@bolt.com", "di@bolt.com"]
        );
        let ann = mails.iter().find(|m| m.to[0] == "ann@acme.com").unwrap();
        let text = ann.part("text/plain").unwrap();
        let html = ann.part("text/html").unwrap();
        assert!(
            text.contains("Bolt"),
            "the customer is asked about the supplier: {text}"
        );
        assert!(html.contains("/s/"));
        assert!(ann.header("List-Unsubscribe").unwrap().contains("/opt-out"));

        let token = w.token_for("ann@acme.com");
        assert_eq!(token.len(), 32);
        let page = w
            .app
            .client
            .get(w.app.url(&format!("/s/{token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let body = page.text().await.unwrap();
        assert!(body.contains("<fieldset"));
        assert!(body.contains("Bolt"));
        assert!(
            body.contains("Don&#39;t know")
                || body.contains("Don't know")
                || body.contains("Don’t know")
        );

        let mut form = all_answers(4);
        form[2].1 = "dk".into();
        form.push(("open.changes".into(), "More <b>joint</b> planning".into()));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = client
            .post(w.app.url(&format!("/s/{token}")))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], format!("/s/{token}/thanks"));
        assert_eq!(w.app.db.count("responses"), 1);
        assert_eq!(w.app.db.count("answers"), 8);
        assert_eq!(w.app.db.count("answers WHERE value IS NULL"), 1);
        assert_eq!(w.app.db.count("comments"), 1);

        // coming back: the form is pre-filled; re-submitting updates the same response
        let again = w
            .app
            .client
            .get(w.app.url(&format!("/s/{token}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(again.contains("value=\"4\" checked"));
        assert!(!again.contains("<b>joint"), "comments are escaped");
        assert!(again.contains("joint"), "{again}");
        let r = client
            .post(w.app.url(&format!("/s/{token}")))
            .form(&all_answers(2))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(w.app.db.count("responses"), 1, "never a second response");
        assert_eq!(w.app.db.count("answers WHERE value = 2"), 8);
        assert_eq!(w.app.db.count("comments"), 0, "the comment was cleared");
        let thanks = w
            .app
            .client
            .get(w.app.url(&format!("/s/{token}/thanks")))
            .send()
            .await
            .unwrap();
        assert_eq!(thanks.status(), 200);
    }
);

world_test!(
    a_form_with_a_missing_answer_comes_back_with_the_answers_kept_and_the_problem_shown,
    |w| {
        w.open_wave().await;
        w.mail(4).await;
        let token = w.token_for("bob@acme.com");
        let mut form = all_answers(5);
        form.remove(3); // dependable_people left out
        let r = w
            .app
            .client
            .post(w.app.url(&format!("/s/{token}")))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let body = r.text().await.unwrap();
        assert!(
            body.contains("id=\"err-dependable_people\""),
            "the problem is next to the item"
        );
        assert!(
            body.contains("href=\"#q-dependable_people\""),
            "and linked from the summary"
        );
        assert_eq!(
            body.matches("value=\"5\" checked").count(),
            7,
            "the other answers are kept"
        );
        assert_eq!(w.app.db.count("responses"), 0, "nothing stored");
    }
);

world_test!(unknown_and_malformed_links_get_the_same_404_page, |w| {
    let unknown = w
        .app
        .client
        .get(w.app.url("/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let unknown_body = unknown.text().await.unwrap();
    let malformed = w
        .app
        .client
        .get(w.app.url("/s/short"))
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 404);
    assert_eq!(malformed.text().await.unwrap(), unknown_body);
});

world_test!(after_the_close_the_link_says_when_it_closed_with_410, |w| {
    w.open_wave().await;
    w.mail(4).await;
    let token = w.token_for("cy@bolt.com");
    let r = w
        .app
        .post(&format!("/api/partnerships/{}/waves/close", w.partnership))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = w
        .app
        .client
        .get(w.app.url(&format!("/s/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 410);
    assert!(page.text().await.unwrap().contains("This survey closed on"));
    let r = w
        .app
        .client
        .post(w.app.url(&format!("/s/{token}")))
        .form(&all_answers(3))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 410);
    assert_eq!(w.app.db.count("responses"), 0);
});

world_test!(opting_out_stops_future_invitations, |w| {
    w.open_wave().await;
    w.mail(4).await;
    let token = w.token_for("di@bolt.com");
    let confirm = w
        .app
        .client
        .get(w.app.url(&format!("/s/{token}/opt-out")))
        .send()
        .await
        .unwrap();
    assert_eq!(confirm.status(), 200);
    // what a mail client's one-click unsubscribe sends
    let r = w
        .app
        .client
        .post(w.app.url(&format!("/s/{token}/opt-out")))
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    w.app
        .post(&format!("/api/partnerships/{}/waves/close", w.partnership))
        .send()
        .await
        .unwrap();
    let second = w.open_wave().await;
    assert_eq!(second["invited"], 3);
    let mails = w.mail(7).await;
    assert_eq!(mails.iter().filter(|m| m.to[0] == "di@bolt.com").count(), 1);
});

world_test!(a_post_from_another_site_is_refused, |w| {
    w.open_wave().await;
    w.mail(4).await;
    let token = w.token_for("ann@acme.com");
    let r = w
        .app
        .client
        .post(w.app.url(&format!("/s/{token}")))
        .header("origin", "https://evil.example")
        .form(&all_answers(1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(w.app.db.count("responses"), 0);
});
