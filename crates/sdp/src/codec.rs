//! Codecs of an RTP media section: each payload type with its `rtpmap`, `fmtp`, `rtcp-fb` and
//! RTX pairing (RFC 4588 `apt`), and typed readers for the parameters of H.264 (RFC 6184),
//! VP9 (RFC 9628), AV1 (AV1 RTP spec §7.2), Opus (RFC 7587 §7) and RED (RFC 2198).

use crate::attributes::{FmtpParam, RtcpFb};

/// One codec offered or accepted in a media section.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Codec {
    /// Payload type.
    pub payload_type: u8,
    /// Encoding name as written (`opus`, `VP8`, `rtx`, ...).
    pub name: String,
    /// Clock rate in Hz.
    pub clock_rate: u32,
    /// Channels (audio).
    pub channels: Option<u16>,
    /// `fmtp` parameters, in order.
    pub params: Vec<FmtpParam>,
    /// `rtcp-fb` lines that apply (payload-specific and `*`).
    pub feedback: Vec<RtcpFb>,
    /// The payload type of the RTX stream that retransmits this codec (RFC 4588), if any.
    pub rtx: Option<u8>,
}

/// Static payload types of RFC 3551 §6 that need no `rtpmap`: (pt, name, clock, channels).
const STATIC: [(u8, &str, u32, Option<u16>); 11] = [
    (0, "PCMU", 8000, Some(1)),
    (3, "GSM", 8000, Some(1)),
    (4, "G723", 8000, Some(1)),
    (8, "PCMA", 8000, Some(1)),
    (9, "G722", 8000, Some(1)),
    (13, "CN", 8000, Some(1)),
    (18, "G729", 8000, Some(1)),
    (26, "JPEG", 90000, None),
    (31, "H261", 90000, None),
    (32, "MPV", 90000, None),
    (34, "H263", 90000, None),
];

/// The name, clock rate and channels of a static payload type (RFC 3551 §6).
pub fn static_payload_type(pt: u8) -> Option<(&'static str, u32, Option<u16>)> {
    STATIC.iter().find(|s| s.0 == pt).map(|s| (s.1, s.2, s.3))
}

impl Codec {
    /// The value of an `fmtp` parameter (names compare without case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .and_then(|p| p.value.as_deref())
    }

    fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// Whether this is an RTX (retransmission) payload type.
    pub fn is_rtx(&self) -> bool {
        self.is("rtx")
    }

    /// For RTX: the payload type it retransmits (`apt`, RFC 4588 §8.6).
    pub fn apt(&self) -> Option<u8> {
        self.param("apt")?.parse().ok()
    }

    /// Whether a feedback type (and parameter) is negotiated: `has_feedback("nack", Some("pli"))`.
    pub fn has_feedback(&self, kind: &str, params: Option<&str>) -> bool {
        self.feedback
            .iter()
            .any(|f| f.kind == kind && f.params.as_deref() == params)
    }

    /// H.264 parameters, if this is H.264.
    pub fn h264(&self) -> Option<H264Params> {
        if !self.is("H264") {
            return None;
        }
        let profile_level_id = self
            .param("profile-level-id")
            .and_then(ProfileLevelId::parse);
        Some(H264Params {
            profile_level_id,
            packetization_mode: self
                .param("packetization-mode")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            level_asymmetry_allowed: self.param("level-asymmetry-allowed") == Some("1"),
        })
    }

    /// VP9 parameters, if this is VP9.
    pub fn vp9(&self) -> Option<Vp9Params> {
        self.is("VP9").then(|| Vp9Params {
            profile_id: self
                .param("profile-id")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        })
    }

    /// AV1 parameters, if this is AV1.
    pub fn av1(&self) -> Option<Av1Params> {
        self.is("AV1").then(|| Av1Params {
            profile: self
                .param("profile")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            level_idx: self
                .param("level-idx")
                .and_then(|v| v.parse().ok())
                .unwrap_or(5),
            tier: self.param("tier").and_then(|v| v.parse().ok()).unwrap_or(0),
        })
    }

    /// Opus parameters, if this is Opus.
    pub fn opus(&self) -> Option<OpusParams> {
        let flag = |name| self.param(name) == Some("1");
        let number = |name| self.param(name).and_then(|v| v.parse().ok());
        self.is("opus").then(|| OpusParams {
            minptime: number("minptime"),
            useinbandfec: flag("useinbandfec"),
            stereo: flag("stereo"),
            sprop_stereo: flag("sprop-stereo"),
            usedtx: flag("usedtx"),
            cbr: flag("cbr"),
            maxplaybackrate: number("maxplaybackrate"),
            maxaveragebitrate: number("maxaveragebitrate"),
        })
    }

    /// RED's redundant payload types (`111/111`), if this is RED.
    pub fn red(&self) -> Option<Vec<u8>> {
        if !self.is("red") {
            return None;
        }
        let list = self.params.first().filter(|p| p.value.is_none())?;
        list.name.split('/').map(|pt| pt.parse().ok()).collect()
    }
}

/// H.264 `profile-level-id` (RFC 6184 §8.1): profile_idc, profile-iop, level_idc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProfileLevelId {
    /// profile_idc (66 baseline, 77 main, 100 high, ...).
    pub profile_idc: u8,
    /// The constraint flags byte.
    pub profile_iop: u8,
    /// level_idc (31 = level 3.1).
    pub level_idc: u8,
}

impl ProfileLevelId {
    /// Parses the 6 hex digits.
    pub fn parse(hex: &str) -> Option<Self> {
        if hex.len() != 6 {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        Some(Self {
            profile_idc: byte(0)?,
            profile_iop: byte(2)?,
            level_idc: byte(4)?,
        })
    }

    /// Whether this is Constrained Baseline (profile_idc 66 with constraint_set1, or 77/88 with
    /// the matching constraint bits; RFC 6184 Table 5).
    pub const fn is_constrained_baseline(&self) -> bool {
        match self.profile_idc {
            66 => self.profile_iop & 0x40 != 0,
            77 => self.profile_iop & 0x80 != 0,
            88 => self.profile_iop & 0xc0 == 0xc0,
            _ => false,
        }
    }
}

/// H.264 parameters (RFC 6184 §8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct H264Params {
    /// `profile-level-id`, if present and well formed.
    pub profile_level_id: Option<ProfileLevelId>,
    /// `packetization-mode` (0 single NAL, 1 non-interleaved), default 0.
    pub packetization_mode: u8,
    /// `level-asymmetry-allowed=1`.
    pub level_asymmetry_allowed: bool,
}

/// VP9 parameters (RFC 9628 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Vp9Params {
    /// `profile-id`, default 0.
    pub profile_id: u8,
}

/// AV1 parameters (AV1 RTP payload specification §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Av1Params {
    /// `profile`, default 0.
    pub profile: u8,
    /// `level-idx`, default 5.
    pub level_idx: u8,
    /// `tier`, default 0.
    pub tier: u8,
}

/// Opus parameters (RFC 7587 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each flag is its own RFC 7587 parameter"
)]
pub struct OpusParams {
    /// `minptime`.
    pub minptime: Option<u32>,
    /// `useinbandfec=1`.
    pub useinbandfec: bool,
    /// `stereo=1`.
    pub stereo: bool,
    /// `sprop-stereo=1`.
    pub sprop_stereo: bool,
    /// `usedtx=1`.
    pub usedtx: bool,
    /// `cbr=1`.
    pub cbr: bool,
    /// `maxplaybackrate`.
    pub maxplaybackrate: Option<u32>,
    /// `maxaveragebitrate`.
    pub maxaveragebitrate: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codec(name: &str, params: &str) -> Codec {
        let fmtp: crate::attributes::Fmtp = format!("96 {params}").parse().unwrap();
        Codec {
            payload_type: 96,
            name: name.to_owned(),
            clock_rate: 90000,
            channels: None,
            params: fmtp.params,
            feedback: Vec::new(),
            rtx: None,
        }
    }

    #[test]
    fn h264_profile_level_id() {
        let c = codec(
            "H264",
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
        );
        let h = c.h264().unwrap();
        assert_eq!(h.packetization_mode, 1);
        assert!(h.level_asymmetry_allowed);
        let p = h.profile_level_id.unwrap();
        assert_eq!((p.profile_idc, p.profile_iop, p.level_idc), (66, 0xe0, 31));
        assert!(p.is_constrained_baseline());
        assert!(
            !ProfileLevelId::parse("640034")
                .unwrap()
                .is_constrained_baseline()
        );
        assert_eq!(ProfileLevelId::parse("42e0"), None);
        assert!(codec("VP8", "").h264().is_none());
    }

    #[test]
    fn vp9_av1_defaults_and_values() {
        assert_eq!(codec("VP9", "profile-id=2").vp9().unwrap().profile_id, 2);
        assert_eq!(codec("VP9", "").vp9().unwrap().profile_id, 0);
        let av1 = codec("AV1", "level-idx=5;profile=0;tier=0").av1().unwrap();
        assert_eq!((av1.profile, av1.level_idx, av1.tier), (0, 5, 0));
    }

    #[test]
    fn opus_red_rtx() {
        let o = codec("opus", "minptime=10;useinbandfec=1;stereo=1")
            .opus()
            .unwrap();
        assert_eq!(o.minptime, Some(10));
        assert!(o.useinbandfec && o.stereo && !o.usedtx);
        assert_eq!(codec("red", "111/111").red(), Some(vec![111, 111]));
        let rtx = codec("rtx", "apt=96");
        assert!(rtx.is_rtx());
        assert_eq!(rtx.apt(), Some(96));
    }

    #[test]
    fn static_payload_types() {
        assert_eq!(static_payload_type(0), Some(("PCMU", 8000, Some(1))));
        assert_eq!(static_payload_type(96), None);
    }
}
