//! What a signed-in session calls its device, so its owner can tell sessions apart in the
//! list of them ("Firefox on Linux", "hearth-tui", "Alice's phone").
//!
//! A client may name itself; otherwise the name is read from its `User-Agent`. Must never keep
//! the whole user-agent string (it is a fingerprint, and unbounded).

use crate::ValidationErrors;

/// A session's device name: 1–64 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceName(String);

/// The name of a session whose client said nothing about itself.
const UNKNOWN: &str = "Unknown device";

impl DeviceName {
    /// Longest allowed device name, in characters.
    pub const MAX_LEN: usize = 64;

    /// Validates a name a client gave its device (surrounding whitespace is dropped).
    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        let name = raw.trim();
        let len = name.chars().count();
        if len == 0 || len > Self::MAX_LEN || name.chars().any(char::is_control) {
            return Err(ValidationErrors::field(
                "device_name",
                format!(
                    "must be 1–{} characters long, without control characters",
                    Self::MAX_LEN
                ),
            ));
        }
        Ok(Self(name.to_owned()))
    }

    /// A name summarised from a `User-Agent` header: the browser and the system for a browser
    /// ("Firefox on Linux"), else the product token ("hearth-tui", "curl"), else
    /// "Unknown device".
    pub fn from_user_agent(user_agent: Option<&str>) -> Self {
        let Some(agent) = user_agent.map(str::trim).filter(|a| !a.is_empty()) else {
            return Self(UNKNOWN.to_owned());
        };
        if let Some(browser) = browser_of(agent) {
            return Self(match system_of(agent) {
                Some(system) => format!("{browser} on {system}"),
                None => browser.to_owned(),
            });
        }
        let product = agent
            .split(['/', ' '])
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(Self::MAX_LEN)
            .collect::<String>();
        Self(if product.is_empty() {
            UNKNOWN.to_owned()
        } else {
            product
        })
    }

    /// Wraps a name read back from storage.
    pub fn from_trusted(name: String) -> Self {
        Self(name)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The browser a user agent names, most specific token first (Edge and Opera also say
/// "Chrome", Chrome also says "Safari").
fn browser_of(agent: &str) -> Option<&'static str> {
    const BROWSERS: &[(&str, &str)] = &[
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    if !agent.starts_with("Mozilla/") {
        return None;
    }
    BROWSERS
        .iter()
        .find(|(token, _)| agent.contains(token))
        .map(|(_, name)| *name)
}

/// The operating system a browser's user agent names.
fn system_of(agent: &str) -> Option<&'static str> {
    const SYSTEMS: &[(&str, &str)] = &[
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    SYSTEMS
        .iter()
        .find(|(token, _)| agent.contains(token))
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(agent: &str) -> String {
        DeviceName::from_user_agent(Some(agent)).as_str().to_owned()
    }

    #[test]
    fn a_browser_is_named_by_browser_and_system() {
        assert_eq!(
            named("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"),
            "Firefox on Linux"
        );
        assert_eq!(
            named(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
            ),
            "Edge on Windows"
        );
        assert_eq!(
            named(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 \
                 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
            ),
            "Safari on iOS"
        );
        assert_eq!(
            named(
                "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/131.0.0.0 Mobile Safari/537.36"
            ),
            "Chrome on Android"
        );
    }

    #[test]
    fn another_client_is_named_by_its_product_token() {
        assert_eq!(named("curl/8.11.0"), "curl");
        assert_eq!(named("hearth-sdk/0.1.0"), "hearth-sdk");
        assert_eq!(named(&"x".repeat(500)).chars().count(), DeviceName::MAX_LEN);
    }

    #[test]
    fn no_user_agent_is_an_unknown_device() {
        assert_eq!(DeviceName::from_user_agent(None).as_str(), "Unknown device");
        assert_eq!(
            DeviceName::from_user_agent(Some("  ")).as_str(),
            "Unknown device"
        );
    }

    #[test]
    fn a_given_name_is_trimmed_and_bounded() {
        assert_eq!(
            DeviceName::parse("  Alice's phone ").map(|n| n.0),
            Ok("Alice's phone".to_owned())
        );
        assert!(DeviceName::parse("").is_err());
        assert!(DeviceName::parse(&"a".repeat(65)).is_err());
        assert!(DeviceName::parse("tab\there").is_err());
    }
}
