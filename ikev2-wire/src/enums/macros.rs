//! The `wire_enum!` macro: a protocol-number enum that keeps unknown values.

/// Declares a `#[non_exhaustive]` protocol-number enum over an unsigned integer.
///
/// Each variant carries its IANA registry name. The generated type has:
/// - an `Unknown(uN)` variant holding any value the table does not name (so an
///   unrecognised number survives a parse/emit round trip unchanged);
/// - `From<uN>` and `From<Enum> for uN`, plus `const fn from_value`/`value`;
/// - `iana_name()` returning the registry name (or `None` for `Unknown`);
/// - `Display` printing the IANA name, or `UNKNOWN(n)` for an unnamed value.
///
/// `Unknown(n)` is only produced for values without a named variant; build
/// values with `From`/`from_value` to keep that invariant (equality compares
/// variants, so `Unknown(33)` would differ from the named variant for 33).
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident($ty:ty) {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $value:literal => $iana:literal,
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[doc = concat!("`", $iana, "` (", stringify!($value), ").")]
                $variant,
            )+
            /// A value this crate does not name, kept verbatim.
            Unknown($ty),
        }

        impl $name {
            /// Every named variant, in registry order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Maps a wire value to the enum (never fails: unnamed values become `Unknown`).
            #[must_use]
            #[inline]
            pub const fn from_value(value: $ty) -> Self {
                match value {
                    $($value => $name::$variant,)+
                    other => $name::Unknown(other),
                }
            }

            /// The wire value.
            #[must_use]
            #[inline]
            pub const fn value(self) -> $ty {
                match self {
                    $($name::$variant => $value,)+
                    $name::Unknown(other) => other,
                }
            }

            /// The name from the IANA registry, or `None` for an unnamed value.
            #[must_use]
            pub const fn iana_name(self) -> Option<&'static str> {
                match self {
                    $($name::$variant => Some($iana),)+
                    $name::Unknown(_) => None,
                }
            }
        }

        impl From<$ty> for $name {
            #[inline]
            fn from(value: $ty) -> Self {
                Self::from_value(value)
            }
        }

        impl From<$name> for $ty {
            #[inline]
            fn from(value: $name) -> Self {
                value.value()
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.iana_name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "UNKNOWN({})", self.value()),
                }
            }
        }
    };
}

pub(crate) use wire_enum;
