//! The two halves of an RTP payload format: a [`Packetizer`] splits an encoded frame into RTP
//! payloads, a [`Depacketizer`] rebuilds the frame from them. Each format (Opus, VP8, VP9,
//! H.264, AV1) implements both; the [`FrameAssembler`](crate::FrameAssembler) orders packets,
//! finds whole frames and hands their payloads to a depacketizer.
//!
//! Frames on the API side are what encoders produce and decoders take:
//! - Opus: one Opus packet (RFC 6716);
//! - VP8, VP9: one compressed frame;
//! - H.264: one access unit in the Annex B byte stream format (NAL units after
//!   `00 00 00 01` or `00 00 01` start codes); depacketized frames use 4-byte start codes;
//! - AV1: one temporal unit in the low-overhead bitstream format (OBUs with
//!   `obu_has_size_field`); temporal delimiters are not carried (AV1 RTP §5) and depacketized
//!   frames have every OBU's size field set.

/// Why a frame could not be packetized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum PacketizeError {
    /// The frame is empty.
    #[error("empty frame")]
    EmptyFrame,
    /// `max_payload` leaves no room for the payload descriptor and at least one byte.
    #[error("maximum payload size too small for this format")]
    PayloadSizeTooSmall,
    /// The frame is not a valid bitstream for the format (H.264 without a start code, an AV1
    /// OBU whose size runs past the frame, ...).
    #[error("malformed frame")]
    MalformedFrame,
}

/// Why payloads could not be turned into a frame. The frame is dropped: a depacketizer never
/// returns a partial or corrupted frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum DepacketizeError {
    /// A payload is shorter than its descriptor says.
    #[error("truncated payload")]
    Truncated,
    /// A descriptor holds inconsistent or reserved values.
    #[error("malformed payload")]
    Malformed,
    /// A valid mode this implementation does not take (H.264 interleaved mode, MTAP, ...).
    #[error("unsupported payload mode")]
    Unsupported,
    /// The payloads do not make a whole frame (a fragment without its start or its end).
    #[error("incomplete frame")]
    Incomplete,
    /// The frame would exceed the assembler's size limit.
    #[error("frame too large")]
    FrameTooLarge,
}

/// Appends with `append` and, when it fails, takes back what it appended: the
/// [`Depacketizer::depacketize`] promise (`frame` left as it was on error), kept in one place
/// for every format.
pub(crate) fn append_or_restore(
    frame: &mut Vec<u8>,
    append: impl FnOnce(&mut Vec<u8>) -> Result<(), DepacketizeError>,
) -> Result<(), DepacketizeError> {
    let len_before = frame.len();
    let result = append(frame);
    if result.is_err() {
        frame.truncate(len_before);
    }
    result
}

/// Splits encoded frames into RTP payloads (the sending half of a payload format).
pub trait Packetizer {
    /// Splits `frame` into payloads of at most `max_payload` bytes each (payload descriptor
    /// included), in order, calling `emit` once per payload; the last one ends the frame (for
    /// video the caller sets the RTP marker bit on it). Returns how many payloads were
    /// emitted. Once the packetizer's scratch space has grown to `max_payload`, nothing is
    /// allocated.
    ///
    /// # Errors
    /// [`PacketizeError`]; nothing was emitted.
    fn packetize(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        emit: &mut dyn FnMut(&[u8]),
    ) -> Result<usize, PacketizeError>;
}

/// Rebuilds frames from RTP payloads (the receiving half of a payload format). Its methods
/// look at payloads only: sequence numbers, timestamps and loss are the assembler's job.
pub trait Depacketizer {
    /// Whether `payload` begins a frame, from its payload descriptor (VP8 S=1 with partition
    /// 0, VP9 B=1, an H.264 NAL unit or STAP-A or FU-A with S=1, AV1 Z=0; every Opus packet).
    fn is_frame_start(&self, payload: &[u8]) -> bool;

    /// Whether `payload` ends a frame: by default the RTP marker bit (RFC 3550 §5.1 for video
    /// formats); audio formats, where each packet is a frame, and VP9 (its E bit) override it.
    fn is_frame_end(&self, payload: &[u8], marker: bool) -> bool {
        let _ = payload;
        marker
    }

    /// Whether the frame whose first payload is `payload` can be decoded on its own (a key
    /// frame: VP8 P=0, VP9 P=0, an H.264 IDR slice or SPS, AV1 N=1; every Opus packet).
    fn is_keyframe(&self, payload: &[u8]) -> bool;

    /// Appends the frame made of `payloads` (all the payloads of one frame, in sequence
    /// order, the first one a frame start) to `frame`.
    ///
    /// # Errors
    /// [`DepacketizeError`]; `frame` is left as it was.
    fn depacketize(
        &mut self,
        payloads: &mut dyn Iterator<Item = &[u8]>,
        frame: &mut Vec<u8>,
    ) -> Result<(), DepacketizeError>;
}
