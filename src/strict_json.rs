//! JSON that must be unambiguous: objects whose member names appear once.
//!
//! serde_json keeps the last of two members with the same name. For a token
//! that is dangerous: another parser (the issuer's, a proxy's) may keep the
//! first, and a `{"sub":"alice","sub":"bob"}` payload then means two different
//! users. Names are compared after unescaping, so `"s\u0075b"` is `sub`.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Deserializes any JSON value into a [`Value`], rejecting duplicate member
/// names at every depth.
pub(crate) struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(StrictValueVisitor)
    }
}

struct StrictValueVisitor;

impl<'de> Visitor<'de> for StrictValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if object.contains_key(&name) {
                return Err(de::Error::custom("duplicate member name"));
            }
            let value = map.next_value_seed(StrictValue)?;
            object.insert(name, value);
        }
        Ok(Value::Object(object))
    }
}

/// Skips any JSON value, still rejecting duplicate member names at every depth.
pub(crate) struct StrictIgnore;

impl<'de> DeserializeSeed<'de> for StrictIgnore {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(StrictIgnoreVisitor)
    }
}

struct StrictIgnoreVisitor;

impl<'de> Visitor<'de> for StrictIgnoreVisitor {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(StrictIgnore)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut names = MemberNames::default();
        while let Some(name) = map.next_key::<String>()? {
            names.insert(name)?;
            map.next_value_seed(StrictIgnore)?;
        }
        Ok(())
    }
}

/// The member names seen so far in one object, for duplicate detection.
///
/// Token objects are small, so a linear scan beats hashing.
#[derive(Default)]
pub(crate) struct MemberNames(Vec<String>);

impl MemberNames {
    /// Records `name`, failing if the object already had a member of that name.
    pub(crate) fn insert<E: de::Error>(&mut self, name: String) -> Result<(), E> {
        if self.0.contains(&name) {
            return Err(E::custom("duplicate member name"));
        }
        self.0.push(name);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict(json: &str) -> Result<Value, serde_json::Error> {
        StrictValue.deserialize(&mut serde_json::Deserializer::from_str(json))
    }

    #[test]
    fn duplicate_names_are_rejected_at_any_depth() {
        assert!(strict(r#"{"a":1,"a":2}"#).is_err());
        assert!(strict(r#"{"x":{"a":1,"a":2}}"#).is_err());
        assert!(strict(r#"[{"a":1,"a":2}]"#).is_err());
        assert!(strict(r#"{"sub":1,"s\u0075b":2}"#).is_err());
    }

    #[test]
    fn distinct_names_are_kept() {
        let v = strict(r#"{"a":1,"b":[true,null,"s",1.5]}"#).unwrap();
        assert_eq!(v["b"][3], 1.5);
    }
}
