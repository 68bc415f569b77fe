//! Hearth's domain: the identifiers, validated values and entities every other crate speaks in.
//!
//! This crate is sans I/O: no async runtime, no database, no HTTP. A value of one of its
//! newtypes (a [`Username`], a [`MessageContent`], …) has passed its rule, so code further out
//! never re-checks it. It must never depend on a framework, a driver or a wire format.

mod avatar;
mod conversation;
mod delivery;
mod device;
mod event;
mod ids;
mod media;
mod mention;
mod message;
mod paging;
mod permissions;
mod picture;
mod privacy;
mod reaction;
mod search;
mod thread;
mod thumbnail;
mod user;
mod validation;

pub use avatar::{AvatarRef, NotAnAvatar};
pub use conversation::{
    Access, Conversation, ConversationKind, ConversationSummary, Description, HistoryVisibility,
    Member, Role, Settings, Title,
};
pub use delivery::{DeliveryStatus, MemberMarker, ReceiptKind};
pub use device::DeviceName;
pub use event::{ConversationEvent, EventKind};
pub use ids::{ConversationId, MediaId, MessageId, SessionId, UserId};
pub use media::{FileName, Media, MediaKind, MediaStatus};
pub use mention::{mention_names, resolve_mentions};
pub use message::{ClientMessageId, Message, MessageContent, preview_of, preview_of_sent};
pub use paging::{Limit, Seq, SeqWindow};
pub use permissions::{Action, EditRefusal, Permissions, Refusal, authorize, may_delete, may_edit};
pub use picture::PictureFormat;
pub use privacy::{
    Consent, ConsentRefusal, Privacy, Relation, may_invite, may_post_directly, may_start_direct,
};
pub use reaction::{Emoji, Reaction};
pub use search::{SearchCursor, SearchHit, SearchTerm, SearchText, SnippetPart};
pub use thread::ThreadSummary;
pub use thumbnail::{NotAThumbnailSize, Thumbnail, ThumbnailSize};
pub use user::{About, DisplayName, Password, SearchQuery, User, Username};
pub use validation::{FieldError, ValidationErrors};

/// Time as every layer stores and transmits it: UTC with nanosecond precision.
pub type Timestamp = time::OffsetDateTime;
