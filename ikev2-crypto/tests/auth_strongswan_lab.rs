//! Real signatures made by real peers: the four signature AUTH payloads of
//! two strongSwan 5.9.8 daemons (RFC 7427 ECDSA with SHA-256 and RSASSA-PKCS1-v1_5
//! with SHA-256, both directions), verified against the certificates the
//! peers sent, over signed octets rebuilt from the captured messages.
//!
//! Source: the project's lab capture `testdata/strongswan/lab-rsa-frag-psk-ecdsa.pcap`
//! (sessions "rsa", with a fragmented IKE_AUTH, and "ecdsa"), decrypted with its
//! `ikev2_decryption_table`; SK_pi/SK_pr come from charon's log of the same run
//! (`ike = 4`). Transcribed here: the IKE_SA_INIT message each side sent, the
//! other side's nonce, SK_p, the decrypted ID, AUTH and CERT payload bodies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use core::time::Duration;

use ikev2_crypto::auth::{verify_auth, AuthError, AuthMethod, AuthPolicy};
use ikev2_crypto::cert::{CertVerifier, EkuPolicy, PeerIdentity, UnixTime, ValidationPolicy};
use ikev2_crypto::provider::rustcrypto::{PRF_HMAC_SHA2_256, VERIFIER};
use ikev2_crypto::{CryptoError, EcCurve, EcdsaEncoding, HashAlg, SignatureScheme, SupportedPrf};

struct Case {
    name: &'static str,
    /// The signer's IKE_SA_INIT message (RealMessage1 or RealMessage2).
    message: &'static [&'static str],
    /// The other side's nonce (Nr for the initiator, Ni for the responder).
    nonce: &'static str,
    /// SK_pi or SK_pr.
    sk_p: &'static str,
    /// ID payload body (ID type, reserved, data): IDi' or IDr'.
    id: &'static str,
    /// AUTH payload body (method, reserved, authentication data).
    auth: &'static [&'static str],
    /// CERT payload body (encoding 4, DER certificate).
    cert: &'static [&'static str],
    fqdn: &'static str,
    scheme: SignatureScheme,
}

fn h(parts: &[&str]) -> Vec<u8> {
    hex::decode(parts.concat()).unwrap()
}

const ECDSA_I_MESSAGE: &[&str] = &[
    "d6e3da3c7e38809400000000000000002120220800000000000001082200002800000024010100030300000c01000014",
    "800e0100030000080200000500000008040000132800004800130000b68d39380707ec3f21cc9aa46725d35e16ca4664",
    "331f7622d224b04a7279b7f938d3143244b3485c5d0af03c4a2ae2af2bf65c30cde73388efccb50e7099412e29000024",
    "9f76f075f8a49c9492eec9508f14e86aabf7045f8e8e0179e9479da75fd069b22900001c00004004cab821fa14255b19",
    "c7f67260cb4ffdebadaa01d22900001c00004005a01f5589e489e0330dcd52f5af18df3f373403ac290000080000402e",
    "290000100000402f00020003000400050000000800004016",
];

const ECDSA_I_AUTH: &[&str] = &[
    "0e0000000c300a06082a8648ce3d040302304402200e23c22032a6af5fa53345b4ead4dc302af8d616e84750f9afb406",
    "8528acc7cf02201e86264209061b671ac5bd3e1d31ef21ec9d7d290b164954abc5f340deed6eee",
];

const ECDSA_I_CERT: &[&str] = &[
    "04308201d43082017ba0030201020208603ad9d6977de1c7300a06082a8648ce3d0403023046310b3009060355040613",
    "025858311a3018060355040a1311494b45763220696e7465726f70206c6162311b3019060355040313124c6162204543",
    "44534120502d323536204341301e170d3236313132323131323732305a170d3331313132313131323732305a303f310b",
    "3009060355040613025858311a3018060355040a1311494b45763220696e7465726f70206c6162311430120603550403",
    "130b612e65636473612e6c61623059301306072a8648ce3d020106082a8648ce3d03010703420004fe20e5b4433254ef",
    "768bef686768ddef49b3a311313d80cc586a9cf26e5613ca420c262924f28d9c19bbc45a49bca37522a459c822a6aca6",
    "6dcb93effd1c10eda35a3058301f0603551d230418301680147333bce3ec73074ca703d8c647c55630c39f76b1301606",
    "03551d11040f300d820b612e65636473612e6c6162301d0603551d250416301406082b0601050507030106082b060105",
    "05070302300a06082a8648ce3d0403020347003044022078acb1a415376a56f88110ab75d1568a1877d6d92d8c9819a9",
    "046b72dc5ed9c202205fd413f1021b6f0eb5e67f663805bf85aab74e0694a03aa7c4d8df19cf819b31",
];

const ECDSA_R_MESSAGE: &[&str] = &[
    "d6e3da3c7e388094d72c4e51ccc3d86321202220000000000000013d2200002800000024010100030300000c01000014",
    "800e01000300000802000005000000080400001328000048001300004f117ed3e6ece03431ad344a4ffbb2030b97184b",
    "3eee38c14950a421a382fafbad8e67ab5fae49d14f1abc24aa01d65d6938f7fe2e45cab92ddbc3581040957e29000024",
    "4f47284f539cfb4b5edfae91dd20920d5e7a258a11f6a96b4613520fbaa6792f2900001c00004004ec02a69a057dc91d",
    "ab1aa4e4f2de0a4dc24595ac2600001c00004005daf3ed1f8cc8c45c85595fb27ec6906450ed7fc92900002d0476297a",
    "cf9c5c3b141ca2099efa31e9e692970a60462a48855cac0e5508ae54d183ce26dad7f8476a290000080000402e290000",
    "100000402f000200030004000529000008000040220000000800004014",
];

const ECDSA_R_AUTH: &[&str] = &[
    "0e0000000c300a06082a8648ce3d0403023046022100ed87b2cd2a296382c064240eca85fbc68ac1251fa761ee5bc6a1",
    "72586a94109e022100aa81fb3bfe068b1eb7378adf14db744dfcd31e76a0265b60ccbccb634536cb45",
];

const ECDSA_R_CERT: &[&str] = &[
    "04308201d43082017ba003020102020849ab090eb3d64fff300a06082a8648ce3d0403023046310b3009060355040613",
    "025858311a3018060355040a1311494b45763220696e7465726f70206c6162311b3019060355040313124c6162204543",
    "44534120502d323536204341301e170d3236313132323131323732305a170d3331313132313131323732305a303f310b",
    "3009060355040613025858311a3018060355040a1311494b45763220696e7465726f70206c6162311430120603550403",
    "130b622e65636473612e6c61623059301306072a8648ce3d020106082a8648ce3d030107034200044182c833703e6c35",
    "bcacfee1eea3b3421bb43d471dd625d9274e2881dd5027784a0e10b0cfe585f19d35bdafedf7ed1a660883b9d5576129",
    "1abf9418043920bea35a3058301f0603551d230418301680147333bce3ec73074ca703d8c647c55630c39f76b1301606",
    "03551d11040f300d820b622e65636473612e6c6162301d0603551d250416301406082b0601050507030106082b060105",
    "05070302300a06082a8648ce3d040302034700304402206b4757df3c93cebbe8b8d83b8b40347941df39f2f6ed7c3a84",
    "aef7ac88bfca14022002b82c3b10f26389c0889bb7c2a0984182364aab8effa59e31b8739029513a9e",
];

const RSA_I_MESSAGE: &[&str] = &[
    "9692d12ae08aaf7600000000000000002120220800000000000000f0220000300000002c010100040300000c0100000c",
    "800e0080030000080300000c0300000802000005000000080400001f28000028001f000012926697a60c115351fdb917",
    "b69e9d9514f96dfe993e67421175c14e6fea0b12290000244d21e41277bcd409af0b5578537d511bc6f7e641dd91970a",
    "235239d2303085302900001c00004004915392a889dadb6c47bba65293a5206ed0762ddd2900001c00004005eda3572f",
    "c2541d09581518e4cbf898581afc080d290000080000402e290000100000402f00020003000400050000000800004016",
];

const RSA_I_AUTH: &[&str] = &[
    "0e0000000f300d06092a864886f70d01010b05009186ab9f83d56c7d830d50f93d67959a08d15ff0ef9c0dddee43ec34",
    "640e0082ce28d2f19ce8360e696ce41b597b4fc6344f3377af27883ec662e0eca5cae79fbcb7f7eebe40d8c64d5b1ef2",
    "473626d47a3ed463d9fad49f1d3ca9bda9c0ff748a4a0e6c931f20dea4755d1741440a03f73085404b7279896b78061b",
    "0f655627c0345eae9496d6424a31111211e2a12934b409765dc011e91df3d82cf96b1fd5bfb1e8c9243c4f0e2b49d682",
    "5e498f6a45539591da7d60e994a0ad569d858bd193b1fa06180b9c2eda5224ae5ea7e5975539c0a10bde28f563dfeeb8",
    "b1f6dcbfd0976da12681784c5ecc7c4be783d153888f8c1eda20a6ab9d7807904fb23fe8",
];

const RSA_I_CERT: &[&str] = &[
    "04308203d53082023da0030201020208561b4bbf1f3870e5300d06092a864886f70d01010b0500303e310b3009060355",
    "040613025858311a3018060355040a1311494b45763220696e7465726f70206c6162311330110603550403130a4c6162",
    "20525341204341301e170d3236313132323131323732305a170d3331313132313131323732305a303d310b3009060355",
    "040613025858311a3018060355040a1311494b45763220696e7465726f70206c61623112301006035504031309612e72",
    "73612e6c616230820122300d06092a864886f70d01010105000382010f003082010a0282010100a36fc17087e847031c",
    "a32dcc5ce3ab227940448be069c553b89cbf46aed5255b8cfe9e7520676593e4f8bf60adb1398f099fff68ee08f4acf5",
    "2ba052dbfbcfd495da3f0d742c2b36016267495f7dae8b91335026de734cea1a2ec197256f4b90a61b519d41fbc16acb",
    "cc7d1e12a6f9483396170e760e5f80596b4fc31fe31fcce892757580906d86a898386e92a629417d98260956ca8ba7f2",
    "65d7eacc02ee6cdae3b6d5b46d46c79bc5947980a624ecf10a744e13cc5f8c2e36f0cde35bcc9fc75a02a2c29fe2bbc7",
    "ae50e0c87142d702d9a1d7a9bb602b9260ac064bab696e319f7b8d2e59a204b72fcb99df9fe13b09f10debce3667b386",
    "684106dd6386f50203010001a3583056301f0603551d23041830168014419251f3261ac9be9946315330756a6b2ccf73",
    "8130140603551d11040d300b8209612e7273612e6c6162301d0603551d250416301406082b0601050507030106082b06",
    "010505070302300d06092a864886f70d01010b050003820181007e6a23ef3ab11fda67e9c81c8941d36fc70925415c08",
    "6fd44fa2814ba544be9e579d98f5fd16c40471b2eb2a7001a4cbeaa746a645ec1e1727e3f310ae54f68e619dd7aa28cf",
    "3f16a4e78d6bec16c217259f4b3007db531341da3fd17aa974364af9271afb3579bfee5e352db94ec42fd42b723dd5bb",
    "795feb8767c4a8cc2af28f16708b1a6b1f70eea9472847c1eab542a0a5969ae6aea10143a15e70d70efc1b7d33ccb2ca",
    "bf4debe4290da79990d1aff97540dc782fbbb791e8340ac27f09cb4e8201847f618f0f6818988286b6485c30710fccde",
    "692e542b3e4d0ce1fea1d451d4dc671d95e849782da9d292cd4c407b3e93e7ab25c238805dd265b5bb358c8ccaeb139a",
    "32251bfa5959b1fae17187c271ae0634a179d3ffed40cbd1a67417444687b698b1b1b752504d862c3c9f4b267d29efa3",
    "3573426245a7ed245ed22e65254df250e819bec4ce28a8e167334f35e31ba9f4e326a867c862a0d09ae2478a74ea5ba9",
    "f2f66128cea3e649eb07fd5e4e2df58c8b68d5e1513dd1cc21a5",
];

const RSA_R_MESSAGE: &[&str] = &[
    "9692d12ae08aaf76bdd803334374bdda212022200000000000000125220000300000002c010100040300000c0100000c",
    "800e0080030000080300000c0300000802000005000000080400001f28000028001f0000fc466879ff606d698b7c0052",
    "39e29f956c04b7e25cafc309e8cf8c38e0097133290000247af52ee0b2dd30810fc8437bd1fe8941c1d22690fce73061",
    "73a56d6580a9616f2900001c0000400445f40b0c31a6d76c498caf14af0859146388ed7a2600001c00004005b340fffa",
    "92b05dadd30c8566d18e418590913a242900002d0476297acf9c5c3b141ca2099efa31e9e692970a60462a48855cac0e",
    "5508ae54d183ce26dad7f8476a290000080000402e290000100000402f00020003000400052900000800004022000000",
    "0800004014",
];

const RSA_R_AUTH: &[&str] = &[
    "0e0000000f300d06092a864886f70d01010b050018422d7fc0869f36d381460ada8e82509860215aea6592e13ccfa9b9",
    "c4d70e284a5b70446cd0bac3f58d771c4df200db29c5fe936505eccbfdc0c44d05c6e68b53ba78dc5a3e355f965fe2a3",
    "11d4a18f5dfb9a8205b8f9388d0047fe4085b1d3f03402a02a19a913506bb5802cc300dcd3a7b4a3c8f5dd24d929659d",
    "e57c3281e6caade4156c15f8f3cfdede51c0bcc8d40fc31e042218258137935de993e1825d192198f0e5e53406966ef2",
    "1132e3a24a845106e21f5b988d6f3553c26a6f1822db6731e6af0207f6b9e70b1d590ca5613543f4d07e4b8b2991a103",
    "507a44f5a523206471673ab17774e6703a7d7c13cb35c222b55aec279bb0c9736bc9159c",
];

const RSA_R_CERT: &[&str] = &[
    "04308203d53082023da00302010202080b20e3ed92036b8a300d06092a864886f70d01010b0500303e310b3009060355",
    "040613025858311a3018060355040a1311494b45763220696e7465726f70206c6162311330110603550403130a4c6162",
    "20525341204341301e170d3236313132323131323732305a170d3331313132313131323732305a303d310b3009060355",
    "040613025858311a3018060355040a1311494b45763220696e7465726f70206c61623112301006035504031309622e72",
    "73612e6c616230820122300d06092a864886f70d01010105000382010f003082010a028201010097ac2708b4b47c5c03",
    "cffcbc3ee33638a6fdf1e70b43e4cfe2bb51c17595accfe9a10249204f84fac9856c9d51fa2dae378a40c1f04a78f6d3",
    "51dfc9cb05d7d8d8ad19ff45cba33aa4d3ef7cf2e909dc401c81ffffd770d9e9d88dae800ce6b1062aa3e89eb5317d9d",
    "36b5d9a75062b15ca5035cb4c3a9d478b42d2dff299f562d284945bfda3d785c4e4f770db296aa5917ab1b5f616a9ca4",
    "2465ba0ef88b7611788a1f290c862702b9ec790ea148004758dbb7403ccbb820baa6f35cac732ed81175a03df7f430eb",
    "c36e69d884a06292fc148a5aa82c4d3bacfa7ff046315bcd70722c77a56e6e65dd4821d8580fd8a4723665cf2240eda5",
    "fe33531d9ab00b0203010001a3583056301f0603551d23041830168014419251f3261ac9be9946315330756a6b2ccf73",
    "8130140603551d11040d300b8209622e7273612e6c6162301d0603551d250416301406082b0601050507030106082b06",
    "010505070302300d06092a864886f70d01010b050003820181003243fbcab1754744760a1f3f7beed757c4afd215af81",
    "a6f243348ca0545a54f31e5f788f82a608e88119b44e046815cbd18c5a56cbe43be1b5baae4e8753f1a92e080e220fb5",
    "53b7ebcb2fbd32e32d2c30e70b79676fa9939bc90b1d92ebba235b8467e84a35c03c3b900025bbdd7e682befcea1cec3",
    "391453b307da9d811cc5fa27240461106ac351a2c35890a8f5342de265364d2727b8c599bbdd3c1cbf29775d9a40fc52",
    "d30547e9115375d4d49ba66e12e3fc72f2053f19325a190a7fc2c564785272d9a4653f1ebb6357e2cc1826ffdc08d967",
    "d8a30cf6d328058b1fc866cfde6ff90c1313814bc5e7531ae3508ce28607f8990d7f8ef7c0e729eec05d948abea3d203",
    "e487247801865681702d8a05fa30d49f171fb745d8d8556ebfdc90db7e607959b8c33bf786ad7cbae8f874c865b5b03e",
    "0f2dafadbc19e11a5207d07a487dca1b99a815af3ce0dacdc9cfd4d5af338bc875e481ffa6a73ec82149de0768214750",
    "05e8d44f60584aa8ae9e4d5c6adacefbcebd26201e418080171f",
];

const CASES: &[Case] = &[
    Case {
        name: "ecdsa_i",
        message: ECDSA_I_MESSAGE,
        nonce: "4f47284f539cfb4b5edfae91dd20920d5e7a258a11f6a96b4613520fbaa6792f",
        sk_p: "dcb196ebf21781a43f0f5e260d8586ff7d392830af645501f2117490081a8689",
        id: "02000000612e65636473612e6c6162",
        auth: ECDSA_I_AUTH,
        cert: ECDSA_I_CERT,
        fqdn: "a.ecdsa.lab",
        scheme: SignatureScheme::Ecdsa {
            curve: EcCurve::P256,
            hash: HashAlg::Sha256,
            encoding: EcdsaEncoding::Der,
        },
    },
    Case {
        name: "ecdsa_r",
        message: ECDSA_R_MESSAGE,
        nonce: "9f76f075f8a49c9492eec9508f14e86aabf7045f8e8e0179e9479da75fd069b2",
        sk_p: "12054da003fd51105f3acbae7d1293f7d5f3b79e1ad8bdbd40ddd38f253df8a7",
        id: "02000000622e65636473612e6c6162",
        auth: ECDSA_R_AUTH,
        cert: ECDSA_R_CERT,
        fqdn: "b.ecdsa.lab",
        scheme: SignatureScheme::Ecdsa {
            curve: EcCurve::P256,
            hash: HashAlg::Sha256,
            encoding: EcdsaEncoding::Der,
        },
    },
    Case {
        name: "rsa_i",
        message: RSA_I_MESSAGE,
        nonce: "7af52ee0b2dd30810fc8437bd1fe8941c1d22690fce7306173a56d6580a9616f",
        sk_p: "49fdb092aa4b501f4342cca2cc6fe35d57d8d421ee81496c35053471305585ad",
        id: "02000000612e7273612e6c6162",
        auth: RSA_I_AUTH,
        cert: RSA_I_CERT,
        fqdn: "a.rsa.lab",
        scheme: SignatureScheme::RsaPkcs1(HashAlg::Sha256),
    },
    Case {
        name: "rsa_r",
        message: RSA_R_MESSAGE,
        nonce: "4d21e41277bcd409af0b5578537d511bc6f7e641dd91970a235239d230308530",
        sk_p: "d35f3415dba8a9442d44e4c9459a1c240749f6a80d22f8c1a4d73e7ba5d08b04",
        id: "02000000622e7273612e6c6162",
        auth: RSA_R_AUTH,
        cert: RSA_R_CERT,
        fqdn: "b.rsa.lab",
        scheme: SignatureScheme::RsaPkcs1(HashAlg::Sha256),
    },
];

const CA_RSA: &[u8] = include_bytes!("data/strongswan-pki/ca-rsa.crt.der");
const CA_ECDSA: &[u8] = include_bytes!("data/strongswan-pki/ca-ecdsa.crt.der");

/// `<message> | <nonce> | prf(SK_p, ID')` (RFC 7296 section 2.15).
fn signed_octets(c: &Case) -> Vec<u8> {
    let mut mac = vec![0u8; PRF_HMAC_SHA2_256.output_len()];
    PRF_HMAC_SHA2_256
        .compute(
            &hex::decode(c.sk_p).unwrap(),
            &[&hex::decode(c.id).unwrap()],
            &mut mac,
        )
        .unwrap();
    let mut octets = h(c.message);
    octets.extend(hex::decode(c.nonce).unwrap());
    octets.extend(mac);
    octets
}

#[test]
fn strongswan_auth_payloads_verify() {
    // 2027-01-01, inside the lab certificates' validity.
    let now = UnixTime::since_unix_epoch(Duration::from_secs(1_798_761_600));
    let cas = CertVerifier::new(&VERIFIER, &[CA_RSA, CA_ECDSA]).unwrap();
    for c in CASES {
        let cert = h(c.cert);
        assert_eq!(cert[0], 4, "{}: X.509 Certificate - Signature", c.name);
        let peer = cas
            .validate(
                &cert[1..],
                &[],
                now,
                &ValidationPolicy {
                    eku: EkuPolicy::ServerAuth,
                    ..Default::default()
                },
            )
            .unwrap();
        let id = hex::decode(c.id).unwrap();
        // strongSwan sends ID_FQDN with the SAN of its certificate.
        peer.check_identity(&PeerIdentity::from_wire(id[0], &id[4..]).unwrap())
            .unwrap();
        assert_eq!(
            PeerIdentity::from_wire(id[0], &id[4..]).unwrap(),
            PeerIdentity::Fqdn(c.fqdn)
        );

        let auth = h(c.auth);
        let method = AuthMethod::from(auth[0]);
        assert_eq!(method, AuthMethod::DigitalSignature, "{}", c.name);
        let octets = signed_octets(c);
        let scheme = verify_auth(
            &VERIFIER,
            &AuthPolicy::default(),
            method,
            &auth[4..],
            &octets,
            peer.public_key_spki(),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(scheme, c.scheme, "{}", c.name);

        // One bit of the signed octets, or the other direction's key, breaks it.
        let mut bad = octets.clone();
        bad[30] ^= 0x80;
        assert_eq!(
            verify_auth(
                &VERIFIER,
                &AuthPolicy::default(),
                method,
                &auth[4..],
                &bad,
                peer.public_key_spki()
            )
            .unwrap_err(),
            CryptoError::Auth(AuthError::BadSignature),
            "{}",
            c.name
        );
    }
    // The initiator's signature does not verify under the responder's key.
    let (a, b) = (&CASES[0], &CASES[1]);
    let b_cert = h(b.cert);
    let b_spki = {
        use x509_parser::prelude::{FromDer, X509Certificate};
        X509Certificate::from_der(&b_cert[1..])
            .unwrap()
            .1
            .public_key()
            .raw
            .to_vec()
    };
    let a_auth = h(a.auth);
    assert!(verify_auth(
        &VERIFIER,
        &AuthPolicy::default(),
        AuthMethod::DigitalSignature,
        &a_auth[4..],
        &signed_octets(a),
        &b_spki
    )
    .is_err());
}
