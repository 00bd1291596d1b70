//! The receive side's spare buffers (see [`BufferPool`]).

use super::pieces::Pieces;

/// Spare buffers for messages and fragments: the fragments' buffers once their message is
/// whole, and the messages' buffers the application gives back. Small and large buffers are
/// kept apart, so a fragment does not take a message's buffer nor a message a fragment's.
/// Bounded in count and bytes.
#[derive(Debug, Default)]
pub(super) struct BufferPool {
    small: Vec<Vec<u8>>,
    large: Vec<Vec<u8>>,
    bytes: usize,
    /// Emptied fragment lists.
    shells: Vec<Vec<(u64, Vec<u8>)>>,
}

impl BufferPool {
    /// At most this many buffers are kept.
    const MAX_BUFFERS: usize = 256;
    /// At most this many bytes of capacity are kept.
    const MAX_BYTES: usize = 1 << 20;
    /// Buffers up to this capacity hold fragments (a packet's worth) and small messages.
    const SMALL: usize = 2048;

    /// An empty buffer with room for `len` bytes.
    pub(super) fn take(&mut self, len: usize) -> Vec<u8> {
        let shelf = if len <= Self::SMALL {
            &mut self.small
        } else {
            &mut self.large
        };
        match shelf.pop() {
            Some(mut buffer) => {
                self.bytes -= buffer.capacity();
                buffer.clear();
                buffer.reserve(len);
                buffer
            }
            None => Vec::with_capacity(len),
        }
    }

    /// Fragment storage for a new message.
    pub(super) fn take_shell(&mut self) -> Pieces {
        Pieces::in_shell(self.shells.pop().unwrap_or_default())
    }

    /// Keeps an emptied fragment list for a later message.
    pub(super) fn give_shell(&mut self, shell: Vec<(u64, Vec<u8>)>) {
        if shell.capacity() > 0 && self.shells.len() < 16 && shell.capacity() <= 1024 {
            self.shells.push(shell);
        }
    }

    /// Keeps `buffer` for later, if there is room.
    pub(super) fn give(&mut self, buffer: Vec<u8>) {
        let capacity = buffer.capacity();
        if capacity > 0
            && self.small.len() + self.large.len() < Self::MAX_BUFFERS
            && self.bytes + capacity <= Self::MAX_BYTES
        {
            self.bytes += capacity;
            if capacity <= Self::SMALL {
                self.small.push(buffer);
            } else {
                self.large.push(buffer);
            }
        }
    }
}
