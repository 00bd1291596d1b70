use super::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn rfc5769_long_term_key() {
    // RFC 5769 §2.4: MD5("マトリックス:example.org:TheMatrIX").
    let key = long_term_key_bytes(
        "マトリックス",
        "example.org",
        "TheMatrIX",
        password_algorithm::MD5,
        PasswordPrep::OpaqueString,
    )
    .unwrap();
    assert_eq!(hex(&key), "e8ca7ad59d5eb0518e312911d2dab2a9");
}

#[test]
fn saslprep_maps_the_rfc5769_password() {
    // RFC 5769 §2.4 gives the password as "The<U+00AD>M<U+00AA>tr<U+2168>" before SASLprep.
    let raw = "The\u{00AD}M\u{00AA}tr\u{2168}";
    assert_eq!(saslprep(raw).unwrap(), "TheMatrIX");
    let key = long_term_key_bytes(
        "マトリックス",
        "example.org",
        raw,
        password_algorithm::MD5,
        PasswordPrep::SaslPrep,
    )
    .unwrap();
    assert_eq!(hex(&key), "e8ca7ad59d5eb0518e312911d2dab2a9");
}

#[test]
fn rfc8489_userhash_and_sha256_key() {
    // RFC 8489 Appendix B.1.
    let hash = userhash("マトリックス", "example.org").unwrap();
    assert_eq!(
        hex(&hash),
        "4a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704"
    );
    let key = long_term_key_bytes(
        "マトリックス",
        "example.org",
        "TheMatrIX",
        password_algorithm::SHA256,
        PasswordPrep::OpaqueString,
    )
    .unwrap();
    assert_eq!(
        hex(&key),
        "dd295a613b9058c3c23d6dc7165bda072304d989c9d0af3a8c7e184b4f9bb4a1"
    );
}

#[test]
fn opaque_string_maps_spaces_and_normalizes() {
    assert!(matches!(
        opaque_string("plain").unwrap(),
        Cow::Borrowed("plain")
    ));
    assert_eq!(opaque_string("a\u{00A0}b").unwrap(), "a b");
    // "e" + combining acute accent composes to U+00E9 under NFC.
    assert_eq!(opaque_string("e\u{0301}").unwrap(), "\u{00E9}");
    // NFC does not apply compatibility mappings (unlike SASLprep's NFKC).
    assert_eq!(opaque_string("\u{2168}").unwrap(), "\u{2168}");
    assert_eq!(opaque_string(""), Err(PrepError::Empty));
    assert_eq!(
        opaque_string("a\u{0007}"),
        Err(PrepError::Prohibited('\u{0007}'))
    );
}

#[test]
fn saslprep_refuses_prohibited_output() {
    assert_eq!(
        saslprep("a\u{E000}"),
        Err(PrepError::Prohibited('\u{E000}'))
    );
    assert_eq!(saslprep("\u{00AD}"), Err(PrepError::Empty));
}

#[test]
fn nonce_cookie_security_features() {
    // RFC 8489 B.1's nonce: "obMatJos2" + "AAAC" = 0x000002 (no bit 0 or 1 set; bit 22 of 24).
    let features =
        SecurityFeatures::from_nonce("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA").unwrap();
    assert_eq!(features.0, 2);
    assert!(!features.password_algorithms());
    let both = SecurityFeatures(
        SecurityFeatures::PASSWORD_ALGORITHMS | SecurityFeatures::USERNAME_ANONYMITY,
    );
    let encoded = both.encode();
    assert_eq!(&encoded, b"wAAA");
    let nonce = format!(
        "{NONCE_COOKIE}{}rest",
        std::str::from_utf8(&encoded).unwrap()
    );
    assert_eq!(SecurityFeatures::from_nonce(&nonce), Some(both));
    assert_eq!(
        SecurityFeatures::from_nonce("f//499k954d6OL34oL9FSTvy64sA"),
        None
    );
    assert_eq!(SecurityFeatures::from_nonce("obMatJos2A!"), None);
}

#[test]
fn saslprep_rfc4013_section3_examples() {
    // RFC 4013 §3, in order.
    assert_eq!(
        saslprep("I\u{00AD}X").unwrap(),
        "IX",
        "SOFT HYPHEN mapped to nothing"
    );
    assert_eq!(saslprep("user").unwrap(), "user", "no transformation");
    assert_eq!(
        saslprep("USER").unwrap(),
        "USER",
        "case preserved, not folded"
    );
    assert_eq!(saslprep("\u{00AA}").unwrap(), "a", "output is NFKC");
    assert_eq!(saslprep("\u{2168}").unwrap(), "IX", "output is NFKC");
    assert_eq!(
        saslprep("\u{0007}"),
        Err(PrepError::Prohibited('\u{0007}')),
        "prohibited character"
    );
    assert_eq!(
        saslprep("\u{0627}\u{0031}"),
        Err(PrepError::Bidi),
        "RandALCat string must start and end with RandALCat (RFC 3454 §6)"
    );
}

#[test]
fn saslprep_applies_the_other_bidi_and_unassigned_rules() {
    // RFC 3454 §6 rule 2: RandALCat and LCat characters never mix.
    assert_eq!(saslprep("\u{0627}a\u{0627}"), Err(PrepError::Bidi));
    // Starting and ending with RandALCat is fine, with neutral characters between.
    assert_eq!(saslprep("\u{0627}1\u{0628}").unwrap(), "\u{0627}1\u{0628}");
    // RFC 4013 §2.5: unassigned code points (here in Unicode 3.2) are prohibited.
    assert_eq!(
        saslprep("a\u{0221}"),
        Err(PrepError::Prohibited('\u{0221}'))
    );
    // Non-ASCII space maps to U+0020 (RFC 4013 §2.1).
    assert_eq!(saslprep("a\u{00A0}b").unwrap(), "a b");
    assert_eq!(saslprep(""), Err(PrepError::Empty));
}
