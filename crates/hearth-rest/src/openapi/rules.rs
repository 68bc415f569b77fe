//! The rules of `hearth-domain` written into the OpenAPI document as JSON Schema keywords:
//! string lengths, patterns, enums, ranges of integer query parameters, required fields and
//! "exactly one of" — so generated clients and schema-driven fuzzers know what the server
//! accepts without reading the code.
//!
//! Every number comes from the constant the validation itself uses (`Password::MIN_LEN`,
//! `Limit::MAX`, …), so a rule changed in the domain changes the document too; `utoipa`'s
//! attributes take only literals, which is why the rules are applied here, after generation,
//! rather than on the fields. A rule naming a schema or property that does not exist is a
//! bug: the tests below fail on it. This module states rules; it never decides one.

use hearth_app::{MAX_INITIAL_MEMBERS, MAX_QUERY_LEN};
use hearth_domain::{
    About, ClientMessageId, Consent, ConversationKind, Description, DeviceName, DisplayName,
    FileName, HistoryVisibility, Limit, MessageContent, Password, Role, SearchQuery, SearchText,
    Title, Username,
};
use serde_json::{Map, Value, json};

/// Text with at least one character that is not white space (values are trimmed before their
/// length is checked, so blank text is empty).
const NOT_BLANK: &str = r"\S";
/// Text without control characters (Unicode category Cc), with at least one other character.
const NO_CONTROL_NOT_BLANK: &str = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$";
/// Text without control characters.
const NO_CONTROL: &str = r"^[^\u0000-\u001f\u007f-\u009f]*$";
/// `Username`: `a-z 0-9 _ . -`; upper case is accepted and folded to lower case.
/// A file name: no control characters and no path separators, not blank.
const FILE_NAME: &str = r"^[^\u0000-\u001f\u007f-\u009f/\\]*[^\s\u0000-\u001f\u007f-\u009f/\\][^\u0000-\u001f\u007f-\u009f/\\]*$";
const USERNAME: &str = r"^[A-Za-z0-9_.-]+$";

/// Keywords for text of `min..=max` characters.
fn length(min: usize, max: usize) -> Value {
    json!({ "minLength": min, "maxLength": max })
}

/// `keywords` with `more` merged in.
fn with(mut keywords: Value, more: Value) -> Value {
    if let (Some(target), Value::Object(more)) = (keywords.as_object_mut(), more) {
        target.extend(more);
    }
    keywords
}

fn names(values: &[&str]) -> Value {
    json!({ "enum": values })
}

/// `(schema, property, keywords)`: what each request field accepts.
fn body_rules() -> Vec<(&'static str, &'static str, Value)> {
    let username = with(
        length(Username::MIN_LEN, Username::MAX_LEN),
        json!({ "pattern": USERNAME }),
    );
    let password = length(Password::MIN_LEN, Password::MAX_LEN);
    let display_name = with(
        length(1, DisplayName::MAX_LEN),
        json!({ "pattern": NO_CONTROL_NOT_BLANK }),
    );
    let device_name = with(
        length(1, DeviceName::MAX_LEN),
        json!({ "pattern": NO_CONTROL_NOT_BLANK }),
    );
    let content = with(
        length(1, MessageContent::MAX_CHARS),
        json!({ "pattern": NOT_BLANK }),
    );
    let client_message_id = with(
        length(1, ClientMessageId::MAX_LEN),
        json!({ "pattern": NO_CONTROL }),
    );
    let (title_min, title_max) = Title::lengths(ConversationKind::Group);
    let title = with(
        length(title_min, title_max),
        json!({ "pattern": NO_CONTROL_NOT_BLANK }),
    );
    let description = json!({ "maxLength": Description::MAX_LEN });
    let visibility = names(&[
        HistoryVisibility::All.as_str(),
        HistoryVisibility::MemberJoinDate.as_str(),
        HistoryVisibility::None.as_str(),
    ]);
    let consent = names(&[
        Consent::Everyone.as_str(),
        Consent::SharedConversations.as_str(),
        Consent::Nobody.as_str(),
    ]);
    let uuid = json!({ "format": "uuid" });
    let email = json!({ "format": "email" });
    // Registering, an empty address is no address.
    let optional_email = json!({ "anyOf": [{ "format": "email" }, { "maxLength": 0 }] });
    let file_name = with(
        length(1, FileName::MAX_CHARS),
        json!({ "pattern": FILE_NAME, "not": { "enum": [".", ".."] } }),
    );
    vec![
        ("BeginUploadRequest", "file_name", file_name),
        (
            "BeginUploadRequest",
            "size",
            json!({ "minimum": 1, "maximum": hearth_app::MAX_UPLOAD_BYTES }),
        ),
        ("RegisterRequest", "username", username.clone()),
        ("RegisterRequest", "password", password),
        ("RegisterRequest", "display_name", display_name.clone()),
        ("UpdateProfileRequest", "display_name", display_name),
        (
            "UpdateProfileRequest",
            "about",
            with(
                json!({ "maxLength": About::MAX_LEN }),
                json!({ "pattern": r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$" }),
            ),
        ),
        ("RegisterRequest", "device_name", device_name.clone()),
        ("LoginRequest", "device_name", device_name.clone()),
        ("HandoffRequest", "device_name", device_name),
        ("ChangeEmailRequest", "email", email.clone()),
        ("RegisterRequest", "email", optional_email),
        ("SendMessageRequest", "content", content.clone()),
        ("SendMessageRequest", "client_message_id", client_message_id),
        (
            "SendMessageRequest",
            "attachments",
            json!({ "maxItems": hearth_domain::Media::MAX_PER_MESSAGE, "uniqueItems": true, "items": { "format": "uuid" } }),
        ),
        ("EditMessageRequest", "content", content),
        (
            "CreateConversationRequest",
            "type",
            names(&[
                ConversationKind::Group.as_str(),
                ConversationKind::Room.as_str(),
                ConversationKind::Channel.as_str(),
            ]),
        ),
        ("CreateConversationRequest", "title", title.clone()),
        (
            "CreateConversationRequest",
            "description",
            description.clone(),
        ),
        (
            "CreateConversationRequest",
            "member_ids",
            json!({ "maxItems": MAX_INITIAL_MEMBERS, "items": with(json!({ "type": "string" }), uuid.clone()) }),
        ),
        (
            "CreateConversationRequest",
            "history_visibility",
            visibility.clone(),
        ),
        ("UpdateSettingsRequest", "title", title),
        ("UpdateSettingsRequest", "description", description),
        ("UpdateSettingsRequest", "history_visibility", visibility),
        ("UpdatePrivacyRequest", "direct_messages", consent.clone()),
        ("UpdatePrivacyRequest", "group_invites", consent),
        (
            "UpdateMemberRequest",
            "role",
            names(&[Role::Admin.as_str(), Role::Member.as_str()]),
        ),
        ("DirectRequest", "other_user_id", uuid.clone()),
        ("DirectRequest", "username", username.clone()),
        ("DirectRequest", "email", email.clone()),
        ("AddMemberRequest", "user_id", uuid.clone()),
        ("AddMemberRequest", "username", username),
        ("AddMemberRequest", "email", email),
        ("TransferRequest", "user_id", uuid.clone()),
        ("BlockRequest", "user_id", uuid),
        ("MarkReadRequest", "seq", json!({ "minimum": 0 })),
        ("MarkDeliveredRequest", "seq", json!({ "minimum": 0 })),
    ]
}

/// Where a query parameter rule applies: everywhere the name appears, on one path, or on
/// every path but one.
#[derive(Clone, Copy)]
enum Scope {
    Everywhere,
    Only(&'static str),
    Except(&'static str),
}

impl Scope {
    fn covers(self, path: &str) -> bool {
        match self {
            Self::Everywhere => true,
            Self::Only(only) => path == only,
            Self::Except(except) => path != except,
        }
    }
}

/// `(parameter, scope, required, keywords)`: what each query parameter accepts.
fn parameter_rules() -> Vec<(&'static str, Scope, bool, Value)> {
    use Scope::{Everywhere, Except, Only};
    const DISCOVER: &str = "/v1/conversations/discover";
    vec![
        (
            "limit",
            Everywhere,
            false,
            json!({ "minimum": 1, "maximum": Limit::MAX }),
        ),
        ("after_seq", Everywhere, false, json!({ "minimum": 0 })),
        ("before_seq", Everywhere, false, json!({ "minimum": 1 })),
        // Member offsets are counted in 32 bits.
        (
            "offset",
            Everywhere,
            false,
            json!({ "minimum": 0, "maximum": u32::MAX }),
        ),
        // Message search: the words to find (required).
        (
            "q",
            Except(DISCOVER),
            true,
            length(1, SearchText::MAX_CHARS),
        ),
        // Discovery: text the name contains (optional; empty lists every room).
        (
            "q",
            Only(DISCOVER),
            false,
            json!({ "maxLength": MAX_QUERY_LEN }),
        ),
        // User search: the start of a name, unless `email` names an exact address instead.
        ("query", Everywhere, false, length(1, SearchQuery::MAX_LEN)),
    ]
}

/// `after_seq_by_conversation` is JSON in a query parameter: an object from conversation id
/// to the last seq the client has (0 or more).
fn cursors_parameter(parameter: &mut Value) {
    let schema = json!({
        "type": "object",
        "propertyNames": { "format": "uuid" },
        "additionalProperties": { "type": "integer", "minimum": 0, "format": "int64" },
    });
    if let Some(object) = parameter.as_object_mut() {
        object.remove("schema");
        object.insert(
            "content".to_owned(),
            json!({ "application/json": { "schema": schema } }),
        );
    }
}

/// Schemas whose fields name a user by exactly one key (`UserLookup::one_of`): a present,
/// non-null value for one of them and no other.
const EXACTLY_ONE: &[(&str, [&str; 3])] = &[
    ("DirectRequest", ["other_user_id", "username", "email"]),
    ("AddMemberRequest", ["user_id", "username", "email"]),
];

/// Schemas that must change something: at least one of these fields, not null.
const AT_LEAST_ONE: &[(&str, &[(&str, &str)])] = &[(
    "UpdateMemberRequest",
    &[("role", "string"), ("permissions", "object")],
)];

/// Fields a request must carry although their Rust type is optional (the use case answers 422
/// for a missing one, so the schema says so).
const REQUIRED: &[(&str, &str)] = &[("CreateConversationRequest", "title")];

/// A room's or channel's title is shorter than a group's (the property rule says a group's).
fn public_titles() -> Value {
    let (min, max) = Title::lengths(ConversationKind::Room);
    json!([{
        "if": {
            "properties": { "type": { "enum": [
                ConversationKind::Room.as_str(),
                ConversationKind::Channel.as_str(),
            ] } },
            "required": ["type"],
        },
        "then": { "properties": { "title": length(min, max) } },
    }])
}

/// Writes every rule into `doc` (the OpenAPI document as JSON).
pub(super) fn apply(doc: &mut Value) {
    if let Some(schemas) = doc.pointer_mut("/components/schemas") {
        apply_to_schemas(schemas);
    }
    let rules = parameter_rules();
    for_each_query_parameter(doc, |path, parameter| {
        let name = parameter
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if name == "after_seq_by_conversation" {
            cursors_parameter(parameter);
        }
        for (_, _, required, keywords) in rules
            .iter()
            .filter(|(n, scope, _, _)| *n == name && scope.covers(path))
        {
            let Some(parameter) = parameter.as_object_mut() else {
                continue;
            };
            if *required {
                parameter.insert("required".to_owned(), Value::Bool(true));
            }
            if let Some(schema) = parameter.get_mut("schema") {
                merge(schema, keywords.clone());
                if *required {
                    drop_null(schema);
                }
            }
        }
    });
}

/// The rules about request bodies, on `schemas` (`components.schemas`).
fn apply_to_schemas(schemas: &mut Value) {
    if let Some(create) = object(schemas, "CreateConversationRequest") {
        create.insert("allOf".to_owned(), public_titles());
    }
    for (schema, property, keywords) in body_rules() {
        if let Some(target) = property_schema(schemas, schema, property) {
            merge(target, keywords);
        }
    }
    for (schema, property) in REQUIRED {
        if let Some(target) = property_schema(schemas, schema, property) {
            drop_null(target);
        }
        if let Some(required) = object(schemas, schema)
            .map(|o| o.entry("required").or_insert_with(|| json!([])))
            .and_then(Value::as_array_mut)
        {
            required.push(json!(property));
        }
    }
    for (schema, keys) in EXACTLY_ONE {
        let keys: Vec<_> = keys.iter().map(|key| (*key, "string")).collect();
        if let Some(object) = object(schemas, schema) {
            object.insert("oneOf".to_owned(), present(&keys));
        }
    }
    for (schema, keys) in AT_LEAST_ONE {
        if let Some(object) = object(schemas, schema) {
            object.insert("anyOf".to_owned(), present(keys));
        }
    }
}

/// The schema named `name`, as an object.
fn object<'a>(schemas: &'a mut Value, name: &str) -> Option<&'a mut Map<String, Value>> {
    schemas.get_mut(name).and_then(Value::as_object_mut)
}

/// One branch per `(field, type)`: the field is there and not null.
fn present(keys: &[(&str, &str)]) -> Value {
    keys.iter()
        .map(|(key, kind)| json!({ "required": [key], "properties": { *key: { "type": kind } } }))
        .collect()
}

fn property_schema<'a>(
    schemas: &'a mut Value,
    schema: &str,
    property: &str,
) -> Option<&'a mut Value> {
    schemas
        .get_mut(schema)?
        .get_mut("properties")?
        .get_mut(property)
}

/// Merges `keywords` into `target`. Keywords about strings and numbers apply to a nullable
/// field's value only (JSON Schema ignores them for `null`), so they go on as they are; an
/// `enum` does not, so a nullable field's enum lists `null` too (null is "keep the value").
fn merge(target: &mut Value, mut keywords: Value) {
    let nullable = target
        .get("type")
        .and_then(Value::as_array)
        .is_some_and(|types| types.iter().any(|t| t == "null"));
    if nullable && let Some(values) = keywords.get_mut("enum").and_then(Value::as_array_mut) {
        values.push(Value::Null);
    }
    if let (Some(target), Value::Object(keywords)) = (target.as_object_mut(), keywords) {
        target.extend(keywords);
    }
}

/// `type: ["string", "null"]` becomes `type: "string"`.
fn drop_null(target: &mut Value) {
    let Some(types) = target.get_mut("type") else {
        return;
    };
    if let Some(list) = types.as_array() {
        let kept: Vec<Value> = list.iter().filter(|t| *t != "null").cloned().collect();
        *types = match <[Value; 1]>::try_from(kept.clone()) {
            Ok([one]) => one,
            Err(_) => Value::Array(kept),
        };
    }
}

fn for_each_query_parameter(doc: &mut Value, mut visit: impl FnMut(&str, &mut Value)) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for operation in item.values_mut() {
            let Some(parameters) = operation
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
            else {
                continue;
            };
            for parameter in parameters
                .iter_mut()
                .filter(|p| p.get("in").is_some_and(|place| place == "query"))
            {
                visit(path, parameter);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
mod tests {
    use super::*;

    fn document() -> Value {
        crate::openapi()
    }

    #[test]
    fn every_body_rule_names_a_property_that_exists() {
        let mut doc = document();
        let schemas = doc.pointer_mut("/components/schemas").unwrap();
        for (schema, property, _) in body_rules() {
            assert!(
                property_schema(schemas, schema, property).is_some(),
                "{schema}.{property} is not in the document"
            );
        }
        for (schema, property) in REQUIRED {
            assert!(property_schema(schemas, schema, property).is_some());
        }
    }

    #[test]
    fn every_parameter_rule_names_a_query_parameter() {
        let mut doc = document();
        let mut seen = Vec::new();
        for_each_query_parameter(&mut doc, |path, p| {
            seen.push((path.to_owned(), p["name"].as_str().unwrap().to_owned()));
        });
        for (name, scope, _, _) in parameter_rules() {
            let found = seen.iter().any(|(path, n)| n == name && scope.covers(path));
            assert!(found, "no query parameter {name}");
        }
    }

    #[test]
    fn the_document_states_the_domain_limits() {
        let doc = document();
        let register = &doc["components"]["schemas"]["RegisterRequest"];
        assert_eq!(register["properties"]["password"]["minLength"], 8);
        assert_eq!(register["properties"]["password"]["maxLength"], 128);
        assert_eq!(register["additionalProperties"], false);
        let limit = doc["paths"]["/v1/users/search"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "limit")
            .unwrap();
        assert_eq!(limit["schema"]["maximum"], 100);
    }
}
