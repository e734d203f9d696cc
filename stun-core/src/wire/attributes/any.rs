//! [`AnyAttribute`]: whichever attribute a message holds, typed when known.

use super::*;

/// Any attribute, decoded by its type; unknown types are kept as raw bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[allow(missing_docs)] // each variant is the attribute of the same name
pub enum AnyAttribute<'a> {
    MappedAddress(MappedAddress),
    XorMappedAddress(XorMappedAddress),
    Username(Username<'a>),
    Userhash(Userhash),
    MessageIntegrity(MessageIntegrity),
    MessageIntegritySha256(MessageIntegritySha256<'a>),
    Fingerprint(Fingerprint),
    ErrorCode(ErrorCode<'a>),
    Realm(Realm<'a>),
    Nonce(Nonce<'a>),
    PasswordAlgorithm(PasswordAlgorithm<'a>),
    PasswordAlgorithms(PasswordAlgorithms<'a>),
    UnknownAttributes(UnknownAttributes<'a>),
    Software(Software<'a>),
    AlternateServer(AlternateServer),
    AlternateDomain(AlternateDomain<'a>),
    Priority(Priority),
    UseCandidate(UseCandidate),
    IceControlled(IceControlled),
    IceControlling(IceControlling),
    ChannelNumber(ChannelNumber),
    Lifetime(Lifetime),
    XorPeerAddress(XorPeerAddress),
    Data(Data<'a>),
    XorRelayedAddress(XorRelayedAddress),
    RequestedAddressFamily(RequestedAddressFamily),
    EvenPort(EvenPort),
    RequestedTransport(RequestedTransport),
    DontFragment(DontFragment),
    ReservationToken(ReservationToken),
    AdditionalAddressFamily(AdditionalAddressFamily),
    AddressErrorCode(AddressErrorCode<'a>),
    Icmp(Icmp),
    /// A type this crate does not decode; kept so it can be forwarded or reported.
    Unknown {
        /// The type.
        typ: AttributeType,
        /// The value.
        value: &'a [u8],
    },
}

macro_rules! dispatch {
    ($typ:expr, $value:expr, $tid:expr, $($variant:ident),*) => {
        match $typ {
            $(t if t == <$variant as Attribute>::TYPE => {
                <$variant as Attribute>::decode($value, $tid).map(AnyAttribute::$variant)
            })*
            typ => Ok(AnyAttribute::Unknown { typ, value: $value }),
        }
    };
}

impl<'a> AnyAttribute<'a> {
    /// Decodes a value by its type.
    pub fn decode(
        typ: AttributeType,
        value: &'a [u8],
        tid: &TransactionId,
    ) -> Result<Self, AttributeError> {
        dispatch!(
            typ,
            value,
            tid,
            MappedAddress,
            XorMappedAddress,
            Username,
            Userhash,
            MessageIntegrity,
            MessageIntegritySha256,
            Fingerprint,
            ErrorCode,
            Realm,
            Nonce,
            PasswordAlgorithm,
            PasswordAlgorithms,
            UnknownAttributes,
            Software,
            AlternateServer,
            AlternateDomain,
            Priority,
            UseCandidate,
            IceControlled,
            IceControlling,
            ChannelNumber,
            Lifetime,
            XorPeerAddress,
            Data,
            XorRelayedAddress,
            RequestedAddressFamily,
            EvenPort,
            RequestedTransport,
            DontFragment,
            ReservationToken,
            AdditionalAddressFamily,
            AddressErrorCode,
            Icmp
        )
    }
}
