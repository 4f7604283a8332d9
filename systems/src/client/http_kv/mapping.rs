//! How register ops map onto a REST API: one request template per op, the statuses that
//! mean "no such key" and "the cas did not match", and headers sent with every request.
//! It is written by users in a system spec (YAML), so it is strict about unknown fields
//! and every field has a default: an omitted one takes [`HttpKvMapping::default`]'s.
//!
//! ```
//! let m: systems::client::http_kv::HttpKvMapping = serde_json::from_value(serde_json::json!({
//!     "read": {"method": "GET", "path": "/v1/{{key}}", "value": "/data"},
//!     "not_found": [404, 410],
//! })).unwrap();
//! assert!(m.validate().is_ok());
//! assert_eq!(m.cas_failed, vec![409, 412]);
//! ```

use super::template::{Template, Var};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The request one op sends.
#[derive(Deserialize, Serialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HttpKvRequest {
    /// An HTTP method in capitals: GET, PUT, POST, PATCH, DELETE.
    #[serde(default = "default_method")]
    pub method: String,
    /// The path and query, starting with `/`; variables render raw and percent-encoded.
    pub path: String,
    /// The body, if any; variables render as JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Reads only: a JSON pointer (RFC 6901) to the value in the answer's JSON body; the
    /// whole body when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

fn default_method() -> String {
    "GET".to_string()
}

/// A register over a REST API.
#[derive(Deserialize, Serialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HttpKvMapping {
    /// May use `{{key}}`.
    pub read: HttpKvRequest,
    /// May use `{{key}}` and `{{value}}`.
    pub write: HttpKvRequest,
    /// May use `{{key}}`, `{{from}}` and `{{to}}`.
    pub cas: HttpKvRequest,
    /// Statuses meaning "no such key": a read answered so is `ok` nil; a cas, compare-failed.
    pub not_found: Vec<u16>,
    /// Statuses meaning the cas did not match: `fail` compare-failed.
    pub cas_failed: Vec<u16>,
    /// Sent with every request.
    pub headers: BTreeMap<String, String>,
}

impl Default for HttpKvMapping {
    fn default() -> Self {
        HttpKvMapping {
            read: HttpKvRequest {
                method: "GET".into(),
                path: "/kv/{{key}}".into(),
                body: None,
                value: Some("/value".into()),
            },
            write: HttpKvRequest {
                method: "PUT".into(),
                path: "/kv/{{key}}".into(),
                body: Some(r#"{"value": {{value}}}"#.into()),
                value: None,
            },
            cas: HttpKvRequest {
                method: "POST".into(),
                path: "/cas/{{key}}".into(),
                body: Some(r#"{"from": {{from}}, "to": {{to}}}"#.into()),
                value: None,
            },
            not_found: vec![404],
            cas_failed: vec![409, 412],
            headers: BTreeMap::from([("Content-Type".into(), "application/json".into())]),
        }
    }
}

const METHODS: &[&str] = &["GET", "PUT", "POST", "PATCH", "DELETE"];

/// One op's request, parsed.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub method: reqwest::Method,
    pub path: Template,
    pub body: Option<Template>,
    pub value: Option<String>,
}

impl HttpKvMapping {
    /// Whether the mapping can be used; the error names the field at fault.
    pub fn validate(&self) -> Result<(), String> {
        self.compile().map(|_| ())
    }

    /// The three requests, parsed: read, write, cas.
    pub(crate) fn compile(&self) -> Result<[Compiled; 3], String> {
        let read = compile("read", &self.read, &[Var::Key], true)?;
        let write = compile("write", &self.write, &[Var::Key, Var::Value], false)?;
        let cas = compile("cas", &self.cas, &[Var::Key, Var::From, Var::To], false)?;
        for (field, statuses) in [
            ("not_found", &self.not_found),
            ("cas_failed", &self.cas_failed),
        ] {
            if let Some(s) = statuses.iter().find(|s| !(100..=599).contains(*s)) {
                return Err(format!("{field}: {s} is not an HTTP status"));
            }
        }
        for (name, value) in &self.headers {
            reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("headers: {name:?} is not a header name"))?;
            reqwest::header::HeaderValue::from_str(value)
                .map_err(|_| format!("headers.{name}: {value:?} is not a header value"))?;
        }
        Ok([read, write, cas])
    }
}

fn compile(op: &str, req: &HttpKvRequest, vars: &[Var], is_read: bool) -> Result<Compiled, String> {
    if !METHODS.contains(&req.method.as_str()) {
        return Err(format!(
            "{op}.method: {:?} is not one of {}",
            req.method,
            METHODS.join(", ")
        ));
    }
    let method = reqwest::Method::from_bytes(req.method.as_bytes())
        .map_err(|e| format!("{op}.method: {e}"))?;
    if !req.path.starts_with('/') {
        return Err(format!("{op}.path: {:?} must start with /", req.path));
    }
    let path = Template::parse(&req.path, vars).map_err(|e| format!("{op}.path: {e}"))?;
    let body = req
        .body
        .as_deref()
        .map(|b| Template::parse(b, vars).map_err(|e| format!("{op}.body: {e}")))
        .transpose()?;
    match (&req.value, is_read) {
        (Some(_), false) => {
            return Err(format!("{op}.value: only a read answers a value"));
        }
        (Some(p), true) if !p.is_empty() && !p.starts_with('/') => {
            return Err(format!(
                "{op}.value: {p:?} is not a JSON pointer (empty, or starting with /)"
            ));
        }
        _ => {}
    }
    Ok(Compiled {
        method,
        path,
        body,
        value: req.value.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_valid_and_round_trips() {
        let m = HttpKvMapping::default();
        assert_eq!(m.validate(), Ok(()));
        let back: HttpKvMapping =
            serde_json::from_value(serde_json::to_value(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn the_yaml_of_a_system_spec_parses() {
        let yaml = r#"
read:  {method: GET,  path: "/kv/{{key}}", value: "/value"}
write: {method: PUT,  path: "/kv/{{key}}", body: '{"value": {{value}}}'}
cas:   {method: POST, path: "/cas/{{key}}", body: '{"from": {{from}}, "to": {{to}}}'}
not_found: [404]
cas_failed: [409, 412]
headers: {Content-Type: application/json}
"#;
        let m: HttpKvMapping = serde_yaml::from_str(yaml).unwrap();
        assert_eq!(m, HttpKvMapping::default());
        let e = serde_yaml::from_str::<HttpKvMapping>("reed: {path: /x}").unwrap_err();
        assert!(e.to_string().contains("reed"), "{e}");
        let e = serde_yaml::from_str::<HttpKvMapping>("read: {path: /x, verb: GET}").unwrap_err();
        assert!(e.to_string().contains("verb"), "{e}");
    }

    /// The error of the default mapping changed by `f`.
    fn error_of(f: impl FnOnce(&mut HttpKvMapping)) -> String {
        let mut m = HttpKvMapping::default();
        f(&mut m);
        m.validate().unwrap_err()
    }

    #[test]
    fn errors_name_the_field() {
        let e = error_of(|m| m.write.body = Some(r#"{"v": {{from}}}"#.into()));
        assert!(
            e.starts_with("write.body:") && e.contains("{{from}}"),
            "{e}"
        );
        let e = error_of(|m| m.cas.method = "FETCH".into());
        assert!(e.starts_with("cas.method:"), "{e}");
        let e = error_of(|m| m.read.path = "kv/{{key}}".into());
        assert!(e.starts_with("read.path:"), "{e}");
        let e = error_of(|m| m.read.value = Some("value".into()));
        assert!(e.starts_with("read.value:"), "{e}");
        let e = error_of(|m| m.write.value = Some("/value".into()));
        assert!(e.starts_with("write.value:"), "{e}");
        let e = error_of(|m| m.cas_failed = vec![9000]);
        assert!(e.starts_with("cas_failed:"), "{e}");
        let e = error_of(|m| {
            m.headers.insert("Bad Name".into(), "x".into());
        });
        assert!(e.starts_with("headers:"), "{e}");
    }
}
