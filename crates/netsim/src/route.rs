//! Moving datagrams: from a sender through links, realm routers and NATs to a receiver.

use crate::sim::{HookContext, Hop, Member, NatId, RealmId, Scheduled, Sim, Verdict};
use crate::trace::{DropReason, Packet, TraceEvent};
use sansrtc_proto::Receive;
use std::net::{IpAddr, SocketAddr};

impl Sim {
    /// A datagram an endpoint just sent: check its source, run the hook, enter the uplink.
    pub(crate) fn send_from(&mut self, index: usize, mut packet: Packet) {
        let host = self.endpoints[index].host;
        let endpoint = self.endpoints[index].name.clone();
        self.record(TraceEvent::Sent {
            endpoint: endpoint.clone(),
            packet: packet.clone(),
        });
        if !self.hosts[host.0].addrs.contains(&packet.source.ip()) {
            self.record_drop(DropReason::BadSource, packet);
            return;
        }
        self.capture(&packet);
        let verdict = match self.hook.as_mut() {
            Some(hook) => hook(&mut HookContext {
                at: self.now - self.epoch,
                endpoint: &endpoint,
                packet: &mut packet,
            }),
            None => Verdict::Deliver,
        };
        match verdict {
            Verdict::Deliver => self.enter_uplink(host, packet),
            Verdict::Drop => self.record_drop(DropReason::Hook, packet),
            Verdict::Delay(by) => self.schedule(self.now + by, packet, Hop::Uplink(host)),
            Verdict::Duplicate => {
                self.enter_uplink(host, packet.clone());
                self.enter_uplink(host, packet);
            }
        }
    }

    fn enter_uplink(&mut self, host: crate::sim::HostId, packet: Packet) {
        let link = self.hosts[host.0].up;
        let realm = self.hosts[host.0].realm;
        self.enter_link(link, packet, Hop::Realm(realm));
    }

    /// Offers a datagram to a link; schedules its arrival(s) at `next`, or records the drop.
    fn enter_link(&mut self, link: usize, packet: Packet, next: Hop) {
        match self.links[link].admit(self.now, packet.wire_len()) {
            Ok(arrivals) => {
                if let Some(at) = arrivals.duplicate {
                    self.schedule(at, packet.clone(), next);
                }
                self.schedule(arrivals.first, packet, next);
            }
            Err(reason) => self.record_drop(reason, packet),
        }
    }

    /// Handles a datagram whose next hop is due now.
    pub(crate) fn process(&mut self, item: Scheduled) {
        let Scheduled { packet, hop, .. } = item;
        match hop {
            Hop::Uplink(host) => self.enter_uplink(host, packet),
            Hop::Realm(realm) => self.route(realm, packet),
            Hop::NatInbound(nat) => self.nat_inbound(nat, packet),
            Hop::Host(host) => self.deliver(host, packet),
        }
    }

    /// The NAT through which `realm` reaches the inside realm that holds IPv6 address `ip`.
    fn v6_route_down(&self, realm: RealmId, ip: IpAddr) -> Option<NatId> {
        let IpAddr::V6(v6) = ip else { return None };
        let mut current = *self.v6_owners().get(&v6)?;
        while let Some(nat) = self.realms[current.0].gateway {
            let parent = self.nats[nat.0].parent;
            if parent == realm {
                return Some(nat);
            }
            current = parent;
        }
        None
    }

    /// A realm's router forwards a datagram: to a member, down through a NAT (IPv6), or up
    /// through the realm's own NAT.
    fn route(&mut self, realm: RealmId, mut packet: Packet) {
        let dst = packet.destination.ip();
        match self.realms[realm.0].members.get(&dst) {
            Some(&Member::Host(h)) => {
                let link = self.hosts[h.0].down;
                return self.enter_link(link, packet, Hop::Host(h));
            }
            Some(&Member::Nat(n)) => {
                let link = self.nats[n.0].down;
                return self.enter_link(link, packet, Hop::NatInbound(n));
            }
            None => {}
        }
        if let Some(n) = self.v6_route_down(realm, dst) {
            let link = self.nats[n.0].down;
            return self.enter_link(link, packet, Hop::NatInbound(n));
        }
        let Some(nat) = self.realms[realm.0].gateway else {
            return self.record_drop(DropReason::NoRoute, packet);
        };
        let now = self.now;
        let translated =
            self.nats[nat.0]
                .nat
                .outbound(now, packet.proto, packet.source, packet.destination);
        self.record_nat_notes(nat);
        match translated {
            Ok(external) => packet.source = external,
            Err(reason) => return self.record_drop(reason, packet),
        }
        if dst == self.nats[nat.0].nat.external_ip() {
            return self.hairpin(nat, packet);
        }
        let (link, parent) = (self.nats[nat.0].up, self.nats[nat.0].parent);
        self.enter_link(link, packet, Hop::Realm(parent));
    }

    /// A datagram from inside a NAT to the NAT's own external address (RFC 4787 §6).
    fn hairpin(&mut self, nat: NatId, packet: Packet) {
        if !self.nats[nat.0].nat.config().hairpinning {
            return self.record_drop(DropReason::HairpinDisabled, packet);
        }
        self.nat_inbound(nat, packet);
    }

    /// A datagram reaches a NAT's outside: translate it to an inside address and route it there.
    fn nat_inbound(&mut self, nat: NatId, mut packet: Packet) {
        let now = self.now;
        let result =
            self.nats[nat.0]
                .nat
                .inbound(now, packet.proto, packet.source, packet.destination);
        self.record_nat_notes(nat);
        match result {
            Ok(internal) => {
                packet.destination = internal;
                let inside = self.nats[nat.0].inside;
                self.route(inside, packet);
            }
            Err(reason) => self.record_drop(reason, packet),
        }
    }

    fn binding_matches(binding: SocketAddr, destination: SocketAddr, exact: bool) -> bool {
        let ip_ok = binding.ip() == destination.ip() || (!exact && binding.ip().is_unspecified());
        let port_ok = binding.port() == destination.port() || (!exact && binding.port() == 0);
        ip_ok && port_ok
    }

    /// A datagram reaches its host: hand it to the endpoint bound to its destination.
    fn deliver(&mut self, host: crate::sim::HostId, packet: Packet) {
        let dst = packet.destination;
        let find = |exact: bool| {
            self.hosts[host.0].endpoints.iter().copied().find(|&i| {
                self.endpoints[i]
                    .bindings
                    .iter()
                    .any(|&b| Self::binding_matches(b, dst, exact))
            })
        };
        let Some(index) = find(true).or_else(|| find(false)) else {
            return self.record_drop(DropReason::NoSocket, packet);
        };
        self.capture(&packet);
        let now = self.now;
        let result = self.endpoints[index].node.handle_receive(
            now,
            Receive {
                proto: packet.proto,
                source: packet.source,
                destination: packet.destination,
                contents: &packet.contents,
            },
        );
        let endpoint = self.endpoints[index].name.clone();
        match result {
            Ok(()) => {
                self.delivered_inc();
                self.record(TraceEvent::Delivered { endpoint, packet });
            }
            Err(error) => self.record(TraceEvent::Rejected {
                endpoint,
                packet,
                error,
            }),
        }
        self.drain(index);
    }
}
