//! JSON that must be unambiguous: objects whose member names appear once.
//!
//! serde_json keeps the last of two members with the same name. For a token
//! that is dangerous: another parser (the issuer's, a proxy's) may keep the
//! first, and a `{"sub":"alice","sub":"bob"}` payload then means two different
//! users. Names are compared after unescaping, so `"s\u0075b"` is `sub`.
//!
//! Names and strings are borrowed from the input where they have no escapes,
//! so checking a token allocates little.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::ErrorKind;

/// An object member name, borrowed from the input when it has no escapes.
#[derive(Clone)]
pub(crate) struct Name<'de>(Cow<'de, str>);

impl<'de> Name<'de> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn into_string(self) -> String {
        self.0.into_owned()
    }

    pub(crate) fn into_cow(self) -> Cow<'de, str> {
        self.0
    }
}

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(NameVisitor)
    }
}

struct NameVisitor;

impl<'de> Visitor<'de> for NameVisitor {
    type Value = Name<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Name<'de>, E> {
        checked(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Name<'de>, E> {
        checked(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Name<'de>, E> {
        checked(Cow::Owned(v))
    }
}

/// The prefix of the member names serde_json gives a meaning of its own
/// (raw values, arbitrary-precision numbers): a claim named so could make a
/// caller's type read something else than what was checked.
const SERDE_JSON_RESERVED: &str = "$serde_json::private::";

fn checked<E: de::Error>(name: Cow<'_, str>) -> Result<Name<'_>, E> {
    if name.starts_with(SERDE_JSON_RESERVED) {
        return Err(E::custom("reserved member name"));
    }
    Ok(Name(name))
}

/// The member names seen so far in one object, for duplicate detection.
///
/// Token objects are small, so a linear scan beats hashing, and the first
/// [`INLINE_NAMES`] names are kept on the stack.
#[derive(Default)]
pub(crate) struct MemberNames<'de> {
    inline: [Option<Name<'de>>; INLINE_NAMES],
    more: Vec<Name<'de>>,
}

/// How many names of one object [`MemberNames`] keeps without allocating.
const INLINE_NAMES: usize = 8;

impl<'de> MemberNames<'de> {
    /// Records `name`, failing if the object already had a member of that name.
    pub(crate) fn insert<E: de::Error>(&mut self, name: Name<'de>) -> Result<(), E> {
        let text = name.as_str();
        let seen = self
            .inline
            .iter()
            .map_while(Option::as_ref)
            .chain(&self.more);
        for earlier in seen {
            if earlier.as_str() == text {
                return Err(duplicate());
            }
        }
        match self.inline.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => *slot = Some(name),
            None => self.more.push(name),
        }
        Ok(())
    }
}

/// The message of [`duplicate`]'s error, which [`is_duplicate`] looks for.
const DUPLICATE: &str = "duplicate member name";

pub(crate) fn duplicate<E: de::Error>() -> E {
    E::custom(DUPLICATE)
}

/// Whether serde_json failed because an object names a member twice, as
/// opposed to text that is not JSON or not of the expected shape: a JWKS
/// tells the two apart in its error.
#[cfg(feature = "jwks")]
pub(crate) fn is_duplicate(error: &serde_json::Error) -> bool {
    // Only `duplicate` makes a data error with this text; serde_json's own
    // errors are of other categories or other texts.
    error.classify() == serde_json::error::Category::Data
        && error.to_string().starts_with(DUPLICATE)
}

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
        while let Some(name) = map.next_key::<Name<'de>>()? {
            if object.contains_key(name.as_str()) {
                return Err(duplicate());
            }
            let value = map.next_value_seed(StrictValue)?;
            object.insert(name.into_string(), value);
        }
        Ok(Value::Object(object))
    }
}

/// Parses one JSON object, with nothing after it and no duplicate member
/// names at any depth.
pub(crate) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ErrorKind> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    match StrictValue.deserialize(&mut deserializer) {
        Ok(Value::Object(object)) if deserializer.end().is_ok() => Ok(object),
        _ => Err(ErrorKind::Malformed),
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
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        skip_object(map)
    }
}

fn skip_object<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    let mut names = MemberNames::default();
    while let Some(name) = map.next_key::<Name<'de>>()? {
        names.insert(name)?;
        map.next_value_seed(StrictIgnore)?;
    }
    Ok(())
}

/// A registered claim or header parameter as read: only the shapes the
/// rules care about are kept, anything else is [`Scalar::Other`] (and was
/// still checked for duplicate names).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'de> {
    Str(Cow<'de, str>),
    Num(f64),
    /// An array whose elements are all strings.
    Strings(Vec<String>),
    Other,
    /// A registered claim that a caller's type read in a way that hides its
    /// JSON shape (as an enum): read again by the scan before it is judged.
    Unread,
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Other)
    }
    fn visit_unit<E>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Other)
    }
    fn visit_i64<E>(self, v: i64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Num(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Num(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Num(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'de>, A::Error> {
        let mut strings = Some(Vec::new());
        while let Some(item) = seq.next_element::<Scalar<'de>>()? {
            match (item, &mut strings) {
                (Scalar::Str(text), Some(list)) => list.push(text.into_owned()),
                _ => strings = None,
            }
        }
        Ok(strings.map_or(Scalar::Other, Scalar::Strings))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Scalar<'de>, A::Error> {
        skip_object(map).map(|()| Scalar::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict(json: &str) -> Result<Value, serde_json::Error> {
        StrictValue.deserialize(&mut serde_json::Deserializer::from_str(json))
    }

    fn scalar(json: &str) -> Result<Scalar<'_>, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn duplicate_names_are_rejected_at_any_depth() {
        assert!(strict(r#"{"a":1,"a":2}"#).is_err());
        assert!(strict(r#"{"x":{"a":1,"a":2}}"#).is_err());
        assert!(strict(r#"[{"a":1,"a":2}]"#).is_err());
        assert!(strict(r#"{"sub":1,"s\u0075b":2}"#).is_err());
        assert!(scalar(r#"{"a":1,"a":2}"#).is_err());
        assert!(scalar(r#"[[{"a":1,"\u0061":2}]]"#).is_err());
    }

    #[test]
    fn duplicates_are_found_past_the_names_kept_inline() {
        let names: Vec<String> = (0..20).map(|i| format!(r#""n{i}":{i}"#)).collect();
        let distinct = format!("{{{}}}", names.join(","));
        assert_eq!(strict(&distinct).unwrap().as_object().unwrap().len(), 20);
        for (first, second) in [(0, 19), (3, 8), (9, 15), (15, 9)] {
            let mut members = names.clone();
            members[second] = format!(r#""n{first}":0"#);
            let json = format!("{{{}}}", members.join(","));
            assert!(strict(&json).is_err(), "{first} {second}");
        }
    }

    #[cfg(feature = "jwks")]
    #[test]
    fn a_duplicate_name_is_told_apart_from_other_failures() {
        assert!(is_duplicate(&strict(r#"{"a":1,"a":2}"#).unwrap_err()));
        assert!(is_duplicate(
            &strict(r#"[{"b":{"a":1,"a":2}}]"#).unwrap_err()
        ));
        for other in [r#"{"a":1,"#, "[1,]", r#"{"$serde_json::private::x":1}"#] {
            assert!(!is_duplicate(&strict(other).unwrap_err()), "{other}");
        }
        let wrong_shape = serde_json::from_str::<Vec<u8>>(r#"{"a":1}"#).unwrap_err();
        assert!(!is_duplicate(&wrong_shape));
    }

    #[test]
    fn distinct_names_are_kept() {
        let v = strict(r#"{"a":1,"b":[true,null,"s",1.5]}"#).unwrap();
        assert_eq!(v["b"][3], 1.5);
    }

    #[test]
    fn scalars_keep_only_the_shapes_rules_need() {
        assert_eq!(scalar(r#""x""#).unwrap(), Scalar::Str("x".into()));
        assert_eq!(scalar(r#""\u0078""#).unwrap(), Scalar::Str("x".into()));
        assert_eq!(scalar("12.5").unwrap(), Scalar::Num(12.5));
        assert_eq!(
            scalar(r#"["a","b"]"#).unwrap(),
            Scalar::Strings(vec!["a".into(), "b".into()])
        );
        assert_eq!(scalar(r#"["a",1]"#).unwrap(), Scalar::Other);
        assert_eq!(scalar("[]").unwrap(), Scalar::Strings(vec![]));
        assert_eq!(scalar("null").unwrap(), Scalar::Other);
        assert_eq!(scalar(r#"{"a":1}"#).unwrap(), Scalar::Other);
    }
}
