//! The states, decisions, phases, roles and kinds that cross the ffi boundary, as enums with
//! their labels: shells switch on these and localise the label's key, never a string.

use serde::Serialize;

use super::messages::{MessageKey, UserMessage};
use crate::model::review;
#[cfg(feature = "client")]
use crate::sync::engine;
use crate::sync::{policy, protocol};

macro_rules! state_enum {
    ($(#[$meta:meta])* $name:ident = $internal:path { $($variant:ident => $key:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, uniffi::Enum)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }
        super::records::mirror_from!($name = $internal { $($variant),+ });
        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The key of this value's label.
            pub fn label_key(self) -> MessageKey {
                match self { $($name::$variant => MessageKey::$key),+ }
            }
            /// The value as stored and sent (`awaiting_review`, `ozone_analyst`, ...).
            pub fn as_str(self) -> &'static str {
                <$internal>::from(self).as_str()
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        #[uniffi::export]
        impl $name {
            /// What to show for this value, as a key for the shell's resources.
            pub fn label(&self) -> UserMessage {
                UserMessage::plain(self.label_key())
            }
        }
    };
}

state_enum!(
    /// Where an inspection stands in review, derived from its reviews and current version.
    ReviewState = review::ReviewState {
        Draft => ReviewStateDraft,
        AwaitingReview => ReviewStateAwaitingReview,
        ChangedSinceSubmission => ReviewStateChangedSinceSubmission,
        Returned => ReviewStateReturned,
        Approved => ReviewStateApproved,
        ChangedSinceApproval => ReviewStateChangedSinceApproval,
    }
);

state_enum!(
    /// A supervisor's decision.
    Decision = review::Decision {
        Approved => DecisionApproved,
        Returned => DecisionReturned,
    }
);

state_enum!(
    /// A user's role on the agency server.
    Role = policy::Role {
        Officer => RoleOfficer,
        Supervisor => RoleSupervisor,
        OzoneAnalyst => RoleOzoneAnalyst,
        Admin => RoleAdmin,
    }
);

state_enum!(
    /// Why the server refused a document.
    RefusalCode = protocol::RefusalCode {
        NotAllowed => RefusalNotAllowed,
        Malformed => RefusalMalformed,
        InvalidContent => RefusalInvalidContent,
        Stale => RefusalStale,
        WaitingForPhoto => RefusalWaitingForPhoto,
        WaitingForInspection => RefusalWaitingForInspection,
        Other => RefusalOther,
    }
);

/// The step a running sync is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    Feed,
    Documents,
    Photos,
    /// An attempt failed and the next one is waiting.
    Retry,
    Done,
}

#[cfg(feature = "client")]
impl From<engine::Phase> for SyncPhase {
    fn from(p: engine::Phase) -> Self {
        match p {
            engine::Phase::Feed => SyncPhase::Feed,
            engine::Phase::Documents => SyncPhase::Documents,
            engine::Phase::Photos => SyncPhase::Photos,
            engine::Phase::Done => SyncPhase::Done,
        }
    }
}

impl SyncPhase {
    /// The phase as shown on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncPhase::Feed => "feed",
            SyncPhase::Documents => "documents",
            SyncPhase::Photos => "photos",
            SyncPhase::Retry => "retry",
            SyncPhase::Done => "done",
        }
    }
}

/// The kind of a synced document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Inspection,
    Review,
    Photo,
}

impl DocumentKind {
    /// The kind as stored and sent (`inspection`, `review`).
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Inspection => "inspection",
            DocumentKind::Review => "review",
            DocumentKind::Photo => "photo",
        }
    }

    /// Parses [`DocumentKind::as_str`].
    pub fn parse(s: &str) -> Option<DocumentKind> {
        [
            DocumentKind::Inspection,
            DocumentKind::Review,
            DocumentKind::Photo,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_its_own_label() {
        let mut keys = std::collections::HashSet::new();
        for k in ReviewState::ALL
            .iter()
            .map(|s| s.label_key())
            .chain(Decision::ALL.iter().map(|d| d.label_key()))
            .chain(Role::ALL.iter().map(|r| r.label_key()))
            .chain(RefusalCode::ALL.iter().map(|r| r.label_key()))
        {
            keys.insert(k.id_str());
        }
        assert_eq!(
            keys.len(),
            ReviewState::ALL.len() + Decision::ALL.len() + Role::ALL.len() + RefusalCode::ALL.len()
        );
    }
}
