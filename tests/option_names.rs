//! js/options.js refuses option names nobody reads (synchronously, before the wasm loads); the wasm shell reads them
//! by its struct fields (src/web/options.rs). The two lists must be the same names, or an option would be refused
//! although it works, or accepted and silently ignored.
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

/// The camelCase names of the fields of `struct NAME` in src/web/options.rs.
fn rust_fields(name: &str) -> Vec<String> {
    let text = read("src/web/options.rs");
    let start = text.find(&format!("struct {name} {{")).unwrap_or_else(|| panic!("no struct {name}"));
    let body = &text[start..start + text[start..].find("\n}").unwrap()];
    body.lines()
        .skip(1)
        .filter_map(|line| line.trim().split_once(": ").map(|(field, _)| field))
        .filter(|field| !field.starts_with("//") && !field.starts_with('#'))
        .map(|field| {
            let mut parts = field.split('_');
            let first = parts.next().unwrap().to_string();
            first + &parts.map(|p| p[..1].to_uppercase() + &p[1..]).collect::<String>()
        })
        .collect()
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
