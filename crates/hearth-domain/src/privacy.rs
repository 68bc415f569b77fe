//! Consent (seed 001): who may start a direct conversation with me or add me to a group, and
//! blocking. The rules decide from facts the use case gathers (does the block exist, do the
//! two share a conversation); this module never reads anything itself.

/// Whom a user accepts something from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Consent {
    /// Anyone.
    #[default]
    Everyone,
    /// Only people who already share a conversation with them.
    SharedConversations,
    /// Nobody.
    Nobody,
}

impl Consent {
    /// The stable name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Everyone => "everyone",
            Self::SharedConversations => "shared_conversations",
            Self::Nobody => "nobody",
        }
    }

    /// Parses the stable name.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Everyone, Self::SharedConversations, Self::Nobody]
            .into_iter()
            .find(|c| c.as_str() == name)
    }

    /// Whether someone is accepted, given whether they already share a conversation.
    pub fn accepts(self, shares_a_conversation: bool) -> bool {
        match self {
            Self::Everyone => true,
            Self::SharedConversations => shares_a_conversation,
            Self::Nobody => false,
        }
    }
}

/// A user's privacy settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Privacy {
    /// Who may start a direct conversation with them.
    pub direct_messages: Consent,
    /// Who may add them to a group, room or channel.
    pub group_invites: Consent,
}

/// What stands between two people, as the consent rules need it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Relation {
    /// Whether either has blocked the other.
    pub blocked: bool,
    /// Whether they share at least one conversation.
    pub share_a_conversation: bool,
}

/// Why someone may not reach a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentRefusal {
    /// One of the two blocked the other.
    Blocked,
    /// The user does not accept direct messages from them.
    NoDirectMessages,
    /// The user does not accept being added by them.
    NoInvites,
}

impl ConsentRefusal {
    /// The refusal's message, for the error envelope. It never says which of the two blocked.
    pub fn message(self) -> &'static str {
        match self {
            Self::Blocked => "you cannot reach this user",
            Self::NoDirectMessages => "this user does not accept direct messages from you",
            Self::NoInvites => "this user does not accept being added by you",
        }
    }
}

/// Whether someone may post in an existing direct conversation: only a block stops that
/// (consent was asked when the conversation started). `blocked`: either has blocked the other.
pub fn may_post_directly(blocked: bool) -> Result<(), ConsentRefusal> {
    if blocked {
        return Err(ConsentRefusal::Blocked);
    }
    Ok(())
}

/// Whether someone may start a direct conversation with a user who has `privacy`.
pub fn may_start_direct(privacy: Privacy, relation: Relation) -> Result<(), ConsentRefusal> {
    may_post_directly(relation.blocked)?;
    if !privacy
        .direct_messages
        .accepts(relation.share_a_conversation)
    {
        return Err(ConsentRefusal::NoDirectMessages);
    }
    Ok(())
}

/// Whether someone may add a user who has `privacy` to a conversation.
pub fn may_invite(privacy: Privacy, relation: Relation) -> Result<(), ConsentRefusal> {
    if relation.blocked {
        return Err(ConsentRefusal::Blocked);
    }
    if !privacy.group_invites.accepts(relation.share_a_conversation) {
        return Err(ConsentRefusal::NoInvites);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocking_beats_every_setting() {
        let open = Privacy::default();
        let blocked = Relation {
            blocked: true,
            share_a_conversation: true,
        };
        assert_eq!(
            may_post_directly(blocked.blocked),
            Err(ConsentRefusal::Blocked)
        );
        assert_eq!(may_invite(open, blocked), Err(ConsentRefusal::Blocked));
    }

    #[test]
    fn shared_conversations_admit_only_acquaintances() {
        let privacy = Privacy {
            direct_messages: Consent::SharedConversations,
            group_invites: Consent::Nobody,
        };
        let stranger = Relation::default();
        let acquaintance = Relation {
            share_a_conversation: true,
            ..Relation::default()
        };
        assert!(may_start_direct(privacy, stranger).is_err());
        assert!(may_start_direct(privacy, acquaintance).is_ok());
        // An existing conversation goes on: consent was asked when it started.
        assert!(may_post_directly(stranger.blocked).is_ok());
        assert_eq!(
            may_invite(privacy, acquaintance),
            Err(ConsentRefusal::NoInvites)
        );
    }

    #[test]
    fn consent_names_round_trip() {
        for consent in [
            Consent::Everyone,
            Consent::SharedConversations,
            Consent::Nobody,
        ] {
            assert_eq!(Consent::parse(consent.as_str()), Some(consent));
        }
        assert_eq!(Consent::parse("friends"), None);
    }
}
