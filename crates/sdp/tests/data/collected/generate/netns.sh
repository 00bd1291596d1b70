#!/bin/sh
# Run a command in a fresh network namespace that no packet can leave.
# Inside it: loopback, plus a veth pair whose two ends both stay in the
# namespace, carrying documentation-range addresses (198.51.100.10/24 and
# 2001:db8::10/64), so that WebRTC stacks see a non-loopback interface (for
# IPv4/IPv6 and mDNS host candidates). The default routes only let the stacks
# find a "default local address" (a UDP connect() sends nothing); anything
# actually sent that way ends at veth1, inside the namespace, and is dropped.
#
#   sh netns.sh python3 generate.py OUTDIR [scenario ...]
#   sh netns.sh python3 janus_capture.py OUTDIR
#   NOROUTE=1 sh netns.sh ...   (no default routes at all)
set -e
exec unshare -n sh -c '
  ip link set lo up
  ip link add veth0 type veth peer name veth1
  ip addr add 198.51.100.10/24 dev veth0
  ip addr add 2001:db8::10/64 dev veth0 nodad
  ip link set veth0 up
  ip link set veth1 up
  if [ -z "$NOROUTE" ]; then
    ip route add default dev veth0
    ip -6 route add default dev veth0
  fi
  exec "$@"' netns "$@"
