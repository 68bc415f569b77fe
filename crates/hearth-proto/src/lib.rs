//! Hearth's wire types: what crosses the network, shared by the server's faces and the clients.
//!
//! Every request and response body of REST `/v1` is a type here, and so is the table of public
//! error codes that every face renders ([`ErrorCode`]). Field names are seed 000's contract,
//! verbatim. This crate must never depend on the server (no store, no axum): the SDK and the
//! web client's generated types are built from it alone.

mod account_data;
mod auth;
mod conversations;
mod envelope;
mod error_code;
mod groups;
mod media;
mod message_features;
mod messages;
mod sign_in;
pub mod socketio;
pub mod strict;
mod sync;
mod users;
pub mod ws;

pub use account_data::{AccountExportDto, DeleteAccountRequest};
pub use auth::{
    ChangeEmailRequest, ChangePasswordRequest, LoginRequest, LogoutRequest, PasswordResetConfirm,
    PasswordResetRequest, RefreshRequest, RegisterRequest, RegistrationPending,
    ResendVerificationRequest, SessionDto, SessionList, SessionResponse, SessionsEnded, Tokens,
    TokensResponse, VerifyEmailRequest,
};
pub use conversations::{
    ConversationDto, ConversationList, DeliveredMarker, DirectRequest, MarkDeliveredRequest,
    MarkReadRequest, MemberDto, PermissionsDto, ReadMarker,
};
pub use envelope::{Envelope, ErrorBody, ErrorEnvelope, Ok};
pub use error_code::ErrorCode;
pub use groups::{
    AddMemberRequest, BlockList, BlockRequest, BlockedUserDto, CreateConversationRequest,
    DiscoverList, JoinRequestDto, JoinRequestList, MemberList, PermissionsPatchDto, PrivacyDto,
    PublicConversationDto, TransferRequest, UpdateMemberRequest, UpdatePrivacyRequest,
    UpdateSettingsRequest,
};
pub use media::{BeginUploadRequest, MediaDto, PresignedUploadDto, ThumbnailDto, UploadForm};
pub use message_features::{
    EditMessageRequest, SearchResult, SearchResults, SnippetPart, ThreadPage,
};
pub use messages::{MessageDto, MessagePage, ReactionDto, SendMessageRequest, ThreadDto};
pub use sign_in::{
    AuthorizeRequest, AuthorizeResponse, HandoffRequest, IdentityDto, IdentityList, ProviderDto,
    ProviderList,
};
pub use sync::{Bootstrap, ChangeEvent, Changes, ConversationChanges, SettingsDto};
pub use users::{SetAvatarRequest, UpdateProfileRequest, UserDto, UserList, avatar_url};

mod from_domain;
