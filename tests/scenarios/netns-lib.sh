# Network namespaces for the inline tests (sourced after lib.sh).
# client (198.18.0.2) -- router (198.18.0.1 | 198.19.0.1) -- server (198.19.0.2):
# only addresses of the benchmarking range 198.18.0.0/15. Names carry the
# shell's pid so parallel runs do not meet; everything is removed on exit.

# netns_skip WHY: the machine cannot run the test (no root, no namespaces,
# no NFQUEUE): skip with the reason, also under CI (a kernel without the
# feature is not a missing package).
netns_skip() {
    echo "skipped: $*"
    exit 77
}

NS_C=vgc$$
NS_R=vgr$$
NS_S=vgs$$
NS_PIDS=()

# netns_teardown: stop what runs in the namespaces and delete them (WORK stays).
netns_teardown() {
    for p in "${NS_PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${NS_PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    NS_PIDS=()
    ip netns del "$NS_C" 2>/dev/null
    ip netns del "$NS_R" 2>/dev/null
    ip netns del "$NS_S" 2>/dev/null
}

netns_cleanup() {
    netns_teardown
    rm -rf "$WORK"
}

netns_setup() {
    [ "$(id -u)" -eq 0 ] || netns_skip "needs root (network namespaces, iptables)"
    command -v ip >/dev/null || netns_skip "no ip command (iproute2)"
    trap netns_cleanup EXIT
    ip netns add "$NS_C" 2>/dev/null || netns_skip "cannot create network namespaces"
    ip netns add "$NS_R" && ip netns add "$NS_S" || fail "cannot create namespaces"
    ip link add c0 netns "$NS_C" type veth peer name r0 netns "$NS_R" ||
        netns_skip "cannot create veth pairs"
    ip link add s0 netns "$NS_S" type veth peer name r1 netns "$NS_R" || fail "veth"
    ip -n "$NS_C" addr add 198.18.0.2/24 dev c0
    ip -n "$NS_R" addr add 198.18.0.1/24 dev r0
    ip -n "$NS_R" addr add 198.19.0.1/24 dev r1
    ip -n "$NS_S" addr add 198.19.0.2/24 dev s0
    for ns in "$NS_C" "$NS_R" "$NS_S"; do
        ip -n "$ns" link set lo up
    done
    ip -n "$NS_C" link set c0 up
    ip -n "$NS_R" link set r0 up
    ip -n "$NS_R" link set r1 up
    ip -n "$NS_S" link set s0 up
    ip -n "$NS_C" route add default via 198.18.0.1
    ip -n "$NS_S" route add default via 198.19.0.1
    ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1
}

# in_ns NS CMD...: run CMD in namespace NS (foreground).
in_ns() {
    local ns=$1
    shift
    nsenter --net="/run/netns/$ns" -- "$@"
}

# bg_ns NS CMD...: start CMD in namespace NS in the background; BG_PID is
# CMD's own pid (nsenter execs it; ip netns exec and a backgrounded shell
# function would put another process in between, and a signal sent to that
# one would not reach CMD). It is killed on exit.
bg_ns() {
    local ns=$1
    shift
    nsenter --net="/run/netns/$ns" -- "$@" &
    BG_PID=$!
    NS_PIDS+=("$BG_PID")
}

# netns_setup_bridge: the topology of the AF_PACKET IPS/TAP tests, one subnet
# bridged by Vigil:
# client c0 (198.18.0.2) -- r0 [vigil ns, no address] r1 -- s0 (198.18.0.3).
# Vigil forwards frames as they are: offloads (checksum, TSO/GSO/GRO) are
# turned off on every end, so that no frame is larger than the MTU and each
# carries its own checksum (netns_no_offload).
netns_setup_bridge() {
    [ "$(id -u)" -eq 0 ] || netns_skip "needs root (network namespaces, AF_PACKET)"
    command -v ip >/dev/null || netns_skip "no ip command (iproute2)"
    trap netns_cleanup EXIT
    ip netns add "$NS_C" 2>/dev/null || netns_skip "cannot create network namespaces"
    ip netns add "$NS_R" && ip netns add "$NS_S" || fail "cannot create namespaces"
    ip link add c0 netns "$NS_C" type veth peer name r0 netns "$NS_R" ||
        netns_skip "cannot create veth pairs"
    ip link add s0 netns "$NS_S" type veth peer name r1 netns "$NS_R" || fail "veth"
    for ns in "$NS_C" "$NS_R" "$NS_S"; do
        in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
        ip -n "$ns" link set lo up
    done
    ip -n "$NS_C" addr add 198.18.0.2/24 dev c0
    ip -n "$NS_S" addr add 198.18.0.3/24 dev s0
    netns_no_offload "$NS_C" c0
    netns_no_offload "$NS_R" r0 r1
    netns_no_offload "$NS_S" s0
    ip -n "$NS_C" link set c0 up
    ip -n "$NS_R" link set r0 up
    ip -n "$NS_R" link set r1 up
    ip -n "$NS_S" link set s0 up
}

# netns_no_offload NS IF...: tx checksum, scatter-gather, TSO, GSO and GRO off
# (the ethtool ioctl, ethtool itself may be missing).
netns_no_offload() {
    local ns=$1
    shift
    in_ns "$ns" python3 - "$@" <<'PY' || fail "cannot turn offloads off on $*"
import ctypes, fcntl, socket, struct, sys
SIOCETHTOOL = 0x8946
# ETHTOOL_STXCSUM, ETHTOOL_SSG, ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SGRO
CMDS = (0x17, 0x19, 0x1F, 0x24, 0x2C)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for ifname in sys.argv[1:]:
    for cmd in CMDS:
        val = ctypes.create_string_buffer(struct.pack("II", cmd, 0))
        ifr = struct.pack("16sP16x", ifname.encode(), ctypes.addressof(val))
        fcntl.ioctl(s, SIOCETHTOOL, ifr)
PY
}

# netns_pair PREFIX: the capture tests' set-up, two namespaces joined by one
# veth pair: a0 in NS_C with PREFIX.1/24, b0 in NS_S with PREFIX.2/24 (PREFIX
# in 198.18.0.0/15, e.g. 198.18.1), IPv6 off, both links still down
# (netns_pair_up). Skips where namespaces or veth pairs cannot be made; the
# caller has checked for root. Everything goes on exit.
netns_pair() {
    trap netns_cleanup EXIT
    ip netns add "$NS_C" 2>/dev/null || netns_skip "cannot create network namespaces"
    ip netns add "$NS_S" || fail "cannot create a namespace"
    ip link add a0 netns "$NS_C" type veth peer name b0 netns "$NS_S" ||
        netns_skip "cannot create veth pairs"
    for ns in "$NS_C" "$NS_S"; do
        in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    done
    ip -n "$NS_C" addr add "$1.1/24" dev a0
    ip -n "$NS_S" addr add "$1.2/24" dev b0
}

netns_pair_up() {
    ip -n "$NS_C" link set a0 up
    ip -n "$NS_S" link set b0 up
}

# inline_blocks SERVER: the checks both inline tests make through a running inline
# Vigil whose rules drop EVILPATTERN on TCP 5001 and reject TCP 5002 and UDP 5003: a
# clean transfer to SERVER completes, one with the pattern is cut off, the rejected TCP
# port gets a reset within a second, the UDP one an ICMP port unreachable, and a clean
# transfer still completes afterwards. Uses the caller's client().
inline_blocks() {
    local r t
    r=$(client send "$1" 5001 300000)
    [ "$r" = ok ] || fail "clean transfer through vigil: $r"
    r=$(PEER_TIMEOUT=5 client send "$1" 5001 300000 EVILPATTERN)
    case "$r" in timeout*) ;; *) fail "transfer with the pattern was not cut off: $r" ;; esac
    r=$(client send "$1" 5002 2000 data)
    case "$r" in
        reset*) t=${r#reset after }; t=${t%%s*}
                python3 -c "import sys; sys.exit(0 if float('$t') < 1.0 else 1)" ||
                    fail "reset came late: $r" ;;
        *) fail "rejected port: expected a reset, got: $r" ;;
    esac
    r=$(client udp "$1" 5003)
    [ "$r" = refused ] || fail "rejected UDP port: expected ICMP port unreachable, got: $r"
    r=$(client send "$1" 5001 50000)
    [ "$r" = ok ] || fail "clean transfer after the drops: $r"
}
