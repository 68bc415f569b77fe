//! Helpers of the GraphQL tests: `POST /graphql` as a user (or nobody), and reading a
//! response's data and error codes.

use serde_json::{Value, json};

use crate::support::{Response, Session, TestApp, read};

/// A GraphQL response.
#[derive(Debug)]
pub struct Gql(pub Response);

impl Gql {
    /// `data`, asserting there are no errors.
    #[track_caller]
    pub fn data(&self) -> &Value {
        assert!(
            self.0.body["errors"].is_null(),
            "unexpected errors: {}",
            self.0.body
        );
        &self.0.body["data"]
    }

    /// The `extensions.code` of every error, in order.
    pub fn codes(&self) -> Vec<String> {
        self.0.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        e["extensions"]["code"]
                            .as_str()
                            .unwrap_or("<no code>")
                            .to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Asserts exactly one error, with this code.
    #[track_caller]
    pub fn expect_code(&self, code: &str) {
        assert_eq!(self.codes(), vec![code.to_owned()], "body: {}", self.0.body);
    }
}

impl TestApp {
    /// `POST /graphql` with `query` and `variables`, as `who` (`None`: no token).
    pub async fn gql_as(&self, who: Option<&str>, query: &str, variables: Value) -> Gql {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = who {
            request = request.bearer_auth(token);
        }
        Gql(read(request.send().await.expect("POST /graphql")).await)
    }

    /// `POST /graphql` as `who`.
    pub async fn gql(&self, who: &Session, query: &str, variables: Value) -> Gql {
        self.gql_as(Some(&who.access), query, variables).await
    }

    /// The process's count of store reads (`hearth_store_reads_total`).
    pub async fn store_reads(&self) -> u64 {
        let metrics = self.metrics().await;
        metrics
            .lines()
            .find_map(|line| line.strip_prefix("hearth_store_reads_total "))
            .and_then(|value| value.trim().parse::<f64>().ok())
            .map_or(0, |value| value as u64)
    }
}
