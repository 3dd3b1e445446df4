//! Known-answer tests, run against every provider built into this test
//! binary (RustCrypto always; aws-lc-rs with `--features aws-lc`).
//!
//! Vectors live in `kat_vectors/mod.rs`, each group naming its source.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::too_many_arguments
)]

mod kat_vectors;

use ikev2_crypto::keys::{self, ChildSaKeys, IkeSaKeys};
use ikev2_crypto::random::FixedRandom;
use ikev2_crypto::sk::{decrypt_sk, encrypt_sk, SkKeys};
use ikev2_crypto::{
    CryptoProvider, EcCurve, EcdsaEncoding, EncrId, HashAlg, IntegId, KeId, PrfId, SecretBytes,
    SignatureScheme, SupportedEncr,
};
use kat_vectors::*;

fn providers() -> Vec<(&'static str, &'static CryptoProvider)> {
    #[allow(unused_mut)]
    let mut v: Vec<(&'static str, &'static CryptoProvider)> = vec![(
        "rustcrypto",
        &ikev2_crypto::provider::rustcrypto::PROVIDER_WITH_LEGACY,
    )];
    #[cfg(feature = "aws-lc")]
    v.push((
        "aws-lc",
        &ikev2_crypto::provider::aws_lc::PROVIDER_WITH_LEGACY,
    ));
    v
}

fn h(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn get<'a>(v: Vector, k: &str) -> &'a str {
    v.iter()
        .find(|(n, _)| *n == k)
        .unwrap_or_else(|| panic!("no field {k}"))
        .1
}

fn opt<'a>(v: Vector, k: &str) -> Option<&'a str> {
    v.iter().find(|(n, _)| *n == k).map(|(_, x)| *x)
}

fn hx(v: Vector, k: &str) -> Vec<u8> {
    h(get(v, k))
}

fn prf_id(name: &str) -> Option<PrfId> {
    Some(match name {
        "PRF_HMAC_SHA1" => PrfId::HmacSha1,
        "PRF_HMAC_SHA2_256" => PrfId::HmacSha2_256,
        "PRF_HMAC_SHA2_384" => PrfId::HmacSha2_384,
        "PRF_HMAC_SHA2_512" => PrfId::HmacSha2_512,
        _ => return None,
    })
}

fn integ_id(name: &str) -> Option<IntegId> {
    Some(match name {
        "AUTH_HMAC_SHA1_96" => IntegId::HmacSha1_96,
        "AUTH_HMAC_SHA2_256_128" => IntegId::HmacSha2_256_128,
        "AUTH_HMAC_SHA2_384_192" => IntegId::HmacSha2_384_192,
        "AUTH_HMAC_SHA2_512_256" => IntegId::HmacSha2_512_256,
        _ => return None,
    })
}

fn aead(
    p: &CryptoProvider,
    id: EncrId,
    bits: Option<u16>,
) -> &'static dyn ikev2_crypto::SupportedAead {
    match p.encr(id, bits) {
        Some(SupportedEncr::Aead(a)) => a,
        other => panic!("{id:?}/{bits:?}: {other:?}"),
    }
}

fn cipher(p: &CryptoProvider, id: EncrId, bits: u16) -> &'static dyn ikev2_crypto::SupportedCipher {
    match p.encr(id, Some(bits)) {
        Some(SupportedEncr::Cipher(c)) => c,
        other => panic!("{id:?}/{bits}: {other:?}"),
    }
}

// ---------------------------------------------------------------- HMAC

#[test]
fn prf_rfc4868_2_7_1() {
    for (name, p) in providers() {
        for v in RFC4868_S2_7_1_PRF {
            let prf = p.prf(prf_id(get(v, "transform")).unwrap()).unwrap();
            let out = prf.prf(&hx(v, "key"), &[&hx(v, "data")]);
            assert_eq!(
                out.as_bytes(),
                hx(v, "prf_output"),
                "{name} {}",
                get(v, "name")
            );
        }
    }
}

#[test]
fn integ_rfc4868_2_7_2() {
    for (name, p) in providers() {
        for v in RFC4868_S2_7_2_AUTH {
            let integ = p.integ(integ_id(get(v, "transform")).unwrap()).unwrap();
            let key = integ.new_key(&hx(v, "key")).unwrap();
            let expected = hx(v, "icv");
            let mut icv = vec![0; integ.icv_len()];
            key.sign(&[&hx(v, "data")], &mut icv).unwrap();
            assert_eq!(icv, expected, "{name} {}", get(v, "name"));
            key.verify(&[&hx(v, "data")], &expected).unwrap();
            let mut bad = expected.clone();
            bad[0] ^= 1;
            assert!(
                key.verify(&[&hx(v, "data")], &bad).is_err(),
                "{name}: tampered ICV accepted"
            );
        }
    }
}

#[test]
fn hmac_rfc4231_as_prf() {
    for (name, p) in providers() {
        for v in RFC4231_S4_TEST_CASES_1_7 {
            for (field, id) in [
                ("hmac_sha256", PrfId::HmacSha2_256),
                ("hmac_sha384", PrfId::HmacSha2_384),
                ("hmac_sha512", PrfId::HmacSha2_512),
            ] {
                let out = p.prf(id).unwrap().prf(&hx(v, "key"), &[&hx(v, "data")]);
                let expected = hx(v, field);
                // Test case 5 publishes only the first 128 bits.
                assert_eq!(
                    &out.as_bytes()[..expected.len()],
                    expected,
                    "{name} case {} {field}",
                    get(v, "test_case")
                );
            }
        }
    }
}

#[test]
fn hmac_sha1_rfc2202() {
    for (name, p) in providers() {
        for v in RFC2202_HMAC_SHA1 {
            let key = hx(v, "key");
            let data = hx(v, "data");
            let expected = hx(v, "output");
            let full = p.prf(PrfId::HmacSha1).unwrap().prf(&key, &[&data]);
            assert_eq!(
                &full.as_bytes()[..expected.len()],
                expected,
                "{name} {}",
                get(v, "name")
            );
            if get(v, "transform") == "AUTH_HMAC_SHA1_96" && key.len() == 20 {
                let k = p
                    .integ(IntegId::HmacSha1_96)
                    .unwrap()
                    .new_key(&key)
                    .unwrap();
                let mut icv = [0u8; 12];
                k.sign(&[&data], &mut icv).unwrap();
                assert_eq!(
                    icv.to_vec(),
                    expected[..12].to_vec(),
                    "{name} {}",
                    get(v, "name")
                );
            }
        }
    }
}

// ---------------------------------------------------------------- ciphers

#[test]
fn aes_cbc_rfc3602_cases_1_4() {
    for (name, p) in providers() {
        for v in RFC3602_S4_CASES_1_4 {
            let key = hx(v, "key");
            let c = cipher(p, EncrId::AesCbc, (key.len() * 8) as u16)
                .new_key(&key)
                .unwrap();
            let mut buf = hx(v, "plaintext");
            c.encrypt_in_place(&hx(v, "iv"), &mut buf).unwrap();
            assert_eq!(buf, hx(v, "ciphertext"), "{name} case {}", get(v, "case"));
            c.decrypt_in_place(&hx(v, "iv"), &mut buf).unwrap();
            assert_eq!(buf, hx(v, "plaintext"));
        }
    }
}

#[test]
fn aes_cbc_rfc3602_esp_cases_5_7() {
    for (name, p) in providers() {
        for v in RFC3602_S4_ESP_CASES_5_7 {
            let c = cipher(p, EncrId::AesCbc, 128)
                .new_key(&hx(v, "key"))
                .unwrap();
            let pkt = hx(v, "esp_packet");
            let (iv, ct) = pkt[8..].split_at(16);
            let mut buf = ct.to_vec();
            c.decrypt_in_place(iv, &mut buf).unwrap();
            let mut expected = hx(v, "inner_payload");
            expected.extend(hx(v, "padding"));
            expected.push(get(v, "pad_length").parse().unwrap());
            expected.push(get(v, "next_header").parse().unwrap());
            assert_eq!(buf, expected, "{name} case {}", get(v, "case"));
        }
    }
}

#[test]
fn aes_ctr_rfc3686() {
    for (name, p) in providers() {
        for v in RFC3686_S6_TEST_VECTORS_1_9 {
            let key = hx(v, "key");
            let mut keymat = key.clone();
            keymat.extend(hx(v, "nonce"));
            let c = cipher(p, EncrId::AesCtr, (key.len() * 8) as u16)
                .new_key(&keymat)
                .unwrap();
            let mut buf = hx(v, "plaintext");
            c.encrypt_in_place(&hx(v, "iv"), &mut buf).unwrap();
            assert_eq!(buf, hx(v, "ciphertext"), "{name} test {}", get(v, "test"));
            c.decrypt_in_place(&hx(v, "iv"), &mut buf).unwrap();
            assert_eq!(buf, hx(v, "plaintext"));
        }
    }
}

/// Seal and open one AEAD vector; `icv` may be a truncated tag (GCM-8/12),
/// which is a prefix of the 16-octet tag.
fn check_aead(
    name: &str,
    a: &dyn ikev2_crypto::SupportedAead,
    keymat: &[u8],
    iv: &[u8],
    aad: &[u8],
    pt: &[u8],
    ct: &[u8],
    icv: &[u8],
) {
    let k = a.new_key(keymat).unwrap();
    let mut buf = pt.to_vec();
    let mut tag = [0u8; 16];
    k.seal_in_place(iv, aad, &mut buf, &mut tag).unwrap();
    assert_eq!(buf, ct, "{name}: ciphertext");
    assert_eq!(&tag[..icv.len()], icv, "{name}: tag");
    k.open_in_place(iv, aad, &mut buf, &tag).unwrap();
    assert_eq!(buf, pt, "{name}: round trip");
    let mut bad = tag;
    bad[15] ^= 0x80;
    let mut buf = ct.to_vec();
    assert!(
        k.open_in_place(iv, aad, &mut buf, &bad).is_err(),
        "{name}: forged tag accepted"
    );
}

#[test]
fn aes_gcm_esp_draft_mcgrew_gcm_test_01() {
    for (name, p) in providers() {
        for v in DRAFT_MCGREW_GCM_TEST_01_ESP_PACKETS {
            let key = hx(v, "key");
            if key.len() == 24 && p.encr(EncrId::AesGcm16, Some(192)).is_none() {
                // aws-lc-rs has no AES-192-GCM; the RustCrypto provider must have it.
                assert_ne!(name, "rustcrypto", "AES-192-GCM missing");
                continue;
            }
            let mut keymat = key.clone();
            keymat.extend(hx(v, "salt"));
            let a = aead(p, EncrId::AesGcm16, Some((key.len() * 8) as u16));
            let label = format!("{name} packet {}", get(v, "index"));
            check_aead(
                &label,
                a,
                &keymat,
                &hx(v, "iv"),
                &hx(v, "aad"),
                &hx(v, "plaintext_with_esp_trailer"),
                &hx(v, "ciphertext"),
                &hx(v, "icv16"),
            );
        }
    }
}

#[test]
fn aes_gcm_mcgrew_viega_spec_cases() {
    for (name, p) in providers() {
        for v in MCGREW_VIEGA_GCM_SPEC_IN_ESP_FORM {
            let key = hx(v, "key");
            if key.len() == 24 {
                continue;
            }
            let mut keymat = key.clone();
            keymat.extend(hx(v, "salt"));
            let a = aead(p, EncrId::AesGcm16, Some((key.len() * 8) as u16));
            let label = format!("{name} {}", get(v, "name"));
            check_aead(
                &label,
                a,
                &keymat,
                &hx(v, "iv"),
                &hx(v, "aad"),
                &hx(v, "plaintext"),
                &hx(v, "ciphertext"),
                &hx(v, "icv"),
            );
        }
    }
}

#[test]
fn chacha20poly1305_rfc7634_and_rfc8439() {
    for (name, p) in providers() {
        let a = aead(p, EncrId::Chacha20Poly1305, None);
        for v in RFC7634_APPENDIX_EXAMPLES
            .iter()
            .chain(RFC7539_RFC8439_AEAD_VECTORS)
        {
            // Salt | IV is the 96-bit nonce.
            let nonce = hx(v, "nonce");
            let mut keymat = hx(v, "key");
            keymat.extend(&nonce[..4]);
            let label = format!("{name} {}", opt(v, "name").unwrap_or("RFC 8439"));
            check_aead(
                &label,
                a,
                &keymat,
                &nonce[4..],
                &hx(v, "aad"),
                &hx(v, "plaintext"),
                &hx(v, "ciphertext"),
                &hx(v, "tag"),
            );
        }
    }
}

#[test]
fn chacha20poly1305_rfc7634_ikev2_message_decrypts() {
    let v = RFC7634_APPENDIX_EXAMPLES[1];
    for (name, p) in providers() {
        let mut keymat = hx(v, "key");
        keymat.extend(hx(v, "salt"));
        let keys = SkKeys::new(
            p.encr(EncrId::Chacha20Poly1305, None).unwrap(),
            None,
            &keymat,
            &[],
        )
        .unwrap();
        let msg = hx(v, "full_ike_message");
        let (first, inner) = decrypt_sk(&msg, &keys).unwrap();
        let pt = hx(v, "plaintext");
        assert_eq!(first, 41, "{name}: first inner payload is Notify");
        assert_eq!(
            inner,
            pt[..pt.len() - 1 - usize::from(*pt.last().unwrap())],
            "{name}"
        );
        // Our encoder reproduces the message byte for byte from the same IV
        // (the RFC example uses no padding).
        let rng = FixedRandom::new(&hx(v, "iv"));
        let again = encrypt_sk(&keys, &rng, &msg[..28], first, &inner).unwrap();
        assert_eq!(again, msg, "{name}: re-encryption");
    }
}

// ---------------------------------------------------------------- key exchange

#[test]
fn curve25519_rfc7748_rfc8031() {
    for (name, p) in providers() {
        let g = p.ke(KeId::Curve25519).unwrap();
        for v in CURVE25519 {
            let i = g
                .start(&FixedRandom::new(&hx(v, "initiator_private")))
                .unwrap();
            assert_eq!(i.public(), hx(v, "initiator_public_ke_data"), "{name}");
            let r = g
                .start(&FixedRandom::new(&hx(v, "responder_private")))
                .unwrap();
            assert_eq!(r.public(), hx(v, "responder_public_ke_data"), "{name}");
            assert_eq!(
                i.complete(&hx(v, "responder_public_ke_data"))
                    .unwrap()
                    .as_bytes(),
                hx(v, "shared_secret")
            );
            assert_eq!(
                r.complete(&hx(v, "initiator_public_ke_data"))
                    .unwrap()
                    .as_bytes(),
                hx(v, "shared_secret")
            );
        }
        // RFC 8031 2.3: an all-zero result (a low-order peer point) is rejected.
        let i = g.start(&FixedRandom::new(&[0x42; 32])).unwrap();
        assert!(
            i.complete(&[0u8; 32]).is_err(),
            "{name}: all-zero shared secret accepted"
        );
    }
}

fn ecp_id(group: &str) -> KeId {
    match group {
        "19" => KeId::Ecp256,
        "20" => KeId::Ecp384,
        "21" => KeId::Ecp521,
        other => panic!("group {other}"),
    }
}

#[test]
fn ecp_rfc5903_section_8() {
    for (name, p) in providers() {
        for v in RFC5903_S8 {
            let g = p.ke(ecp_id(get(v, "dh_group"))).unwrap();
            let mut gi = hx(v, "gix");
            gi.extend(hx(v, "giy"));
            let mut gr = hx(v, "grx");
            gr.extend(hx(v, "gry"));
            // KEi/KEr payloads: 4 generic + 2 group + 2 reserved, then x | y.
            assert_eq!(hx(v, "kei")[8..], gi[..]);
            let i = g.start(&FixedRandom::new(&hx(v, "i"))).unwrap();
            assert_eq!(i.public(), gi, "{name} group {}", get(v, "dh_group"));
            let r = g.start(&FixedRandom::new(&hx(v, "r"))).unwrap();
            assert_eq!(r.public(), gr);
            assert_eq!(i.complete(&gr).unwrap().as_bytes(), hx(v, "shared_secret"));
            assert_eq!(r.complete(&gi).unwrap().as_bytes(), hx(v, "shared_secret"));
        }
    }
}

#[test]
fn ecp_rfc5114_groups_19_to_21() {
    for (name, p) in providers() {
        for v in RFC5114_APPENDIX_A_VIA_STRONGSWAN {
            let group = get(v, "dh_group");
            if !["19", "20", "21"].contains(&group) {
                continue; // groups 25/26 are not offered
            }
            let g = p.ke(ecp_id(group)).unwrap();
            let i = g.start(&FixedRandom::new(&hx(v, "priv_i"))).unwrap();
            assert_eq!(i.public(), hx(v, "ke_data_i"), "{name} group {group}");
            assert_eq!(
                i.complete(&hx(v, "ke_data_r")).unwrap().as_bytes(),
                hx(v, "shared_secret_x")
            );
        }
    }
}

#[test]
fn ecp_rejects_points_off_the_curve() {
    for (name, p) in providers() {
        let v = RFC5903_S8[0];
        let g = p.ke(KeId::Ecp256).unwrap();
        let i = g.start(&FixedRandom::new(&hx(v, "i"))).unwrap();
        let mut gr = hx(v, "grx");
        gr.extend(hx(v, "gry"));
        gr[63] ^= 1;
        assert!(i.complete(&gr).is_err(), "{name}: off-curve point accepted");
        let i = g.start(&FixedRandom::new(&hx(v, "i"))).unwrap();
        assert!(i.complete(&[0u8; 64]).is_err(), "{name}: (0,0) accepted");
    }
}

// ---------------------------------------------------------------- signatures

fn spki_for(curve: &str, x: &[u8], y: &[u8]) -> (EcCurve, HashAlg, Vec<u8>) {
    let (c, hash, prefix) = match curve {
        "secp256r1" => (
            EcCurve::P256,
            HashAlg::Sha256,
            "3059301306072a8648ce3d020106082a8648ce3d030107034200",
        ),
        "secp384r1" => (
            EcCurve::P384,
            HashAlg::Sha384,
            "3076301006072a8648ce3d020106052b81040022036200",
        ),
        "secp521r1" => (
            EcCurve::P521,
            HashAlg::Sha512,
            "30819b301006072a8648ce3d020106052b8104002303818600",
        ),
        other => panic!("{other}"),
    };
    let mut der = h(prefix);
    der.push(4);
    der.extend(x);
    der.extend(y);
    (c, hash, der)
}

#[test]
fn ecdsa_rfc4754_signatures_verify() {
    for (name, p) in providers() {
        for v in RFC4754_S8 {
            let (curve, hash, spki) =
                spki_for(get(v, "curve"), &hx(v, "public_gwx"), &hx(v, "public_gwy"));
            let scheme = SignatureScheme::Ecdsa {
                curve,
                hash,
                encoding: EcdsaEncoding::Fixed,
            };
            let sig = hx(v, "ikev2_auth_signature_r_concat_s");
            let msg = get(v, "message_ascii").as_bytes();
            p.verify
                .verify(scheme, &spki, msg, &sig)
                .unwrap_or_else(|e| panic!("{name} {}: {e}", get(v, "curve")));
            assert!(
                p.verify.verify(scheme, &spki, b"abd", &sig).is_err(),
                "{name}: wrong message accepted"
            );
        }
    }
}

// ---------------------------------------------------------------- key schedule

#[test]
fn kdf_nist_cavp_sha1_full_chain() {
    for (name, p) in providers() {
        let prf = p.prf(PrfId::HmacSha1).unwrap();
        for v in NIST_CAVP_SP800_135_IKEV2_SHA1 {
            let (ni, nr, gir) = (hx(v, "ni"), hx(v, "nr"), hx(v, "gir"));
            let seed = keys::skeyseed(prf, &ni, &nr, &[&gir]);
            assert_eq!(seed.as_bytes(), hx(v, "skeyseed"), "{name}");
            let dkm_len = get(v, "dkm_length_bits").parse::<usize>().unwrap() / 8;
            let dkm = keys::prf_plus(
                prf,
                seed.as_bytes(),
                &[&ni, &nr, &hx(v, "spii"), &hx(v, "spir")],
                dkm_len,
            )
            .unwrap();
            assert_eq!(dkm.as_bytes(), hx(v, "dkm"), "{name}");
            let sk_d = &dkm.as_bytes()[..20];
            let child = hx(v, "dkm_child_sa");
            let out = keys::prf_plus(prf, sk_d, &[&ni, &nr], child.len()).unwrap();
            assert_eq!(out.as_bytes(), child, "{name}: Child SA DKM");
            let child_dh = hx(v, "dkm_child_sa_dh");
            let out =
                keys::prf_plus(prf, sk_d, &[&hx(v, "gir_new"), &ni, &nr], child_dh.len()).unwrap();
            assert_eq!(out.as_bytes(), child_dh, "{name}: Child SA DKM with PFS");
            // Through the Child SA API: the first 2*(16+20) octets split in order.
            let ck =
                ChildSaKeys::derive(prf, sk_d, &[&hx(v, "gir_new")], &ni, &nr, 16, 20).unwrap();
            assert_eq!(ck.encr_i.as_bytes(), &child_dh[..16]);
            assert_eq!(ck.integ_r.as_bytes(), &child_dh[52..72]);
            let rekey = keys::skeyseed_from_sk_d(prf, sk_d, &[&hx(v, "gir_new")], &ni, &nr);
            assert_eq!(
                rekey.as_bytes(),
                hx(v, "skeyseed_rekey"),
                "{name}: rekeyed SKEYSEED"
            );
        }
    }
}

#[test]
fn kdf_nist_cavp_sha2() {
    for (name, p) in providers() {
        for (group, id) in [
            (
                NIST_CAVP_SP800_135_IKEV2_SHA256_VIA_STRONGSWAN,
                PrfId::HmacSha2_256,
            ),
            (
                NIST_CAVP_SP800_135_IKEV2_SHA384_VIA_STRONGSWAN,
                PrfId::HmacSha2_384,
            ),
            (
                NIST_CAVP_SP800_135_IKEV2_SHA512_VIA_STRONGSWAN,
                PrfId::HmacSha2_512,
            ),
        ] {
            let prf = p.prf(id).unwrap();
            for v in group {
                let ni_nr = hx(v, "ni_nr");
                let seed = keys::skeyseed(prf, &ni_nr, &[], &[&hx(v, "gir")]);
                assert_eq!(seed.as_bytes(), hx(v, "skeyseed"), "{name} {id:?}");
                let dkm = hx(v, "dkm");
                let out = keys::prf_plus(
                    prf,
                    seed.as_bytes(),
                    &[&ni_nr, &hx(v, "spii"), &hx(v, "spir")],
                    dkm.len(),
                )
                .unwrap();
                assert_eq!(out.as_bytes(), dkm, "{name} {id:?}");
            }
        }
    }
}

#[test]
fn prf_plus_strongswan_legacy_vector_and_bound() {
    for (name, p) in providers() {
        let prf = p.prf(PrfId::HmacSha2_256).unwrap();
        let v = PRF_PLUS_HMAC_SHA256_STRONGSWAN_LEGACY[0];
        let out = hx(v, "out");
        let got = keys::prf_plus(prf, &hx(v, "key"), &[&hx(v, "seed")], out.len()).unwrap();
        assert_eq!(got.as_bytes(), out, "{name}");
        // 255 blocks is the most prf+ can produce (RFC 7296 2.13).
        assert!(keys::prf_plus(prf, b"k", &[b"s"], 255 * 32).is_ok());
        assert!(keys::prf_plus(prf, b"k", &[b"s"], 255 * 32 + 1).is_err());
    }
}

#[test]
fn ike_sa_keys_and_psk_auth_rub_nds() {
    for (name, p) in providers() {
        let prf = p.prf(PrfId::HmacSha1).unwrap();
        let encr = p.encr(EncrId::AesCbc, Some(128)).unwrap();
        let integ = p.integ(IntegId::HmacSha1_96);
        for v in IKEV2_SA_KEYMAT_AND_PSK_AUTH_RUB_NDS {
            let (ni, nr) = (hx(v, "ni"), hx(v, "nr"));
            let seed = keys::skeyseed(prf, &ni, &nr, &[&hx(v, "gir")]);
            assert_eq!(seed.as_bytes(), hx(v, "skeyseed"), "{name}");
            let spii: [u8; 8] = hx(v, "spii").try_into().unwrap();
            let spir: [u8; 8] = hx(v, "spir").try_into().unwrap();
            let k = IkeSaKeys::derive(prf, encr, integ, &seed, &ni, &nr, &spii, &spir).unwrap();
            for (field, got) in [
                ("sk_d", &k.sk_d),
                ("sk_ai", &k.sk_ai),
                ("sk_ar", &k.sk_ar),
                ("sk_ei", &k.sk_ei),
                ("sk_er", &k.sk_er),
                ("sk_pi", &k.sk_pi),
                ("sk_pr", &k.sk_pr),
            ] {
                assert_eq!(got.as_bytes(), hx(v, field), "{name} {field}");
            }
            if let Some(octets) = opt(v, "initiator_signed_octets") {
                let idi = hx(v, "idi_payload_body");
                assert_eq!(
                    prf.prf(k.sk_pi.as_bytes(), &[&idi]).as_bytes(),
                    hx(v, "prf_sk_pi_idi")
                );
                let built = keys::auth_octets(
                    prf,
                    &hx(v, "ike_sa_init_request"),
                    &nr,
                    k.sk_pi.as_bytes(),
                    &idi,
                );
                assert_eq!(built, h(octets), "{name}: signed octets");
                let psk = get(v, "psk_ascii").as_bytes();
                let auth = keys::psk::auth(prf, psk, &built);
                assert_eq!(auth.as_bytes(), hx(v, "auth_data"), "{name}: PSK AUTH");
                assert!(keys::psk::verify(prf, psk, &built, &hx(v, "auth_data")));
                assert!(!keys::psk::verify(
                    prf,
                    b"AAAB",
                    &built,
                    &hx(v, "auth_data")
                ));
            }
        }
    }
}

// ---------------------------------------------------------------- the recorded exchange

/// Body of the first payload of type `ty` in a chain starting with `first`.
fn payload(first: u8, chain: &[u8], ty: u8) -> Vec<u8> {
    let (mut next, mut at) = (first, 0);
    while at < chain.len() {
        let len = usize::from(u16::from_be_bytes([chain[at + 2], chain[at + 3]]));
        if next == ty {
            return chain[at + 4..at + len].to_vec();
        }
        next = chain[at];
        at += len;
    }
    panic!("no payload {ty}");
}

#[test]
fn full_recorded_exchange_psk_modp1024() {
    let v = FULL_EXCHANGE;
    let (m1, m2, m3, m4) = (
        hx(v, "msg1_ike_sa_init_request"),
        hx(v, "msg2_ike_sa_init_response"),
        hx(v, "msg3_ike_auth_request"),
        hx(v, "msg4_ike_auth_response"),
    );
    for (name, p) in providers() {
        // IKE_SA_INIT: the initiator's recorded private value reproduces KEi.
        let modp = p.ke(KeId::Modp1024).unwrap();
        let kei = payload(m1[16], &m1[28..], 34);
        let ker = payload(m2[16], &m2[28..], 34);
        let ni = payload(m1[16], &m1[28..], 40);
        let nr = payload(m2[16], &m2[28..], 40);
        assert_eq!(ni, hx(v, "ni"));
        assert_eq!(nr, hx(v, "nr"));
        let active = modp
            .start(&FixedRandom::new(&hx(v, "initiator_dh_private_x")))
            .unwrap();
        assert_eq!(active.public(), &kei[4..], "{name}: KEi");
        let gir = active.complete(&ker[4..]).unwrap();
        assert_eq!(gir.as_bytes(), hx(v, "gir"), "{name}: g^ir");

        // SKEYSEED and SK_*.
        let prf = p.prf(PrfId::HmacSha1).unwrap();
        let encr = p.encr(EncrId::AesCbc, Some(128)).unwrap();
        let integ = p.integ(IntegId::HmacSha1_96).unwrap();
        let seed = keys::skeyseed(prf, &ni, &nr, &[gir.as_bytes()]);
        assert_eq!(seed.as_bytes(), hx(v, "skeyseed"));
        let spii: [u8; 8] = m1[..8].try_into().unwrap();
        let spir: [u8; 8] = m2[8..16].try_into().unwrap();
        let k = IkeSaKeys::derive(prf, encr, Some(integ), &seed, &ni, &nr, &spii, &spir).unwrap();
        for (field, got) in [
            ("sk_d", &k.sk_d),
            ("sk_ai", &k.sk_ai),
            ("sk_ar", &k.sk_ar),
            ("sk_ei", &k.sk_ei),
            ("sk_er", &k.sk_er),
            ("sk_pi", &k.sk_pi),
            ("sk_pr", &k.sk_pr),
        ] {
            assert_eq!(got.as_bytes(), hx(v, field), "{name} {field}");
        }

        // IKE_AUTH: decrypt both messages (ICV checked first).
        let ir = SkKeys::new(encr, Some(integ), k.sk_ei.as_bytes(), k.sk_ai.as_bytes()).unwrap();
        let ri = SkKeys::new(encr, Some(integ), k.sk_er.as_bytes(), k.sk_ar.as_bytes()).unwrap();
        let (f3, in3) = decrypt_sk(&m3, &ir).unwrap();
        assert_eq!(
            (f3.to_string().as_str(), in3.clone()),
            (
                get(v, "msg3_inner_first_payload"),
                hx(v, "msg3_decrypted_inner_payloads")
            ),
            "{name}: message 3"
        );
        let (f4, in4) = decrypt_sk(&m4, &ri).unwrap();
        assert_eq!(
            (f4.to_string().as_str(), in4.clone()),
            (
                get(v, "msg4_inner_first_payload"),
                hx(v, "msg4_decrypted_inner_payloads")
            ),
            "{name}: message 4"
        );
        // Wrong direction keys fail the ICV.
        assert!(decrypt_sk(&m3, &ri).is_err());

        // Both AUTH values, from the IDs and AUTH payloads inside.
        let idi = payload(f3, &in3, 35);
        let idr = payload(f4, &in4, 36);
        let octets_i = keys::auth_octets(prf, &m1, &nr, k.sk_pi.as_bytes(), &idi);
        let octets_r = keys::auth_octets(prf, &m2, &ni, k.sk_pr.as_bytes(), &idr);
        assert_eq!(octets_i, hx(v, "auth_i_octets"));
        assert_eq!(octets_r, hx(v, "auth_r_octets"));
        let auth_i = keys::psk::auth(prf, get(v, "psk_ascii").as_bytes(), &octets_i);
        let auth_r = keys::psk::auth(prf, get(v, "psk_ascii").as_bytes(), &octets_r);
        assert_eq!(auth_i.as_bytes(), hx(v, "auth_i"), "{name}: AUTH_i");
        assert_eq!(auth_r.as_bytes(), hx(v, "auth_r"), "{name}: AUTH_r");
        // ... and they are what the peers put on the wire (method 2 + 3 reserved octets).
        assert_eq!(payload(f3, &in3, 39)[4..], *auth_i.as_bytes());
        assert_eq!(payload(f4, &in4, 39)[4..], *auth_r.as_bytes());

        // Child SA KEYMAT without PFS: ESP AES-CBC-128 + HMAC-SHA1-96.
        let child = ChildSaKeys::derive(prf, k.sk_d.as_bytes(), &[], &ni, &nr, 16, 20).unwrap();
        assert_eq!(
            child.encr_i.as_bytes(),
            hx(v, "child_sa_keymat_no_pfs.esp_ei")
        );
        assert_eq!(
            child.integ_i.as_bytes(),
            hx(v, "child_sa_keymat_no_pfs.esp_ai")
        );
        assert_eq!(
            child.encr_r.as_bytes(),
            hx(v, "child_sa_keymat_no_pfs.esp_er")
        );
        assert_eq!(
            child.integ_r.as_bytes(),
            hx(v, "child_sa_keymat_no_pfs.esp_ar")
        );
        let _ = SecretBytes::default();
    }
}

// ---------------------------------------------------------------- AES-XCBC / AES-CMAC

#[test]
fn aes_xcbc_and_cmac_rfc3566_4434_4493_4494_4615() {
    for (name, p) in providers() {
        for v in AES_XCBC.iter().chain(AES_CMAC) {
            let (key, data, expected) = (hx(v, "key"), hx(v, "data"), hx(v, "output"));
            let label = format!("{name} {}", get(v, "name"));
            match get(v, "transform") {
                "PRF_AES128_XCBC" | "PRF_AES128_CMAC" => {
                    let id = if get(v, "transform").contains("XCBC") {
                        PrfId::Aes128Xcbc
                    } else {
                        PrfId::Aes128Cmac
                    };
                    let out = p.prf(id).unwrap().prf(&key, &[&data]);
                    assert_eq!(out.as_bytes(), expected, "{label}");
                }
                "AUTH_AES_XCBC_96" | "AUTH_AES_CMAC_96" => {
                    let id = if get(v, "transform").contains("XCBC") {
                        IntegId::AesXcbc96
                    } else {
                        IntegId::AesCmac96
                    };
                    let k = p.integ(id).unwrap().new_key(&key).unwrap();
                    let mut icv = [0u8; 12];
                    k.sign(&[&data], &mut icv).unwrap();
                    assert_eq!(icv.to_vec(), expected, "{label}");
                    k.verify(&[&data], &expected).unwrap();
                    let mut bad = expected.clone();
                    bad[11] ^= 1;
                    assert!(k.verify(&[&data], &bad).is_err(), "{label}: forged ICV");
                }
                other => panic!("{other}"),
            }
        }
    }
}

#[test]
fn skeyseed_with_a_fixed_key_prf_uses_half_of_each_nonce() {
    for (name, p) in providers() {
        let prf = p.prf(PrfId::Aes128Xcbc).unwrap();
        let (ni, nr) = ([0x11u8; 32], [0x22u8; 32]);
        let mut key = vec![0x11u8; 8];
        key.extend([0x22u8; 8]);
        let expected = prf.prf(&key, &[b"g^ir"]);
        assert_eq!(
            keys::skeyseed(prf, &ni, &nr, &[b"g^ir"]),
            expected,
            "{name}"
        );
    }
}

// ---------------------------------------------------------------- peer-value validation and round trips
// (no published vectors in the collection for these: both sides are ours,
// and the checks are the rejection rules of RFC 6989, RFC 8031 and FIPS 203)

#[test]
fn modp_rfc6989_range_checks_and_round_trip() {
    for (name, p) in providers() {
        let g = p.ke(KeId::Modp2048).unwrap();
        let rng = ikev2_crypto::random::DeterministicRandom::seed_from_u64(5);
        let a = g.start(&rng).unwrap();
        let (b_pub, b_secret) = g.respond(&rng, a.public()).unwrap();
        assert_eq!(b_pub.len(), 256);
        assert_eq!(a.complete(&b_pub).unwrap(), b_secret, "{name}");
        // 0, 1, p-1, p, 2^2048-1 and a short value are refused; p-2 is in range.
        // The 2048-bit MODP prime of RFC 3526 section 3:
        let prime = h(concat!(
            "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
            "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
            "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
            "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
            "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
            "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b",
            "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718",
            "3995497cea956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff",
        ));
        let mut p_minus_1 = prime.clone();
        p_minus_1[255] = 0xfe;
        let mut p_minus_2 = prime.clone();
        p_minus_2[255] = 0xfd;
        assert!(
            g.start(&rng).unwrap().complete(&p_minus_2).is_ok(),
            "{name}: p-2 refused"
        );
        let mut one = vec![0u8; 256];
        one[255] = 1;
        for bad in [
            vec![0u8; 256],
            one,
            p_minus_1,
            prime,
            vec![0xff; 256],
            vec![2u8; 255],
        ] {
            let a = g.start(&rng).unwrap();
            assert!(
                a.complete(&bad).is_err(),
                "{name}: accepted {:02x?}",
                &bad[bad.len() - 2..]
            );
        }
    }
}

#[test]
fn x448_round_trip_and_low_order_rejection() {
    for (name, p) in providers() {
        let g = p.ke(KeId::Curve448).unwrap();
        let rng = ikev2_crypto::random::DeterministicRandom::seed_from_u64(6);
        let a = g.start(&rng).unwrap();
        let (b_pub, b_secret) = g.respond(&rng, a.public()).unwrap();
        assert_eq!(a.complete(&b_pub).unwrap(), b_secret, "{name}");
        for low in [vec![0u8; 56], {
            let mut v = vec![0u8; 56];
            v[0] = 1;
            v
        }] {
            let a = g.start(&rng).unwrap();
            assert!(
                a.complete(&low).is_err(),
                "{name}: low-order point accepted"
            );
        }
    }
}

#[test]
fn mlkem_round_trip_and_encapsulation_key_check() {
    for (name, p) in providers() {
        for (id, ek_len, ct_len) in [(KeId::MlKem768, 1184, 1088), (KeId::MlKem1024, 1568, 1568)] {
            let g = p.ke(id).unwrap();
            assert!(g.is_kem());
            let rng = ikev2_crypto::random::DeterministicRandom::seed_from_u64(7);
            let a = g.start(&rng).unwrap();
            assert_eq!(a.public().len(), ek_len);
            let ek = a.public().to_vec();
            let (ct, b_secret) = g.respond(&rng, &ek).unwrap();
            assert_eq!(ct.len(), ct_len);
            assert_eq!(a.complete(&ct).unwrap(), b_secret, "{name} {id:?}");
            // A coefficient of 0xfff >= q fails the FIPS 203 modulus check.
            let mut bad = ek.clone();
            bad[0] = 0xff;
            bad[1] |= 0x0f;
            assert!(
                g.respond(&rng, &bad).is_err(),
                "{name}: unreduced key accepted"
            );
            assert!(g.respond(&rng, &ek[1..]).is_err());
            // A modified ciphertext yields a different secret (implicit rejection).
            let a = g.start(&rng).unwrap();
            let (mut ct, b_secret) = g.respond(&rng, a.public()).unwrap();
            ct[0] ^= 1;
            assert_ne!(a.complete(&ct).unwrap(), b_secret);
        }
    }
}
