//! The access decision, as a pure function of a user and their scopes: no I/O, so the whole
//! matrix is unit-tested here and every route asks the same question the same way.
//!
//! - admin: every partnership, both sides;
//! - ombudsman: every partnership (`all_partnerships`) or the partnerships in scope, always
//!   both sides (the ombudsman stands between the firms);
//! - relationship manager: only the partnerships in scope, each either both sides or one;
//!   `all_partnerships` is ignored for managers (user creation refuses it);
//! - a disabled user sees nothing.
//!
//! A refusal is [`NotVisible`], which callers turn into **404**: a partnership outside
//! someone's scope must be indistinguishable from one that does not exist.

use std::collections::BTreeMap;

use super::users::{Scope, User};
use super::Role;
use crate::domain::Side;

/// How much of one partnership a user may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Both firms' results.
    Both,
    /// One firm's results only.
    Only(Side),
}

impl Visibility {
    /// Whether results of `side` may be shown.
    pub fn includes(self, side: Side) -> bool {
        match self {
            Visibility::Both => true,
            Visibility::Only(s) => s == side,
        }
    }

    pub const ALL: [Visibility; 3] = [
        Visibility::Both,
        Visibility::Only(Side::Customer),
        Visibility::Only(Side::Supplier),
    ];

    /// In words, for pages (from the managers' catalog).
    pub fn label(self) -> String {
        crate::i18n::en(self.label_key())
    }

    /// The catalog key of [`Visibility::label`].
    pub fn label_key(self) -> &'static str {
        match self {
            Visibility::Both => "visibility-both",
            Visibility::Only(Side::Customer) => "visibility-customer",
            Visibility::Only(Side::Supplier) => "visibility-supplier",
        }
    }
}

/// Refusal of a partnership: answer 404 with the same words as for a missing partnership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::i18n::en1("access-problem-no-partnership", "id", .0))]
pub struct NotVisible(pub i64);

/// Which partnerships a user reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reach {
    Nothing,
    Everything,
    Some(BTreeMap<i64, Visibility>),
}

/// What one user may see and do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    role: Role,
    reach: Reach,
}

impl Access {
    /// The decision for `user` with their `scopes` (rows of `user_scopes`).
    pub fn for_user(user: &User, scopes: &[Scope]) -> Access {
        let scoped = |one_side: bool| {
            Reach::Some(
                scopes
                    .iter()
                    .map(|s| {
                        let v = match s.side {
                            Some(side) if one_side => Visibility::Only(side),
                            _ => Visibility::Both,
                        };
                        (s.partnership_id, v)
                    })
                    .collect(),
            )
        };
        let reach = if user.disabled {
            Reach::Nothing
        } else {
            match user.role {
                Role::Admin => Reach::Everything,
                Role::Ombudsman if user.all_partnerships => Reach::Everything,
                Role::Ombudsman => scoped(false),
                Role::Manager => scoped(true),
            }
        };
        Access {
            role: user.role,
            reach,
        }
    }

    /// What the administrator behind the admin token or the CLI may see: everything.
    pub fn administrator() -> Access {
        Access {
            role: Role::Admin,
            reach: Reach::Everything,
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin && self.reach == Reach::Everything
    }

    /// Ombudsmen and admins acknowledge, annotate and resolve flags.
    pub fn can_manage_flags(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Ombudsman) && self.reach != Reach::Nothing
    }

    pub fn can_see_partnership(&self, id: i64) -> bool {
        self.visible_side(id).is_some()
    }

    /// `None` when the partnership is out of reach.
    pub fn visible_side(&self, id: i64) -> Option<Visibility> {
        match &self.reach {
            Reach::Nothing => None,
            Reach::Everything => Some(Visibility::Both),
            Reach::Some(map) => map.get(&id).copied(),
        }
    }

    /// The check every partnership route makes: `Err` becomes 404.
    pub fn check_partnership(&self, id: i64) -> Result<Visibility, NotVisible> {
        self.visible_side(id).ok_or(NotVisible(id))
    }

    /// Keeps the ids of `all` this user may see, in the given order.
    pub fn filter_visible(&self, all: impl IntoIterator<Item = i64>) -> Vec<i64> {
        all.into_iter()
            .filter(|id| self.can_see_partnership(*id))
            .collect()
    }

    /// True when the user sees every partnership (no list of ids needed).
    pub fn sees_everything(&self) -> bool {
        self.reach == Reach::Everything
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, all: bool) -> User {
        User {
            id: 1,
            email: "a@x.com".into(),
            role,
            all_partnerships: all,
            disabled: false,
            has_password: true,
            created_at: chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap(),
        }
    }

    fn scope(p: i64, side: Option<Side>) -> Scope {
        Scope {
            partnership_id: p,
            side,
        }
    }

    #[test]
    fn an_admin_sees_every_partnership_and_both_sides() {
        let a = Access::for_user(&user(Role::Admin, false), &[]);
        assert!(a.is_admin());
        assert!(a.can_manage_flags());
        assert_eq!(a.visible_side(42), Some(Visibility::Both));
        assert!(a.sees_everything());
    }

    #[test]
    fn a_manager_sees_only_scoped_partnerships_and_the_chosen_side() {
        let a = Access::for_user(
            &user(Role::Manager, false),
            &[scope(1, None), scope(2, Some(Side::Supplier))],
        );
        assert_eq!(a.visible_side(1), Some(Visibility::Both));
        assert_eq!(a.visible_side(2), Some(Visibility::Only(Side::Supplier)));
        assert_eq!(a.visible_side(3), None);
        assert_eq!(a.check_partnership(3), Err(NotVisible(3)));
        assert!(!a.is_admin());
        assert!(!a.can_manage_flags());
        assert_eq!(a.filter_visible([3, 2, 1]), vec![2, 1]);
        assert!(Visibility::Only(Side::Supplier).includes(Side::Supplier));
        assert!(!Visibility::Only(Side::Supplier).includes(Side::Customer));
    }

    #[test]
    fn a_manager_flagged_all_partnerships_still_sees_only_their_scope() {
        let a = Access::for_user(&user(Role::Manager, true), &[scope(1, None)]);
        assert!(!a.sees_everything());
        assert!(!a.can_see_partnership(2));
    }

    #[test]
    fn an_ombudsman_sees_all_or_a_set_always_both_sides() {
        let all = Access::for_user(&user(Role::Ombudsman, true), &[]);
        assert!(all.can_see_partnership(7));
        assert!(all.can_manage_flags());
        assert!(!all.is_admin());
        let set = Access::for_user(
            &user(Role::Ombudsman, false),
            &[scope(1, Some(Side::Customer))],
        );
        assert_eq!(set.visible_side(1), Some(Visibility::Both));
        assert!(!set.can_see_partnership(2));
    }

    #[test]
    fn a_disabled_user_sees_nothing_and_manages_nothing() {
        let mut u = user(Role::Admin, true);
        u.disabled = true;
        let a = Access::for_user(&u, &[scope(1, None)]);
        assert!(!a.can_see_partnership(1));
        assert!(!a.is_admin());
        assert!(!a.can_manage_flags());
    }

    #[test]
    fn the_refusal_reads_like_a_missing_partnership() {
        assert_eq!(
            NotVisible(9).to_string(),
            "there is no partnership with id 9"
        );
    }

    #[test]
    fn every_visibility_has_catalog_words_and_they_read_as_before() {
        let words: Vec<String> = Visibility::ALL.iter().map(|v| v.label()).collect();
        assert_eq!(
            words,
            ["both firms", "customer side only", "supplier side only"]
        );
        for v in Visibility::ALL {
            assert_ne!(v.label(), v.label_key(), "{v:?} has no catalog words");
        }
    }
}
