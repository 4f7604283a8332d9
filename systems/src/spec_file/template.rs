//! `{{name}}` templates in a system spec's command, arguments, environment and client
//! command. A template names only known variables: an unknown one is an error when the
//! spec is loaded, not a node that fails to start.

use std::collections::BTreeMap;

/// The values a template may use, by name.
pub type Vars = BTreeMap<String, String>;

/// Every `{{name}}` a template uses, in order (spaces inside the braces are allowed).
pub fn names(template: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("{template:?}: `{{{{` without its `}}}}`"))?;
        let name = after[..end].trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        {
            return Err(format!(
                "{template:?}: {{{{{name}}}}} is not a variable name"
            ));
        }
        out.push(name.to_string());
        rest = &after[end + 2..];
    }
    Ok(out)
}

/// The template with every variable replaced by its value.
pub fn render(template: &str, vars: &Vars) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("{template:?}: `{{{{` without its `}}}}`"))?;
        let name = after[..end].trim();
        let value = vars.get(name).ok_or_else(|| unknown(name, vars))?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Checks that a template uses only these variables.
pub fn check(template: &str, vars: &Vars) -> Result<(), String> {
    for name in names(template)? {
        if !vars.contains_key(&name) {
            return Err(unknown(&name, vars));
        }
    }
    Ok(())
}

fn unknown(name: &str, vars: &Vars) -> String {
    let known: Vec<String> = vars.keys().map(|k| format!("{{{{{k}}}}}")).collect();
    format!(
        "unknown variable {{{{{name}}}}}; known here: {}",
        known.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        [("node", "n2"), ("ip", "10.0.0.3")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn variables_are_replaced_and_the_rest_kept() {
        assert_eq!(
            render("--name={{node}} http://{{ ip }}:2379", &vars()).unwrap(),
            "--name=n2 http://10.0.0.3:2379"
        );
        assert_eq!(render("plain", &vars()).unwrap(), "plain");
    }

    #[test]
    fn unknown_and_broken_templates_are_named() {
        let e = render("{{nodes}}", &vars()).unwrap_err();
        assert!(
            e.contains("unknown variable {{nodes}}") && e.contains("{{node}}"),
            "{e}"
        );
        assert!(check("{{ip", &vars()).unwrap_err().contains("without"));
        assert!(check("{{a b}}", &vars())
            .unwrap_err()
            .contains("not a variable"));
        assert!(check("{{node}}-{{ip}}", &vars()).is_ok());
    }
}
