//! Hearth's use cases: every rule about who may do what, and how, lives here once.
//!
//! Each face (REST, WebSocket, Socket.IO, GraphQL, gRPC) parses its input, calls a method of
//! [`App`], and renders the result; none of them checks a permission or a limit itself. The
//! use cases talk to the database only through the ports of `hearth-store`, so they run the
//! same on SQLite and PostgreSQL. This crate must never know about HTTP, sockets or SQL.

mod accounts;
mod auth;
mod avatars;
pub mod blobs;
mod blocks;
mod clock;
mod conversation_setup;
mod conversations;
pub mod data_keys;
mod ended_sessions;
mod error;
mod exact_cache;
mod external_sign_in;
pub mod identity_providers;
pub mod images;
mod mail;
mod mail_templates;
mod media;
mod media_access;
mod media_inspect;
mod media_urls;
mod members;
mod message_changes;
mod message_reads;
mod messages;
mod password;
mod privacy;
mod public_error;
mod rate_limit;
pub mod realtime;
mod revocations;
mod rosters;
mod service_tokens;
mod sessions;
mod settings;
mod sync;
mod thumbnails;
mod tokens;
mod user_lookup;
mod user_names;
mod users;

use std::sync::Arc;

use hearth_store::DynStore;

use crate::blocks::Blocks;
use crate::realtime::{BusReceiver, BusStatus, EventBus, Notifier, RealtimePorts, RealtimeService};
use crate::rosters::Rosters;
use crate::user_names::UserNames;

pub use accounts::{AccountExport, AccountService, DELETED_USER, Registered};
pub use auth::{AuthService, Caller, NewSession, RegisterInput};
pub use avatars::{AVATAR_SIDE, AvatarService, MAX_AVATAR_SOURCE_BYTES};
pub use clock::now;
pub use conversation_setup::{
    CreateInput, DiscoverInput, DiscoverPage, DiscoveredConversation, MAX_INITIAL_MEMBERS,
    MAX_QUERY_LEN, SettingsInput,
};
pub use conversations::{ConversationService, DirectOutcome, Membership};
pub use ended_sessions::EndedSessionFeed;
pub use error::AppError;
pub use external_sign_in::{
    BegunSignIn, Callback, FLOW_TTL, HANDOFF_TTL, SignInError, SignInIntent, SignInOutcome,
    SignInService,
};
/// Accounts as the operator lists them.
pub use hearth_store::Account;
/// Stored records the use cases hand to the faces as they are.
pub use hearth_store::{BlockedUser, ExternalIdentity, JoinRequest};
pub use mail::{Mail, MailError, Mailer, Outbox};
pub use mail_templates::Locale;
pub use media::{
    ByteRange, Download, MAX_UPLOAD_BYTES, MediaService, MediaSettings, PresignedUpload,
};
pub use media_access::parse_media_ids;
pub use members::{JoinOutcome, MemberUpdate, PermissionsPatch};
pub use message_changes::MessageChange;
pub use message_reads::{HistoryQuery, SearchInput, SearchPage, ThreadPageResult};
pub use messages::{MessagePageResult, MessageService, SendInput, SendOptions, Sent};
pub use privacy::{PrivacyInput, PrivacyService};
pub use public_error::PublicError;
pub use rate_limit::{RateKey, RateLimits, SharedLimits, SharedLimitsUnavailable};
pub use service_tokens::{MAX_SERVICE_TOKEN_TTL, Principal, SERVICE_AUDIENCE, ServiceIdentity};
pub use sessions::{ClientInfo, SessionInfo};
pub use settings::{AccountSettings, AuthSettings, LimitSettings, MessageSettings, Settings};
pub use sync::{BootstrapResult, ChangesResult, ConversationChangesResult, SyncService};
pub use thumbnails::{MAX_THUMBNAIL_SOURCE_BYTES, ThumbnailService};
pub use tokens::{JwtSecret, bearer_token};
pub use user_lookup::UserLookup;
pub use users::{ProfileInput, UserService};

/// Every use case, wired to one store. Cheap to clone; every face holds one.
#[derive(Clone, Debug)]
pub struct App {
    /// Register, login, refresh, logout, access-token checks.
    pub auth: AuthService,
    /// Password reset and change, and the operator's account tools.
    pub accounts: AccountService,
    /// Profiles and user search.
    pub users: UserService,
    /// Conversations, membership, read markers.
    pub conversations: ConversationService,
    /// Sending and reading messages.
    pub messages: MessageService,
    /// Bootstrap and incremental sync.
    pub sync: SyncService,
    /// Privacy settings and blocks.
    pub privacy: PrivacyService,
    /// A live connection's life: connect, subscribe, typing, presence, disconnect.
    pub realtime: RealtimeService,
    /// Sign-in and account links through external identity providers.
    pub sign_in: SignInService,
    /// Uploads and downloads of files.
    pub media: MediaService,
    /// Profile pictures.
    pub avatars: AvatarService,
    /// Thumbnails of image uploads (made by [`ThumbnailService::run`]).
    pub thumbnails: ThumbnailService,
    receiver: BusReceiver,
    revocations_kept_for: std::time::Duration,
    bus: Arc<dyn EventBus>,
    store: DynStore,
}

impl App {
    /// Wires the use cases to `store`, with realtime on `ports` and mail through `outbox`.
    /// Connect the bus to [`App::bus_receiver`] so that what is published reaches this node's
    /// connections.
    pub fn new(
        store: DynStore,
        settings: Settings,
        secret: JwtSecret,
        ports: RealtimePorts,
        outbox: Outbox,
    ) -> Self {
        let revocations = revocations::Revocations::new(settings.auth.access_token_ttl);
        let limits = Arc::new(RateLimits::with_shared(
            &settings.limits,
            ports.shared_limits.clone(),
        ));
        let rosters = Rosters::new(store.clone(), ports.bus.clone());
        let notifier = Notifier::new(
            store.clone(),
            ports.bus.clone(),
            settings.typing,
            rosters.clone(),
        );
        let blocks = Blocks::new(store.clone(), ports.bus.clone());
        let names = UserNames::new(store.clone(), ports.bus.clone());
        let receiver = BusReceiver {
            connections: ports.connections.clone(),
            viewers: ports.viewers.clone(),
            notifier: notifier.clone(),
            rosters: rosters.clone(),
            blocks: blocks.clone(),
            names: names.clone(),
            revocations: revocations.clone(),
        };
        let conversations = ConversationService::new(
            store.clone(),
            notifier.clone(),
            limits.clone(),
            rosters,
            blocks.clone(),
        );
        let media = MediaService::new(store.clone(), conversations.clone(), secret.bytes());
        let avatars = AvatarService::new(store.clone(), media.clone(), names.clone());
        let thumbnails = ThumbnailService::new(store.clone(), media.clone());
        let auth = AuthService::new(
            store.clone(),
            settings.auth,
            secret,
            limits.clone(),
            revocations.clone(),
            ports.bus.clone(),
            settings.accounts.require_email_verification,
        );
        let messages = MessageService::new(
            store.clone(),
            conversations.clone(),
            limits.clone(),
            notifier.clone(),
            settings.messages,
            names.clone(),
        );
        let accounts = AccountService::new(
            store.clone(),
            settings.accounts,
            outbox,
            limits.clone(),
            auth.clone(),
            accounts::AccountPeers {
                messages: messages.clone(),
                names: names.clone(),
                media: media.clone(),
                avatars: avatars.clone(),
            },
        );
        let sign_in = SignInService::new(store.clone(), auth.clone(), limits.clone());
        let users = UserService::new(store.clone(), names.clone(), limits.clone());
        let bus = ports.bus.clone();
        Self {
            realtime: RealtimeService::new(
                auth.clone(),
                users.clone(),
                conversations.clone(),
                notifier.clone(),
                ports,
            ),
            auth,
            sign_in,
            media,
            avatars,
            thumbnails,
            accounts,
            users,
            messages,
            sync: SyncService::new(store.clone(), conversations.clone()),
            privacy: PrivacyService::new(store.clone(), blocks),
            conversations,
            receiver,
            revocations_kept_for: revocations.kept_for(),
            bus,
            store,
        }
    }

    /// The same app, keeping files in `blobs` under `settings` (by default there is no blob
    /// store and every transfer is `Unavailable`).
    pub fn with_media(mut self, blobs: Arc<dyn blobs::BlobStore>, settings: MediaSettings) -> Self {
        self.media = self.media.with_blobs(blobs.clone(), settings);
        self.avatars = self.avatars.with_blobs(self.media.clone(), blobs.clone());
        self.thumbnails = self.thumbnails.with_blobs(self.media.clone(), blobs);
        self.accounts = self
            .accounts
            .with_media(self.media.clone(), self.avatars.clone());
        self
    }

    /// The same app, rendering pictures (profile pictures, thumbnails) with `images` (by
    /// default there is no renderer and every picture is refused as `Unavailable`).
    pub fn with_images(mut self, images: Arc<dyn images::ImageRenderer>) -> Self {
        self.avatars = self.avatars.with_images(images.clone());
        self.thumbnails = self.thumbnails.with_images(images);
        self.accounts = self
            .accounts
            .with_media(self.media.clone(), self.avatars.clone());
        self
    }

    /// The same app, signing in through these identity providers (none by default).
    pub fn with_identity_providers(
        mut self,
        providers: Vec<Arc<dyn identity_providers::IdentityProvider>>,
    ) -> Self {
        self.sign_in = self.sign_in.with_providers(providers);
        self
    }

    /// This node's end of the bus: the bus adapter hands it every message published by any
    /// node.
    pub fn bus_receiver(&self) -> BusReceiver {
        self.receiver.clone()
    }

    /// The feed of sessions ended by other processes, which this node must follow (spawn
    /// [`EndedSessionFeed::run`]) for an operator's `disable-user` to end sessions at once.
    pub fn ended_session_feed(&self) -> EndedSessionFeed {
        EndedSessionFeed::new(
            self.store.clone(),
            self.receiver.clone(),
            self.revocations_kept_for,
        )
    }

    /// Whether the bus reaches every node now (for `/readyz`).
    pub fn bus_status(&self) -> BusStatus {
        self.bus.status()
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ready(&self) -> Result<(), AppError> {
        self.store.ping().await.map_err(AppError::from)
    }

    /// The database's connection pool figures, when it keeps a pool (for `/readyz` and
    /// `/metrics`).
    pub fn database_pool(&self) -> Option<hearth_store::PoolFigures> {
        self.store.pool_figures()
    }
}
