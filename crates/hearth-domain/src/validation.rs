//! Validation failures that name the offending field, so every face can tell the client which
//! input to fix (`details` of a 422 `validation_failed`).

use std::fmt;

/// One field that broke its rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field as the client named it (`username`, `limit`, …).
    pub field: String,
    /// What is wrong, in words a user can act on.
    pub message: String,
}

/// Every field that broke its rule in one request. Never empty when returned as an error.
#[derive(Clone, Debug, Default, PartialEq, Eq, thiserror::Error)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// A single failing field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    /// Records the failure of `result` (if any) and passes its value on.
    pub fn check<T>(&mut self, result: Result<T, ValidationErrors>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                self.0.extend(errors.0);
                None
            }
        }
    }

    /// `Ok(())` when nothing failed.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}
