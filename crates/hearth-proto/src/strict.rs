//! Deserializers that hold request fields to what their schema says, where serde's defaults
//! are more lenient or stricter than JSON: a nested object must be an object (serde would
//! read a struct from an array too), and an integer is any JSON number with no fraction
//! (JSON does not tell `3` from `3.0`, and neither does JSON Schema's `integer`).

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde_json::{Map, Value};

/// An optional nested object: absent or `null` is `None`; anything but an object is refused.
pub(crate) fn object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Option::<Map<String, Value>>::deserialize(deserializer)?
        .map(|map| T::deserialize(Value::Object(map)).map_err(de::Error::custom))
        .transpose()
}

/// A JSON integer as `i64`: `3` and `3.0` alike, never `3.5` or one beyond `i64`.
pub fn integer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_any(IntegerVisitor)
}

struct IntegerVisitor;

impl Visitor<'_> for IntegerVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<i64, E> {
        Ok(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<i64, E> {
        i64::try_from(value).map_err(|_| E::custom("integer out of range"))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<i64, E> {
        // i64's range as f64: [-2^63, 2^63); `as` would saturate, so check before converting.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        if value.fract() == 0.0 && (-LIMIT..LIMIT).contains(&value) {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "checked integral and in range"
            )]
            Ok(value as i64)
        } else {
            Err(E::invalid_type(de::Unexpected::Float(value), &self))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Seq(#[serde(deserialize_with = "integer")] i64);

    #[test]
    fn an_integral_number_is_an_integer_however_written() {
        for (json, seq) in [
            ("3", 3),
            ("3.0", 3),
            ("-2", -2),
            ("9223372036854775807", i64::MAX),
        ] {
            assert_eq!(serde_json::from_str::<Seq>(json).unwrap().0, seq, "{json}");
        }
    }

    #[test]
    fn a_fraction_or_an_overflow_is_not() {
        for json in ["3.5", "9223372036854775808", "1e300", "\"3\""] {
            assert!(serde_json::from_str::<Seq>(json).is_err(), "{json}");
        }
    }
}
