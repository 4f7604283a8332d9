//! The `{{variable}}` templates of an HTTP mapping: parsed once, rendered per op.
//!
//! A template is literal text with `{{key}}`, `{{value}}`, `{{from}}` and `{{to}}` in it
//! (spaces inside the braces are allowed). Rendered into a body, a variable is JSON text
//! (`3`, `"k"`, `null`); rendered into a path, it is the raw text (a string without its
//! quotes, anything else as JSON), percent-encoded so that it stays one path segment.

use history::{Key, Value};

/// A variable a template may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    Key,
    Value,
    From,
    To,
}

impl Var {
    fn parse(name: &str) -> Option<Var> {
        match name {
            "key" => Some(Var::Key),
            "value" => Some(Var::Value),
            "from" => Some(Var::From),
            "to" => Some(Var::To),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Var::Key => "key",
            Var::Value => "value",
            Var::From => "from",
            Var::To => "to",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Lit(String),
    Var(Var),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
}

/// Where a rendered template goes, which decides how a variable is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// JSON text.
    Body,
    /// Raw text, percent-encoded.
    Path,
}

/// The values of the variables for one op; a variable the op lacks renders as `null`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Vars<'a> {
    pub key: Option<&'a Key>,
    pub value: Option<&'a Value>,
    pub from: Option<&'a Value>,
    pub to: Option<&'a Value>,
}

/// The key an op without one works on.
pub const DEFAULT_KEY: &str = "register";

impl Template {
    /// Parse `text`, allowing only the variables in `allowed`; the error names the
    /// offending variable or the unclosed `{{`.
    pub fn parse(text: &str, allowed: &[Var]) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(Part::Lit(rest[..open].to_string()));
            }
            let after = &rest[open + 2..];
            let close = after
                .find("}}")
                .ok_or_else(|| format!("an unclosed \"{{{{\" in {text:?}"))?;
            let name = after[..close].trim();
            let var = Var::parse(name)
                .filter(|v| allowed.contains(v))
                .ok_or_else(|| {
                    let known: Vec<String> = allowed
                        .iter()
                        .map(|v| format!("{{{{{}}}}}", v.name()))
                        .collect();
                    format!(
                        "unknown template variable {{{{{name}}}}} (known here: {})",
                        known.join(", ")
                    )
                })?;
            parts.push(Part::Var(var));
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Lit(rest.to_string()));
        }
        Ok(Template { parts })
    }

    pub fn render(&self, vars: &Vars, ctx: Context) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Lit(s) => out.push_str(s),
                Part::Var(v) => out.push_str(&render_var(*v, vars, ctx)),
            }
        }
        out
    }
}

fn render_var(var: Var, vars: &Vars, ctx: Context) -> String {
    let key_value;
    let value: &Value = match var {
        Var::Key => {
            key_value = match vars.key {
                Some(Key::Int(i)) => Value::from(*i),
                Some(Key::Str(s)) => Value::String(s.to_string()),
                None => Value::String(DEFAULT_KEY.to_string()),
            };
            &key_value
        }
        Var::Value => vars.value.unwrap_or(&Value::Null),
        Var::From => vars.from.unwrap_or(&Value::Null),
        Var::To => vars.to.unwrap_or(&Value::Null),
    };
    match ctx {
        Context::Body => value.to_string(),
        Context::Path => match value {
            Value::String(s) => percent_encode(s),
            other => percent_encode(&other.to_string()),
        },
    }
}

/// Every byte but RFC 3986's unreserved ones as `%XX`.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ALL: &[Var] = &[Var::Key, Var::Value, Var::From, Var::To];

    #[test]
    fn bodies_get_json_text_and_paths_raw_encoded_text() {
        let t = Template::parse("/kv/{{key}}?v={{ value }}", ALL).unwrap();
        let key = Key::Str("a b/c".into());
        let v = json!("x&y");
        let vars = Vars {
            key: Some(&key),
            value: Some(&v),
            ..Vars::default()
        };
        assert_eq!(t.render(&vars, Context::Path), "/kv/a%20b%2Fc?v=x%26y");
        let b = Template::parse(r#"{"k": {{key}}, "v": {{value}}}"#, ALL).unwrap();
        assert_eq!(
            b.render(&vars, Context::Body),
            r#"{"k": "a b/c", "v": "x&y"}"#
        );
        let key = Key::Int(3);
        let v = json!(4);
        let vars = Vars {
            key: Some(&key),
            value: Some(&v),
            ..Vars::default()
        };
        assert_eq!(b.render(&vars, Context::Body), r#"{"k": 3, "v": 4}"#);
        assert_eq!(
            b.render(&Vars::default(), Context::Body),
            r#"{"k": "register", "v": null}"#
        );
    }

    #[test]
    fn unknown_and_unclosed_variables_are_errors() {
        let e = Template::parse("/kv/{{value}}", &[Var::Key]).unwrap_err();
        assert!(e.contains("{{value}}") && e.contains("{{key}}"), "{e}");
        let e = Template::parse("/kv/{{nope}}", ALL).unwrap_err();
        assert!(e.contains("{{nope}}"), "{e}");
        let e = Template::parse("/kv/{{key", ALL).unwrap_err();
        assert!(e.contains("unclosed"), "{e}");
        assert!(Template::parse("no variables", &[]).is_ok());
    }
}
