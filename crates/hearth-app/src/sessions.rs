//! A user's sessions: where each sign-in comes from, the list of them, and ending one or all
//! the others ("sign out that device", "sign out everywhere else").
//!
//! Ending a session is done in one place, [`AuthService::end_sessions_now`]: the store revokes
//! its refresh tokens, and this node and every other (the bus carries
//! [`Signal::SessionEnded`]) refuse its access tokens at once. Must never: let one user see or
//! end another's sessions, or keep a client's whole user-agent string.

use std::net::IpAddr;

use hearth_domain::{DeviceName, SessionId, Timestamp, UserId};

use crate::realtime::{BusMessage, Signal};
use crate::{AppError, AuthService, Caller, now};

/// Who is signing in, as far as the session list cares: their address and their device.
#[derive(Clone, Debug)]
pub struct ClientInfo {
    /// The client's address (also what rate limits count by).
    pub ip: IpAddr,
    /// The name the client gave its device, if it gave one.
    pub device_name: Option<String>,
    /// The client's `User-Agent`, which names the device when the client did not.
    pub user_agent: Option<String>,
}

impl ClientInfo {
    /// A client known only by its address.
    pub fn from_ip(ip: IpAddr) -> Self {
        Self {
            ip,
            device_name: None,
            user_agent: None,
        }
    }

    /// The device's name: the one given, else one read from the user agent.
    pub(crate) fn device(&self) -> Result<DeviceName, AppError> {
        match self.device_name.as_deref() {
            Some(name) => Ok(DeviceName::parse(name)?),
            None => Ok(DeviceName::from_user_agent(self.user_agent.as_deref())),
        }
    }
}

/// One of the caller's live sessions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// Its id.
    pub id: SessionId,
    /// What its device is called.
    pub device_name: DeviceName,
    /// When it signed in.
    pub created_at: Timestamp,
    /// When it last got tokens (a sign-in or a refresh: about every access-token lifetime
    /// while the client is in use).
    pub last_used_at: Timestamp,
    /// The address it last got tokens from.
    pub last_ip: String,
    /// Whether it is the session of the request that asked.
    pub current: bool,
}

impl AuthService {
    /// The caller's live sessions, the most recently used first.
    pub async fn sessions(&self, caller: Caller) -> Result<Vec<SessionInfo>, AppError> {
        let sessions = self.store.sessions_of(caller.user_id, now()).await?;
        Ok(sessions
            .into_iter()
            .map(|s| SessionInfo {
                current: s.id == caller.session_id,
                id: s.id,
                device_name: s.device_name,
                created_at: s.created_at,
                last_used_at: s.last_used_at,
                last_ip: s.last_ip,
            })
            .collect())
    }

    /// Ends one of the caller's sessions (their current one included: that is signing out).
    /// `NotFound` when they have no such live session, whoever's it is.
    pub async fn end_session(&self, caller: Caller, session: SessionId) -> Result<(), AppError> {
        let live = self.store.sessions_of(caller.user_id, now()).await?;
        if !live.iter().any(|s| s.id == session) {
            return Err(AppError::NotFound("session"));
        }
        self.store.revoke_session(session, now()).await?;
        self.announce_ended(&[session]);
        tracing::info!(user_id = %caller.user_id, session_id = %session.as_uuid(), "session ended by its owner");
        Ok(())
    }

    /// Ends every session of the caller but the one they call from; how many ended.
    pub async fn end_other_sessions(&self, caller: Caller) -> Result<usize, AppError> {
        let ended = self
            .end_sessions_now(caller.user_id, Some(caller.session_id))
            .await?;
        tracing::info!(user_id = %caller.user_id, ended, "other sessions ended by their owner");
        Ok(ended)
    }

    /// Ends every session of `user` but `keep`: in the store, and on every node; how many
    /// ended.
    pub(crate) async fn end_sessions_now(
        &self,
        user: UserId,
        keep: Option<SessionId>,
    ) -> Result<usize, AppError> {
        let ended = self.store.revoke_sessions_of(user, keep, now()).await?;
        self.announce_ended(&ended);
        Ok(ended.len())
    }

    /// Makes the access tokens of sessions the store just revoked stop working, here first
    /// (so this node refuses them before the bus brings the news back) and on every node.
    pub(crate) fn announce_ended(&self, sessions: &[SessionId]) {
        for &session in sessions {
            self.revocations.end(session);
            self.bus
                .publish(BusMessage::Signal(Signal::SessionEnded(session)));
        }
    }
}
