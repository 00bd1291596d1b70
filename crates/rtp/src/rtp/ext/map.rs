//! The negotiated map from local extension identifiers to extension kinds (RFC 8285 §5).

use super::{ExtensionKind, ExtensionValue};
use crate::error::ParseError;
use crate::rtp::extension::HeaderExtension;

/// Which extension each local identifier (1..=255) stands for, as `a=extmap` lines negotiate
/// (RFC 8285 §5). Fixed tables both ways: lookups by id or by kind are an index, and the map
/// never allocates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionMap {
    by_id: [Option<ExtensionKind>; 256],
    /// The lowest id of each kind, indexed by `kind as usize`.
    by_kind: [Option<u8>; ExtensionKind::ALL.len()],
}

impl Default for ExtensionMap {
    fn default() -> Self {
        Self::new()
    }
}

impl ExtensionMap {
    /// An empty map.
    pub const fn new() -> Self {
        Self {
            by_id: [None; 256],
            by_kind: [None; ExtensionKind::ALL.len()],
        }
    }

    /// Maps `id` to `kind`, replacing what `id` meant before. Identifier 0 is not an
    /// extension (RFC 8285 §4.2): inserting it does nothing.
    pub fn insert(&mut self, id: u8, kind: ExtensionKind) {
        if id != 0 {
            let previous = self.by_id[usize::from(id)].replace(kind);
            if let Some(previous) = previous {
                self.reindex(previous);
            }
            self.reindex(kind);
        }
    }

    /// Maps `id` to the extension named by `uri` and returns its kind; `None` (and the map
    /// unchanged) when this crate does not know the URI.
    pub fn insert_uri(&mut self, id: u8, uri: &str) -> Option<ExtensionKind> {
        let kind = ExtensionKind::from_uri(uri)?;
        self.insert(id, kind);
        Some(kind)
    }

    /// Forgets `id`.
    pub fn remove(&mut self, id: u8) {
        if let Some(kind) = self.by_id[usize::from(id)].take() {
            self.reindex(kind);
        }
    }

    /// Recomputes the lowest id of `kind` (only on changes to the map, never per packet).
    fn reindex(&mut self, kind: ExtensionKind) {
        self.by_kind[kind as usize] =
            (1..=u8::MAX).find(|&id| self.by_id[usize::from(id)] == Some(kind));
    }

    /// The kind `id` stands for.
    pub fn kind(&self, id: u8) -> Option<ExtensionKind> {
        self.by_id[usize::from(id)]
    }

    /// The lowest identifier mapped to `kind`.
    pub fn id(&self, kind: ExtensionKind) -> Option<u8> {
        self.by_kind[kind as usize]
    }

    /// Reads extension `T` from a packet's extension block: `None` when `T` is not mapped or
    /// the packet does not carry it, an error when its data is malformed.
    pub fn read<'a, T: ExtensionValue<'a>>(
        &self,
        extension: &HeaderExtension<'a>,
    ) -> Option<Result<T, ParseError>> {
        let id = self.id(T::KIND)?;
        extension.find(id).map(T::parse)
    }
}
