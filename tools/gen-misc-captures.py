#!/usr/bin/python3
"""Crafts the small captures of tests/data/app-layer/ for the SNMP and LLMNR scenario
tests (tests/scenarios/test-app-layer-snmp.sh, test-app-layer-llmnr.sh), and prints the
messages as C arrays for the unit tests (--c).

  /usr/bin/python3 tools/gen-misc-captures.py tests/data/app-layer
  /usr/bin/python3 tools/gen-misc-captures.py --c
  /usr/bin/python3 tools/gen-misc-captures.py --fuzz fuzz/corpus/fuzz-app-layer-snmp
  /usr/bin/python3 tools/gen-misc-captures.py --fuzz-ldap fuzz/corpus/fuzz-app-layer-ldap
  /usr/bin/python3 tools/gen-misc-captures.py --fuzz-ike fuzz/corpus/fuzz-app-layer-ike
  /usr/bin/python3 tools/gen-misc-captures.py --fuzz-pgsql fuzz/corpus/fuzz-app-layer-pgsql
  /usr/bin/python3 tools/gen-misc-captures.py --fuzz-krb5 fuzz/corpus/fuzz-app-layer-krb5

BER is encoded by hand here (X.690 definite lengths) so that the bytes are exactly the
ones described; scapy only frames them in IP/UDP.
"""
import sys


def ber_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content):
    return bytes([tag]) + ber_len(len(content)) + content


def integer(v):
    n = max(1, (v.bit_length() + 8) // 8)
    return tlv(0x02, v.to_bytes(n, "big", signed=True))


def octets(s):
    return tlv(0x04, s if isinstance(s, bytes) else s.encode())


def oid(text):
    arcs = [int(a) for a in text.split(".")]
    out = bytearray()
    for i, a in enumerate([arcs[0] * 40 + arcs[1]] + arcs[2:]):
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))


def seq(*parts):
    return tlv(0x30, b"".join(parts))


NULL = b"\x05\x00"


def varbinds(*pairs):
    return seq(*[seq(oid(o), v) for o, v in pairs])


def pdu(tag, req_id, binds):
    return tlv(0xA0 | tag, integer(req_id) + integer(0) + integer(0) + binds)


def v2c(community, p, version=1):
    return seq(integer(version), octets(community), p)


# SNMPv2c GetRequest sysDescr.0, community "public"
GET = v2c("public", pdu(0, 1, varbinds(("1.3.6.1.2.1.1.1.0", NULL))))
# its Response: sysDescr.0 = "vigil"
RESP = v2c("public", pdu(2, 1, varbinds(("1.3.6.1.2.1.1.1.0", octets("vigil")))))
# SNMPv1 Trap-PDU: enterprise 1.3.6.1.4.1.9, agent 10.0.0.1, linkDown (2), uptime 5
TRAP1 = seq(integer(0), octets("public"),
            tlv(0xA4, oid("1.3.6.1.4.1.9") + tlv(0x40, bytes([10, 0, 0, 1])) + integer(2) +
                integer(0) + tlv(0x43, b"\x05") + varbinds()))
# SNMPv2c Trap: sysUpTime.0, snmpTrapOID.0 = linkDown (1.3.6.1.6.3.1.1.5.3)
TRAP2 = v2c("private", pdu(7, 9, varbinds(("1.3.6.1.2.1.1.3.0", tlv(0x43, b"\x05")),
                                          ("1.3.6.1.6.3.1.1.4.1.0",
                                           oid("1.3.6.1.6.3.1.1.5.3")))))


def v3(user, data, model=3):
    usm = seq(octets(b"\x80\x00\x1f\x88\x01"), integer(1), integer(100), octets(user),
              octets(b""), octets(b""))
    hdr = seq(integer(4242), integer(65507), octets(b"\x04"), integer(model))
    return seq(integer(3), hdr, octets(usm), data)


# SNMPv3 USM user "admin", plaintext scoped GetNextRequest
V3_PLAIN = v3("admin", seq(octets(b""), octets(b""),
                           pdu(1, 5, varbinds(("1.3.6.1.2.1.1", NULL)))))
# SNMPv3 USM user "admin", encrypted scoped PDU
V3_ENC = v3("admin", octets(b"\x11\x22\x33\x44\x55\x66\x77\x88"))
# SNMPv3 with security model 99 (not USM)
V3_MODEL = v3("admin", octets(b"\x00"), model=99)
# A datagram to port 161 that is BER but a broken SNMP message (PDU cut short)
BROKEN = v2c("public", tlv(0xA0, integer(1)))


def enum(v):
    return tlv(0x0A, v.to_bytes(1, "big"))


def ldap(msg_id, op):
    return seq(integer(msg_id), op)


def ldap_result(app_tag, code, matched="", message="", extra=b""):
    return tlv(0x60 | app_tag, enum(code) + octets(matched) + octets(message) + extra)


# LDAP (RFC 4511): simple bind as cn=admin,dc=example,dc=com, password "secret"
LDAP_BIND = ldap(1, tlv(0x60, integer(3) + octets("cn=admin,dc=example,dc=com") +
                         tlv(0x80, b"secret")))
LDAP_BIND_OK = ldap(1, ldap_result(1, 0))
# search base dc=example,dc=com, subtree, filter (objectClass=*), attributes cn
LDAP_SEARCH = ldap(2, tlv(0x63, octets("dc=example,dc=com") + enum(2) + enum(0) +
                          integer(0) + integer(0) + tlv(0x01, b"\x00") +
                          tlv(0x87, b"objectClass") + seq(octets("cn"))))
LDAP_ENTRY = ldap(2, tlv(0x64, octets("cn=alice,dc=example,dc=com") +
                         seq(seq(octets("cn"), tlv(0x31, octets("alice"))))))
LDAP_DONE = ldap(2, ldap_result(5, 0))
# delete of a missing entry: noSuchObject (32)
LDAP_DEL = ldap(3, tlv(0x4A, b"cn=bob,dc=example,dc=com"))
LDAP_DEL_FAIL = ldap(3, ldap_result(11, 32, "dc=example,dc=com", "no such entry"))
LDAP_UNBIND = ldap(4, tlv(0x42, b""))


def ike_payload(next_type, body):
    return bytes([next_type, 0]) + (len(body) + 4).to_bytes(2, "big") + body


def ike_msg(ispi, rspi, first, ver, exch, flags, payloads, msg_id=0):
    """payloads: list of (type, body); chained in order."""
    body = b""
    for i, (t, b) in enumerate(payloads):
        nxt = payloads[i + 1][0] if i + 1 < len(payloads) else 0
        body += ike_payload(nxt, b)
    total = 28 + len(body)
    return (ispi + rspi + bytes([first, ver, exch, flags]) + msg_id.to_bytes(4, "big") +
            total.to_bytes(4, "big") + body)


def v1_attr_tv(t, v):
    return (0x8000 | t).to_bytes(2, "big") + v.to_bytes(2, "big")


def v1_attr_tlv(t, v):
    return t.to_bytes(2, "big") + (4).to_bytes(2, "big") + v.to_bytes(4, "big")


ISPI = bytes.fromhex("1122334455667788")
RSPI = bytes.fromhex("99aabbccddeeff00")
# IKEv1 transform: 3DES (5), SHA (2), PSK (1), group 2, life seconds 28800 (TLV)
V1_TRANSFORM = (bytes([0, 0]) + (8 + 20 + 8).to_bytes(2, "big") + bytes([1, 1, 0, 0]) +
                v1_attr_tv(1, 5) + v1_attr_tv(2, 2) + v1_attr_tv(3, 1) + v1_attr_tv(4, 2) +
                v1_attr_tv(11, 1) + v1_attr_tlv(12, 28800))
V1_PROPOSAL = bytes([0, 0]) + (8 + len(V1_TRANSFORM)).to_bytes(2, "big") + \
    bytes([1, 1, 0, 1]) + V1_TRANSFORM
V1_SA = (1).to_bytes(4, "big") + (1).to_bytes(4, "big") + V1_PROPOSAL
VID_DPD = bytes.fromhex("afcad71368a1f1c96b8696fc77570100")
# IKEv1 main mode, message 1 (initiator): SA + vendor ID
IKE1_SA_INIT = ike_msg(ISPI, bytes(8), 1, 0x10, 2, 0, [(1, V1_SA), (13, VID_DPD)])
# message 2 (responder): the chosen SA
IKE1_SA_RESP = ike_msg(ISPI, RSPI, 1, 0x10, 2, 0, [(1, V1_SA)])
# message 3: key exchange (16 octets) and nonce (8 octets)
IKE1_KE = ike_msg(ISPI, RSPI, 4, 0x10, 2, 0, [(4, bytes(range(16))), (10, b"NONCE123")])
# message 5: encrypted (flags bit 0)
IKE1_ENC = ike_msg(ISPI, RSPI, 5, 0x10, 2, 1, []) + bytes(16)
# IKEv2 IKE_SA_INIT request: SA (ENCR AES-CBC 12, PRF SHA1 2, INTEG 2, DH 14), KE, Nonce
V2_TRANSFORMS = b"".join(
    bytes([3 if i < 3 else 0, 0, 0, 8, t, 0]) + tid.to_bytes(2, "big")
    for i, (t, tid) in enumerate([(1, 12), (2, 2), (3, 2), (4, 14)]))
V2_PROPOSAL = bytes([0, 0]) + (8 + len(V2_TRANSFORMS)).to_bytes(2, "big") + \
    bytes([1, 1, 0, 4]) + V2_TRANSFORMS
IKE2_INIT = ike_msg(ISPI, bytes(8), 33, 0x20, 34, 0x08,
                    [(33, V2_PROPOSAL), (34, (14).to_bytes(2, "big") + bytes(2) + bytes(32)),
                     (40, b"nonce-of-16-byte"), (43, b"vigil-vid")])
# IKEv2 IKE_AUTH: encrypted (SK payload)
IKE2_AUTH = ike_msg(ISPI, RSPI, 46, 0x20, 35, 0x08, [(46, bytes(24))], msg_id=1)


def pg(t, body):
    """A typed PostgreSQL message: Byte1 type, Int32 length (itself included), body."""
    return t + (len(body) + 4).to_bytes(4, "big") + body


def pg_startup(params):
    body = (3 << 16).to_bytes(4, "big") + b"".join(k + b"\0" + v + b"\0" for k, v in params) + b"\0"
    return (len(body) + 4).to_bytes(4, "big") + body


def pg_row(*cols):
    return pg(b"D", len(cols).to_bytes(2, "big") +
              b"".join(len(c).to_bytes(4, "big") + c for c in cols))


# PostgreSQL: SSLRequest refused, startup (user vigil, database db), cleartext password
# asked and sent, auth ok with two parameters, key data, ready; a query with two rows; a
# failing query; terminate.
PG_SSL = (8).to_bytes(4, "big") + (80877103).to_bytes(4, "big")
PG_SSL_NO = b"N"
PG_STARTUP = pg_startup([(b"user", b"vigil"), (b"database", b"db"),
                         (b"application_name", b"psql")])
PG_AUTH_CLEAR = pg(b"R", (3).to_bytes(4, "big"))
PG_PASSWORD = pg(b"p", b"s3cret\0")
PG_AUTH_OK = (pg(b"R", (0).to_bytes(4, "big")) + pg(b"S", b"DateStyle\0ISO, MDY\0") +
              pg(b"S", b"server_version\x0016.1\x00") +
              pg(b"K", (4242).to_bytes(4, "big") + (99).to_bytes(4, "big")) + pg(b"Z", b"I"))
PG_QUERY = pg(b"Q", b"SELECT name FROM users;\0")
PG_ROWS = (pg(b"T", (1).to_bytes(2, "big") + b"name\0" + bytes(18)) + pg_row(b"alice") +
           pg_row(b"bob") + pg(b"C", b"SELECT 2\0") + pg(b"Z", b"I"))
PG_BAD_QUERY = pg(b"Q", b"SELECT 1/0;\0")
PG_ERROR = (pg(b"E", b"SERROR\0VERROR\0C22012\0Mdivision by zero\0\0") + pg(b"Z", b"I"))
PG_TERMINATE = pg(b"X", b"")


def ctx(n, content):
    """An explicit context tag [n] around content (constructed)."""
    return tlv(0xA0 | n, content)


def app(n, content):
    return tlv(0x60 | n, content)


def gstr(text):
    return tlv(0x1B, text.encode())    # GeneralString


def principal(name_type, *parts):
    return seq(ctx(0, integer(name_type)), ctx(1, seq(*[gstr(p) for p in parts])))


def enc_data(etype):
    return seq(ctx(0, integer(etype)), ctx(2, octets(bytes(16))))


KTIME = tlv(0x18, b"20370913024805Z")   # GeneralizedTime
# Kerberos (RFC 4120): AS-REQ alice@EXAMPLE.COM for krbtgt/EXAMPLE.COM, etypes 18 17 23
KRB_AS_REQ = app(10, seq(
    ctx(1, integer(5)), ctx(2, integer(10)),
    ctx(4, seq(ctx(0, tlv(0x03, b"\x00\x40\x81\x00\x10")), ctx(1, principal(1, "alice")),
               ctx(2, gstr("EXAMPLE.COM")), ctx(3, principal(2, "krbtgt", "EXAMPLE.COM")),
               ctx(5, KTIME), ctx(7, integer(12345)),
               ctx(8, seq(integer(18), integer(17), integer(23)))))))
# KRB-ERROR KDC_ERR_PREAUTH_REQUIRED (25)
KRB_ERROR = app(30, seq(
    ctx(0, integer(5)), ctx(1, integer(30)), ctx(4, KTIME), ctx(5, integer(0)),
    ctx(6, integer(25)), ctx(9, gstr("EXAMPLE.COM")),
    ctx(10, principal(2, "krbtgt", "EXAMPLE.COM"))))
# AS-REP for alice: ticket (etype 18) for krbtgt/EXAMPLE.COM, enc-part rc4-hmac (23, weak)
KRB_AS_REP = app(11, seq(
    ctx(0, integer(5)), ctx(1, integer(11)), ctx(3, gstr("EXAMPLE.COM")),
    ctx(4, principal(1, "alice")),
    ctx(5, app(1, seq(ctx(0, integer(5)), ctx(1, gstr("EXAMPLE.COM")),
                      ctx(2, principal(2, "krbtgt", "EXAMPLE.COM")), ctx(3, enc_data(18))))),
    ctx(6, enc_data(23))))


def llmnr_pkts(IP, UDP, DNS, DNSQR, DNSRR):
    q = DNS(id=0x1234, qd=DNSQR(qname="vigilhost", qtype="A"))
    r = DNS(id=0x1234, qr=1, aa=0, qd=DNSQR(qname="vigilhost", qtype="A"),
            an=DNSRR(rrname="vigilhost", type="A", ttl=30, rdata="10.0.0.7"))
    return [IP(src="10.0.0.5", dst="224.0.0.252") / UDP(sport=50000, dport=5355) / q,
            IP(src="10.0.0.7", dst="10.0.0.5") / UDP(sport=5355, dport=50000) / r]


def c_array(name, b):
    body = ", ".join("0x%02x" % x for x in b)
    return "static const uint8_t %s[] = {%s};" % (name, body)


def fuzz_chunk(data, toclient=False):
    """One datagram in the chunk format of fuzz/fuzz-app-layer-common.h (len_ext)."""
    d = 0x80 if toclient else 0
    if 1 <= len(data) <= 63:
        return bytes([d | (len(data) - 1)]) + data
    return bytes([d | 63]) + len(data).to_bytes(2, "big") + data


def write_fuzz_seeds(out):
    import hashlib
    import os
    os.makedirs(out, exist_ok=True)
    seeds = [fuzz_chunk(GET) + fuzz_chunk(RESP, True), fuzz_chunk(TRAP1), fuzz_chunk(TRAP2),
             fuzz_chunk(V3_PLAIN), fuzz_chunk(V3_ENC), fuzz_chunk(V3_MODEL), fuzz_chunk(BROKEN)]
    for s in seeds:
        with open(os.path.join(out, hashlib.sha1(s).hexdigest()), "wb") as f:
            f.write(s)


def write_seeds(out, seeds):
    import hashlib
    import os
    os.makedirs(out, exist_ok=True)
    for s in seeds:
        with open(os.path.join(out, hashlib.sha1(s).hexdigest()), "wb") as f:
            f.write(s)


def write_ldap_seeds(out):
    """LDAP sessions in the chunk format with the mode byte (1: TCP, 0: UDP)."""
    import hashlib
    import os
    os.makedirs(out, exist_ok=True)
    tcp = (b"\x01" + fuzz_chunk(LDAP_BIND) + fuzz_chunk(LDAP_BIND_OK, True) +
           fuzz_chunk(LDAP_SEARCH) + fuzz_chunk(LDAP_ENTRY[:20], True) +
           fuzz_chunk(LDAP_ENTRY[20:] + LDAP_DONE, True) + fuzz_chunk(LDAP_DEL) +
           fuzz_chunk(LDAP_DEL_FAIL, True) + fuzz_chunk(LDAP_UNBIND))
    udp = b"\x00" + fuzz_chunk(LDAP_SEARCH) + fuzz_chunk(LDAP_ENTRY + LDAP_DONE, True)
    orphan = b"\x01" + fuzz_chunk(LDAP_DEL_FAIL, True)
    for s in (tcp, udp, orphan):
        with open(os.path.join(out, hashlib.sha1(s).hexdigest()), "wb") as f:
            f.write(s)


def main():
    if sys.argv[1:2] == ["--fuzz"]:
        write_fuzz_seeds(sys.argv[2])
        return
    if sys.argv[1:2] == ["--fuzz-ike"]:
        write_seeds(sys.argv[2], [fuzz_chunk(IKE1_SA_INIT) + fuzz_chunk(IKE1_SA_RESP, True) +
                                  fuzz_chunk(IKE1_KE) + fuzz_chunk(IKE1_ENC),
                                  fuzz_chunk(IKE2_INIT) + fuzz_chunk(IKE2_AUTH)])
        return
    if sys.argv[1:2] == ["--fuzz-pgsql"]:
        write_seeds(sys.argv[2], [
            fuzz_chunk(PG_SSL) + fuzz_chunk(PG_SSL_NO, True) + fuzz_chunk(PG_STARTUP) +
            fuzz_chunk(PG_AUTH_CLEAR, True) + fuzz_chunk(PG_PASSWORD) +
            fuzz_chunk(PG_AUTH_OK, True) + fuzz_chunk(PG_QUERY) + fuzz_chunk(PG_ROWS, True) +
            fuzz_chunk(PG_BAD_QUERY) + fuzz_chunk(PG_ERROR, True) + fuzz_chunk(PG_TERMINATE),
            fuzz_chunk(PG_SSL) + fuzz_chunk(b"S", True) + fuzz_chunk(b"\x16\x03\x01")])
        return
    if sys.argv[1:2] == ["--fuzz-krb5"]:
        rec = lambda m: len(m).to_bytes(4, "big") + m
        write_seeds(sys.argv[2], [
            b"\x00" + fuzz_chunk(KRB_AS_REQ) + fuzz_chunk(KRB_ERROR, True),
            b"\x01" + fuzz_chunk(rec(KRB_AS_REQ)) + fuzz_chunk(rec(KRB_AS_REP), True)])
        return
    if sys.argv[1:2] == ["--fuzz-ldap"]:
        write_ldap_seeds(sys.argv[2])
        return
    if sys.argv[1:] == ["--c"]:
        for n in ("GET", "RESP", "TRAP1", "TRAP2", "V3_PLAIN", "V3_ENC", "V3_MODEL",
                  "BROKEN", "LDAP_BIND", "LDAP_BIND_OK", "LDAP_SEARCH", "LDAP_ENTRY",
                  "LDAP_DONE", "LDAP_DEL", "LDAP_DEL_FAIL", "LDAP_UNBIND", "IKE1_SA_INIT",
                  "IKE1_SA_RESP", "IKE1_KE", "IKE1_ENC", "IKE2_INIT", "IKE2_AUTH", "PG_SSL",
                  "PG_STARTUP", "PG_AUTH_CLEAR", "PG_PASSWORD", "PG_AUTH_OK", "PG_QUERY",
                  "PG_ROWS", "PG_BAD_QUERY", "PG_ERROR", "PG_TERMINATE", "KRB_AS_REQ",
                  "KRB_ERROR", "KRB_AS_REP"):
            print(c_array(n.lower(), globals()[n]))
        return
    from scapy.all import IP, UDP, Raw, wrpcap
    from scapy.layers.dns import DNS, DNSQR, DNSRR
    out = sys.argv[1]
    mgr, agent = "10.1.1.10", "10.1.1.20"
    pkts = [
        IP(src=mgr, dst=agent) / UDP(sport=40000, dport=161) / Raw(GET),
        IP(src=agent, dst=mgr) / UDP(sport=161, dport=40000) / Raw(RESP),
        IP(src=agent, dst=mgr) / UDP(sport=40001, dport=162) / Raw(TRAP1),
        IP(src=agent, dst=mgr) / UDP(sport=40002, dport=162) / Raw(TRAP2),
        IP(src=mgr, dst=agent) / UDP(sport=40003, dport=161) / Raw(V3_PLAIN),
        IP(src=mgr, dst=agent) / UDP(sport=40004, dport=161) / Raw(V3_ENC),
        IP(src=mgr, dst=agent) / UDP(sport=40005, dport=161) / Raw(BROKEN),
        # the same GetRequest on a port that is not SNMP's: not detected as SNMP
        IP(src=mgr, dst=agent) / UDP(sport=40006, dport=9161) / Raw(GET),
    ]
    for i, p in enumerate(pkts):
        p.time = 1700000000 + i
    wrpcap(f"{out}/snmp.pcap", pkts)
    ll = llmnr_pkts(IP, UDP, DNS, DNSQR, DNSRR)
    for i, p in enumerate(ll):
        p.time = 1700000100 + i
    wrpcap(f"{out}/llmnr.pcap", ll)
    wrpcap(f"{out}/ldap.pcap", ldap_pkts())
    wrpcap(f"{out}/pgsql.pcap", pgsql_pkts())
    c, k = "10.5.5.10", "10.5.5.88"
    krb = [IP(src=c, dst=k) / UDP(sport=51000, dport=88) / Raw(KRB_AS_REQ),
           IP(src=k, dst=c) / UDP(sport=88, dport=51000) / Raw(KRB_ERROR)]
    for i, p in enumerate(krb):
        p.time = 1700000500 + i
    rec = lambda m: len(m).to_bytes(4, "big") + m
    krb += tcp_session(("10.5.5.10", 51001), ("10.5.5.88", 88),
                       [(0, rec(KRB_AS_REQ)), (1, rec(KRB_AS_REP)[:30]),
                        (1, rec(KRB_AS_REP)[30:])], 1700000510)
    wrpcap(f"{out}/krb5.pcap", krb)
    a, b = "10.3.3.10", "10.3.3.20"
    ike = [IP(src=a, dst=b) / UDP(sport=500, dport=500) / Raw(IKE1_SA_INIT),
           IP(src=b, dst=a) / UDP(sport=500, dport=500) / Raw(IKE1_SA_RESP),
           IP(src=a, dst=b) / UDP(sport=500, dport=500) / Raw(IKE1_KE),
           IP(src=a, dst=b) / UDP(sport=500, dport=500) / Raw(IKE1_ENC),
           # IKEv2 over NAT-T: non-ESP marker, then the message; then an ESP packet
           IP(src=a, dst=b) / UDP(sport=4500, dport=4500) / Raw(bytes(4) + IKE2_INIT),
           IP(src=a, dst=b) / UDP(sport=4500, dport=4500) / Raw(bytes(4) + IKE2_AUTH),
           IP(src=a, dst=b) / UDP(sport=4500, dport=4500) / Raw(b"\x00\x00\x10\x01" + bytes(40))]
    for i, p in enumerate(ike):
        p.time = 1700000300 + i
    wrpcap(f"{out}/ike.pcap", ike)


def pgsql_pkts():
    """One PostgreSQL session over TCP 5432 (the messages above; the rows split across
    two segments)."""
    half = len(PG_ROWS) // 2
    return tcp_session(("10.4.4.10", 46000), ("10.4.4.20", 5432), [
        (0, PG_SSL), (1, PG_SSL_NO), (0, PG_STARTUP), (1, PG_AUTH_CLEAR), (0, PG_PASSWORD),
        (1, PG_AUTH_OK), (0, PG_QUERY), (1, PG_ROWS[:half]), (1, PG_ROWS[half:]),
        (0, PG_BAD_QUERY), (1, PG_ERROR), (0, PG_TERMINATE)], 1700000400)


def tcp_session(cli, srv, msgs, t0):
    """Handshake, each (direction, bytes) as one segment, FIN both ways."""
    from scapy.all import IP, TCP
    pkts, seqs = [], {cli: 1000, srv: 5000}

    def pkt(src, dst, flags, data=b""):
        p = IP(src=src[0], dst=dst[0]) / TCP(sport=src[1], dport=dst[1], flags=flags,
                                             seq=seqs[src], ack=seqs[dst])
        if data:
            p = p / data
        seqs[src] += len(data) + (1 if "S" in flags or "F" in flags else 0)
        pkts.append(p)

    pkt(cli, srv, "S")
    pkt(srv, cli, "SA")
    pkt(cli, srv, "A")
    for d, data in msgs:
        pkt(*((srv, cli) if d else (cli, srv)), "PA", data)
    pkt(cli, srv, "FA")
    pkt(srv, cli, "FA")
    pkt(cli, srv, "A")
    for i, p in enumerate(pkts):
        p.time = t0 + i * 0.01
    return pkts


def ldap_pkts():
    """One LDAP session over TCP 389: bind, search (one entry; the response split in
    two segments), a failed delete, unbind; then FIN."""
    from scapy.all import IP, TCP
    cli, srv = ("10.2.2.10", 45000), ("10.2.2.20", 389)
    pkts, seqs = [], {cli: 1000, srv: 5000}

    def pkt(src, dst, flags, data=b""):
        p = IP(src=src[0], dst=dst[0]) / TCP(sport=src[1], dport=dst[1], flags=flags,
                                             seq=seqs[src], ack=seqs[dst])
        if data:
            p = p / data
        seqs[src] += len(data) + (1 if "S" in flags or "F" in flags else 0)
        pkts.append(p)

    pkt(cli, srv, "S")
    pkt(srv, cli, "SA")
    pkt(cli, srv, "A")
    pkt(cli, srv, "PA", LDAP_BIND)
    pkt(srv, cli, "PA", LDAP_BIND_OK)
    pkt(cli, srv, "PA", LDAP_SEARCH)
    half = len(LDAP_ENTRY) // 2
    pkt(srv, cli, "PA", LDAP_ENTRY[:half])
    pkt(srv, cli, "PA", LDAP_ENTRY[half:] + LDAP_DONE)
    pkt(cli, srv, "PA", LDAP_DEL)
    pkt(srv, cli, "PA", LDAP_DEL_FAIL)
    pkt(cli, srv, "PA", LDAP_UNBIND)
    pkt(cli, srv, "FA")
    pkt(srv, cli, "FA")
    pkt(cli, srv, "A")
    for i, p in enumerate(pkts):
        p.time = 1700000200 + i * 0.01
    return pkts


if __name__ == "__main__":
    main()
