//! Reading and writing fields of plain JS objects: what the engine hands to the page and to
//! process workers, and reads back from them.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

/// Sets `obj[key] = value`.
pub fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    Reflect::set(obj, &JsValue::from_str(key), &value.into()).expect("setting a field of a plain object");
}

/// `v[key]` if it is a number.
pub fn get_f64(v: &JsValue, key: &str) -> Option<f64> {
    Reflect::get(v, &JsValue::from_str(key)).ok()?.as_f64()
}

/// `v[key]` if it is a string.
pub fn get_string(v: &JsValue, key: &str) -> Option<String> {
    Reflect::get(v, &JsValue::from_str(key)).ok()?.as_string()
}
