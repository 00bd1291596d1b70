//! The fragments of one message being reassembled, by position (TSN for DATA, FSN for
//! I-DATA): a sorted vector, appended to in the common in-order case, whose storage is reused
//! from message to message.

/// Fragments by position, sorted, no position twice.
#[derive(Debug, Default)]
pub(super) struct Pieces(Vec<(u64, Vec<u8>)>);

impl Pieces {
    /// Pieces kept in `shell` (an emptied vector from an earlier message).
    pub(super) fn in_shell(shell: Vec<(u64, Vec<u8>)>) -> Self {
        debug_assert!(shell.is_empty());
        Self(shell)
    }

    /// How many fragments.
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether a fragment at `position` is in.
    pub(super) fn contains(&self, position: u64) -> bool {
        self.0.binary_search_by_key(&position, |p| p.0).is_ok()
    }

    /// Adds a fragment (one already in at `position` is left as it is).
    pub(super) fn insert(&mut self, position: u64, piece: Vec<u8>) {
        if self.0.last().is_none_or(|last| last.0 < position) {
            self.0.push((position, piece));
        } else if let Err(at) = self.0.binary_search_by_key(&position, |p| p.0) {
            self.0.insert(at, (position, piece));
        }
    }

    /// The lowest position.
    pub(super) fn first_position(&self) -> Option<u64> {
        self.0.first().map(|p| p.0)
    }

    /// The highest position.
    pub(super) fn last_position(&self) -> Option<u64> {
        self.0.last().map(|p| p.0)
    }

    /// Moves `other`'s fragments in.
    pub(super) fn merge(&mut self, other: Self) {
        let in_order = match (self.last_position(), other.first_position()) {
            (Some(last), Some(first)) => last < first,
            _ => true,
        };
        self.0.extend(other.0);
        if !in_order {
            self.0.sort_by_key(|p| p.0);
            self.0.dedup_by_key(|p| p.0);
        }
    }

    /// Appends every fragment's bytes to `data` in order, hands each fragment buffer to
    /// `spare`, and returns the emptied storage.
    pub(super) fn drain_into(
        mut self,
        data: &mut Vec<u8>,
        mut spare: impl FnMut(Vec<u8>),
    ) -> Vec<(u64, Vec<u8>)> {
        for (_, piece) in self.0.drain(..) {
            data.extend_from_slice(&piece);
            spare(piece);
        }
        self.0
    }
}
