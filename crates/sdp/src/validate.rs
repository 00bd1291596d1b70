//! Semantic checks, separate from parsing: a description can be well formed and still not
//! make sense (RFC 9143, RFC 8829, RFC 8839, RFC 8122, RFC 8851, RFC 8853, RFC 8285).

use crate::attributes::{Attribute, StreamDirection};
use crate::media::MediaDescription;
use crate::session::SessionDescription;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// How serious a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Peers may still cope; worth a log line.
    Warning,
    /// A conforming peer must reject this description.
    Error,
}

/// One semantic problem found by [`SessionDescription::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Problem {
    /// How serious.
    pub severity: Severity,
    /// Index of the media section, or `None` for the session level.
    pub media_index: Option<usize>,
    /// What is wrong, naming the rule.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match self.media_index {
            Some(i) => write!(f, "{level}: m-section {i}: {}", self.message),
            None => write!(f, "{level}: session: {}", self.message),
        }
    }
}

struct Checker<'a> {
    sdp: &'a SessionDescription,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn report(&mut self, severity: Severity, media_index: Option<usize>, message: String) {
        self.problems.push(Problem {
            severity,
            media_index,
            message,
        });
    }

    fn session_has(&self, pick: impl Fn(&Attribute) -> bool) -> bool {
        self.sdp.attributes.iter().any(pick)
    }

    /// Known attributes kept verbatim because their value broke the grammar (lenient parsing),
    /// and lines of unknown type.
    fn verbatim(
        &mut self,
        index: Option<usize>,
        attributes: &[Attribute],
        unknown: &[(char, String)],
    ) {
        for a in attributes {
            if let Attribute::Other { name, value } = a
                && Attribute::parse(name, value.as_deref()).is_err()
            {
                self.report(
                    Severity::Warning,
                    index,
                    format!("a={name} does not follow its grammar; kept verbatim"),
                );
            }
        }
        for (kind, _) in unknown {
            self.report(
                Severity::Warning,
                index,
                format!("line type {kind}= is not defined by RFC 8866; kept verbatim"),
            );
        }
    }

    fn groups(&mut self) {
        let mids: Vec<&str> = self
            .sdp
            .media
            .iter()
            .filter_map(MediaDescription::mid)
            .collect();
        let mut seen = BTreeSet::new();
        for mid in &mids {
            if !seen.insert(*mid) {
                self.report(
                    Severity::Error,
                    None,
                    format!("mid {mid:?} is used by two sections (RFC 5888 §4)"),
                );
            }
        }
        let mut grouped = BTreeSet::new();
        for group in self.sdp.groups() {
            for mid in &group.mids {
                if !mids.contains(&mid.as_str()) {
                    self.report(
                        Severity::Error,
                        None,
                        format!(
                            "group {} names mid {mid:?}, which no section has (RFC 5888 §5)",
                            group.semantics
                        ),
                    );
                }
                if group.semantics == "BUNDLE" && !grouped.insert(mid.clone()) {
                    self.report(
                        Severity::Error,
                        None,
                        format!("mid {mid:?} is in two BUNDLE groups (RFC 9143 §7.1)"),
                    );
                }
            }
        }
    }

    fn webrtc_transport(&mut self, i: usize, m: &MediaDescription) {
        let ufrag =
            m.ice_ufrag().is_some() || self.session_has(|a| matches!(a, Attribute::IceUfrag(_)));
        let pwd = m.ice_pwd().is_some() || self.session_has(|a| matches!(a, Attribute::IcePwd(_)));
        let bundled_away = m.has(&Attribute::BundleOnly);
        if !bundled_away && (!ufrag || !pwd) {
            self.report(
                Severity::Error,
                Some(i),
                "no a=ice-ufrag / a=ice-pwd (RFC 8839 §5.4)".to_owned(),
            );
        }
        let fingerprint = m.fingerprints().next().is_some()
            || self.session_has(|a| matches!(a, Attribute::Fingerprint(_)));
        if !bundled_away && !fingerprint {
            self.report(
                Severity::Error,
                Some(i),
                "no a=fingerprint for DTLS (RFC 8122 §5, RFC 8829 §5.2.1)".to_owned(),
            );
        }
        if !bundled_away
            && m.setup().is_none()
            && !self.session_has(|a| matches!(a, Attribute::Setup(_)))
        {
            self.report(
                Severity::Warning,
                Some(i),
                "no a=setup (RFC 5763 §5)".to_owned(),
            );
        }
        if let Some(u) = m.ice_ufrag()
            && !(4..=256).contains(&u.chars().count())
        {
            self.report(
                Severity::Warning,
                Some(i),
                "ice-ufrag must be 4 to 256 characters (RFC 8839 §5.4)".to_owned(),
            );
        }
        if let Some(p) = m.ice_pwd()
            && !(22..=256).contains(&p.chars().count())
        {
            self.report(
                Severity::Warning,
                Some(i),
                "ice-pwd must be 22 to 256 characters (RFC 8839 §5.4)".to_owned(),
            );
        }
        if self.sdp.bundle_groups().next().is_some() && m.mid().is_none() {
            self.report(
                Severity::Error,
                Some(i),
                "BUNDLE is used but the section has no a=mid (RFC 9143 §7.2)".to_owned(),
            );
        }
    }

    fn rtp(&mut self, i: usize, m: &MediaDescription) {
        let formats: BTreeSet<&str> = m.formats.iter().map(String::as_str).collect();
        let mut mapped = BTreeSet::new();
        for a in &m.attributes {
            let (what, pt) = match a {
                Attribute::Rtpmap(r) => {
                    mapped.insert(r.payload_type);
                    ("rtpmap", Some(r.payload_type))
                }
                Attribute::Fmtp(f) => ("fmtp", f.payload_type()),
                Attribute::RtcpFb(f) => ("rtcp-fb", f.payload_type),
                _ => continue,
            };
            if let Some(pt) = pt
                && !formats.contains(pt.to_string().as_str())
            {
                self.report(
                    Severity::Warning,
                    Some(i),
                    format!("a={what} for payload type {pt}, not on the m= line"),
                );
            }
        }
        for f in &m.formats {
            if let Ok(pt) = f.parse::<u8>()
                && pt >= 96
                && !mapped.contains(&pt)
            {
                self.report(
                    Severity::Error,
                    Some(i),
                    format!("dynamic payload type {pt} has no a=rtpmap (RFC 8866 §6.6)"),
                );
            }
        }
        if m.has(&Attribute::RtcpMuxOnly) && !m.has(&Attribute::RtcpMux) {
            self.report(
                Severity::Error,
                Some(i),
                "a=rtcp-mux-only without a=rtcp-mux (RFC 8858 §3)".to_owned(),
            );
        }
        let mut ids: BTreeMap<u16, &str> = BTreeMap::new();
        for e in m.extmaps() {
            if !(1..=255).contains(&e.id) && !(4096..=4351).contains(&e.id) {
                self.report(
                    Severity::Error,
                    Some(i),
                    format!("extmap id {} out of range (RFC 8285 §8)", e.id),
                );
            }
            if let Some(uri) = ids.insert(e.id, &e.uri)
                && uri != e.uri
            {
                self.report(
                    Severity::Error,
                    Some(i),
                    format!("extmap id {} maps two URIs (RFC 8285 §8)", e.id),
                );
            }
        }
        let ssrcs: BTreeSet<u32> = m.ssrcs().map(|s| s.ssrc).collect();
        for g in m.ssrc_groups() {
            for s in &g.ssrcs {
                if !ssrcs.contains(s) {
                    self.report(
                        Severity::Warning,
                        Some(i),
                        format!(
                            "ssrc-group {} names SSRC {s} without a=ssrc lines (RFC 5576 §4.2)",
                            g.semantics
                        ),
                    );
                }
            }
        }
        for rid in m.rids() {
            for pt in rid.payload_types() {
                if !formats.contains(pt.to_string().as_str()) {
                    self.report(Severity::Error, Some(i), format!("rid {} restricts to payload type {pt}, not on the m= line (RFC 8851 §4)", rid.id));
                }
            }
        }
        if let Some(simulcast) = m.simulcast() {
            for d in &simulcast.directions {
                for id in d.streams.iter().flatten() {
                    let declared = m
                        .rids()
                        .any(|r| r.id == id.rid && r.direction == d.direction);
                    if !declared {
                        let dir = if d.direction == StreamDirection::Send {
                            "send"
                        } else {
                            "recv"
                        };
                        self.report(
                            Severity::Error,
                            Some(i),
                            format!("simulcast {dir} names rid {:?} with no matching a=rid (RFC 8853 §5.1)", id.rid),
                        );
                    }
                }
            }
        }
    }

    fn data(&mut self, i: usize, m: &MediaDescription) {
        let port = m
            .find(|a| matches!(a, Attribute::SctpPort(_)).then_some(()))
            .next()
            .is_some();
        let sctpmap = m
            .find(|a| matches!(a, Attribute::Sctpmap(_)).then_some(()))
            .next()
            .is_some();
        if m.protocol.as_str() == "DTLS/SCTP" {
            if !sctpmap {
                self.report(
                    Severity::Warning,
                    Some(i),
                    "legacy DTLS/SCTP section without a=sctpmap".to_owned(),
                );
            }
        } else if !port {
            self.report(
                Severity::Warning,
                Some(i),
                "no a=sctp-port; 5000 is assumed (RFC 8841 §5.2)".to_owned(),
            );
        }
    }
}

impl SessionDescription {
    /// Checks the description's meaning; returns every problem found (an empty list when it is
    /// sound). Parsing never does these checks, so a description that breaks them can still be
    /// read, logged, or repaired.
    pub fn validate(&self) -> Vec<Problem> {
        let mut checker = Checker {
            sdp: self,
            problems: Vec::new(),
        };
        checker.groups();
        checker.verbatim(None, &self.attributes, &self.unknown_lines);
        for (i, m) in self.media.iter().enumerate() {
            checker.verbatim(Some(i), &m.attributes, &m.unknown_lines);
            if m.is_rejected() {
                continue;
            }
            let webrtc = matches!(
                m.protocol.as_str(),
                "UDP/TLS/RTP/SAVPF" | "TCP/TLS/RTP/SAVPF"
            ) || m.protocol.is_sctp();
            if webrtc {
                checker.webrtc_transport(i, m);
            }
            if m.protocol.is_rtp() {
                checker.rtp(i, m);
            }
            if m.protocol.is_sctp() {
                checker.data(i, m);
            }
        }
        checker.problems
    }
}
