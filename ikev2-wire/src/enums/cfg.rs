//! Configuration payload registries (RFC 7296 §3.15).

use super::wire_enum;

wire_enum! {
    /// IKEv2 Configuration Payload CFG Types (RFC 7296 §3.15).
    pub enum CfgType(u8) {
        Request = 1 => "CFG_REQUEST",
        Reply = 2 => "CFG_REPLY",
        Set = 3 => "CFG_SET",
        Ack = 4 => "CFG_ACK",
    }
}

wire_enum! {
    /// IKEv2 Configuration Payload Attribute Types (RFC 7296 §3.15.1 and later RFCs).
    ///
    /// The wire field is 15 bits (the top bit is reserved); values here are the 15-bit type.
    pub enum CfgAttributeType(u16) {
        InternalIp4Address = 1 => "INTERNAL_IP4_ADDRESS",
        InternalIp4Netmask = 2 => "INTERNAL_IP4_NETMASK",
        InternalIp4Dns = 3 => "INTERNAL_IP4_DNS",
        InternalIp4Nbns = 4 => "INTERNAL_IP4_NBNS",
        InternalIp4Dhcp = 6 => "INTERNAL_IP4_DHCP",
        ApplicationVersion = 7 => "APPLICATION_VERSION",
        InternalIp6Address = 8 => "INTERNAL_IP6_ADDRESS",
        InternalIp6Dns = 10 => "INTERNAL_IP6_DNS",
        InternalIp6Dhcp = 12 => "INTERNAL_IP6_DHCP",
        InternalIp4Subnet = 13 => "INTERNAL_IP4_SUBNET",
        SupportedAttributes = 14 => "SUPPORTED_ATTRIBUTES",
        InternalIp6Subnet = 15 => "INTERNAL_IP6_SUBNET",
        Mip6HomePrefix = 16 => "MIP6_HOME_PREFIX",
        InternalIp6Link = 17 => "INTERNAL_IP6_LINK",
        InternalIp6Prefix = 18 => "INTERNAL_IP6_PREFIX",
        HomeAgentAddress = 19 => "HOME_AGENT_ADDRESS",
        PCscfIp4Address = 20 => "P_CSCF_IP4_ADDRESS",
        PCscfIp6Address = 21 => "P_CSCF_IP6_ADDRESS",
        FttKat = 22 => "FTT_KAT",
        ExternalSourceIp4NatInfo = 23 => "EXTERNAL_SOURCE_IP4_NAT_INFO",
        TimeoutPeriodForLivenessCheck = 24 => "TIMEOUT_PERIOD_FOR_LIVENESS_CHECK",
        InternalDnsDomain = 25 => "INTERNAL_DNS_DOMAIN",
        InternalDnssecTa = 26 => "INTERNAL_DNSSEC_TA",
        EncdnsIp4 = 27 => "ENCDNS_IP4",
        EncdnsIp6 = 28 => "ENCDNS_IP6",
        EncdnsDigestInfo = 29 => "ENCDNS_DIGEST_INFO",
    }
}
