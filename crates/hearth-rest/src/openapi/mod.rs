//! The OpenAPI 3.1 document, generated from the handlers' annotations, then completed with
//! the error statuses every operation's extractors imply ([`statuses`]) and the domain's
//! rules ([`rules`]). Clients are generated from it, so it must say exactly what the server
//! accepts and answers.

mod rules;
mod statuses;

use serde_json::Value;
use utoipa::openapi::OpenApi as Spec;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hearth",
        description = "Hearth's REST API (`/v1`). Every response is an envelope: `{\"data\": …}` \
                       on success, `{\"error\": {\"code\", \"message\", \"details\"?}}` on failure.",
    ),
    modifiers(&BearerAuth),
    components(schemas(hearth_proto::ErrorEnvelope, hearth_proto::ErrorCode)),
    tags(
        (name = "auth", description = "Accounts and sessions"),
        (name = "users", description = "People"),
        (name = "conversations", description = "Conversations and read markers"),
        (name = "messages", description = "Sending and reading messages"),
        (name = "sync", description = "Bootstrap and incremental sync"),
        (name = "media", description = "Uploads (direct and presigned) and downloads of files"),
    )
)]
pub(crate) struct ApiDoc;

impl ApiDoc {
    /// The document's fixed parts, before the routes are added.
    pub(crate) fn openapi_base() -> Spec {
        let mut spec = <Self as OpenApi>::openapi();
        spec.info.version = env!("CARGO_PKG_VERSION").to_owned();
        spec
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, spec: &mut Spec) {
        let components = spec.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The complete OpenAPI document, as served at `/v1/openapi.json`.
pub fn openapi() -> Value {
    finish(&crate::spec())
}

/// Adds what the annotations cannot say to the generated document. The additions are made on
/// its JSON form and served as that: OpenAPI 3.1's JSON Schema (`oneOf` beside `properties`,
/// `propertyNames`, a required header) says more than `utoipa`'s types can hold.
pub(crate) fn finish(spec: &Spec) -> Value {
    let mut doc = serde_json::to_value(spec).unwrap_or_default();
    statuses::apply(&mut doc);
    rules::apply(&mut doc);
    doc
}
