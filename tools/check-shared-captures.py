#!/usr/bin/env python3
"""Robustness and counting checks on the shared captures (../shared).

1. Every capture under ../shared/data/pcaps and ../shared/conformance/cases
   runs through vigil (no rules): exit status 0 within the time limit, and
   every eve.json line is JSON.
2. For the captures under ../shared/data/pcaps, the per-protocol counters of
   the final stats record (decoder.ipv4, ipv6, tcp, udp, icmpv4, icmpv6, vlan,
   vlan_qinq) are compared with tshark's dissection of the same file, read
   the way a packet decoder such as Suricata's walks a frame (see
   tshark_walk): each header counted once per occurrence, the walk stopping
   at the first layer such a decoder does not go through (application
   payloads, GTP, CAPWAP, IPv4 AH, ...), after ICMP (vigil keeps the headers
   quoted in an ICMP error as a view of the message), and after the first IP
   header of a frame captured short (its total length exceeds the captured
   bytes, so the decoder stops there with ipv4.trunc_pkt / ipv6.trunc_pkt).
   VLAN tags are counted by level, as Suricata's counters do: decoder.vlan
   is the frames with at least one tag, decoder.vlan_qinq those with two or
   more (a VLAN id in an ERSPAN header takes a level without being counted).
   Also modelled: tshark runs without TSO guessing and with IP reassembly
   (vigil decodes no transport header in a fragment, and decodes the
   datagram it rebuilds from its IP header on: the frame that completes a
   datagram counts its IP layer once more);
   UDP tunnels only on their ports (VXLAN by destination port); GRE only
   for the protocol types the decoder follows; ERSPAN type III, Teredo with
   hop limit 0, Ethernet in IP (protocol 143) and IPv6 jumbograms are not
   decoded; records longer than the file's snapshot length are cut to it
   (libpcap does); a bad IPv6 version still counts the IPv6 layer.

Known differences: tools/shared-captures-known-diffs.txt lists captures whose
counts are expected to differ, one per line with the reason (see that file).
A listed file that differs is reported as expected; a listed file that now
matches is reported as stale.

Skips cleanly (exit 0) when ../shared is absent, and compares no counts
when tshark is not installed; under CI=true both are failures (exit 1).
Exit 1 when a run crashed or wrote bad JSON, and with --strict also when a
capture not listed as a known difference differs (make check-shared and
make conformance pass --strict).

Usage: tools/check-shared-captures.py --engine build/vigil [--shared DIR]
       [--jobs N] [--limit N] [--only SUBSTR] [--no-tshark] [--strict]
       [--tshark-every N] [--known FILE] [--stops] [-v]
  --tshark-every N  compare counts for every N-th capture only (path order;
                 CI uses 10 through tools/conformance.sh: tshark is slow)
  --only SUBSTR  run only captures whose path contains SUBSTR (repeatable)
  --stops        print which tshark layers ended the walk, most frequent first
"""
import argparse
import collections
import concurrent.futures as cf
import fnmatch
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

EXTS = (".pcap", ".pcapng", ".cap")
FIELDS = ("ipv4", "ipv6", "tcp", "udp", "icmpv4", "icmpv6", "vlan", "vlan_qinq")
KNOWN_DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "shared-captures-known-diffs.txt")

# tshark layer name -> counter it stands for.
COUNTED = {"ip": "ipv4", "ipv6": "ipv6", "tcp": "tcp", "udp": "udp", "icmp": "icmpv4",
           "icmpv6": "icmpv6"}
# Layers a packet decoder goes through on its way to IP and transport: link
# layers, tags, shims and tunnels Suricata decodes (and vigil with it).
THROUGH = {
    "eth", "ethertype", "vlan", "ieee8021ad", "ieee8021ah", "cfp", "vntag", "nsh", "pppoes", "ppp",
    "chdlc", "sll", "null", "loop", "raw", "mpls", "pwethcw", "pwethnocw", "gre",
    "erspan", "vxlan", "teredo", "geneve", "ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr",
    "ipv6.dstopts",
}
# Layers the decoder looks for inside a UDP payload, by destination port
# (None: either port; tshark dissects VXLAN on either, Suricata wants dst).
AFTER_UDP = {"vxlan": "4789", "teredo": None, "geneve": None}
VLAN_TAGS = ("vlan", "ieee8021ad")
IP_LAYERS = ("ip", "ipv6", "ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts",
             "ah")


def captures(root):
    for d, _, files in os.walk(root):
        for f in sorted(files):
            if f.endswith(EXTS):
                yield os.path.join(d, f)


def load_known(path):
    """{glob: reason}; lines are '<path glob relative to --shared> <reason>'."""
    known = {}
    if not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            if len(parts) != 2:
                sys.exit(f"{path}:{n}: expected '<path> <reason>'")
            known[parts[0]] = parts[1]
    return known


def known_reason(known, rel):
    for pat, reason in known.items():
        if fnmatch.fnmatchcase(rel, pat):
            return pat, reason
    return None, None


def run_vigil(engine, cap, timeout):
    out = tempfile.mkdtemp(prefix="vg-shared-")
    empty = os.path.join(out, "empty.rules")
    open(empty, "w").close()
    try:
        p = subprocess.run([engine, "-r", cap, "-S", empty, "-l", out, "-k", "none", "--quiet"],
                           capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        shutil.rmtree(out, ignore_errors=True)
        return {"error": "timeout"}
    res = {"rc": p.returncode, "stderr": p.stderr.decode(errors="replace")[-500:]}
    stats = None
    try:
        with open(os.path.join(out, "eve.json"), "rb") as f:
            for line in f:
                r = json.loads(line)
                if r.get("event_type") == "stats":
                    stats = r["stats"]
    except (OSError, ValueError) as e:
        res["error"] = f"eve.json: {e}"
    shutil.rmtree(out, ignore_errors=True)
    if p.returncode != 0:
        res["error"] = f"exit status {p.returncode}: {res['stderr'].strip()[-200:]}"
    res["stats"] = stats
    return res


# Bytes of the layers that can come before the first IP header, to find how
# many captured bytes that header has (an unknown layer: assume it is short).
LINK_LEN = {"eth": 14, "ethertype": 0, "vlan": 4, "ieee8021ad": 4, "ieee8021ah": 18,
            "vntag": 6, "pppoes": 6, "ppp": 2, "chdlc": 4, "sll": 16, "null": 4, "loop": 4,
            "raw": 0, "mpls": 4}
# tshark as the decoder sees it: an IPv4 total length of 0 is an error, not
# TSO; fragments are reassembled (vigil's defrag: fragments show no
# transport header, the completing frame shows the rebuilt datagram).
TSHARK_PREFS = ("ip.tso_support:FALSE", "ip.defragment:TRUE", "ipv6.defragment:TRUE")
TSHARK_FIELDS = ("frame.protocols", "frame.cap_len", "ip.len", "ip.hdr_len", "ipv6.plen",
                 "ppp.address", "udp.dstport", "gre.proto", "erspan.vlan", "_ws.expert.message",
                 "ipv6.hlim", "ip.reassembled.length", "ipv6.reassembled.length")
# tshark's words for an IP header longer than the bytes its enclosing layer
# gives it (PPPoE length, outer IP length, ...): (layer, length field).
TSHARK_SHORT_IP = (
    (re.compile(r"IPv4 total length exceeds packet length \((\d+) bytes\)"), "ip", "ip.len"),
    (re.compile(r"IPv6 payload length exceeds framing length \((-?\d+) bytes\)"), "ipv6",
     "ipv6.plen"),
)


def first_int(value):
    head = value.split(",")[0]
    return int(head) if head.isdigit() else None


def ip_is_short(protos, i, rec):
    """True when the first IP header, at protos[i], claims more bytes than
    the frame captured (the decoder stops there: ipv4/ipv6.trunc_pkt) or a
    total length below its header length (ipv4.iplen_smaller_than_hlen)."""
    if protos[i] == "ip":
        total, hlen = first_int(rec["ip.len"]), first_int(rec["ip.hdr_len"])
        if total is None or hlen is None or hlen < 20 or total < hlen:
            return True
    else:
        plen = first_int(rec["ipv6.plen"])
        if plen is None:
            return True
        total = 40 + plen
    offset = 0
    for j, proto in enumerate(protos[:i]):
        if proto not in LINK_LEN:
            return False             # behind an unknown layer: trust tshark
        offset += LINK_LEN[proto]
        if proto == "ppp":
            # Cisco HDLC under a PPP link type: no PPP header at all; a PPP
            # link type frame may have the address and control bytes
            # (PPPoE never has them).
            if protos[j + 1] == "chdlc":
                offset -= LINK_LEN[proto]
            elif j == 0 and rec["ppp.address"]:
                offset += 2
    cap_len = first_int(rec["frame.cap_len"]) or 0
    return total > cap_len - offset


def udp_tunnel(proto, udp_dports, n_udp):
    """Whether the decoder enters proto in the payload of the n_udp-th UDP
    header of the frame (dst ports in udp_dports, in order)."""
    if proto not in AFTER_UDP:
        return False
    want = AFTER_UDP[proto]
    return want is None or (n_udp <= len(udp_dports) and udp_dports[n_udp - 1] == want)


# GRE protocol types whose payload the decoder follows (decode_ethertype's
# types, PPTP's PPP, ERSPAN); WCCP's 0x883E, for one, is left opaque.
GRE_DECODED = {"0x0800", "0x86dd", "0x0806", "0x8100", "0x88a8", "0x9100", "0x6558",
               "0x880b", "0x88be", "0x22eb", "0x8847", "0x8848", "0x8863", "0x8864",
               "0x88e7", "0x8903", "0x8926", "0x894f"}


def gre_decoded(rec, n_gre):
    protos = rec["gre.proto"].split(",")
    return n_gre <= len(protos) and protos[n_gre - 1].lower() in GRE_DECODED


def teredo_hlim0(rec, n_ipv6):
    """Whether the IPv6 header after n_ipv6 earlier ones has hop limit 0."""
    hlims = rec["ipv6.hlim"].split(",")
    return n_ipv6 < len(hlims) and hlims[n_ipv6] == "0"


def erspan_type2(rec, n_gre):
    """ERSPAN behind the n_gre-th GRE header is type I or II (GRE type 0x88BE);
    type III (0x22EB) is not decoded by Suricata."""
    protos = rec["gre.proto"].split(",")
    return n_gre <= len(protos) and protos[n_gre - 1].lower() == "0x88be"


def short_nested_ip(rec):
    """(layer, occurrence) of the IP header tshark found longer than its
    enclosing layer allows, or None. tshark does not say which header it
    means: the first nested one (occurrence >= 1) longer than the bytes it
    names, else the first one. Not under FabricPath, whose trailing FCS
    tshark takes off the inner frame (a packet decoder does not)."""
    if ":cfp:" in rec["frame.protocols"]:
        return None
    for regex, layer, field in TSHARK_SHORT_IP:
        m = regex.search(rec["_ws.expert.message"])
        if not m:
            continue
        avail = int(m.group(1))
        lens = [int(v) if v.isdigit() else 0 for v in rec[field].split(",")]
        if layer == "ipv6":
            avail = max(avail, 0)
        for k in list(range(1, len(lens))) + [0]:
            if k < len(lens) and lens[k] > avail:
                return layer, k
    return None


def erspan_vlan(rec, n_erspan):
    """Whether the n_erspan-th (0-based) ERSPAN header carries a VLAN id."""
    vlans = rec["erspan.vlan"].split(",")
    return n_erspan < len(vlans) and vlans[n_erspan] not in ("", "0")


def tshark_walk(rec):
    """Counts of one frame and the layer that ended the walk (None: the end).

    A frame whose IPv6 header has a bad version shows no "ipv6" layer in
    tshark, but the decoder did reach IPv6 (counted, then
    ipv6.wrong_ip_version)."""
    counts, stop = tshark_walk_layers(rec)
    if "Bogus IPv6 version" in rec["_ws.expert.message"] and "ipv6" not in \
            rec["frame.protocols"].split(":"):
        counts["ipv6"] += 1
    # A rebuilt datagram is decoded again from its IP header (defrag).
    for field, key in (("ip.reassembled.length", "ipv4"), ("ipv6.reassembled.length", "ipv6")):
        if rec[field]:
            counts[key] += len(rec[field].split(","))
    return counts, stop


def tshark_walk_layers(rec):
    """The walk itself. rec maps TSHARK_FIELDS to tshark's text. A layer is counted when the walk
    reaches it; the walk goes on only through THROUGH layers, into a UDP
    payload only for AFTER_UDP, past AH only under IPv6 (an extension header
    there; Suricata does not decode IPv4 AH), and never past TCP, ICMP,
    ICMPv6, or a first IP header that does not fit the captured bytes."""
    protos = rec["frame.protocols"].strip().split(":")
    udp_dports = rec["udp.dstport"].split(",")
    counts = collections.Counter()
    short = short_nested_ip(rec)
    last_ip = None
    prev = None
    for i, proto in enumerate(protos):
        if prev == "udp" and not udp_tunnel(proto, udp_dports, counts["udp"]):
            return counts, proto
        if prev in ("tcp", "icmp", "icmpv6"):
            return counts, proto
        if prev == "gre" and not gre_decoded(rec, protos[:i].count("gre")):
            return counts, "gre-other"
        if prev == "teredo" and proto == "ipv6" and teredo_hlim0(rec, counts["ipv6"]):
            return counts, "teredo-hlim0"  # not taken for Teredo (Suricata's rule)
        if proto == "eth" and prev in IP_LAYERS:
            return counts, "eth-in-ip"   # IP protocol 143 (SRv6 L2): not decoded
        if prev == "ipv6" and proto.startswith("ipv6.") and \
                first_int(rec["ipv6.plen"]) == 0 and counts["ipv6"] == 1:
            return counts, "jumbogram"   # no room for the extension header
        key = COUNTED.get(proto)
        if key:
            counts[key] += 1
            if proto in ("ip", "ipv6"):
                if last_ip is None and ip_is_short(protos, i, rec):
                    return counts, "(short ip)"
                if short == (proto, counts[key] - 1):
                    return counts, "(short inner ip)"
                last_ip = proto
        elif proto == "ah" and last_ip == "ipv6":
            pass
        elif proto == "erspan" and not erspan_type2(rec, protos[:i].count("gre")):
            return counts, "erspan3"
        elif proto not in THROUGH:
            return counts, proto
        if proto in VLAN_TAGS:
            # Suricata counts a tag by its level: vlan, vlan_qinq, vlan_qinqinq
            level = counts["vlan_level"]
            counts[("vlan", "vlan_qinq", "vlan_qinqinq", "vlan_deeper")[min(level, 3)]] += 1
            counts["vlan_level"] += 1
        elif proto == "erspan" and erspan_vlan(rec, counts["erspan"]):
            counts["vlan_level"] += 1  # ERSPAN's VLAN id takes a level, uncounted
        if proto == "erspan":
            counts["erspan"] += 1
        prev = proto
    return counts, None


def file_snaplen(cap):
    """Snapshot length in the capture's header (pcap) or first interface
    block (pcapng); 0 when absent or unreadable. libpcap hands up at most
    that many bytes of a record whose captured length claims more."""
    try:
        with open(cap, "rb") as f:
            head = f.read(4096)
    except OSError:
        return 0
    if len(head) >= 20 and head[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        return struct.unpack_from("<I", head, 16)[0]
    if len(head) >= 20 and head[:4] in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        return struct.unpack_from(">I", head, 16)[0]
    if len(head) >= 12 and head[:4] == b"\x0a\x0d\x0d\x0a":
        order = "<" if head[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        off = struct.unpack_from(order + "I", head, 4)[0]
        while off + 16 <= len(head):
            btype, blen = struct.unpack_from(order + "II", head, off)
            if btype == 1:
                return struct.unpack_from(order + "I", head, off + 12)[0]
            if blen < 12:
                break
            off += blen
    return 0


def tshark_counts(cap, timeout, stops):
    cmd = ["tshark", "-n", "-r", cap, "-T", "fields", "-E", "separator=/t"]
    for pref in TSHARK_PREFS:
        cmd += ["-o", pref]
    for f in TSHARK_FIELDS:
        cmd += ["-e", f]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    counts = dict.fromkeys(FIELDS, 0)
    snaplen = file_snaplen(cap)
    # Split on newlines only: str.splitlines() also breaks at \x0b, \x0c and
    # \x1c-\x1e, which tshark prints verbatim inside expert messages quoting
    # payload bytes, and the cut record would then be dropped uncounted.
    for line in p.stdout.decode(errors="replace").split("\n"):
        cols = line.split("\t")
        if len(cols) != len(TSHARK_FIELDS):
            continue
        rec = dict(zip(TSHARK_FIELDS, cols))
        cap_len = first_int(rec["frame.cap_len"])
        if cap_len is not None and 0 < snaplen < cap_len:
            rec["frame.cap_len"] = str(snaplen)
        c, stop = tshark_walk(rec)
        for k in FIELDS:
            counts[k] += c[k]
        if stop is not None:
            stops[stop] += 1
    return counts


def check(args, cap, data_root, compare):
    res = run_vigil(args.engine, cap, args.timeout)
    stops = collections.Counter()
    if "error" in res or not compare:
        return cap, res, None, stops
    ts = tshark_counts(cap, args.timeout, stops)
    st = res.get("stats") or {}
    dec = st.get("decoder", {})
    ours = {k: dec.get(k, 0) for k in FIELDS}
    diff = None if ts is None or ts == ours else {k: (ours[k], ts[k]) for k in FIELDS
                                                   if ours[k] != ts[k]}
    return cap, res, diff, stops


def fmt_diff(diff):
    return ", ".join(f"{k} vigil={a} tshark={b}" for k, (a, b) in diff.items())


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", default="build/vigil")
    ap.add_argument("--shared", default=os.environ.get("VG_SHARED_DIR",
                    os.path.join(os.path.dirname(__file__), "..", "..", "shared")))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--known", default=KNOWN_DEFAULT)
    ap.add_argument("--no-tshark", action="store_true")
    ap.add_argument("--strict", action="store_true")
    ap.add_argument("--tshark-every", type=int, default=1, metavar="N")
    ap.add_argument("--stops", action="store_true")
    ap.add_argument("-v", action="store_true")
    return ap.parse_args()


def main():
    args = parse_args()
    data_root = os.path.realpath(os.path.join(args.shared, "data", "pcaps"))
    conf_root = os.path.realpath(os.path.join(args.shared, "conformance", "cases"))
    in_ci = os.environ.get("CI") == "true"
    if not os.path.isdir(data_root):
        if in_ci:
            print(f"shared captures: {data_root} not found: CI (CI=true) needs ../shared",
                  file=sys.stderr)
            return 1
        print(f"shared captures: {data_root} not found; skipping")
        return 0
    if not args.no_tshark and shutil.which("tshark") is None:
        if in_ci:
            print("shared captures: tshark not installed: CI (CI=true) needs it for the "
                  "count comparison", file=sys.stderr)
            return 1
        print("shared captures: tshark not installed; count comparison skipped")
        args.no_tshark = True
    known = load_known(args.known)
    shared = os.path.realpath(args.shared)
    caps = list(captures(data_root)) + list(captures(conf_root))
    if args.only:
        caps = [c for c in caps if any(s in c for s in args.only)]
    if args.limit:
        caps = caps[: args.limit]
    # Which captures are compared with tshark: those under data/pcaps, or with
    # --tshark-every N every N-th of them in path order (a deterministic
    # subset: tshark takes far longer than vigil on each file).
    every = max(1, args.tshark_every)
    data_caps = [c for c in caps if c.startswith(data_root)]
    to_compare = set() if args.no_tshark else set(data_caps[::every])
    crashes, unexpected, expected, stale, matched = [], [], [], [], 0
    all_stops = collections.Counter()
    with cf.ThreadPoolExecutor(args.jobs) as ex:
        for cap, res, diff, stops in ex.map(
                lambda c: check(args, c, data_root, c in to_compare), caps):
            all_stops.update(stops)
            rel = os.path.relpath(cap, shared)
            pat, reason = known_reason(known, rel)
            if "error" in res:
                crashes.append((rel, res["error"]))
                print(f"FAIL {rel}: {res['error']}")
            elif diff and reason is None:
                unexpected.append(rel)
                print(f"DIFF {rel}: {fmt_diff(diff)}")
            elif diff:
                expected.append(rel)
                if args.v:
                    print(f"KNOWN {rel}: {fmt_diff(diff)} ({reason})")
            elif cap in to_compare:
                matched += 1
                if reason is not None and pat == rel:
                    stale.append(rel)
                    print(f"STALE {rel}: counts match; remove it from {args.known}")
    if args.stops:
        print("tshark walk ended at:")
        for name, n in all_stops.most_common():
            print(f"  {n:8d} {name}")
    subset = f" (every {every}th of {len(data_caps)})" if every > 1 and to_compare else ""
    print(f"shared captures: {len(caps)} run, {len(crashes)} failed; tshark counts of "
          f"{len(to_compare)}{subset}: {matched} equal, {len(expected)} differ as known, "
          f"{len(unexpected)} differ unexpectedly, {len(stale)} stale known entries")
    if crashes or (args.strict and unexpected):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
