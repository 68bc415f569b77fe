//! A profile picture's name.
//!
//! Every change of a picture gets a new random name, so a picture's address never shows other
//! bytes: clients and caches may keep it for ever, and an old address stops working once the
//! picture changes. The name is also the capability to fetch the picture without signing in,
//! as a web page's `<img>` must: 122 random bits cannot be guessed. This module never says
//! where the picture is stored or served; that is the faces' and the blob store's business.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::PictureFormat;

/// A profile picture's name: `<32 hex digits>.<jpg|png>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AvatarRef {
    token: Uuid,
    format: PictureFormat,
}

impl AvatarRef {
    /// A new, random name for a picture encoded as `format`.
    pub fn new(format: PictureFormat) -> Self {
        Self {
            token: Uuid::new_v4(),
            format,
        }
    }

    /// How the picture is encoded.
    pub fn format(&self) -> PictureFormat {
        self.format
    }
}

impl fmt::Display for AvatarRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.token.simple(), self.format.extension())
    }
}

/// A string that is not a picture's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an avatar name")]
pub struct NotAnAvatar;

impl FromStr for AvatarRef {
    type Err = NotAnAvatar;

    /// Reads a name as [`fmt::Display`] writes it (and nothing else: upper-case or hyphenated
    /// tokens are not the same name).
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let (token, extension) = raw.split_once('.').ok_or(NotAnAvatar)?;
        let format = match extension {
            "jpg" => PictureFormat::Jpeg,
            "png" => PictureFormat::Png,
            _ => return Err(NotAnAvatar),
        };
        let is_simple_hex = token.len() == 32
            && token
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !is_simple_hex {
            return Err(NotAnAvatar);
        }
        let token = Uuid::try_parse(token).map_err(|_| NotAnAvatar)?;
        Ok(Self { token, format })
    }
}

impl Serialize for AvatarRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AvatarRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_reads_back_as_written() {
        let avatar = AvatarRef::new(PictureFormat::Png);
        let name = avatar.to_string();
        assert!(name.ends_with(".png") && name.len() == 36, "{name}");
        assert_eq!(name.parse::<AvatarRef>(), Ok(avatar));
    }

    #[test]
    fn every_new_name_differs() {
        assert_ne!(
            AvatarRef::new(PictureFormat::Jpeg),
            AvatarRef::new(PictureFormat::Jpeg)
        );
    }

    #[test]
    fn only_the_written_form_is_a_name() {
        let name = AvatarRef::new(PictureFormat::Jpeg).to_string();
        for bad in [
            name.to_uppercase(),
            name.replace(".jpg", ".gif"),
            name.replace(".jpg", ""),
            format!("../{name}"),
            "0123456789abcdef0123456789abcdeg.jpg".to_owned(),
            "01234567-89ab-cdef-0123-456789abcdef.jpg".to_owned(),
        ] {
            assert_eq!(bad.parse::<AvatarRef>(), Err(NotAnAvatar), "{bad}");
        }
    }
}
