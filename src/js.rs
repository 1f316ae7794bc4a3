//! Reading and building plain JavaScript objects field by field.
//!
//! Link's metadata and the backend's answers are small, loosely typed objects. Reading them with
//! `Reflect` costs a few hundred bytes of WebAssembly; serde-wasm-bindgen's deserializer cost about
//! 16 KB gzip (its error messages pull in float formatting), paid by every user. Readers here are
//! tolerant: a missing field, `null` or a value of another type reads as absent, never as an error.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// `value[key]`, or `undefined` when `value` is not an object.
pub(crate) fn field(value: &JsValue, key: &str) -> JsValue {
    if value.is_object() {
        Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// `value[key]` when it is a string.
pub(crate) fn string(value: &JsValue, key: &str) -> Option<String> {
    field(value, key).as_string()
}

/// `value[key]` when it is a string, else empty.
pub(crate) fn string_or_empty(value: &JsValue, key: &str) -> String {
    string(value, key).unwrap_or_default()
}

/// `value[key]` when it is an array, else empty.
pub(crate) fn array(value: &JsValue, key: &str) -> Array {
    field(value, key).dyn_into::<Array>().unwrap_or_default()
}

/// Takes `target[Symbol.for(name)]` away (reads it, then deletes it), when it is an object: how the
/// page's prefetch hands things over. A symbol, unlike an attribute or a name, cannot be set by markup.
pub(crate) fn take(target: &JsValue, name: &str) -> Option<JsValue> {
    let key = js_sys::Symbol::for_(name);
    let value = Reflect::get(target, &key).ok().filter(JsValue::is_object)?;
    let _ = Reflect::delete_property(target.unchecked_ref::<Object>(), &key);
    Some(value)
}

/// An object with these fields, in this order (so that `JSON.stringify` keeps it).
pub(crate) fn object(fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in fields {
        // Setting a plain property on a fresh object cannot throw.
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

/// A string, or `null` for none (as JSON has it).
pub(crate) fn nullable(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}
