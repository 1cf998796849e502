//! `numbered_enum!`: C-style enums carrying libvirt's numbers, with checked conversion.

/// Declares a `#[repr(i32)]` enum with `from_raw`, `as_raw` and `name`.
macro_rules! numbered_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        #[repr(i32)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $value, )*
        }

        impl $name {
            /// Every value, in numeric order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The value with libvirt's number `raw`, if there is one.
            pub fn from_raw(raw: i32) -> Option<Self> {
                match raw {
                    $( $value => Some($name::$variant), )*
                    _ => None,
                }
            }

            /// libvirt's number for this value.
            pub fn as_raw(self) -> i32 {
                self as i32
            }

            /// The lower-case name libvirt prints (e.g. in status XML or `virsh`).
            pub fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

pub(crate) use numbered_enum;
