//! Known-answer tests: published ESP packets, sealed byte for byte from their plaintext and
//! opened back. Values are transcribed from the documents named on each table.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use esp::{InboundSa, Mode, OutboundSa, SaParams, SealOptions};
use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::{EncrId, IntegId};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

struct GcmCase {
    case: u32,
    keymat: &'static str,
    spi: u32,
    seq: u64,
    esn: bool,
    iv: &'static str,
    plaintext: &'static str,
    packet: &'static str,
}

/// draft-mcgrew-gcm-test-01, "Test Cases for the use of GCM in IPsec ESP": the 14 AES-GCM
/// ESP packets (key | salt, SPI, 64-bit sequence number with the ESN flag, explicit IV,
/// plaintext including the ESP trailer, complete ESP packet).
const MCGREW_GCM: &[GcmCase] = &[
    GcmCase {
        case: 1,
        keymat: "4c80cdefbb5d10da906ac73c3613a6342e443b68",
        spi: 0x00004321,
        seq: 0x8765432100000000,
        esn: true,
        iv: "4956ed7e3b244cfe",
        plaintext: "45000048699a000080114db7c0a80102c0a801010a9bf15638d301000001000000000000045f736970045f756470037369700963796265726369747902646b000021000101020201",
        packet: "00004321000000004956ed7e3b244cfefecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce61bc17d768fd9732459018148f6cbe722fd04796562dfdb4",
    },
    GcmCase {
        case: 2,
        keymat: "feffe9928665731c6d6a8f9467308308cafebabe",
        spi: 0x0000a5f8,
        seq: 0x0000000a,
        esn: false,
        iv: "facedbaddecaf888",
        plaintext: "4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d001000001000000000000037369700963796265726369747902646b00000100010001",
        packet: "0000a5f80000000afacedbaddecaf888deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d114d2a5c3de81827c10e9a4f51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd183b70d3aa8bc6ee4c309e9d85a41ad4a",
    },
    GcmCase {
        case: 3,
        keymat: "abbccddef00112233445566778899aababbccddef00112233445566778899aab11223344",
        spi: 0x4a2cbfe3,
        seq: 0x00000002,
        esn: false,
        iv: "0102030405060708",
        plaintext: "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee0000000007002400020bf0000020405b40101040201020201",
        packet: "4a2cbfe3000000020102030405060708ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763748a637985771d347f0545659f14e99def842d8eb335f4eecfdbf831824b4c4915956c96",
    },
    GcmCase {
        case: 4,
        keymat: "0000000000000000000000000000000000000000",
        spi: 0x00000000,
        seq: 0x00000001,
        esn: false,
        iv: "0000000000000000",
        plaintext: "4500003c99c500008001cb7a40679318010101010800075c020044006162636465666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
        packet: "000000000000000100000000000000004688daf2f973a392732909c331d56d60f694abaa414b5e7ff5fdcdfff5e9a284456476492719ffb64de7d9dca1e1d894bc3bd57873ed4d181d19d4d5c8c18af3f821d496eeb096e98ad2b69e4799c71d",
    },
    GcmCase {
        case: 5,
        keymat: "3de09874b388e6491988d0c3607eae1f57690e43",
        spi: 0x42f67e3f,
        seq: 0x1010101010101010,
        esn: true,
        iv: "4e280000a2fca1a3",
        plaintext: "4500003c99c300008001cb7c40679318010101010800085c020043006162636465666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
        packet: "42f67e3f101010104e280000a2fca1a3fba2caa4853cf9f0f22cb10d86dd83b0fec75691cf1a04b00d1138ec9c35791765acbd8701ad79845bf9fe3fba487bc91755e6662b4c8d0d1f5e22739530320ae0d731cc978ecafaeae88f00e80d6e48",
    },
    GcmCase {
        case: 6,
        keymat: "3de09874b388e6491988d0c3607eae1f57690e43",
        spi: 0x42f67e3f,
        seq: 0x1010101010101010,
        esn: true,
        iv: "4e280000a2fca1a3",
        plaintext: "4500001c42a200008001441f406793b6e00000020a00f5ff01020201",
        packet: "42f67e3f101010104e280000a2fca1a3fba2ca845e5df9f0f22c3e6e86dd831e1fc65792cd1af9130e1379ed369f071f35e034be95f112e4e7d05d35",
    },
    GcmCase {
        case: 7,
        keymat: "feffe9928665731c6d6a8f9467308308feffe9928665731ccafebabe",
        spi: 0x0000a5f8,
        seq: 0x0000000a,
        esn: false,
        iv: "facedbaddecaf888",
        plaintext: "45000028a4ad4000400678800a01038f0a010612802306b8cb712602dd6bb03e501016d075680001",
        packet: "0000a5f80000000afacedbaddecaf888a5b1f8066029aea40e598b8122de02420938b3ab33f828e687b8858b5bfbdbd0315b27452144cc7795457b9652037f5318027b5b4cd7a636",
    },
    GcmCase {
        case: 8,
        keymat: "abbccddef00112233445566778899aabdecaf888",
        spi: 0x00000100,
        seq: 0x0000000000000001,
        esn: true,
        iv: "cafedebaceface74",
        plaintext: "4500004933ba00007f119106c3fb1d10c2b1d326c02831ce0035dd7b800302d500004e20001e8c18d75b81dc91baa0476b91b924b280389d92c963bac046ec959b6266c04722b14923010101",
        packet: "0000010000000001cafedebaceface7418a6fd42f72cbf4ab2a2ea901f73d814e3e7f243d95412e1c349c1d2fbec168f9190feebaf2cb01984e65863965d7472b79da345e0e780191f0d2f0e0f496c226f2127b27db35724e7845d68651f57e65f354f75ff17015769623436",
    },
    GcmCase {
        case: 9,
        keymat: "abbccddef00112233445566778899aababbccddef00112233445566778899aab73616c74",
        spi: 0x17405e67,
        seq: 0x156f3126dd0db99b,
        esn: true,
        iv: "616e640169766563",
        plaintext: "45080028732c00004006e9f90a0106120a01038f06b88023dd6bafbecb71260250101f646d540001",
        packet: "17405e67dd0db99b616e640169766563f2d69ecdbd5a0d5b8d5ef38bad4da58d1f278fde98ef67549d524a3018d9a57ff4d3a31ce673119e451626c2415771e3b7eebca614c89b35",
    },
    GcmCase {
        case: 10,
        keymat: "3de09874b388e6491988d0c3607eae1f57690e43",
        spi: 0x42f67e3f,
        seq: 0x1010101010101010,
        esn: true,
        iv: "4e280000a2fca1a3",
        plaintext: "45000049333e00007f119182c3fb1d10c2b1d326c02831ce0035cb458003025b000001e0001e8c18d65759d52284a0352c71475c8880391c764d6e5ee0496b325ae270c03899493915010101",
        packet: "42f67e3f101010104e280000a2fca1a3fba2cad12fc1f9f00d3cebf305410db83d7784b607323d220f24b0a97d54182800cadb0f68d99ef0e0c0c89ae9bea8884e52d65bc1afd0740f742444747b5b39ab533163aad4550ee5160975cdb608c5769189609763b8e18caa81e2",
    },
    GcmCase {
        case: 11,
        keymat: "abbccddef00112233445566778899aababbccddef00112233445566778899aab73616c74",
        spi: 0x17405e67,
        seq: 0x156f3126dd0db99b,
        esn: true,
        iv: "616e640169766563",
        plaintext: "636973636f0172756c657301746865016e6574776501646566696e6501746865746563686e6f6c6f67696573017468617477696c6c01646566696e65746f6d6f72726f7701020201",
        packet: "17405e67dd0db99b616e640169766563d4b7ed86a1777f2ea13d6973d324c69e7b43f826fb56831226508bebd2dceb18d0a6df10e5487df074113e14c641024e3e6773d91a62ee429b043a10e3efe6b012a49363412364f8c0cac587f249e56b11e24f30e44ccc76",
    },
    GcmCase {
        case: 12,
        keymat: "7d773d00c144c525ac619d18c84a3f47d9664267",
        spi: 0x335467ae,
        seq: 0xffffffff,
        esn: false,
        iv: "43457e9182443bc6",
        plaintext: "01020201",
        packet: "335467aeffffffff43457e9182443bc6437f866bcb3f699fe9b0822bac961c4504bef270",
    },
    GcmCase {
        case: 13,
        keymat: "abbccddef00112233445566778899aabdecaf888",
        spi: 0x00000100,
        seq: 0x0000000000000001,
        esn: true,
        iv: "cafedebaceface74",
        plaintext: "746f016265016f72016e6f7401746f0162650001",
        packet: "0000010000000001cafedebaceface7429c9fc69a197d038ccdd14e2ddfcaa0543332164412503524303ed3c6c5f283843af8c3e",
    },
    GcmCase {
        case: 14,
        keymat: "6c6567616c697a656d6172696a75616e61616e64646f69746265666f726569617475726e",
        spi: 0x796b6963,
        seq: 0xffffffffffffffff,
        esn: true,
        iv: "333021696765746d",
        plaintext: "45000030da3a00008001df3bc0a80005c0a800010800c6cd020007006162636465666768696a6b6c6d6e6f707172737401020201",
        packet: "796b6963ffffffff333021696765746df97ab2aa356d8edce17644ac8c78e25dd24dedbb29ebf1b64a274b39b49c3a864cd3d78ca4ae68a32b42458fb57dbe821dcc63b9d0937ba2945f669368661a329fb4c053",
    },
];

/// Splits a plaintext that ends in an ESP trailer into payload and next header.
fn split_trailer(pt: &[u8]) -> (&[u8], u8) {
    let nh = pt[pt.len() - 1];
    let pad = pt[pt.len() - 2] as usize;
    (&pt[..pt.len() - 2 - pad], nh)
}

/// Seals `payload` with sequence number `seq` and the given IV; returns the packet.
fn seal_known(out: &mut OutboundSa, seq: u64, iv: &[u8], payload: &[u8], nh: u8) -> Vec<u8> {
    out.sequence().resume_at(seq).unwrap();
    let mut buf = vec![0u8; out.sealed_len(payload.len())];
    let hdr = out.header_len();
    buf[hdr..hdr + payload.len()].copy_from_slice(payload);
    let opts = SealOptions {
        next_header: Some(nh),
        explicit_iv: Some(iv),
        ..SealOptions::default()
    };
    let sealed = out.seal_with(&mut buf, payload.len(), &opts).unwrap();
    assert_eq!(sealed.seq, seq);
    buf.truncate(sealed.len);
    buf
}

/// Opens `packet` on a receiver whose window has already seen `seq - 1` (so the ESN high
/// half is inferred as in a live SA) and returns the payload and next header.
fn open_known(inb: &mut InboundSa, seq: u64, packet: &[u8]) -> (Vec<u8>, u8) {
    if seq > 1 {
        inb.window_mut().update(seq - 1);
    }
    let mut buf = packet.to_vec();
    let opened = inb.open(&mut buf).unwrap();
    assert_eq!(opened.seq, seq);
    (buf[opened.payload].to_vec(), opened.next_header)
}

#[test]
fn draft_mcgrew_gcm_esp_packets() {
    for v in MCGREW_GCM {
        let keymat = h(v.keymat);
        let bits = Some(((keymat.len() - 4) * 8) as u16);
        // The RustCrypto provider offers every key size the draft uses (128, 192, 256).
        assert!(
            PROVIDER.encr(EncrId::AesGcm16, bits).is_some(),
            "case {}: AES-GCM-16 {bits:?} missing",
            v.case
        );
        let params = SaParams {
            mode: Mode::Transport,
            esn: v.esn,
            ..SaParams::aead(v.spi, EncrId::AesGcm16, bits, &keymat)
        };
        let pt = h(v.plaintext);
        let (payload, nh) = split_trailer(&pt);
        let mut out = OutboundSa::new(&PROVIDER, &params).unwrap();
        let sealed = seal_known(&mut out, v.seq, &h(v.iv), payload, nh);
        assert_eq!(hex::encode(&sealed), v.packet, "case {} seal", v.case);

        let mut inb = InboundSa::new(&PROVIDER, &params).unwrap();
        let (got, got_nh) = open_known(&mut inb, v.seq, &h(v.packet));
        assert_eq!(
            (got.as_slice(), got_nh),
            (payload, nh),
            "case {} open",
            v.case
        );
        // The same packet again is a replay.
        let mut again = h(v.packet);
        assert!(matches!(
            inb.open(&mut again),
            Err(esp::Error::ReplayDuplicate { .. })
        ));
    }
}

/// RFC 3602 section 4, cases 5 (transport) and 7 (tunnel): AES-CBC-128 without integrity.
/// (key, SPI, sequence number, inner payload, next header, ESP packet)
const RFC3602: &[(&str, u32, u64, &str, u8, Mode, &str)] = &[
    (
        "90d382b410eeba7ad938c46cec1a82bf",
        0x4321,
        1,
        "08000ebda70a00008e9c083db95b070008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637",
        1,
        Mode::Transport,
        "0000432100000001e96e8c08ab465763fd098d45dd3ff893f663c25d325c18c6a9453e194e120849a4870b66cc6b9965330013b4898dc856a4699e523a55db080b59ec3a8e4b7e52775b07d1db34ed9c538ab50c551b874aa269add047ad2d5913ac19b7cfbad4a6",
    ),
    (
        "0123456789abcdef0123456789abcdef",
        0x8765,
        2,
        "45000054090400004001f988c0a87b03c0a87bc808009f76a90a0100b49c083d02a2040008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637",
        4,
        Mode::Tunnel,
        "0000876500000002f4e765244f6407adf13dc1380f673f37773b5241a4c449225e4f3ce5ed611b0c237ca96cf74a93013c1b0ea1a0cf70f8e4ecaec78ac53aad7a0f022b859243c647752e94a859352b8a4d4d2decd136e5c177f132ad3fbfb2201ac9904c74ee0a109e0ca1e4dfe9d5a100b842f1c22f0d",
    ),
];

#[test]
fn rfc3602_esp_cases_5_and_7() {
    for &(key, spi, seq, payload, nh, mode, packet) in RFC3602 {
        let key = h(key);
        let packet = h(packet);
        let params = SaParams {
            mode,
            allow_no_integrity: true,
            ..SaParams::cipher_integ(spi, EncrId::AesCbc, Some(128), &key, IntegId::None, &[])
        };
        let payload = h(payload);
        let mut out = OutboundSa::new(&PROVIDER, &params).unwrap();
        let sealed = seal_known(&mut out, seq, &packet[8..24], &payload, nh);
        assert_eq!(sealed, packet, "SPI {spi:#x} seal");
        let mut inb = InboundSa::new(&PROVIDER, &params).unwrap();
        assert_eq!(open_known(&mut inb, seq, &packet), (payload, nh));
    }
    // Without the opt-in an SA without integrity is refused.
    let key = [0u8; 16];
    let params = SaParams::cipher_integ(1, EncrId::AesCbc, Some(128), &key, IntegId::None, &[]);
    assert!(InboundSa::new(&PROVIDER, &params).is_err());
}

/// RFC 7634 appendix A: ChaCha20-Poly1305 ESP example (tunnel mode, IPv4 ICMP echo).
#[test]
fn rfc7634_esp_example() {
    // Key 80..9f followed by the salt a0a1a2a3.
    let keymat = h("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3");
    let iv = h("1011121314151617");
    let pt = h("45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec100007362708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363701020204");
    let packet = h(concat!(
        "0102030400000005",
        "1011121314151617",
        "24039428b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef407ae5c614ee8099d52844eb61aa95dfab4c02f72aa71e7c4c4f64c9befe2facc638e8f3cbec163fac469b502773f6fb94e664da9165b82829f641e0",
        "76aaa8266b7fb0f7b11b369907e1ad43"
    ));
    let params = SaParams::aead(0x0102_0304, EncrId::Chacha20Poly1305, None, &keymat);
    let (payload, nh) = split_trailer(&pt);
    assert_eq!(nh, 4);
    let mut out = OutboundSa::new(&PROVIDER, &params).unwrap();
    assert_eq!(seal_known(&mut out, 5, &iv, payload, nh), packet);
    let mut inb = InboundSa::new(&PROVIDER, &params).unwrap();
    assert_eq!(open_known(&mut inb, 5, &packet), (payload.to_vec(), 4));
}
