//! Values handed to JS (the package's public types are in js/index.d.ts).
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A plain JS object (numbers as numbers, maps as objects).
pub fn to_js<T: Serialize>(value: &T) -> JsValue {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::UNDEFINED)
}
