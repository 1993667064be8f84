//! Reading and writing fields of plain JS objects: what the engine hands to the page and to
//! process workers, and reads back from them.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::params::Raw;

/// Sets `obj[key] = value`.
pub fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    Reflect::set(obj, &JsValue::from_str(key), &value.into()).expect("setting a field of a plain object");
}

/// `v[key]` if it is a number.
pub fn get_f64(v: &JsValue, key: &str) -> Option<f64> {
    Reflect::get(v, &JsValue::from_str(key)).ok()?.as_f64()
}

/// `v[key]` if it is a boolean.
pub fn get_bool(v: &JsValue, key: &str) -> Option<bool> {
    Reflect::get(v, &JsValue::from_str(key)).ok()?.as_bool()
}

/// `v[key]` if it is a string.
pub fn get_string(v: &JsValue, key: &str) -> Option<String> {
    Reflect::get(v, &JsValue::from_str(key)).ok()?.as_string()
}

/// A value the engine hands to JS. Structs get it from `js_object!` (src/contract.rs), which also
/// gives the contract's column types theirs.
pub trait ToJs {
    /// The JS value.
    fn to_js(&self) -> JsValue;
    /// Sets `o[key]` to the value; an absent optional value leaves the key out.
    fn set_on(&self, o: &Object, key: &str) {
        set(o, key, self.to_js());
    }
}

macro_rules! to_js_from {
    ($($t:ty),+) => { $(impl ToJs for $t { fn to_js(&self) -> JsValue { JsValue::from(self.clone()) } })+ };
}
to_js_from!(f64, u32, u8, bool, String, &'static str);

impl<T: ToJs> ToJs for Option<T> {
    fn to_js(&self) -> JsValue {
        self.as_ref().map_or(JsValue::UNDEFINED, T::to_js)
    }
    fn set_on(&self, o: &Object, key: &str) {
        if let Some(v) = self {
            v.set_on(o, key);
        }
    }
}

impl<T: ToJs> ToJs for Vec<T> {
    fn to_js(&self) -> JsValue {
        self.iter().map(T::to_js).collect::<js_sys::Array>().into()
    }
}

macro_rules! to_js_by_name {
    ($($t:ty),+) => { $(impl ToJs for $t { fn to_js(&self) -> JsValue { JsValue::from_str(self.name()) } })+ };
}
to_js_by_name!(
    crate::params::Model,
    crate::params::Workload,
    crate::params::Timers,
    crate::params::FailMode,
    crate::params::SyncMode,
    crate::params::LockOrder,
    crate::params::Memory,
    crate::params::Figure
);

/// An option's value as read from JS, owning its text until the parser borrows it as a [`Raw`].
pub enum JsRaw {
    /// `undefined` or `null`.
    Missing,
    /// A number.
    Number(f64),
    /// A string.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// Anything else (an object, a function...).
    Other,
}

impl JsRaw {
    /// The shape of `v`.
    pub fn of(v: &JsValue) -> JsRaw {
        if v.is_undefined() || v.is_null() {
            JsRaw::Missing
        } else if let Some(n) = v.as_f64() {
            JsRaw::Number(n)
        } else if let Some(s) = v.as_string() {
            JsRaw::Text(s)
        } else if let Some(b) = v.as_bool() {
            JsRaw::Bool(b)
        } else {
            JsRaw::Other
        }
    }

    /// The value as the option parser takes it.
    pub fn raw(&self) -> Raw<'_> {
        match self {
            JsRaw::Missing => Raw::Missing,
            JsRaw::Number(n) => Raw::Number(*n),
            JsRaw::Text(s) => Raw::Text(s),
            JsRaw::Bool(b) => Raw::Bool(*b),
            JsRaw::Other => Raw::Other,
        }
    }
}

/// An object's own fields as (name, value) pairs; nothing for `undefined`, `null` or a
/// non-object.
pub fn entries(v: &JsValue) -> Vec<(String, JsRaw)> {
    if !v.is_object() {
        return Vec::new();
    }
    Object::entries(v.unchecked_ref())
        .iter()
        .map(|pair| {
            let pair: Array = pair.unchecked_into();
            (pair.get(0).as_string().unwrap_or_default(), JsRaw::of(&pair.get(1)))
        })
        .collect()
}

/// The module's memory, in bytes. A shared memory's buffer is a SharedArrayBuffer, a plain
/// one's an ArrayBuffer: both have a `byteLength`.
pub fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    get_f64(&memory.buffer(), "byteLength").unwrap_or(0.0)
}
