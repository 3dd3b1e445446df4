//! `into_owned()`: turn a representation that borrows the parsed buffer into
//! one that owns its bytes (`'static`), e.g. to keep a parsed message after
//! the datagram buffer is reused.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::message::MessageRepr;
use crate::payload::{
    Attribute, AttributeValue, AuthRepr, CertRepr, CfgAttribute, CpRepr, DeleteRepr, EapRepr,
    IdRepr, KeRepr, NonceRepr, NotifyRepr, PayloadBody, PayloadRepr, ProposalRepr, SaRepr, SkRepr,
    SkfRepr, TrafficSelector, TransformRepr, TsRepr, VendorIdRepr,
};

/// Field-level conversion used by the generated `into_owned` methods.
pub(crate) trait Own {
    type Out;
    fn own(self) -> Self::Out;
}

impl Own for Cow<'_, [u8]> {
    type Out = Cow<'static, [u8]>;
    fn own(self) -> Self::Out {
        Cow::Owned(self.into_owned())
    }
}

impl<T: Own> Own for Vec<T> {
    type Out = Vec<T::Out>;
    fn own(self) -> Self::Out {
        self.into_iter().map(Own::own).collect()
    }
}

/// For each struct: the fields that borrow (converted) and the plain ones (moved).
macro_rules! owned_structs {
    ($( $ty:ident { own: [$($own:ident),*], keep: [$($keep:ident),*] } )+) => {
        $(
            impl Own for $ty<'_> {
                type Out = $ty<'static>;
                fn own(self) -> Self::Out {
                    $ty { $($own: self.$own.own(),)* $($keep: self.$keep,)* }
                }
            }

            impl $ty<'_> {
                /// Converts into a value that owns all its bytes.
                #[must_use]
                pub fn into_owned(self) -> $ty<'static> {
                    self.own()
                }
            }
        )+
    };
}

owned_structs! {
    MessageRepr { own: [payloads], keep: [header] }
    PayloadRepr { own: [body], keep: [flags] }
    SaRepr { own: [proposals], keep: [] }
    ProposalRepr { own: [spi, transforms], keep: [reserved, number, protocol_id] }
    TransformRepr { own: [attributes], keep: [reserved1, transform_type, reserved2, transform_id] }
    Attribute { own: [value], keep: [attribute_type] }
    KeRepr { own: [data], keep: [group, reserved] }
    IdRepr { own: [data], keep: [id_type, reserved] }
    CertRepr { own: [data], keep: [encoding] }
    AuthRepr { own: [data], keep: [method, reserved] }
    NonceRepr { own: [data], keep: [] }
    NotifyRepr { own: [spi, data], keep: [protocol_id, notify_type] }
    DeleteRepr { own: [spis], keep: [protocol_id, spi_size, num_spis] }
    VendorIdRepr { own: [data], keep: [] }
    TsRepr { own: [selectors], keep: [reserved] }
    SkRepr { own: [data], keep: [first_inner] }
    CpRepr { own: [attributes], keep: [cfg_type, reserved] }
    CfgAttribute { own: [value], keep: [reserved_bit, attribute_type] }
    EapRepr { own: [data], keep: [] }
    SkfRepr { own: [data], keep: [first_inner, fragment_number, total_fragments] }
}

impl Own for AttributeValue<'_> {
    type Out = AttributeValue<'static>;
    fn own(self) -> Self::Out {
        match self {
            Self::Tv(v) => AttributeValue::Tv(v),
            Self::Tlv(v) => AttributeValue::Tlv(v.own()),
        }
    }
}

impl Own for TrafficSelector<'_> {
    type Out = TrafficSelector<'static>;
    fn own(self) -> Self::Out {
        match self {
            Self::Ipv4 {
                ip_protocol,
                start_port,
                end_port,
                start,
                end,
            } => TrafficSelector::Ipv4 {
                ip_protocol,
                start_port,
                end_port,
                start,
                end,
            },
            Self::Ipv6 {
                ip_protocol,
                start_port,
                end_port,
                start,
                end,
            } => TrafficSelector::Ipv6 {
                ip_protocol,
                start_port,
                end_port,
                start,
                end,
            },
            Self::Other {
                ts_type,
                second,
                data,
            } => TrafficSelector::Other {
                ts_type,
                second,
                data: data.own(),
            },
        }
    }
}

impl Own for PayloadBody<'_> {
    type Out = PayloadBody<'static>;
    fn own(self) -> Self::Out {
        self.into_owned()
    }
}
