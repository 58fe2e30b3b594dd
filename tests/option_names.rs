//! js/options.js refuses option names nobody reads (synchronously, before the wasm loads); the wasm shell reads them
//! field by field (src/web/read.rs: `struct NAME` and its `read`, each field from the camelCase name of the same
//! words). The lists must be the same names, or an option would be refused although it works, or accepted and
//! silently ignored.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::Path;

fn read(path: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// The names in `const NAME = [...]` (or `export const`) of js/options.js.
fn js_list(name: &str) -> Vec<String> {
    let text = read("js/options.js");
    let start = text.find(&format!("const {name} = [")).unwrap_or_else(|| panic!("js/options.js has no list {name}"));
    let list = &text[start..start + text[start..].find(']').unwrap()];
    list.split('\'').skip(1).step_by(2).map(String::from).collect()
}

fn camel_case(field: &str) -> String {
    let mut parts = field.split('_');
    let first = parts.next().unwrap().to_string();
    first + &parts.map(|p| p[..1].to_uppercase() + &p[1..]).collect::<String>()
}

/// The text from `start` to the next line that is a lone `}` (the end of an item).
fn item<'a>(text: &'a str, start: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("src/web/read.rs has no `{start}`"));
    &text[from..from + text[from..].find("\n}").unwrap()]
}

/// The camelCase names of the fields of `struct NAME` in src/web/read.rs, after checking that its `read` takes each
/// field from the JS property of that name (the compiler sees that `read` sets every field).
fn rust_fields(name: &str) -> Vec<String> {
    let text = read("src/web/read.rs");
    let fields: Vec<String> = item(&text, &format!("pub struct {name} {{"))
        .lines()
        .skip(1)
        .map(|line| line.trim().trim_start_matches("pub "))
        .filter(|line| !line.starts_with("//") && !line.starts_with('#'))
        .filter_map(|line| line.split_once(": ").map(|(field, _)| field.to_string()))
        .collect();
    // Each `field: o.kind("jsName")` of the struct literal.
    let body = item(&text, &format!("impl {name} {{"));
    let reads: Vec<(String, String)> = body
        .match_indices(": o.")
        .map(|(at, _)| {
            let before = &body[..at];
            let field = &before[before.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap() + 1..];
            (field.to_string(), body[at..].split('"').nth(1).unwrap().to_string())
        })
        .collect();
    assert_eq!(reads.iter().map(|(field, _)| field.clone()).collect::<Vec<_>>(), fields, "{name}::read reads each field once, in order");
    for (field, js_name) in &reads {
        assert_eq!(&camel_case(field), js_name, "{name}::read takes `{field}` from another property");
    }
    fields.iter().map(|field| camel_case(field)).collect()
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

#[test]
fn the_object_options_js_accepts_are_the_ones_the_core_reads() {
    let rust = rust_fields("RawObjectOptions");
    assert!(rust.contains(&"sseCustomerKey".to_string()), "the scan read the struct: {rust:?}");
    assert_eq!(sorted(js_list("OBJECT_OPTIONS")), sorted(rust));
}

#[test]
fn the_uploader_settings_js_accepts_are_the_ones_the_shell_reads() {
    // credentials and sign are read as functions, worker by the JS layer itself.
    let mut rust = rust_fields("RawUploaderOptions");
    rust.extend(["credentials", "sign", "worker"].map(String::from));
    assert!(rust.contains(&"callbackTimeoutMs".to_string()), "the scan read the struct: {rust:?}");
    assert_eq!(sorted(js_list("SETTINGS")), sorted(rust));
}

#[test]
fn the_start_options_js_accepts_include_the_ones_the_shell_reads() {
    let js = js_list("START");
    for field in rust_fields("RawUploadOptions") {
        assert!(js.contains(&field), "start() reads '{field}' but js/options.js refuses it");
    }
}
