//! Where Redis is and how Hearth names what it keeps there.

/// The Redis a node shares with the other nodes.
#[derive(Clone, Debug)]
pub struct RedisSettings {
    /// `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS).
    pub url: String,
    /// Put before every key and channel name, so that several Hearth instances (or test runs)
    /// can share one Redis. Default `hearth:`.
    pub prefix: String,
}

impl RedisSettings {
    /// Settings for `url` with the default prefix.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            prefix: "hearth:".to_owned(),
        }
    }

    /// The pub/sub channel every node publishes to and listens on.
    pub(crate) fn bus_channel(&self) -> String {
        format!("{}bus", self.prefix)
    }

    /// Checks the settings without connecting (a bad URL or prefix is a configuration error
    /// at start, not a node that never connects).
    pub fn check(&self) -> Result<(), RedisError> {
        let plain = !self.prefix.is_empty()
            && self.prefix.len() <= 64
            && self.prefix.chars().all(|c| c.is_ascii_graphic());
        if !plain {
            return Err(RedisError::Prefix);
        }
        self.client().map(drop)
    }

    /// A client for the URL (connecting happens later).
    pub(crate) fn client(&self) -> Result<redis::Client, RedisError> {
        redis::Client::open(self.url.as_str()).map_err(|source| RedisError::Url {
            reason: source.to_string(),
        })
    }
}

/// Why Redis cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RedisError {
    /// The prefix is empty, too long or has spaces or control characters.
    #[error("redis.prefix must be 1–64 printable ASCII characters without spaces")]
    Prefix,
    /// The URL cannot be read (the URL itself is not repeated: it may hold a password).
    #[error("redis.url is not a Redis URL: {reason}")]
    Url {
        /// What is wrong with it.
        reason: String,
    },
}
