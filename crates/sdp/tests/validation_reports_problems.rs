//! Semantic checks are a separate call that returns a list of problems, not a panic.

use sansrtc_sdp::{SessionDescription, Severity};

const HEAD: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
const TRANSPORT: &str = "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\na=fingerprint:sha-256 AB:CD\r\na=setup:actpass\r\n";

fn problems(sdp: &str) -> Vec<String> {
    let sdp: SessionDescription = sdp.parse().unwrap();
    sdp.validate().iter().map(ToString::to_string).collect()
}

fn errors(sdp: &str) -> Vec<String> {
    let sdp: SessionDescription = sdp.parse().unwrap();
    sdp.validate()
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| p.to_string())
        .collect()
}

fn audio(mid: &str, extra: &str) -> String {
    format!(
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n{TRANSPORT}a=mid:{mid}\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n{extra}"
    )
}

#[test]
fn a_sound_description_has_no_problems() {
    assert_eq!(
        problems(&format!("{HEAD}a=group:BUNDLE 0\r\n{}", audio("0", ""))),
        Vec::<String>::new()
    );
}

#[test]
fn bundle_naming_an_unknown_mid() {
    let p = errors(&format!("{HEAD}a=group:BUNDLE 0 7\r\n{}", audio("0", "")));
    assert_eq!(
        p,
        ["error: session: group BUNDLE names mid \"7\", which no section has (RFC 5888 §5)"]
    );
}

#[test]
fn duplicate_mids_and_double_bundling() {
    let p = errors(&format!(
        "{HEAD}a=group:BUNDLE 0\r\na=group:BUNDLE 0\r\n{}{}",
        audio("0", ""),
        audio("0", "")
    ));
    assert!(
        p.iter().any(|e| e.contains("used by two sections")),
        "{p:?}"
    );
    assert!(
        p.iter().any(|e| e.contains("in two BUNDLE groups")),
        "{p:?}"
    );
}

#[test]
fn webrtc_section_without_ice_credentials_or_fingerprint() {
    let bare = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n";
    let p = problems(&format!("{HEAD}{bare}"));
    assert!(
        p.iter()
            .any(|e| e.starts_with("error: m-section 0: no a=ice-ufrag")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|e| e.starts_with("error: m-section 0: no a=fingerprint")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|e| e.starts_with("warning: m-section 0: no a=setup")),
        "{p:?}"
    );
    // Session-level credentials satisfy every section.
    let session_level = format!("{HEAD}{TRANSPORT}{bare}");
    assert!(errors(&session_level).is_empty());
    // A rejected section is not checked.
    assert!(errors(&format!("{HEAD}m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n")).is_empty());
}

#[test]
fn payload_type_checks() {
    let p = errors(&format!(
        "{HEAD}{}",
        audio("0", "").replace("SAVPF 111", "SAVPF 111 96")
    ));
    assert_eq!(
        p,
        ["error: m-section 0: dynamic payload type 96 has no a=rtpmap (RFC 8866 §6.6)"]
    );
    let p = problems(&format!("{HEAD}{}", audio("0", "a=fmtp:100 x=1\r\n")));
    assert!(
        p.iter()
            .any(|e| e.contains("a=fmtp for payload type 100, not on the m= line")),
        "{p:?}"
    );
}

#[test]
fn simulcast_rids_rtcp_mux_only_and_extmap_ids() {
    let p = errors(&format!(
        "{HEAD}{}",
        audio("0", "a=rid:h send\r\na=simulcast:send h;l\r\n")
    ));
    assert_eq!(
        p,
        [
            "error: m-section 0: simulcast send names rid \"l\" with no matching a=rid (RFC 8853 §5.1)"
        ]
    );
    let p = errors(&format!("{HEAD}{}", audio("0", "a=rid:h send pt=120\r\n")));
    assert!(p[0].contains("payload type 120"), "{p:?}");
    let p = errors(&format!(
        "{HEAD}{}",
        audio("0", "a=rtcp-mux-only\r\n").replace("a=rtcp-mux\r\n", "")
    ));
    assert!(
        p.iter()
            .any(|e| e.contains("rtcp-mux-only without a=rtcp-mux")),
        "{p:?}"
    );
    let p = errors(&format!(
        "{HEAD}{}",
        audio(
            "0",
            "a=extmap:1 urn:a\r\na=extmap:1 urn:b\r\na=extmap:300 urn:c\r\n"
        )
    ));
    assert_eq!(p.len(), 2, "{p:?}");
}

#[test]
fn browser_samples_validate_without_errors() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/collected");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.starts_with("chrome-156")
            || name.starts_with("firefox-153")
            || name.starts_with("janus"))
        {
            continue;
        }
        let sdp: SessionDescription = std::fs::read_to_string(&path).unwrap().parse().unwrap();
        let errors: Vec<String> = sdp
            .validate()
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| p.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        checked += 1;
    }
    assert!(checked >= 15);
}
