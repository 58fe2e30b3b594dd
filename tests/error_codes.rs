//! The library's own error codes are defined once, in `core::codes`: the JS layer may only use those, and
//! js/index.d.ts documents every one of them.
#![cfg(not(target_arch = "wasm32"))]

use resumable_s3::core::codes::OURS;
use std::fs;
use std::path::Path;

fn js_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// Every `code: 'X'` (or `"X"`) the JS sources set.
fn codes_set_in_js() -> Vec<String> {
    let mut codes = vec![];
    for entry in fs::read_dir(js_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "js") {
            let text = fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("code: ") {
                let rest = &text[i + "code: ".len()..];
                let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') else { continue };
                let value: String = rest[1..].chars().take_while(|c| *c != quote).collect();
                codes.push(value);
            }
        }
    }
    codes
}

#[test]
fn the_js_layer_uses_only_codes_the_core_defines() {
    let codes = codes_set_in_js();
    assert!(!codes.is_empty(), "the scan found the JS layer's codes (WorkerFailed at least)");
    for code in codes {
        assert!(OURS.contains(&code.as_str()), "js/ sets code '{code}', which src/core/codes.rs does not define");
    }
}

#[test]
fn index_d_ts_documents_every_code_of_ours() {
    let types = fs::read_to_string(js_dir().join("index.d.ts")).unwrap();
    let start = types.find("one of ours (").expect("the UploadError doc lists our codes") + "one of ours (".len();
    let listed: Vec<&str> = types[start..types[start..].find(')').unwrap() + start]
        .split(',')
        .map(|c| c.trim_matches(|ch: char| ch.is_whitespace() || ch == '*'))
        .collect();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort_unstable();
    let mut ours = OURS.to_vec();
    ours.sort_unstable();
    assert_eq!(listed_sorted, ours, "index.d.ts lists: {listed:?}");
}
