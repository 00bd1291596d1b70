//! Permissions (RFC 8656 §9) and channel bindings (RFC 8656 §12) with their refresh timers.

use crate::wire::ChannelNumber;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// Permission lifetime (RFC 8656 §9: 300 seconds).
pub(crate) const PERMISSION_LIFETIME: Duration = Duration::from_secs(300);
/// Channel binding lifetime (RFC 8656 §12: 10 minutes).
pub(crate) const CHANNEL_LIFETIME: Duration = Duration::from_secs(600);

/// How long to wait before retrying a refresh that failed.
pub(crate) const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10);

/// When to refresh something that lives `lifetime` from `granted`: one minute early, or at
/// half the lifetime when that is under two minutes.
pub(crate) fn refresh_time(granted: Instant, lifetime: Duration) -> Instant {
    granted + lifetime - Duration::from_secs(60).min(lifetime / 2)
}

#[derive(Debug, Clone, Copy, Default)]
struct Permission {
    installed: bool,
    in_flight: bool,
    expires: Option<Instant>,
    refresh_at: Option<Instant>,
}

/// Permissions by peer IP.
#[derive(Debug, Default)]
pub(crate) struct Permissions {
    map: BTreeMap<IpAddr, Permission>,
}

impl Permissions {
    /// Records that the application wants a permission; true if a request must be sent.
    pub(crate) fn want(&mut self, peer: IpAddr) -> bool {
        let p = self.map.entry(peer).or_default();
        if p.in_flight || p.installed {
            return false;
        }
        p.in_flight = true;
        true
    }

    pub(crate) fn installed(&self, peer: IpAddr) -> bool {
        self.map.get(&peer).is_some_and(|p| p.installed)
    }

    /// A CreatePermission (or ChannelBind) succeeded; true if the permission is new.
    pub(crate) fn granted(&mut self, peer: IpAddr, now: Instant) -> bool {
        let p = self.map.entry(peer).or_default();
        let new = !p.installed;
        *p = Permission {
            installed: true,
            in_flight: false,
            expires: Some(now + PERMISSION_LIFETIME),
            refresh_at: Some(refresh_time(now, PERMISSION_LIFETIME)),
        };
        new
    }

    /// A request for the permission failed: an uninstalled one is forgotten, an installed one
    /// retries its refresh after [`RETRY_AFTER_FAILURE`].
    pub(crate) fn failed(&mut self, peer: IpAddr, now: Instant) {
        if let Some(p) = self.map.get_mut(&peer) {
            p.in_flight = false;
            p.refresh_at = Some(now + RETRY_AFTER_FAILURE);
            if !p.installed {
                self.map.remove(&peer);
            }
        }
    }

    /// Stops refreshing a permission (it lapses at the server within 300 s).
    pub(crate) fn forget(&mut self, peer: IpAddr) {
        self.map.remove(&peer);
    }

    /// Permissions whose refresh is due; they are marked in flight.
    pub(crate) fn take_due(&mut self, now: Instant) -> Vec<IpAddr> {
        let mut due = Vec::new();
        for (ip, p) in &mut self.map {
            if p.installed && !p.in_flight && p.refresh_at.is_some_and(|t| t <= now) {
                p.in_flight = true;
                due.push(*ip);
            }
        }
        due
    }

    /// Drops permissions that expired without a successful refresh.
    pub(crate) fn expire(&mut self, now: Instant) -> Vec<IpAddr> {
        let gone: Vec<IpAddr> = self
            .map
            .iter()
            .filter(|(_, p)| p.expires.is_some_and(|t| t <= now))
            .map(|(ip, _)| *ip)
            .collect();
        for ip in &gone {
            self.map.remove(ip);
        }
        gone
    }

    pub(crate) fn next_timer(&self) -> Option<Instant> {
        self.map
            .values()
            .flat_map(|p| [(!p.in_flight).then_some(p.refresh_at).flatten(), p.expires])
            .flatten()
            .min()
    }
}

#[derive(Debug, Clone, Copy)]
struct Channel {
    number: ChannelNumber,
    bound: bool,
    in_flight: bool,
    expires: Option<Instant>,
    refresh_at: Option<Instant>,
}

/// Channel bindings by peer, with the reverse map by number.
#[derive(Debug, Default)]
pub(crate) struct Channels {
    by_peer: BTreeMap<SocketAddr, Channel>,
    by_number: BTreeMap<u16, SocketAddr>,
    next: u16,
}

impl Channels {
    /// Picks (or returns the existing) channel for a peer; `Some(true)` when a ChannelBind must
    /// be sent, `None` when all numbers are taken.
    pub(crate) fn want(&mut self, peer: SocketAddr) -> Option<(ChannelNumber, bool)> {
        if let Some(c) = self.by_peer.get_mut(&peer) {
            let send = !c.bound && !c.in_flight;
            c.in_flight |= send;
            return Some((c.number, send));
        }
        let span = ChannelNumber::MAX.value() - ChannelNumber::MIN.value() + 1;
        let number = (0..span)
            .map(|i| ChannelNumber::MIN.value() + (self.next + i) % span)
            .find(|n| !self.by_number.contains_key(n))?;
        self.next = (number - ChannelNumber::MIN.value() + 1) % span;
        let number = ChannelNumber::new(number)?;
        self.by_peer.insert(
            peer,
            Channel {
                number,
                bound: false,
                in_flight: true,
                expires: None,
                refresh_at: None,
            },
        );
        self.by_number.insert(number.value(), peer);
        Some((number, true))
    }

    /// The bound channel of a peer.
    pub(crate) fn bound(&self, peer: &SocketAddr) -> Option<ChannelNumber> {
        self.by_peer.get(peer).filter(|c| c.bound).map(|c| c.number)
    }

    /// The peer of a bound channel.
    pub(crate) fn peer(&self, number: ChannelNumber) -> Option<SocketAddr> {
        let peer = self.by_number.get(&number.value())?;
        self.by_peer.get(peer).filter(|c| c.bound).map(|_| *peer)
    }

    /// A ChannelBind succeeded; true if the binding is new.
    pub(crate) fn bound_now(&mut self, peer: SocketAddr, now: Instant) -> bool {
        let Some(c) = self.by_peer.get_mut(&peer) else {
            return false;
        };
        let new = !c.bound;
        c.bound = true;
        c.in_flight = false;
        c.expires = Some(now + CHANNEL_LIFETIME);
        c.refresh_at = Some(refresh_time(now, CHANNEL_LIFETIME));
        new
    }

    /// A ChannelBind failed: an unbound channel is released, a bound one retries its refresh
    /// after [`RETRY_AFTER_FAILURE`].
    pub(crate) fn failed(&mut self, peer: SocketAddr, now: Instant) {
        if let Some(c) = self.by_peer.get_mut(&peer) {
            c.in_flight = false;
            c.refresh_at = Some(now + RETRY_AFTER_FAILURE);
            if !c.bound {
                let number = c.number.value();
                self.by_peer.remove(&peer);
                self.by_number.remove(&number);
            }
        }
    }

    /// Bindings whose refresh is due; they are marked in flight.
    pub(crate) fn take_due(&mut self, now: Instant) -> Vec<(SocketAddr, ChannelNumber)> {
        let mut due = Vec::new();
        for (peer, c) in &mut self.by_peer {
            if c.bound && !c.in_flight && c.refresh_at.is_some_and(|t| t <= now) {
                c.in_flight = true;
                due.push((*peer, c.number));
            }
        }
        due
    }

    /// Drops bindings that expired without a successful refresh.
    pub(crate) fn expire(&mut self, now: Instant) {
        let gone: Vec<(SocketAddr, u16)> = self
            .by_peer
            .iter()
            .filter(|(_, c)| c.expires.is_some_and(|t| t <= now))
            .map(|(p, c)| (*p, c.number.value()))
            .collect();
        for (peer, number) in gone {
            self.by_peer.remove(&peer);
            self.by_number.remove(&number);
        }
    }

    pub(crate) fn next_timer(&self) -> Option<Instant> {
        self.by_peer
            .values()
            .flat_map(|c| [(!c.in_flight).then_some(c.refresh_at).flatten(), c.expires])
            .flatten()
            .min()
    }
}

#[cfg(test)]
mod tests;
