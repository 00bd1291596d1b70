//! Packet status symbols and packet chunks of transport-wide feedback
//! (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.1–§3.1.4), and the chunk encoder
//! libwebrtc uses.

/// The status of one packet in transport-wide feedback: a two-bit symbol
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketStatus {
    /// 00: packet not received; no receive delta.
    NotReceived,
    /// 01: packet received, small delta: a one-byte unsigned receive delta.
    ReceivedSmallDelta,
    /// 10: packet received, large or negative delta: a two-byte signed receive delta.
    ReceivedLargeDelta,
    /// 11: reserved by the draft. Kept so that forwarding is lossless; it carries no receive
    /// delta (what Pion calls "received without delta"; libwebrtc refuses the packet).
    Reserved,
}

impl PacketStatus {
    /// The status a two-bit symbol encodes (only the low two bits are used).
    pub fn from_symbol(symbol: u8) -> Self {
        match symbol & 3 {
            0 => Self::NotReceived,
            1 => Self::ReceivedSmallDelta,
            2 => Self::ReceivedLargeDelta,
            _ => Self::Reserved,
        }
    }

    /// The two-bit symbol.
    pub fn symbol(self) -> u8 {
        match self {
            Self::NotReceived => 0,
            Self::ReceivedSmallDelta => 1,
            Self::ReceivedLargeDelta => 2,
            Self::Reserved => 3,
        }
    }

    /// Whether the packet arrived (small or large delta).
    pub fn is_received(self) -> bool {
        matches!(self, Self::ReceivedSmallDelta | Self::ReceivedLargeDelta)
    }

    /// Bytes of receive delta the status takes: 0, 1 or 2.
    pub fn delta_size(self) -> usize {
        match self {
            Self::ReceivedSmallDelta => 1,
            Self::ReceivedLargeDelta => 2,
            Self::NotReceived | Self::Reserved => 0,
        }
    }
}

/// One 16-bit packet chunk (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.3,
/// §3.1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketChunk {
    /// T = 0: `run_length` packets (13 bits) with the same status.
    RunLength {
        /// The status every packet of the run has.
        status: PacketStatus,
        /// The run length, 0..=8191.
        run_length: u16,
    },
    /// T = 1, S = 0: 14 one-bit symbols, the first in the most significant bit; 0 is "not
    /// received", 1 "received, small delta".
    OneBitVector {
        /// The 14 symbol bits (the low 14 bits).
        symbols: u16,
    },
    /// T = 1, S = 1: 7 two-bit symbols, the first in the most significant bits.
    TwoBitVector {
        /// The 7 symbols (the low 14 bits).
        symbols: u16,
    },
}

impl PacketChunk {
    /// The chunk a 16-bit word encodes.
    pub fn from_bits(bits: u16) -> Self {
        if bits & 0x8000 == 0 {
            // Two bits after T.
            let status = PacketStatus::from_symbol((bits >> 13) as u8);
            Self::RunLength {
                status,
                run_length: bits & 0x1fff,
            }
        } else if bits & 0x4000 == 0 {
            Self::OneBitVector {
                symbols: bits & 0x3fff,
            }
        } else {
            Self::TwoBitVector {
                symbols: bits & 0x3fff,
            }
        }
    }

    /// The 16-bit word; fields are masked to their widths.
    pub fn to_bits(self) -> u16 {
        match self {
            Self::RunLength { status, run_length } => {
                u16::from(status.symbol()) << 13 | (run_length & 0x1fff)
            }
            Self::OneBitVector { symbols } => 0x8000 | (symbols & 0x3fff),
            Self::TwoBitVector { symbols } => 0xc000 | (symbols & 0x3fff),
        }
    }

    /// How many packet statuses the chunk describes: the run length, 14 or 7. The last chunk
    /// of a message may describe more than the packet status count; the rest is unused.
    pub fn capacity(self) -> usize {
        match self {
            Self::RunLength { run_length, .. } => usize::from(run_length),
            Self::OneBitVector { .. } => 14,
            Self::TwoBitVector { .. } => 7,
        }
    }

    /// The status of the packet at `index` in the chunk, or `None` past its capacity.
    pub fn status(self, index: usize) -> Option<PacketStatus> {
        if index >= self.capacity() {
            return None;
        }
        Some(match self {
            Self::RunLength { status, .. } => status,
            // One bit per symbol, index < 14.
            Self::OneBitVector { symbols } => {
                PacketStatus::from_symbol(((symbols >> (13 - index)) & 1) as u8)
            }
            Self::TwoBitVector { symbols } => {
                PacketStatus::from_symbol((symbols >> (2 * (6 - index))) as u8)
            }
        })
    }

    /// Bytes of receive deltas the first `count` statuses of the chunk take.
    pub(crate) fn delta_bytes(self, count: usize) -> usize {
        match self {
            Self::RunLength { status, .. } => count * status.delta_size(),
            _ => (0..count)
                .filter_map(|i| self.status(i))
                .map(PacketStatus::delta_size)
                .sum(),
        }
    }
}

/// The chunk being filled, as libwebrtc's `TransportFeedback::LastChunk` fills it, so that
/// our feedback is byte-identical to Chrome's for the same packets.
#[derive(Debug)]
pub(crate) struct ChunkEncoder {
    symbols: [u8; 14],
    size: usize,
    all_same: bool,
    has_large: bool,
}

const MAX_RUN_LENGTH: usize = 0x1fff;
const ONE_BIT_CAPACITY: usize = 14;
const TWO_BIT_CAPACITY: usize = 7;

impl ChunkEncoder {
    pub(crate) fn new() -> Self {
        Self {
            symbols: [0; 14],
            size: 0,
            all_same: true,
            has_large: false,
        }
    }

    fn can_add(&self, symbol: u8) -> bool {
        self.size < TWO_BIT_CAPACITY
            || (self.size < ONE_BIT_CAPACITY && !self.has_large && symbol < 2)
            || (self.size < MAX_RUN_LENGTH && self.all_same && self.symbols[0] == symbol)
    }

    fn add(&mut self, symbol: u8) {
        if let Some(slot) = self.symbols.get_mut(self.size) {
            *slot = symbol;
        }
        self.size += 1;
        self.all_same = self.all_same && symbol == self.symbols[0];
        self.has_large = self.has_large || symbol >= 2;
    }

    fn run_length(&self) -> u16 {
        // size <= 8191 while all symbols are the same.
        u16::from(self.symbols[0]) << 13 | self.size as u16
    }

    fn one_bit(&self) -> u16 {
        let symbols = self.symbols.iter().take(self.size);
        symbols
            .enumerate()
            .fold(0x8000, |c, (i, &s)| c | u16::from(s & 1) << (13 - i))
    }

    fn two_bit(&self, count: usize) -> u16 {
        let symbols = self.symbols.iter().take(count);
        symbols
            .enumerate()
            .fold(0xc000, |c, (i, &s)| c | u16::from(s & 3) << (2 * (6 - i)))
    }

    /// Emits a full chunk to make room (libwebrtc `LastChunk::Emit`).
    fn emit(&mut self) -> u16 {
        if self.all_same {
            let chunk = self.run_length();
            *self = Self::new();
            return chunk;
        }
        if self.size == ONE_BIT_CAPACITY {
            let chunk = self.one_bit();
            *self = Self::new();
            return chunk;
        }
        let chunk = self.two_bit(TWO_BIT_CAPACITY);
        let rest = self.size - TWO_BIT_CAPACITY;
        let mut next = Self::new();
        for i in 0..rest {
            next.add(self.symbols[TWO_BIT_CAPACITY + i]);
        }
        *self = next;
        chunk
    }

    /// The chunk for what is left (libwebrtc `LastChunk::EncodeLast`).
    fn encode_last(&self) -> u16 {
        if self.all_same {
            self.run_length()
        } else if self.size <= TWO_BIT_CAPACITY {
            self.two_bit(self.size)
        } else {
            self.one_bit()
        }
    }

    /// Adds one symbol, handing a finished chunk to `sink` when the symbol does not fit.
    pub(crate) fn push(&mut self, symbol: u8, sink: &mut impl FnMut(u16)) {
        if !self.can_add(symbol) {
            sink(self.emit());
        }
        self.add(symbol);
    }

    /// Hands the last, partly filled chunk to `sink`, if any.
    pub(crate) fn finish(self, sink: &mut impl FnMut(u16)) {
        if self.size > 0 {
            sink(self.encode_last());
        }
    }

    /// Feeds every symbol and hands each finished chunk to `sink`.
    #[cfg(test)]
    pub(crate) fn encode(symbols: impl Iterator<Item = u8>, mut sink: impl FnMut(u16)) {
        let mut encoder = Self::new();
        symbols.for_each(|symbol| encoder.push(symbol, &mut sink));
        encoder.finish(&mut sink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(symbols: &[u8]) -> Vec<u16> {
        let mut out = Vec::new();
        ChunkEncoder::encode(symbols.iter().copied(), |c| out.push(c));
        out
    }

    #[test]
    fn chunk_bits_round_trip() {
        for bits in [
            0x0000, 0x2001, 0x5fff, 0x8000, 0xbfff, 0xc000, 0xd552, 0xffff,
        ] {
            assert_eq!(PacketChunk::from_bits(bits).to_bits(), bits);
        }
        let two = PacketChunk::from_bits(0xd552);
        let statuses: Vec<u8> = (0..7).map(|i| two.status(i).unwrap().symbol()).collect();
        assert_eq!(statuses, [1, 1, 1, 1, 1, 0, 2]);
        assert_eq!(two.status(7), None);
    }

    #[test]
    fn encoder_prefers_runs_and_vectors_like_libwebrtc() {
        assert_eq!(encode(&[1; 10]), [0x200a]);
        assert_eq!(encode(&[1]), [0x2001]);
        // Seven mixed with a large delta, then two lost: a two-bit vector and a run.
        assert_eq!(encode(&[1, 1, 1, 1, 1, 0, 2, 0, 0]), [0xd552, 0x0002]);
        // Fourteen small/lost: one one-bit vector.
        let mixed = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0];
        assert_eq!(encode(&mixed), [0xaaaa]);
        // A run longer than 8191 splits.
        assert_eq!(encode(&[0; 8192]), [0x1fff, 0x0001]);
        assert_eq!(encode(&[]), Vec::<u16>::new());
    }
}
