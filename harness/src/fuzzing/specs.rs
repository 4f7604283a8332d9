//! The fuzz targets of the test spec and the system spec.

use crate::spec::TestSpec;
use std::path::PathBuf;
use systems::spec_file;

/// `TestSpec::parse` and `validate`; a parsed spec round-trips through YAML.
pub fn test_spec(data: &[u8]) {
    let text = super::text(data);
    let spec = match TestSpec::parse(&text) {
        Ok(s) => s,
        Err(e) => return assert!(!e.0.is_empty(), "an error without a message"),
    };
    let valid = spec.validate();
    if let Err(e) = &valid {
        assert!(!e.0.is_empty(), "a refusal without a message");
    }
    let yaml = serde_yaml::to_string(&spec).expect("a parsed spec serialises");
    let again = match TestSpec::parse(&yaml) {
        Ok(again) => again,
        Err(e) => panic!("a written spec does not parse: {}\n{yaml}", e.0),
    };
    // Compared as YAML: a NaN (`.nan`) is a number the spec may hold but not equal.
    let yaml_again = serde_yaml::to_string(&again).expect("a parsed spec serialises");
    assert_eq!(
        yaml_again, yaml,
        "a spec changes when written and read again"
    );
    assert_eq!(
        again.validate().is_ok(),
        valid.is_ok(),
        "validity changed:\n{yaml}"
    );
}

/// `spec_file::parse` (YAML and validation); a spec that passes round-trips through YAML,
/// and every field an error can name is located without failing.
pub fn system_spec(data: &[u8]) {
    let text = super::text(data);
    let loaded = match spec_file::parse(&text, "fuzz", PathBuf::from(".")) {
        Ok(l) => l,
        Err(e) => {
            return assert!(
                e.starts_with("fuzz:"),
                "an error not naming its origin: {e}"
            )
        }
    };
    let s = &loaded.spec;
    let env_keys = s.env.keys().map(|k| format!("env.{k}"));
    let client_keys = s.client.env.keys().map(|k| format!("client.env.{k}"));
    let workloads = (0..s.workloads.len()).map(|i| format!("workloads.{i}"));
    for field in env_keys.chain(client_keys).chain(workloads) {
        let e = loaded.error_at(&field, "why");
        assert!(e.starts_with("fuzz:") && e.ends_with(": why"), "{e}");
    }
    let yaml = serde_yaml::to_string(s).expect("a parsed spec serialises");
    let again = match spec_file::parse(&yaml, "fuzz", PathBuf::from(".")) {
        Ok(again) => again,
        Err(e) => panic!("a written spec does not pass: {e}\n{yaml}"),
    };
    assert_eq!(
        &again.spec, s,
        "a spec changes when written and read again:\n{yaml}"
    );
}
