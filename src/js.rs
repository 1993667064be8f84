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

/// A value the engine hands to JS. Structs get it from `js_object!` (src/contract.rs).
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

impl<T: ToJs> ToJs for crate::contract::OrNull<T> {
    fn to_js(&self) -> JsValue {
        self.0.as_ref().map_or(JsValue::NULL, T::to_js)
    }
}

impl<T: ToJs> ToJs for Vec<T> {
    fn to_js(&self) -> JsValue {
        self.iter().map(T::to_js).collect::<js_sys::Array>().into()
    }
}

macro_rules! to_js_typed_array {
    ($($t:ty => $a:ty),+) => { $(impl ToJs for $t { fn to_js(&self) -> JsValue { <$a>::from(&self.0[..]).into() } })+ };
}
to_js_typed_array!(
    crate::contract::F64s => js_sys::Float64Array,
    crate::contract::U32s => js_sys::Uint32Array,
    crate::contract::U8s => js_sys::Uint8Array
);

macro_rules! to_js_by_name {
    ($($t:ty),+) => { $(impl ToJs for $t { fn to_js(&self) -> JsValue { JsValue::from_str(self.name()) } })+ };
}
to_js_by_name!(
    crate::params::Model,
    crate::params::Workload,
    crate::params::Timers,
    crate::params::FailMode,
    crate::params::SyncMode,
    crate::params::LockOrder
);
