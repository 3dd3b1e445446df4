//! Certificate authentication in IKE_AUTH between two `Endpoint`s through
//! the simulator, with certificates made at test time (rcgen): ECDSA P-256
//! and RSA (PSS and PKCS#1 v1.5) both ways, a chain with an intermediate,
//! the CERTREQ of the IKE_SA_INIT response, and each refusal with its typed
//! cause (expired, Key Usage, Extended Key Usage, identity not in the
//! certificate, untrusted, no certificate, no wall clock); and signers that
//! defer (an HSM) in either role, through `Output::NeedSignature`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
use common::{addr, endpoint, initiated, I_ADDR, R_ADDR};

use std::sync::Arc;
use std::time::{Duration, Instant};

use ikev2_crypto::auth::{AuthSigner, SignRequest, SoftwareSigner};
use ikev2_crypto::cert::EkuPolicy;
use ikev2_crypto::provider::rustcrypto::OS_RANDOM;
use ikev2_crypto::{CryptoError, Signing};
use ikev2_sm::config::{Auth, CertCredential, CertTrust, Identity, PeerConfig};
use ikev2_sm::events::{AuthFailure, CertFailure, Event, Failure};
use ikev2_sm::sim::{EndpointPeer, LinkConfig, Sim};
use ikev2_sm::{Input, Output};
use ikev2_wire::{CertEncoding, MessageRepr, PayloadBody};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PublicKeyData, SanType, PKCS_ECDSA_P256_SHA256,
    PKCS_RSA_SHA256,
};

/// RSA key made by strongSwan's pki tool (ring cannot generate RSA keys).
const RSA_KEY: &str = include_str!("../../ikev2-crypto/tests/data/strongswan-pki/a-rsa.pk8.pem");

/// The wall clock of both endpoints: 2030-01-01T00:00:00Z.
const UNIX_2030: Duration = Duration::from_secs(1_893_456_000);

struct Ca {
    params: CertificateParams,
    key: KeyPair,
    der: Vec<u8>,
}

impl Ca {
    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = date_time_ymd(2020, 1, 1);
    p.not_after = date_time_ymd(2040, 1, 1);
    p
}

fn root(cn: &str) -> Ca {
    let params = ca_params(cn);
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let der = params.self_signed(&key).unwrap().der().to_vec();
    Ca { params, key, der }
}

fn intermediate(parent: &Ca, cn: &str) -> Ca {
    let params = ca_params(cn);
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let der = params
        .signed_by(&key, &parent.issuer())
        .unwrap()
        .der()
        .to_vec();
    Ca { params, key, der }
}

/// An end-entity certificate for `name` (dNSName SAN), adjusted by `f`,
/// with its key as a signer.
fn leaf(
    issuer: &Ca,
    name: &str,
    rsa: bool,
    f: impl FnOnce(&mut CertificateParams),
) -> (Vec<u8>, Arc<SoftwareSigner>) {
    let key = if rsa {
        KeyPair::from_pem_and_sign_algo(RSA_KEY, &PKCS_RSA_SHA256).unwrap()
    } else {
        KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap()
    };
    let mut p = CertificateParams::new(vec![name.to_owned()]).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    p.not_before = date_time_ymd(2025, 1, 1);
    p.not_after = date_time_ymd(2035, 1, 1);
    f(&mut p);
    let der = p.signed_by(&key, &issuer.issuer()).unwrap().der().to_vec();
    let signer = SoftwareSigner::from_pkcs8_der(&key.serialize_der(), &OS_RANDOM).unwrap();
    (der, Arc::new(signer))
}

fn config(
    name: &str,
    me: &str,
    them: &str,
    chain: Vec<Vec<u8>>,
    signer: Arc<SoftwareSigner>,
    trust: CertTrust,
    ts: (&str, &str),
) -> PeerConfig {
    PeerConfig::new(
        name,
        Identity::parse(me).unwrap(),
        Identity::parse(them).unwrap(),
    )
    .with_auth(
        Auth::Signature(CertCredential::new(chain, signer)),
        Auth::TrustedCa(trust),
    )
    .with_ike_proposals("aes256gcm16-prfsha256-x25519")
    .unwrap()
    .with_child(common::child("net", ts, "aes256gcm16"))
}

/// What each side gets: its chain and key, and what it trusts.
struct Side {
    chain: Vec<Vec<u8>>,
    signer: Arc<SoftwareSigner>,
    trust: CertTrust,
    id: &'static str,
}

fn side(ca: &Ca, name: &'static str, trust: &Ca, epoch: Instant) -> Side {
    let (cert, signer) = leaf(ca, name, false, |_| {});
    Side {
        chain: vec![cert],
        signer,
        trust: CertTrust::new(vec![trust.der.clone()]).with_clock(epoch, UNIX_2030),
        id: name,
    }
}

/// The configurations of `i` (initiator `gw`) and `r` (responder `rw`),
/// each authenticating with its chain and trusting its CA.
fn configs(i: &Side, r: &Side) -> (PeerConfig, PeerConfig) {
    let of = |name, me: &Side, them: &Side, ts| {
        let (chain, signer, trust) = (me.chain.clone(), me.signer.clone(), me.trust.clone());
        config(name, me.id, them.id, chain, signer, trust, ts)
    };
    (
        of("gw", i, r, ("10.1.0.0/16", "10.2.0.0/16")),
        of("rw", r, i, ("10.2.0.0/16", "10.1.0.0/16")),
    )
}

/// `ic` (endpoint seed 1) initiates to `rc` (seed 2) over clean links.
fn started(
    epoch: Instant,
    ic: PeerConfig,
    rc: PeerConfig,
    seed: u64,
) -> Sim<EndpointPeer, EndpointPeer> {
    let link = LinkConfig::default();
    initiated(epoch, endpoint(1, ic), endpoint(2, rc), link, link, seed)
}

fn run(epoch: Instant, i: Side, r: Side) -> Sim<EndpointPeer, EndpointPeer> {
    let (ic, rc) = configs(&i, &r);
    let mut s = started(epoch, ic, rc, 3);
    assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
    s
}

fn up(p: &EndpointPeer) -> bool {
    let e = p.event_list();
    e.contains(&Event::IkeSaUp) && e.contains(&Event::ChildSaUp { name: "net".into() })
}

fn failure(p: &EndpointPeer) -> Option<Failure> {
    p.event_list().into_iter().find_map(|e| match e {
        Event::Failed { reason } => Some(reason),
        _ => None,
    })
}

fn cert_failed(f: CertFailure) -> Option<Failure> {
    Some(Failure::AuthenticationFailed {
        cause: AuthFailure::Certificate(f),
    })
}

const SUN: &str = "sun.example";
const MOON: &str = "moon.example";

#[test]
fn ecdsa_certificates_both_ways() {
    let epoch = Instant::now();
    let ca = root("test CA");
    let s = run(
        epoch,
        side(&ca, SUN, &ca, epoch),
        side(&ca, MOON, &ca, epoch),
    );
    assert!(
        up(&s.a) && up(&s.b),
        "{:?} / {:?}",
        s.a.event_list(),
        s.b.event_list()
    );
    assert_eq!(s.a.installs[0].encr_key_out, s.b.installs[0].encr_key_in);
    let h = s.b.endpoint.handles()[0];
    assert_eq!(
        s.b.endpoint.sa_info(h).unwrap().peer_id,
        Some(Identity::Fqdn(SUN.into()))
    );
}

#[test]
fn rsa_pss_and_pkcs1_signatures_verify() {
    for pss in [true, false] {
        let epoch = Instant::now();
        let ca = root("test CA");
        let (cert, signer) = leaf(&ca, SUN, true, |_| {});
        let mut i = side(&ca, SUN, &ca, epoch);
        i.chain = vec![cert];
        i.signer = signer;
        let r = side(&ca, MOON, &ca, epoch);
        let (mut ic, rc) = configs(&i, &r);
        if let Auth::Signature(c) = &mut ic.local_auth {
            c.prefs.rsa_pss = pss;
        }
        let mut s = started(epoch, ic, rc, 4);
        assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
        assert!(up(&s.a) && up(&s.b), "pss={pss}: {:?}", s.b.event_list());
    }
}

#[test]
fn chain_with_an_intermediate_is_sent_and_validated() {
    let epoch = Instant::now();
    let ca = root("root CA");
    let sub = intermediate(&ca, "issuing CA");
    let mut i = side(&sub, SUN, &ca, epoch);
    i.chain.push(sub.der.clone());
    let s = run(epoch, i, side(&ca, MOON, &ca, epoch));
    assert!(up(&s.a) && up(&s.b), "{:?}", s.b.event_list());
}

/// Responder-side refusals: the initiator's certificate made by `f`, or
/// trusted under `trust`; the responder reports `cause`, the initiator
/// hears AUTHENTICATION_FAILED.
fn refused(
    f: impl FnOnce(&mut CertificateParams),
    tune: impl FnOnce(&mut Side),
    cause: Option<Failure>,
) {
    let epoch = Instant::now();
    let ca = root("test CA");
    let (cert, signer) = leaf(&ca, SUN, false, f);
    let mut i = side(&ca, SUN, &ca, epoch);
    i.chain = vec![cert];
    i.signer = signer;
    let mut r = side(&ca, MOON, &ca, epoch);
    tune(&mut r);
    let s = run(epoch, i, r);
    assert!(!s.b.event_list().contains(&Event::IkeSaUp));
    assert_eq!(failure(&s.b), cause);
    assert_eq!(
        failure(&s.a),
        Some(Failure::AuthenticationFailed {
            cause: AuthFailure::RejectedByPeer
        })
    );
}

#[test]
fn expired_certificate_is_refused_as_expired() {
    refused(
        |p| p.not_after = date_time_ymd(2026, 1, 1),
        |_| {},
        cert_failed(CertFailure::Expired),
    );
}

#[test]
fn key_usage_without_signing_is_refused() {
    refused(
        |p| p.key_usages = vec![KeyUsagePurpose::KeyEncipherment],
        |_| {},
        cert_failed(CertFailure::KeyUsage),
    );
}

#[test]
fn extended_key_usage_outside_the_policy_is_refused() {
    refused(
        |p| p.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning],
        |r| r.trust.eku = EkuPolicy::ClientAuth,
        cert_failed(CertFailure::ExtendedKeyUsage),
    );
}

#[test]
fn identity_not_in_the_certificate_is_refused() {
    refused(
        |p| p.subject_alt_names = vec![SanType::DnsName("mallory.example".try_into().unwrap())],
        |_| {},
        cert_failed(CertFailure::IdentityNotInCertificate),
    );
}

#[test]
fn certificate_from_another_ca_is_untrusted() {
    let other = root("other CA");
    refused(
        |_| {},
        |r| r.trust = CertTrust::new(vec![other.der.clone()]).with_clock(Instant::now(), UNIX_2030),
        cert_failed(CertFailure::Untrusted),
    );
}

#[test]
fn no_wall_clock_refuses_rather_than_guesses() {
    refused(
        |_| {},
        |r| r.trust.clock = None,
        Some(Failure::AuthenticationFailed {
            cause: AuthFailure::NoWallClock,
        }),
    );
}

#[test]
fn no_certificate_sent_is_named() {
    let epoch = Instant::now();
    let ca = root("test CA");
    let mut i = side(&ca, SUN, &ca, epoch);
    i.chain.clear();
    let s = run(epoch, i, side(&ca, MOON, &ca, epoch));
    assert_eq!(failure(&s.b), cert_failed(CertFailure::NotSent));
}

#[test]
fn initiator_refuses_a_responder_certificate_for_another_name() {
    let epoch = Instant::now();
    let ca = root("test CA");
    let (cert, signer) = leaf(&ca, "elsewhere.example", false, |_| {});
    let mut r = side(&ca, MOON, &ca, epoch);
    r.chain = vec![cert];
    r.signer = signer;
    let s = run(epoch, side(&ca, SUN, &ca, epoch), r);
    assert_eq!(
        failure(&s.a),
        cert_failed(CertFailure::IdentityNotInCertificate)
    );
    assert!(!s.a.event_list().contains(&Event::IkeSaUp));
}

#[test]
fn ike_sa_init_response_carries_certreq_for_the_trusted_ca() {
    let epoch = Instant::now();
    let ca = root("test CA");
    let i = side(&ca, SUN, &ca, epoch);
    let r = side(&ca, MOON, &ca, epoch);
    let (ic, rc) = configs(&i, &r);
    let (mut a, mut b) = (endpoint(1, ic), endpoint(2, rc));
    a.initiate(epoch, "gw", addr(I_ADDR), addr(R_ADDR)).unwrap();
    let Output::Transmit(t) = a.poll_output() else {
        panic!()
    };
    b.handle_input(Input::Datagram {
        now: epoch,
        src: t.src,
        dst: t.dst,
        bytes: t.bytes,
    });
    let Output::Transmit(t) = b.poll_output() else {
        panic!()
    };
    let msg = MessageRepr::parse(&t.bytes).unwrap();
    let certreq = msg
        .payloads
        .iter()
        .find_map(|p| match &p.body {
            PayloadBody::CertReq(c) => Some(c),
            _ => None,
        })
        .expect("a CERTREQ");
    assert_eq!(certreq.encoding, CertEncoding::X509CertificateSignature);
    // SHA-1 of the CA's SubjectPublicKeyInfo (RFC 7296 §3.7).
    let spki = ca.key.subject_public_key_info();
    assert_eq!(
        certreq.data.as_ref(),
        ikev2_crypto::cert::certreq::authority_hash(&spki)
    );
}

#[test]
fn signature_by_a_key_other_than_the_certificate_is_signature_invalid() {
    let epoch = Instant::now();
    let ca = root("test CA");
    let mut i = side(&ca, SUN, &ca, epoch);
    // The certificate is valid and names SUN, the key signing is another.
    let (_, other_key) = leaf(&ca, SUN, false, |_| {});
    i.signer = other_key;
    let s = run(epoch, i, side(&ca, MOON, &ca, epoch));
    assert_eq!(
        failure(&s.b),
        Some(Failure::AuthenticationFailed {
            cause: AuthFailure::SignatureInvalid
        })
    );
}

// Asynchronous signers (an HSM): the signer defers, the endpoint emits
// `Output::NeedSignature`, and the test plays the device, signing the
// request with the real key and handing the answer back.

/// A key held elsewhere: it always defers.
struct Hsm(Arc<SoftwareSigner>);

impl AuthSigner for Hsm {
    fn public_key_spki(&self) -> &[u8] {
        self.0.public_key_spki()
    }
    fn sign(&self, _: &SignRequest) -> Result<Signing, CryptoError> {
        Ok(Signing::Deferred)
    }
}

/// What the device answers for a request.
type Device = dyn Fn(&SoftwareSigner, &SignRequest) -> Result<Vec<u8>, String>;

fn device_signs(key: &SoftwareSigner, req: &SignRequest) -> Result<Vec<u8>, String> {
    match key.sign(req).unwrap() {
        Signing::Ready(sig) => Ok(sig),
        _ => Err("software keys never defer".into()),
    }
}

/// Sets up sun (initiator) and moon (responder) with ECDSA certificates,
/// the sides named in `defer` signing through an [`Hsm`]; returns the
/// simulation stopped before anything ran, and each side's real key.
fn hsm_run(
    epoch: Instant,
    defer: (bool, bool),
) -> (
    Sim<EndpointPeer, EndpointPeer>,
    Arc<SoftwareSigner>,
    Arc<SoftwareSigner>,
) {
    let ca = root("test CA");
    let (i, r) = (side(&ca, SUN, &ca, epoch), side(&ca, MOON, &ca, epoch));
    let (ikey, rkey) = (i.signer.clone(), r.signer.clone());
    let (mut ic, mut rc) = configs(&i, &r);
    for (cfg, key, on) in [(&mut ic, &ikey, defer.0), (&mut rc, &rkey, defer.1)] {
        if let (Auth::Signature(c), true) = (&mut cfg.local_auth, on) {
            c.signer = Arc::new(Hsm(key.clone()));
        }
    }
    let s = started(epoch, ic, rc, 3);
    (s, ikey, rkey)
}

/// Runs the simulation for a simulated minute, answering each signature
/// request with `device` after `delay` of simulated time; returns how many
/// were answered.
fn answer_all(
    s: &mut Sim<EndpointPeer, EndpointPeer>,
    keys: (&SoftwareSigner, &SoftwareSigner),
    delay: Duration,
    device: &Device,
) -> usize {
    let end = s.now() + Duration::from_secs(60);
    let asked = |s: &Sim<EndpointPeer, EndpointPeer>| {
        (s.a.signature_requests.len(), s.b.signature_requests.len())
    };
    let mut answered = (0, 0);
    loop {
        while asked(s) == answered && s.next_event().is_some_and(|t| t <= end) {
            s.step();
        }
        if asked(s) == answered {
            return answered.0 + answered.1;
        }
        let t = s.now() + delay;
        s.run_until(t, 10_000);
        let now = s.now();
        let done = [answered.0, answered.1];
        for ((peer, key), done) in [(&mut s.a, keys.0), (&mut s.b, keys.1)]
            .into_iter()
            .zip(done)
        {
            let new: Vec<_> = peer.signature_requests.iter().skip(done).cloned().collect();
            for n in new {
                peer.endpoint
                    .signature_ready(now, n.sa, device(key, &n.request))
                    .unwrap();
                peer.drain();
            }
        }
        answered = asked(s);
    }
}

/// Both sides up after the device answered each request correctly, `delay`
/// after it was asked; returns the simulation and how many it answered.
fn hsm_up(
    mut s: Sim<EndpointPeer, EndpointPeer>,
    keys: (&SoftwareSigner, &SoftwareSigner),
    delay: Duration,
) -> (Sim<EndpointPeer, EndpointPeer>, usize) {
    let n = answer_all(&mut s, keys, delay, &device_signs);
    assert!(
        up(&s.a) && up(&s.b),
        "{:?} / {:?}",
        s.a.event_list(),
        s.b.event_list()
    );
    (s, n)
}

#[test]
fn initiator_hsm_signs_later_and_nothing_is_sent_meanwhile() {
    let epoch = Instant::now();
    let (mut s, ikey, rkey) = hsm_run(epoch, (true, false));
    assert!(s.drive_until(10_000, |s| !s.a.signature_requests.is_empty()));
    // IKE_SA_INIT only: IKE_AUTH waits for the device.
    assert_eq!(s.a.sent, 1);
    let h = s.a.signature_requests[0].sa;
    let info = s.a.endpoint.sa_info(h).unwrap();
    assert_eq!(info.state, "IKE_AUTH waiting for our signature");
    // Asked to sign the AUTH octets with a scheme our key can make.
    let req = &s.a.signature_requests[0].request;
    assert!(!req.octets.is_empty() && req.digest().is_some());
    let (mut s, n) = hsm_up(s, (&ikey, &rkey), Duration::from_millis(500));
    assert_eq!(n, 1);
    assert_eq!(s.a.endpoint.stats().signatures_deferred, 1);
    assert_eq!(s.a.installs[0].encr_key_out, s.b.installs[0].encr_key_in);
    // Answered already: a second answer is refused, nothing changes.
    assert_eq!(
        s.a.endpoint.signature_ready(s.now(), h, Ok(vec![1, 2, 3])),
        Err(ikev2_sm::ApiError::NoSignaturePending)
    );
}

#[test]
fn responder_hsm_signs_later_while_retransmissions_are_dropped() {
    let epoch = Instant::now();
    let (s, ikey, rkey) = hsm_run(epoch, (false, true));
    // The device takes 9 s: the initiator retransmits IKE_AUTH (4 s, then
    // 7.2 s later...), and the responder drops those as in progress.
    let (s, n) = hsm_up(s, (&ikey, &rkey), Duration::from_secs(9));
    assert_eq!(n, 1);
    assert!(s.a.endpoint.stats().retransmits >= 1);
    assert!(s.b.endpoint.stats().dropped.request_in_progress >= 1);
    assert_eq!(s.b.endpoint.stats().signatures_deferred, 1);
    assert_eq!(s.b.endpoint.stats().half_open, 0);
    assert_eq!(
        s.b.installs.len(),
        1,
        "one Child SA, however many retransmissions"
    );
}

#[test]
fn both_sides_hsm() {
    let epoch = Instant::now();
    let (s, ikey, rkey) = hsm_run(epoch, (true, true));
    let (_, n) = hsm_up(s, (&ikey, &rkey), Duration::from_millis(100));
    assert_eq!(n, 2);
}

fn local_signer_failed(p: &EndpointPeer) -> Option<String> {
    match failure(p) {
        Some(Failure::AuthenticationFailed {
            cause: AuthFailure::LocalSigner(why),
        }) => Some(why),
        _ => None,
    }
}

#[test]
fn hsm_with_the_wrong_key_or_an_error_fails_with_the_signers_cause() {
    let epoch = Instant::now();
    let stranger = leaf(&root("other CA"), SUN, false, |_| {}).1;
    let wrong_key = move |_: &SoftwareSigner, req: &SignRequest| device_signs(&stranger, req);
    let broken = |_: &SoftwareSigner, _: &SignRequest| Err("token removed".to_owned());
    // Initiator: nothing reaches the responder; the SA is gone.
    for device in [&wrong_key as &Device, &broken] {
        let (mut s, ikey, rkey) = hsm_run(epoch, (true, false));
        answer_all(&mut s, (&ikey, &rkey), Duration::ZERO, device);
        assert!(
            local_signer_failed(&s.a).is_some(),
            "{:?}",
            s.a.event_list()
        );
        assert!(!up(&s.b));
        assert_eq!(s.a.endpoint.sa_count(), 0);
        assert_eq!(s.a.endpoint.stats().half_open, 0);
    }
    // Responder: answers AUTHENTICATION_FAILED; the initiator is told.
    let (mut s, ikey, rkey) = hsm_run(epoch, (false, true));
    answer_all(&mut s, (&ikey, &rkey), Duration::ZERO, &broken);
    assert_eq!(local_signer_failed(&s.b).as_deref(), Some("token removed"));
    assert_eq!(
        failure(&s.a),
        Some(Failure::AuthenticationFailed {
            cause: AuthFailure::RejectedByPeer
        })
    );
    assert_eq!(s.b.endpoint.stats().half_open, 0);
}

#[test]
fn a_signer_that_never_answers_times_out_with_its_cause() {
    let epoch = Instant::now();
    let (mut s, _, _) = hsm_run(epoch, (true, false));
    assert!(s.settle(Duration::from_secs(600), 10_000));
    assert_eq!(s.a.signature_requests.len(), 1);
    let why = local_signer_failed(&s.a).expect("a typed failure");
    assert!(why.contains("no signature"), "{why}");
    assert_eq!(s.a.endpoint.sa_count(), 0);
    assert_eq!(s.a.endpoint.stats().half_open, 0);
}

#[test]
fn reauthentication_signs_and_verifies_the_certificates_again() {
    let epoch = Instant::now();
    let ca = root("test CA");
    let mut s = run(
        epoch,
        side(&ca, SUN, &ca, epoch),
        side(&ca, MOON, &ca, epoch),
    );
    assert!(up(&s.a) && up(&s.b));
    let old = s.a.endpoint.handles()[0];
    let now = s.now();
    let new = s.a.endpoint.reauthenticate(now, old).unwrap();
    s.a.drain();
    assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
    assert!(
        s.a.event_list().contains(&Event::IkeSaReauthenticated {
            new,
            missing: Vec::new()
        }),
        "{:?}",
        s.a.event_list()
    );
    assert!(failure(&s.a).is_none() && failure(&s.b).is_none());
    // A second IKE_AUTH with signatures, verified on both sides.
    assert_eq!(s.a.endpoint.stats().initiated.ike_auth, 2);
    assert_eq!(s.b.endpoint.stats().responded.ike_auth, 2);
    assert_eq!(s.a.endpoint.handles(), vec![new]);
    let hb = s.b.endpoint.handles();
    assert_eq!(hb.len(), 1, "the old IKE SA is gone at the responder too");
    assert_eq!(
        s.b.endpoint.sa_info(hb[0]).unwrap().peer_id,
        Some(Identity::Fqdn(SUN.into()))
    );
    assert_eq!(s.a.installs.len(), 2);
    assert_eq!(s.a.removals.len(), 1);
    assert_eq!(s.a.removals[0].spi_in, s.a.installs[0].spi_in);
}

/// ID_DER_ASN1_DN both ways: each side names itself by its certificate's
/// subject (rcgen encodes it as UTF8String, our text gives PrintableString:
/// the names still compare equal), the initiator accepts any CN under its
/// organisation, and each side reports the other's DN as text.
fn dn_run(
    i_claims: &str,
    r_accepts: &str,
) -> (Sim<EndpointPeer, EndpointPeer>, &'static str, &'static str) {
    const SUN_DN: &str = "C=CH, O=Example, CN=sun.example";
    const MOON_DN: &str = "C=CH, O=Example, CN=moon.example";
    let epoch = Instant::now();
    let ca = root("test CA");
    let dn_leaf = |name: &str| {
        leaf(&ca, name, false, |p| {
            p.distinguished_name = rcgen::DistinguishedName::new();
            p.distinguished_name.push(DnType::CountryName, "CH");
            p.distinguished_name
                .push(DnType::OrganizationName, "Example");
            p.distinguished_name.push(DnType::CommonName, name);
        })
    };
    let (i_cert, i_key) = dn_leaf(SUN);
    let (r_cert, r_key) = dn_leaf(MOON);
    let trust = CertTrust::new(vec![ca.der.clone()]).with_clock(epoch, UNIX_2030);
    let ic = config(
        "gw",
        i_claims,
        "C=CH, O=Example, CN=*",
        vec![i_cert],
        i_key,
        trust.clone(),
        ("10.1.0.0/16", "10.2.0.0/16"),
    );
    let rc = config(
        "rw",
        MOON_DN,
        r_accepts,
        vec![r_cert],
        r_key,
        trust,
        ("10.2.0.0/16", "10.1.0.0/16"),
    );
    let mut s = started(epoch, ic, rc, 5);
    assert!(s.settle(Duration::from_secs(600), 10_000));
    (s, SUN_DN, MOON_DN)
}

#[test]
fn distinguished_name_identities_both_ways() {
    let (s, sun, moon) = dn_run(
        "C=CH, O=Example, CN=sun.example",
        "c=ch, o=EXAMPLE, cn=Sun.Example",
    );
    assert!(
        up(&s.a) && up(&s.b),
        "{:?} / {:?}",
        s.a.event_list(),
        s.b.event_list()
    );
    let peer = |p: &EndpointPeer| {
        let h = p.endpoint.handles()[0];
        p.endpoint.sa_info(h).unwrap().peer_id.unwrap()
    };
    // what arrived parsed as DER (text would not), and prints as text
    let (at_b, at_a) = (peer(&s.b), peer(&s.a));
    assert_eq!(at_b, Identity::parse(sun).unwrap());
    assert_eq!(at_a, Identity::parse(moon).unwrap());
    assert_eq!(at_b.to_string(), sun);
    assert_eq!(at_a.to_string(), moon);
    let Identity::Dn(dn) = at_a else {
        panic!("not a DN: {at_a:?}")
    };
    assert_eq!(dn.as_der()[0], 0x30);
}

#[test]
fn distinguished_name_mismatches_are_named() {
    // the responder wants another name: IdentityMismatch, both DNs as text
    let (s, sun, _) = dn_run(
        "C=CH, O=Example, CN=sun.example",
        "C=CH, O=Example, CN=mars.example",
    );
    let Some(Failure::AuthenticationFailed {
        cause: AuthFailure::IdentityMismatch { received, .. },
    }) = failure(&s.b)
    else {
        panic!("{:?}", s.b.event_list())
    };
    assert_eq!(received, sun);
    assert!(!s.b.event_list().contains(&Event::IkeSaUp));
    // the initiator claims a DN its certificate does not carry
    let (s, _, _) = dn_run("C=CH, O=Example, CN=mars.example", "C=CH, O=Example, CN=*");
    assert_eq!(
        failure(&s.b),
        cert_failed(CertFailure::IdentityNotInCertificate)
    );
}
