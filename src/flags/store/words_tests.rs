//! Every state, outcome and history event of a flag has its words in the managers' catalog.

use super::*;

fn catalog_words(key: &str, words: &str) {
    assert_eq!(crate::i18n::en_present(key), words, "{key}");
}

#[test]
fn every_state_and_every_outcome_has_words_in_the_catalog() {
    for s in FlagState::ALL {
        catalog_words(s.words_key(), &s.words());
    }
    for o in Outcome::ALL {
        catalog_words(o.words_key(), &o.words());
    }
    // the words pages showed before they moved to the catalog
    assert_eq!(FlagState::Acknowledged.words(), "acknowledged");
    assert_eq!(Outcome::NoActionNeeded.words(), "no action needed");
}

#[test]
fn every_event_of_a_flags_history_has_words_in_the_catalog() {
    for action in EVENT_ACTIONS {
        let key = event_key(action).expect("a known action");
        catalog_words(key, &event_words(action));
    }
    // an event this version does not know is shown as stored
    assert_eq!(event_words("merged"), "merged");
    assert_eq!(event_words("still firing"), "still firing");
}

#[test]
fn each_step_names_the_event_it_records() {
    for step in [
        Transition::Acknowledge,
        Transition::Resolve,
        Transition::Reopen,
    ] {
        let (_, _, action) = step.rule();
        assert!(EVENT_ACTIONS.contains(&action), "{action:?}");
    }
}
