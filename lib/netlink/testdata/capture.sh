#!/usr/bin/env bash
# Captures links.bin, addresses.bin and neighbours.bin (kernel replies) and
# ip-*.json (iproute2's reading of the same tables) from a scratch network
# namespace: a veth pair between namespaces halo-capture-a and halo-capture-b,
# 198.18.0.1/24 and 198.18.0.2/24 (the lab range), after three pings.
# Run as root from the repository root: lib/netlink/testdata/capture.sh
set -euo pipefail
a=halo-capture-a b=halo-capture-b
trap 'ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true' EXIT
ip netns add "$a"
ip netns add "$b"
ip -n "$a" link add veth0 type veth peer name veth1 netns "$b"
ip -n "$a" addr add 198.18.0.1/24 dev veth0
ip -n "$b" addr add 198.18.0.2/24 dev veth1
for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
ip -n "$a" link set veth0 up
ip -n "$b" link set veth1 up
ip netns exec "$a" ping -q -c 3 -i 0.2 198.18.0.2 >/dev/null
# IPv6 router solicitations and MLD reports go out for a few seconds after a
# link comes up; wait until the counters rest, so iproute2's reading matches.
sleep 15
DENO_NO_UPDATE_CHECK=1 ip netns exec "$a" deno run --allow-ffi --allow-run=ip \
  --allow-write=lib/netlink/testdata lib/netlink/testdata/capture.ts
