//! Encoding/decoding tests for the XDR codec, including libvirt's quirks and
//! hostile input.

use rvirt_testkit::hex;
use rvirt_xdr::union::{self, Arm, Union};
use rvirt_xdr::{
    Error, Limits, from_bytes, from_bytes_exact, from_bytes_exact_with_limits, to_bytes,
};
use serde::de::{DeserializeOwned, SeqAccess};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt::Debug;

/// Encodes `v`, checks the bytes, decodes them back exactly.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(v: &T, expected_hex: &str) {
    let bytes = to_bytes(v).unwrap();
    assert_eq!(bytes, hex(expected_hex), "encoding of {v:?}");
    let back: T = from_bytes_exact(&bytes).unwrap();
    assert_eq!(&back, v);
}

#[test]
fn scalars() {
    round_trip(&0x0102_0304i32, "01020304");
    round_trip(&-1i32, "ffffffff");
    round_trip(&0xdead_beefu32, "deadbeef");
    round_trip(&-2i64, "ffffffff fffffffe");
    round_trip(&0x0102_0304_0506_0708u64, "01020304 05060708");
    round_trip(&true, "00000001");
    round_trip(&false, "00000000");
    round_trip(&1.5f32, "3fc00000");
    round_trip(&-2.0f64, "c0000000 00000000");
    round_trip(&'A', "00000041");
    round_trip(&(), "");
}

#[test]
fn rpcgen_char_and_short_take_four_bytes() {
    round_trip(&7u8, "00000007");
    round_trip(&-2i8, "fffffffe");
    round_trip(&0xfffeu16, "0000fffe");
    round_trip(&-3i16, "fffffffd");
    // glibc's xdr_char sign-extends; both forms decode like C's truncation would.
    assert_eq!(from_bytes::<u8>(&hex("ffffff80")).unwrap(), 0x80);
    assert_eq!(from_bytes::<i8>(&hex("00000080")).unwrap(), -128);
    assert_eq!(from_bytes::<u16>(&hex("ffff8000")).unwrap(), 0x8000);
    // Genuinely out of range.
    assert!(matches!(
        from_bytes::<u8>(&hex("00000100")),
        Err(Error::IntegerOutOfRange {
            ty: "u8",
            value: 256
        })
    ));
    assert!(matches!(
        from_bytes::<i16>(&hex("00010000")),
        Err(Error::IntegerOutOfRange { .. })
    ));
    // A plain Vec<u8> is rpcgen's `char x<N>`: 4 bytes per char
    // ("testSecurity" + NUL as libvirt sends it).
    let model = b"testSecurity\0".to_vec();
    let bytes = to_bytes(&model).unwrap();
    assert_eq!(bytes.len(), 4 + 13 * 4);
    assert_eq!(&bytes[..12], &hex("0000000d 00000074 00000065"));
    assert_eq!(from_bytes_exact::<Vec<u8>>(&bytes).unwrap(), model);
}

#[test]
fn strings_are_length_prefixed_and_padded() {
    round_trip(&String::new(), "00000000");
    round_trip(&"test".to_string(), "00000004 74657374");
    round_trip(
        &"test:///default".to_string(),
        "0000000f 74657374 3a2f2f2f 64656661 756c7400",
    );
    round_trip(&"ab".to_string(), "00000002 61620000");
    // Borrowed decoding.
    let bytes = hex("00000003 78797a00");
    let s: &str = from_bytes_exact(&bytes).unwrap();
    assert_eq!(s, "xyz");
    // Invalid UTF-8.
    assert_eq!(
        from_bytes_exact::<String>(&hex("00000001 ff000000")),
        Err(Error::InvalidUtf8)
    );
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Opaques {
    #[serde(with = "rvirt_xdr::opaque")]
    var: Vec<u8>,
    #[serde(with = "rvirt_xdr::fixed_opaque")]
    uuid: [u8; 16],
    #[serde(with = "rvirt_xdr::fixed_opaque")]
    odd: [u8; 5],
    tail: u32,
}

#[test]
fn opaque_helpers() {
    let v = Opaques {
        var: vec![1, 2, 3],
        uuid: *b"\x66\x95\xeb\x01\xf6\xa4\x83\x04\x79\xaa\x97\xf2\x50\x2e\x19\x3f",
        odd: [9, 8, 7, 6, 5],
        tail: 0x11,
    };
    round_trip(
        &v,
        "00000003 01020300
         6695eb01 f6a48304 79aa97f2 502e193f
         09080706 05000000
         00000011",
    );
    // Truncated fixed opaque.
    assert!(matches!(
        from_bytes_exact::<Opaques>(&hex("00000000 6695eb01")),
        Err(Error::UnexpectedEof { .. })
    ));
}

#[test]
fn optional_data() {
    round_trip(&None::<String>, "00000000");
    round_trip(&Some("x".to_string()), "00000001 00000001 78000000");
    round_trip(&Some(Some(5i32)), "00000001 00000001 00000005");
    assert_eq!(
        from_bytes_exact::<Option<i32>>(&hex("00000002 00000005")),
        Err(Error::InvalidBool(2))
    );
    assert_eq!(
        from_bytes_exact::<bool>(&hex("00000007")),
        Err(Error::InvalidBool(7))
    );
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Domain {
    name: String,
    #[serde(with = "rvirt_xdr::fixed_opaque")]
    uuid: [u8; 16],
    id: i32,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct ListRet {
    domains: Vec<Domain>,
    ret: u32,
}

#[test]
fn arrays_structs_tuples() {
    round_trip(&Vec::<i32>::new(), "00000000");
    round_trip(&vec![1u32, 2], "00000002 00000001 00000002");
    round_trip(&[1i32, 2, 3], "00000001 00000002 00000003");
    round_trip(&(1i32, 2u64, true), "00000001 00000000 00000002 00000001");
    // The LIST_ALL_DOMAINS reply seen from libvirtd 9.0.
    let ret = ListRet {
        domains: vec![Domain {
            name: "test".into(),
            uuid: hex("6695eb01f6a4830479aa97f2502e193f").try_into().unwrap(),
            id: 1,
        }],
        ret: 1,
    };
    round_trip(
        &ret,
        "00000001 00000004 74657374 6695eb01f6a4830479aa97f2502e193f 00000001 00000001",
    );
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum AuthType {
    None,
    Sasl,
    Polkit,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum WithData {
    A(i32),
}

#[test]
fn enums() {
    round_trip(&AuthType::Polkit, "00000002");
    round_trip(
        &vec![AuthType::None, AuthType::Sasl],
        "00000002 00000000 00000001",
    );
    assert!(matches!(
        from_bytes_exact::<AuthType>(&hex("00000003")),
        Err(Error::InvalidValue(_))
    ));
    assert!(matches!(
        to_bytes(&WithData::A(1)),
        Err(Error::Unsupported(_))
    ));
    assert!(matches!(
        from_bytes_exact::<WithData>(&hex("00000000 00000001")),
        Err(Error::Unsupported(_))
    ));
}

/// `remote_typed_param_value`: `union switch (int type)` with cases 1..=6
/// (VIR_TYPED_PARAM_INT … BOOLEAN) and 7 (STRING).
#[derive(Debug, Clone, PartialEq)]
enum TypedParamValue {
    Int(i32),
    UInt(u32),
    LLong(i64),
    ULLong(u64),
    Double(f64),
    Boolean(i32),
    String(String),
}

impl Serialize for TypedParamValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TypedParamValue::Int(v) => union::serialize(s, 1, v),
            TypedParamValue::UInt(v) => union::serialize(s, 2, v),
            TypedParamValue::LLong(v) => union::serialize(s, 3, v),
            TypedParamValue::ULLong(v) => union::serialize(s, 4, v),
            TypedParamValue::Double(v) => union::serialize(s, 5, v),
            TypedParamValue::Boolean(v) => union::serialize(s, 6, v),
            TypedParamValue::String(v) => union::serialize(s, 7, v),
        }
    }
}

impl Union for TypedParamValue {
    const NAME: &'static str = "remote_typed_param_value";

    fn deserialize_arm<'de, A: SeqAccess<'de>>(arm: Arm<'de, A>) -> Result<Self, A::Error> {
        match arm.discriminant() {
            1 => arm.read().map(TypedParamValue::Int),
            2 => arm.read().map(TypedParamValue::UInt),
            3 => arm.read().map(TypedParamValue::LLong),
            4 => arm.read().map(TypedParamValue::ULLong),
            5 => arm.read().map(TypedParamValue::Double),
            6 => arm.read().map(TypedParamValue::Boolean),
            7 => arm.read().map(TypedParamValue::String),
            _ => arm.unknown(),
        }
    }
}

impl<'de> Deserialize<'de> for TypedParamValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        union::deserialize(d)
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct TypedParam {
    field: String,
    value: TypedParamValue,
}

/// A union with a `void` arm.
#[derive(Debug, PartialEq)]
enum MaybeVoid {
    Nothing,
    Some(u32),
}

impl Serialize for MaybeVoid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MaybeVoid::Nothing => union::serialize(s, 0, &()),
            MaybeVoid::Some(v) => union::serialize(s, 1, v),
        }
    }
}

impl Union for MaybeVoid {
    const NAME: &'static str = "MaybeVoid";

    fn deserialize_arm<'de, A: SeqAccess<'de>>(arm: Arm<'de, A>) -> Result<Self, A::Error> {
        match arm.discriminant() {
            0 => arm.void().map(|()| MaybeVoid::Nothing),
            1 => arm.read().map(MaybeVoid::Some),
            _ => arm.unknown(),
        }
    }
}

impl<'de> Deserialize<'de> for MaybeVoid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        union::deserialize(d)
    }
}

#[test]
fn unions_use_explicit_discriminants() {
    round_trip(&TypedParamValue::Int(5), "00000001 00000005");
    round_trip(&TypedParamValue::UInt(7), "00000002 00000007");
    round_trip(&TypedParamValue::LLong(-1), "00000003 ffffffff ffffffff");
    round_trip(&TypedParamValue::ULLong(2), "00000004 00000000 00000002");
    round_trip(&TypedParamValue::Double(1.0), "00000005 3ff00000 00000000");
    round_trip(&TypedParamValue::Boolean(1), "00000006 00000001");
    round_trip(
        &TypedParamValue::String("hi".into()),
        "00000007 00000002 68690000",
    );
    round_trip(
        &vec![
            TypedParam {
                field: "cpu_time".into(),
                value: TypedParamValue::ULLong(42),
            },
            TypedParam {
                field: "x".into(),
                value: TypedParamValue::Int(-1),
            },
        ],
        "00000002
         00000008 6370755f 74696d65 00000004 00000000 0000002a
         00000001 78000000 00000001 ffffffff",
    );
    round_trip(&MaybeVoid::Nothing, "00000000");
    round_trip(&MaybeVoid::Some(3), "00000001 00000003");
}

#[test]
fn bad_union_discriminant() {
    for disc in ["00000000", "00000008", "ffffffff"] {
        let bytes = hex(&format!("{disc} 00000005"));
        match from_bytes_exact::<TypedParamValue>(&bytes) {
            Err(Error::InvalidValue(msg)) => {
                assert!(msg.contains("remote_typed_param_value"), "{msg}")
            }
            other => panic!("{disc}: {other:?}"),
        }
    }
    // Discriminant itself truncated.
    assert!(matches!(
        from_bytes_exact::<TypedParamValue>(&hex("0000")),
        Err(Error::UnexpectedEof { .. })
    ));
}

#[test]
fn every_truncation_is_an_error() {
    let v = vec![
        TypedParam {
            field: "memory".into(),
            value: TypedParamValue::String("1024".into()),
        },
        TypedParam {
            field: "v".into(),
            value: TypedParamValue::LLong(9),
        },
    ];
    let bytes = to_bytes(&v).unwrap();
    for cut in 0..bytes.len() {
        let r = from_bytes::<Vec<TypedParam>>(&bytes[..cut]);
        assert!(
            matches!(r, Err(Error::UnexpectedEof { .. })),
            "cut at {cut}: {r:?}"
        );
    }
    assert_eq!(from_bytes_exact::<Vec<TypedParam>>(&bytes).unwrap(), v);
}

#[test]
fn trailing_bytes() {
    let bytes = hex("00000001 00000002");
    assert_eq!(from_bytes::<u32>(&bytes).unwrap(), 1);
    assert_eq!(
        from_bytes_exact::<u32>(&bytes),
        Err(Error::TrailingBytes(4))
    );
    let (v, used) = rvirt_xdr::from_bytes_prefix::<u32>(&bytes, Limits::default()).unwrap();
    assert_eq!((v, used), (1, 4));
}

#[test]
fn string_limit_is_enforced_before_reading() {
    // Default limit: REMOTE_STRING_MAX = 4 MiB; claim one byte more, supply nothing.
    let bytes = hex("00400001");
    assert_eq!(
        from_bytes_exact::<String>(&bytes),
        Err(Error::StringTooLong {
            len: 4_194_305,
            max: 4_194_304
        })
    );
    // Custom limit, data present.
    let limits = Limits {
        max_string: 3,
        ..Limits::default()
    };
    let bytes = to_bytes(&"abcd").unwrap();
    assert_eq!(
        from_bytes_exact_with_limits::<String>(&bytes, limits),
        Err(Error::StringTooLong { len: 4, max: 3 })
    );
    assert!(from_bytes_exact_with_limits::<String>(&to_bytes(&"abc").unwrap(), limits).is_ok());
    // Encoding respects the limit too.
    assert_eq!(
        rvirt_xdr::to_bytes_with_limits(&"abcd", limits),
        Err(Error::StringTooLong { len: 4, max: 3 })
    );
    // A length within the limit but beyond the input.
    assert_eq!(
        from_bytes_exact::<String>(&hex("00001000 61626364")),
        Err(Error::UnexpectedEof {
            needed: 4096,
            remaining: 4
        })
    );
}

#[test]
fn huge_counts_do_not_allocate() {
    // 0xffffffff elements claimed, 8 bytes supplied: must fail immediately.
    let bytes = hex("ffffffff 00000001 00000002");
    assert!(matches!(
        from_bytes_exact::<Vec<u64>>(&bytes),
        Err(Error::ArrayTooLong { .. })
    ));
    // Within the array limit but more than the input could hold.
    let bytes = hex("00100000 00000001 00000002");
    assert_eq!(
        from_bytes_exact::<Vec<u32>>(&bytes),
        Err(Error::UnexpectedEof {
            needed: 0x0010_0000 * 4,
            remaining: 8
        })
    );
    // Nested: a string array whose count is absurd.
    assert!(matches!(
        from_bytes_exact::<Vec<String>>(&hex("7fffffff")),
        Err(Error::ArrayTooLong { .. })
    ));
    // Opaque length beyond the input.
    #[derive(Debug, Deserialize)]
    struct Blob {
        #[serde(with = "rvirt_xdr::opaque")]
        _data: Vec<u8>,
    }
    assert!(matches!(
        from_bytes_exact::<Blob>(&hex("01000000 00")),
        Err(Error::UnexpectedEof { .. })
    ));
    assert!(matches!(
        from_bytes_exact::<Blob>(&hex("ffffffff")),
        Err(Error::OpaqueTooLong { .. })
    ));
    // Array limit configurable.
    let limits = Limits {
        max_array: 1,
        ..Limits::default()
    };
    assert_eq!(
        from_bytes_exact_with_limits::<Vec<u32>>(&hex("00000002 00000001 00000002"), limits),
        Err(Error::ArrayTooLong { len: 2, max: 1 })
    );
}

#[test]
fn message_limit() {
    let limits = Limits {
        max_message: 8,
        ..Limits::default()
    };
    assert_eq!(
        from_bytes_exact_with_limits::<Vec<u32>>(&hex("00000002 00000001 00000002"), limits),
        Err(Error::MessageTooLarge { len: 12, max: 8 })
    );
    let mut out = vec![0xaa];
    assert!(rvirt_xdr::serialize_into_with_limits(&mut out, &(1u32, 2u32, 3u32), limits).is_err());
    assert_eq!(out, [0xaa], "failed encoding leaves the buffer unchanged");
    rvirt_xdr::serialize_into(&mut out, &1u32).unwrap();
    assert_eq!(out, [0xaa, 0, 0, 0, 1]);
}

#[test]
fn not_self_describing() {
    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Untagged {
        _A(u32),
    }
    assert!(matches!(
        from_bytes::<Untagged>(&hex("00000001")),
        Err(Error::Unsupported(_))
    ));
    struct Unsized;
    impl Serialize for Unsized {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq((0u32..3).filter(|x| x % 2 == 0))
        }
    }
    assert!(matches!(to_bytes(&Unsized), Err(Error::Unsupported(_))));
}
