//! NAT boxes: mapping, filtering, expiry and hairpinning as RFC 4787 describes.
//!
//! A [`Nat`] translates IPv4 between its inside realm and its external address. IPv6 crosses
//! unchanged but through the same state and filtering (an identity "mapping"), like a stateful
//! IPv6 firewall (RFC 6092). Expired mappings are removed lazily when next looked up, which is
//! exact because expiry depends only on the last activity and the lookup instant.

use crate::config::{FilteringBehavior, MappingBehavior, NatConfig, PortAllocation};
use crate::trace::DropReason;
use rand::RngExt;
use rand::rngs::StdRng;
use sansrtc_proto::Protocol;
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

/// Which destinations share one mapping (RFC 4787 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum MappingKey {
    Any,
    Address(IpAddr),
    AddressAndPort(SocketAddr),
}

#[derive(Debug)]
struct Mapping {
    proto: Protocol,
    internal: SocketAddr,
    external: SocketAddr,
    key: MappingKey,
    /// Remote endpoints the inside host has sent to through this mapping (for filtering).
    contacted: BTreeSet<SocketAddr>,
    last_active: Instant,
}

/// A change in the NAT's table, for the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NatNote {
    Mapped {
        proto: Protocol,
        internal: SocketAddr,
        external: SocketAddr,
    },
    Expired {
        proto: Protocol,
        internal: SocketAddr,
        external: SocketAddr,
    },
}

/// The translation state of one NAT box.
#[derive(Debug)]
pub(crate) struct Nat {
    config: NatConfig,
    rng: StdRng,
    next_id: u64,
    mappings: BTreeMap<u64, Mapping>,
    by_internal: BTreeMap<(Protocol, SocketAddr, MappingKey), u64>,
    by_external: BTreeMap<(Protocol, SocketAddr), u64>,
    next_sequential: u16,
    notes: Vec<NatNote>,
}

const FIRST_PORT: u16 = 1024;

impl Nat {
    pub(crate) fn new(config: NatConfig, rng: StdRng) -> Self {
        let next_sequential = match config.port_allocation {
            PortAllocation::Sequential { first } => first.max(FIRST_PORT),
            _ => FIRST_PORT,
        };
        Self {
            config,
            rng,
            next_id: 0,
            mappings: BTreeMap::new(),
            by_internal: BTreeMap::new(),
            by_external: BTreeMap::new(),
            next_sequential,
            notes: Vec::new(),
        }
    }

    pub(crate) fn config(&self) -> &NatConfig {
        &self.config
    }

    pub(crate) fn external_ip(&self) -> IpAddr {
        IpAddr::V4(self.config.external_ip)
    }

    /// Table changes since the last call.
    pub(crate) fn take_notes(&mut self) -> std::vec::Drain<'_, NatNote> {
        self.notes.drain(..)
    }

    /// Number of live mappings (expired ones still in the table are not counted).
    pub(crate) fn live_mappings(&self, now: Instant) -> usize {
        self.mappings
            .values()
            .filter(|m| !self.expired(m, now))
            .count()
    }

    fn expired(&self, mapping: &Mapping, now: Instant) -> bool {
        now.saturating_duration_since(mapping.last_active) >= self.config.mapping_lifetime
    }

    fn key_for(&self, remote: SocketAddr) -> MappingKey {
        match self.config.mapping {
            MappingBehavior::EndpointIndependent => MappingKey::Any,
            MappingBehavior::AddressDependent => MappingKey::Address(remote.ip()),
            MappingBehavior::AddressAndPortDependent => MappingKey::AddressAndPort(remote),
        }
    }

    fn remove(&mut self, id: u64) {
        if let Some(m) = self.mappings.remove(&id) {
            self.by_internal.remove(&(m.proto, m.internal, m.key));
            self.by_external.remove(&(m.proto, m.external));
            self.notes.push(NatNote::Expired {
                proto: m.proto,
                internal: m.internal,
                external: m.external,
            });
        }
    }

    /// Looks up a mapping by id, removing it if it has expired.
    fn live(&mut self, id: u64, now: Instant) -> Option<u64> {
        let expired = self.mappings.get(&id).is_none_or(|m| self.expired(m, now));
        if expired {
            self.remove(id);
            None
        } else {
            Some(id)
        }
    }

    fn port_free(&self, proto: Protocol, port: u16) -> bool {
        let addr = SocketAddr::new(self.external_ip(), port);
        !self.by_external.contains_key(&(proto, addr))
    }

    fn next_free_from(&self, proto: Protocol, start: u16) -> Option<u16> {
        let start = start.max(FIRST_PORT);
        (start..=u16::MAX)
            .chain(FIRST_PORT..start)
            .find(|&p| self.port_free(proto, p))
    }

    fn allocate_port(&mut self, proto: Protocol, internal_port: u16) -> Option<u16> {
        match self.config.port_allocation {
            PortAllocation::Preserve => self.next_free_from(proto, internal_port),
            PortAllocation::Sequential { .. } => {
                let port = self.next_free_from(proto, self.next_sequential)?;
                self.next_sequential = port.checked_add(1).unwrap_or(FIRST_PORT);
                Some(port)
            }
            PortAllocation::Random => {
                for _ in 0..64 {
                    let port = self.rng.random_range(FIRST_PORT..=u16::MAX);
                    if self.port_free(proto, port) {
                        return Some(port);
                    }
                }
                let start = self.rng.random_range(FIRST_PORT..=u16::MAX);
                self.next_free_from(proto, start)
            }
        }
    }

    /// Translates a datagram leaving the inside realm: returns its new source address.
    pub(crate) fn outbound(
        &mut self,
        now: Instant,
        proto: Protocol,
        internal: SocketAddr,
        remote: SocketAddr,
    ) -> Result<SocketAddr, DropReason> {
        let key = self.key_for(remote);
        let existing = self
            .by_internal
            .get(&(proto, internal, key))
            .copied()
            .and_then(|id| self.live(id, now));
        let id = match existing {
            Some(id) => id,
            None => {
                let external = if internal.is_ipv6() {
                    internal
                } else {
                    let port = self
                        .allocate_port(proto, internal.port())
                        .ok_or(DropReason::PortsExhausted)?;
                    SocketAddr::new(self.external_ip(), port)
                };
                let id = self.next_id;
                self.next_id += 1;
                self.mappings.insert(
                    id,
                    Mapping {
                        proto,
                        internal,
                        external,
                        key,
                        contacted: BTreeSet::new(),
                        last_active: now,
                    },
                );
                self.by_internal.insert((proto, internal, key), id);
                self.by_external.insert((proto, external), id);
                self.notes.push(NatNote::Mapped {
                    proto,
                    internal,
                    external,
                });
                id
            }
        };
        let mapping = self.mappings.get_mut(&id).ok_or(DropReason::NoMapping)?;
        mapping.last_active = now;
        mapping.contacted.insert(remote);
        Ok(mapping.external)
    }

    /// Translates a datagram arriving at `external` from `remote`: returns the inside address
    /// it goes to, or why it is dropped.
    pub(crate) fn inbound(
        &mut self,
        now: Instant,
        proto: Protocol,
        remote: SocketAddr,
        external: SocketAddr,
    ) -> Result<SocketAddr, DropReason> {
        let id = self
            .by_external
            .get(&(proto, external))
            .copied()
            .and_then(|id| self.live(id, now))
            .ok_or(DropReason::NoMapping)?;
        let filtering = self.config.filtering;
        let refresh = self.config.inbound_refresh;
        let mapping = self.mappings.get_mut(&id).ok_or(DropReason::NoMapping)?;
        let allowed = match filtering {
            FilteringBehavior::EndpointIndependent => true,
            FilteringBehavior::AddressDependent => {
                mapping.contacted.iter().any(|c| c.ip() == remote.ip())
            }
            FilteringBehavior::AddressAndPortDependent => mapping.contacted.contains(&remote),
        };
        if !allowed {
            return Err(DropReason::Filtered);
        }
        if refresh {
            mapping.last_active = now;
        }
        Ok(mapping.internal)
    }
}

#[cfg(test)]
mod tests;
