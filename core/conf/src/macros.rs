//! Declaration macros: closed sets of XML words ([`string_enum!`]) and typed elements
//! ([`xml_struct!`]).

/// Declares an enum whose variants map one-to-one onto XML words.
///
/// An unknown word is an error naming the attribute and element, as libvirt reports it
/// (`Invalid value for attribute 'type' in element 'disk': 'bogus'.`), or, with
/// `unknown = (code, domain, "message '{}'")`, the error libvirt has for that value.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal, unknown = ($code:expr, $domain:expr, $msg:literal)) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        string_enum! {
            @define $(#[$meta])* $vis enum $name ($what) { $( $(#[$vmeta])* $variant = $text, )+ }
        }
        impl $crate::model::XmlValue for $name {
            fn parse_value(s: &str) -> Result<Self, $crate::model::Expect> {
                s.parse().map_err(|_| {
                    $crate::model::Expect::Custom($crate::ConfError::Invalid {
                        code: $code,
                        domain: $domain,
                        message: format!($msg, s),
                    })
                })
            }
            fn format_value(&self) -> String {
                self.as_str().to_owned()
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        string_enum! {
            @define $(#[$meta])* $vis enum $name ($what) { $( $(#[$vmeta])* $variant = $text, )+ }
        }
        impl $crate::model::XmlValue for $name {
            fn parse_value(s: &str) -> Result<Self, $crate::model::Expect> {
                s.parse().map_err(|_| $crate::model::Expect::Enum)
            }
            fn format_value(&self) -> String {
                self.as_str().to_owned()
            }
        }
    };
    (
        @define
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every accepted value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The XML spelling of this value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $( $text => Ok($name::$variant), )+
                    other => Err(format!(
                        "unknown {} '{}' (expected one of: {})",
                        $what,
                        other,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

    };
}

/// The Rust type of a field of an [`xml_struct!`].
macro_rules! xml_field_ty {
    (attr $t:ty) => { Option<$t> };
    (attr_req $t:ty) => { $t };
    (attr_def $t:ty) => { $t };
    (child $t:ty) => { Option<$t> };
    (child_req $t:ty) => { $t };
    (children $t:ty) => { Vec<$t> };
    (text $t:ty) => { Option<$t> };
    (text_req $t:ty) => { $t };
    (text_child $t:ty) => { Option<$t> };
    (text_children $t:ty) => { Vec<$t> };
    (flag $t:ty) => { bool };
}

/// Reads one field of an [`xml_struct!`] out of element `$el`.
macro_rules! xml_field_take {
    (attr $el:ident $x:literal) => {
        $crate::model::attr(&mut $el, $x)?
    };
    (attr_req $el:ident $x:literal) => {
        $crate::model::attr_req(&mut $el, $x)?
    };
    (attr_def $el:ident $x:literal) => {
        $crate::model::attr(&mut $el, $x)?.unwrap_or_default()
    };
    (child $el:ident $x:literal) => {
        $crate::model::child(&mut $el, $x)?
    };
    (child_req $el:ident $x:literal) => {
        $crate::model::child_req(&mut $el, $x)?
    };
    (children $el:ident $x:literal) => {
        $crate::model::children(&mut $el, $x)?
    };
    (text $el:ident $x:literal) => {
        $crate::model::text(&mut $el)?
    };
    (text_req $el:ident $x:literal) => {
        $crate::model::text_req(&mut $el)?
    };
    (text_child $el:ident $x:literal) => {
        $crate::model::text_child(&mut $el, $x)?
    };
    (text_children $el:ident $x:literal) => {
        $crate::model::text_children(&mut $el, $x)?
    };
    (flag $el:ident $x:literal) => {
        $crate::model::flag(&mut $el, $x)?
    };
}

/// Writes one field of an [`xml_struct!`] into element `$el`.
macro_rules! xml_field_put {
    (attr $el:ident $x:literal $v:expr) => {
        $crate::model::put_attr(&mut $el, $x, $v.as_ref())
    };
    (attr_req $el:ident $x:literal $v:expr) => {
        $crate::model::put_attr(&mut $el, $x, Some(&$v))
    };
    (attr_def $el:ident $x:literal $v:expr) => {
        $crate::model::put_attr(&mut $el, $x, Some(&$v))
    };
    (child $el:ident $x:literal $v:expr) => {
        $crate::model::put_child(&mut $el, $x, $v.as_ref())
    };
    (child_req $el:ident $x:literal $v:expr) => {
        $crate::model::put_child(&mut $el, $x, Some(&$v))
    };
    (children $el:ident $x:literal $v:expr) => {
        for item in &$v {
            $crate::model::put_child(&mut $el, $x, Some(item));
        }
    };
    (text $el:ident $x:literal $v:expr) => {
        $crate::model::put_text(&mut $el, $v.as_ref())
    };
    (text_req $el:ident $x:literal $v:expr) => {
        $crate::model::put_text(&mut $el, Some(&$v))
    };
    (text_child $el:ident $x:literal $v:expr) => {
        $crate::model::put_text_child(&mut $el, $x, $v.as_ref())
    };
    (text_children $el:ident $x:literal $v:expr) => {
        for item in &$v {
            $crate::model::put_text_child(&mut $el, $x, Some(item));
        }
    };
    (flag $el:ident $x:literal $v:expr) => {
        $crate::model::put_flag(&mut $el, $x, $v)
    };
}

/// Declares a typed element: a struct whose fields are attributes, children or text,
/// plus an `extra` field keeping whatever else the element holds.
///
/// Each field is `KIND name: Type = "xml-name"`, with KIND one of `attr`, `attr_req`,
/// `attr_def` (absent reads as `Type::default()`, libvirt's default), `child`, `child_req`, `children`, `text`, `text_req`, `text_child`,
/// `text_children`, `flag` (the xml name of `text`/`text_req` fields is ignored).
macro_rules! xml_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $kind:ident $field:ident : $ty:ty = $x:literal,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: xml_field_ty!($kind $ty), )*
            /// What the input held that this type does not model, kept and written back.
            pub extra: $crate::xml::Extra,
        }

        impl $crate::model::XmlElement for $name {
            #[allow(unused_mut)]
            fn from_element(
                mut el: $crate::xml::Element,
            ) -> Result<Self, $crate::ConfError> {
                $( let $field = xml_field_take!($kind el $x); )*
                Ok($name { $($field,)* extra: $crate::model::rest(el) })
            }

            #[allow(unused_mut)]
            fn to_element(&self, name: &str) -> $crate::xml::Element {
                let mut el = $crate::xml::Element::new(name);
                $( xml_field_put!($kind el $x self.$field); )*
                self.extra.write_into(&mut el);
                el
            }
        }
    };
}
