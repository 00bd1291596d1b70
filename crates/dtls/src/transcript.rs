//! The handshake transcript (RFC 5246 §7.4.8–7.4.9, RFC 6347 §4.2.6): every handshake message
//! in its unfragmented form (12-byte DTLS header with fragment_offset 0 and fragment_length
//! equal to the length), in order, excluding HelloVerifyRequest and the ClientHello that
//! preceded it.

/// The bytes of the handshake so far. Kept whole rather than hashed incrementally: the PRF hash
/// is unknown until ServerHello, and CertificateVerify signs the messages themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    bytes: Vec<u8>,
}

impl Transcript {
    /// An empty transcript.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one unfragmented handshake message.
    pub fn push(&mut self, message: &[u8]) {
        self.bytes.extend_from_slice(message);
    }

    /// Forgets everything (after a HelloVerifyRequest, RFC 6347 §4.2.6).
    pub fn clear(&mut self) {
        self.bytes.clear();
    }

    /// The messages so far, for CertificateVerify (RFC 5246 §7.4.8).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The hash of the messages so far with `algorithm` (for Finished and the extended master
    /// secret's session hash).
    pub fn hash(&self, algorithm: &'static ring::digest::Algorithm) -> ring::digest::Digest {
        ring::digest::digest(algorithm, &self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_covers_every_message_in_order() {
        let mut transcript = Transcript::new();
        transcript.push(b"ab");
        transcript.push(b"c");
        let abc = ring::digest::digest(&ring::digest::SHA256, b"abc");
        assert_eq!(
            transcript.hash(&ring::digest::SHA256).as_ref(),
            abc.as_ref()
        );
        transcript.clear();
        assert!(transcript.bytes().is_empty());
    }
}
