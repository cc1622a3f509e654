//! Filling a caller's claims type straight from the payload text, in one
//! pass, as strictly as [`Claims`](crate::Claims) are read: the registered
//! claims are captured for the policy on the way, and a member name that
//! appears twice in any object, at any depth, fails the pass.
//!
//! The adapters here wrap serde_json's deserializer and the caller's
//! visitors; they change no value, they only watch object keys.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use serde::forward_to_deserialize_any;

use crate::token::claims::RawClaims;
use crate::token::strict_json::{MemberNames, Name, Scalar, duplicate};

/// Fills `T` from `payload` and returns it with the registered claims as
/// read. Any error (bad JSON, a duplicate name, a value `T` does not take)
/// is only an `Err`: the caller tells which by scanning again.
pub(crate) fn fill<'de, T: de::Deserialize<'de>>(
    payload: &'de [u8],
) -> Result<(T, RawClaims<'de>), serde_json::Error> {
    let mut raw = RawClaims::default();
    // Checked as UTF-8 once, whole, rather than string by string.
    let text = std::str::from_utf8(payload).map_err(de::Error::custom)?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(Top {
        inner: &mut deserializer,
        raw: &mut raw,
    })?;
    deserializer.end()?;
    Ok((value, raw))
}

/// The payload: it must be an object, whatever `T` asks for.
struct Top<'r, 'de, D> {
    inner: D,
    raw: &'r mut RawClaims<'de>,
}

impl<'r, 'de, D: Deserializer<'de>> Deserializer<'de> for Top<'r, 'de, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_map(TopVisitor {
            visitor,
            raw: self.raw,
        })
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct TopVisitor<'r, 'de, V> {
    visitor: V,
    raw: &'r mut RawClaims<'de>,
}

impl<'r, 'de, V: Visitor<'de>> Visitor<'de> for TopVisitor<'r, 'de, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(ClaimsMap {
            map,
            raw: self.raw,
            names: MemberNames::default(),
            registered_seen: 0,
            registered: None,
        })
    }
}

/// A registered claim's slot in [`RawClaims`].
#[derive(Clone, Copy)]
enum Registered {
    Sub,
    Exp,
    Nbf,
    Iat,
    Iss,
    Aud,
}

impl Registered {
    fn of(name: &str) -> Option<Self> {
        Some(match name {
            "sub" => Self::Sub,
            "exp" => Self::Exp,
            "nbf" => Self::Nbf,
            "iat" => Self::Iat,
            "iss" => Self::Iss,
            "aud" => Self::Aud,
            _ => return None,
        })
    }

    fn slot<'r, 'de>(self, raw: &'r mut RawClaims<'de>) -> &'r mut Option<Scalar<'de>> {
        match self {
            Self::Sub => &mut raw.sub,
            Self::Exp => &mut raw.exp,
            Self::Nbf => &mut raw.nbf,
            Self::Iat => &mut raw.iat,
            Self::Iss => &mut raw.iss,
            Self::Aud => &mut raw.aud,
        }
    }
}

/// The claims object: every key checked for duplicates, registered values
/// read for the policy and handed to `T` as well.
struct ClaimsMap<'r, 'de, A> {
    map: A,
    raw: &'r mut RawClaims<'de>,
    /// The other names seen so far.
    names: MemberNames<'de>,
    /// The registered claims seen so far, one bit each.
    registered_seen: u8,
    /// The registered claim whose value comes next.
    registered: Option<Registered>,
}

impl<'r, 'de, A: MapAccess<'de>> MapAccess<'de> for ClaimsMap<'r, 'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(name) = self.map.next_key::<Name<'de>>()? else {
            return Ok(None);
        };
        self.registered = Registered::of(name.as_str());
        match self.registered {
            Some(registered) => {
                let bit = 1 << registered as u8;
                if self.registered_seen & bit != 0 {
                    return Err(duplicate());
                }
                self.registered_seen |= bit;
            }
            None => self.names.insert(name.clone())?,
        }
        seed.deserialize(Key(name, PhantomData)).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        match self.registered.take() {
            None => self.map.next_value_seed(Strict(seed)),
            // A string, a number or (`aud`) strings: noted as they pass to `T`.
            Some(registered) => {
                let mut seen = Scalar::Other;
                let value = self.map.next_value_seed(Tee {
                    seed,
                    seen: &mut seen,
                })?;
                *registered.slot(self.raw) = Some(seen);
                Ok(value)
            }
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// Calls `$forward!` with every `Deserializer` method: those passed on as
/// they are, then (after `;`) those the wrappers turn into `deserialize_any`.
/// What `T` ignores is still read in full, so that its objects are checked;
/// bytes are read as JSON strings or arrays, since serde_json's raw byte
/// reading would skip the UTF-8 and escape checks.
macro_rules! with_every_deserialize_method {
    ($forward:ident) => {
        $forward! {
            deserialize_any() deserialize_bool() deserialize_i8() deserialize_i16()
            deserialize_i32() deserialize_i64() deserialize_i128() deserialize_u8()
            deserialize_u16() deserialize_u32() deserialize_u64() deserialize_u128()
            deserialize_f32() deserialize_f64() deserialize_char() deserialize_str()
            deserialize_string()
            deserialize_option() deserialize_unit() deserialize_seq() deserialize_map()
            deserialize_identifier()
            deserialize_unit_struct(name: &'static str)
            deserialize_newtype_struct(name: &'static str)
            deserialize_tuple(len: usize)
            deserialize_tuple_struct(name: &'static str, len: usize)
            deserialize_struct(name: &'static str, fields: &'static [&'static str])
            deserialize_enum(name: &'static str, variants: &'static [&'static str])
            ;
            deserialize_ignored_any deserialize_bytes deserialize_byte_buf
        }
    };
}

/// A seed whose value `T` reads while the scalar it holds is noted.
struct Tee<'s, 'de, S> {
    seed: S,
    seen: &'s mut Scalar<'de>,
}

impl<'s, 'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Tee<'s, 'de, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(TeeDeserializer {
            inner: deserializer,
            seen: self.seen,
        })
    }
}

struct TeeDeserializer<'s, 'de, D> {
    inner: D,
    seen: &'s mut Scalar<'de>,
}

macro_rules! forward_noting {
    ($($method:ident($($arg:ident: $ty:ty),*))* ; $($as_any:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
                self.inner.$method($($arg,)* Note { visitor, seen: self.seen })
            }
        )*
        $(
            fn $as_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.inner.deserialize_any(Note { visitor, seen: self.seen })
            }
        )*
        fn is_human_readable(&self) -> bool {
            self.inner.is_human_readable()
        }
    };
}

impl<'s, 'de, D: Deserializer<'de>> Deserializer<'de> for TeeDeserializer<'s, 'de, D> {
    type Error = D::Error;

    with_every_deserialize_method!(forward_noting);
}

/// Notes a string or number on its way to `T`'s visitor; anything else is
/// [`Scalar::Other`] and passed on strictly.
struct Note<'s, 'de, V> {
    visitor: V,
    seen: &'s mut Scalar<'de>,
}

macro_rules! note_number {
    ($($method:ident($ty:ty))*) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
                *self.seen = Scalar::Num(v as f64);
                self.visitor.$method(v)
            }
        )*
    };
}

macro_rules! note_other {
    ($($method:ident($ty:ty))*) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
                self.visitor.$method(v)
            }
        )*
    };
}

impl<'s, 'de, V: Visitor<'de>> Visitor<'de> for Note<'s, 'de, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    note_number! {
        visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64) visit_u8(u8)
        visit_u16(u16) visit_u32(u32) visit_u64(u64) visit_f32(f32) visit_f64(f64)
        visit_i128(i128) visit_u128(u128)
    }

    note_other! {
        visit_bool(bool) visit_char(char) visit_bytes(&[u8])
        visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        *self.seen = Scalar::Str(Cow::Borrowed(v));
        self.visitor.visit_borrowed_str(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        *self.seen = Scalar::Str(Cow::Owned(v.to_owned()));
        self.visitor.visit_str(v)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        *self.seen = Scalar::Str(Cow::Owned(v.clone()));
        self.visitor.visit_string(v)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_some(TeeDeserializer {
            inner: d,
            seen: self.seen,
        })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_newtype_struct(TeeDeserializer {
            inner: d,
            seen: self.seen,
        })
    }

    /// An array is noted as [`Scalar::Strings`] while all its elements are strings.
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        *self.seen = Scalar::Strings(Vec::new());
        self.visitor.visit_seq(NoteStrings {
            seq,
            seen: self.seen,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(StrictMap {
            map,
            names: MemberNames::default(),
        })
    }

    /// An enum hides whether it was a string or an object: the scan reads
    /// the claim again.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        *self.seen = Scalar::Unread;
        self.visitor.visit_enum(StrictEnum(data))
    }
}

/// The elements of a registered claim's array, noted one by one.
struct NoteStrings<'s, 'de, A> {
    seq: A,
    seen: &'s mut Scalar<'de>,
}

impl<'s, 'de, A: SeqAccess<'de>> SeqAccess<'de> for NoteStrings<'s, 'de, A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        let mut item = Scalar::Other;
        let value = self.seq.next_element_seed(Tee {
            seed,
            seen: &mut item,
        })?;
        if value.is_some() {
            match (&mut *self.seen, item) {
                (Scalar::Strings(strings), Scalar::Str(text)) => strings.push(text.into_owned()),
                (Scalar::Unread, _) => {}
                (seen, Scalar::Unread) => *seen = Scalar::Unread,
                (seen, _) => *seen = Scalar::Other,
            }
        }
        Ok(value)
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// A seed whose value is read strictly.
struct Strict<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Strict<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(StrictDeserializer(deserializer))
    }
}

/// A deserializer whose objects, at any depth, refuse duplicate names.
struct StrictDeserializer<D>(D);

macro_rules! forward_strictly {
    ($($method:ident($($arg:ident: $ty:ty),*))* ; $($as_any:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method($($arg,)* Watch(visitor))
            }
        )*
        $(
            fn $as_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.0.deserialize_any(Watch(visitor))
            }
        )*
        fn is_human_readable(&self) -> bool {
            self.0.is_human_readable()
        }
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for StrictDeserializer<D> {
    type Error = D::Error;

    with_every_deserialize_method!(forward_strictly);
}

/// A visitor that passes everything on, wrapping what may hold objects.
struct Watch<V>(V);

macro_rules! pass_on {
    ($($method:ident($ty:ty))*) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
                self.0.$method(v)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Watch<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    pass_on! {
        visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64)
        visit_i128(i128) visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64)
        visit_u128(u128) visit_f32(f32) visit_f64(f64) visit_char(char)
        visit_str(&str) visit_borrowed_str(&'de str) visit_string(String)
        visit_bytes(&[u8]) visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(StrictDeserializer(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(StrictDeserializer(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(StrictSeq(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(StrictMap {
            map,
            names: MemberNames::default(),
        })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(StrictEnum(data))
    }
}

struct StrictSeq<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for StrictSeq<A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        self.0.next_element_seed(Strict(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

struct StrictMap<'de, A> {
    map: A,
    names: MemberNames<'de>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for StrictMap<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(name) = self.map.next_key::<Name<'de>>()? else {
            return Ok(None);
        };
        self.names.insert(name.clone())?;
        seed.deserialize(Key(name, PhantomData)).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.map.next_value_seed(Strict(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

struct StrictEnum<A>(A);

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for StrictEnum<A> {
    type Error = A::Error;
    type Variant = StrictVariant<A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let (value, variant) = self.0.variant_seed(seed)?;
        Ok((value, StrictVariant(variant)))
    }
}

struct StrictVariant<A>(A);

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for StrictVariant<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        self.0.newtype_variant_seed(Strict(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Watch(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, Watch(visitor))
    }
}

/// An object key already read (and checked): a string, or a number or
/// boolean for the map types that want one, as serde_json reads keys.
struct Key<'de, E>(Name<'de>, PhantomData<E>);

macro_rules! parsed_key {
    ($($method:ident $visit:ident $ty:ty)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
                // Only the canonical spelling: "01", "+1" or "1." are not 1.
                match self.0.as_str().parse::<$ty>() {
                    Ok(value) if value.to_string() == self.0.as_str() => visitor.$visit(value),
                    _ => self.deserialize_any(visitor),
                }
            }
        )*
    };
}

impl<'de, E: de::Error> Deserializer<'de> for Key<'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.0.into_cow() {
            Cow::Borrowed(name) => visitor.visit_borrowed_str(name),
            Cow::Owned(name) => visitor.visit_string(name),
        }
    }

    parsed_key! {
        deserialize_bool visit_bool bool
        deserialize_i8 visit_i8 i8 deserialize_i16 visit_i16 i16
        deserialize_i32 visit_i32 i32 deserialize_i64 visit_i64 i64
        deserialize_u8 visit_u8 u8 deserialize_u16 visit_u16 u16
        deserialize_u32 visit_u32 u32 deserialize_u64 visit_u64 u64
        deserialize_f32 visit_f32 f32 deserialize_f64 visit_f64 f64
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}
