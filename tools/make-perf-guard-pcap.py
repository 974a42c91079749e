#!/usr/bin/env python3
"""Write the capture of the CI performance guard (tools/perf-guard.sh):

    make-perf-guard-pcap.py OUT.pcap

About 26,000 packets (7 MB) of ordinary traffic, the same bytes on every run
(a seeded random generator, fixed timestamps): 1,500 HTTP/1.1 sessions on
port 80 (request with varied URI, Host and User-Agent; a 200 answer with an
HTML body in two segments), 300 TLS-like sessions on 443 (a ClientHello
record and opaque answers), 200 sessions each of SMTP on 25 and plain text
on 8080, 3,000 DNS queries with answers, 500 ICMP echo pairs. Packets are
interleaved over the run as a sensor would see them, 1 ms apart. Needs
scapy. Not committed: the guard makes it in its build directory.
"""
import random
import sys

from scapy.all import DNS, DNSQR, DNSRR, ICMP, IP, TCP, UDP, Ether, Raw, wrpcap

OUT = sys.argv[1] if len(sys.argv) > 1 else "perf-guard.pcap"
T0 = 1733390000
MAC = dict(src="00:00:00:00:00:01", dst="00:00:00:00:00:02")
rng = random.Random(15)

WORDS = ["index", "login", "api", "static", "img", "news", "cart", "search", "update", "admin",
         "download", "js", "css", "v2", "user", "item", "page", "feed", "media", "config"]
AGENTS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0 Safari/537.36",
          "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
          "curl/8.4.0", "Wget/1.21.4", "python-requests/2.31.0",
          "Microsoft-CryptoAPI/10.0", "Java/1.8.0_381"]
TLDS = ["com", "net", "org", "io", "de", "ru", "cn", "info"]


def word():
    return rng.choice(WORDS)


def host():
    return "%s%d.%s" % (word(), rng.randrange(1000), rng.choice(TLDS))


def html(n):
    body = "<html><head><title>%s</title></head><body>" % word()
    while len(body) < n:
        body += "<p>%s %s %s</p>\n" % (word(), word(), word())
    return (body + "</body></html>").encode()


class Session:
    """One TCP connection's packets, handed out one at a time."""

    def __init__(self, cli, srv, sport, dport, exchanges):
        self.pkts = []
        c, s = 1000, 50000

        def pkt(to_srv, flags, data=b""):
            ip = IP(src=cli, dst=srv) if to_srv else IP(src=srv, dst=cli)
            tcp = (TCP(sport=sport, dport=dport, flags=flags, seq=c, ack=s) if to_srv
                   else TCP(sport=dport, dport=sport, flags=flags, seq=s, ack=c))
            p = Ether(**MAC) / ip / tcp
            return p / Raw(data) if data else p

        self.pkts.append(pkt(True, "S"))
        c += 1
        self.pkts.append(pkt(False, "SA"))
        s += 1
        self.pkts.append(pkt(True, "A"))
        for to_srv, data in exchanges:
            self.pkts.append(pkt(to_srv, "PA", data))
            if to_srv:
                c += len(data)
            else:
                s += len(data)
        self.pkts.append(pkt(True, "FA"))
        c += 1
        self.pkts.append(pkt(False, "FA"))
        s += 1
        self.pkts.append(pkt(True, "A"))


def http_session(i):
    h = host()
    uri = "/" + "/".join(word() for _ in range(rng.randrange(1, 4)))
    if rng.random() < 0.5:
        uri += "?%s=%d&%s=%s" % (word(), rng.randrange(100000), word(), word())
    req = ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n"
           "Connection: close\r\n\r\n" % (uri, h, rng.choice(AGENTS))).encode()
    body = html(rng.randrange(600, 1800))
    head = ("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\n"
            "Content-Length: %d\r\n\r\n" % len(body)).encode()
    half = len(body) // 2
    return Session("10.1.%d.%d" % (i // 200, i % 200 + 2), "192.0.2.%d" % (i % 50 + 1),
                   20000 + i, 80, [(True, req), (False, head + body[:half]),
                                   (False, body[half:])])


def tls_session(i):
    sni = host().encode()
    ext = b"\x00\x00" + (len(sni) + 5).to_bytes(2, "big") + (len(sni) + 3).to_bytes(2, "big") + \
        b"\x00" + len(sni).to_bytes(2, "big") + sni
    hello = b"\x03\x03" + rng.randbytes(32) + b"\x00" + b"\x00\x04\x13\x01\x13\x02" + b"\x01\x00" + \
        len(ext).to_bytes(2, "big") + ext
    hs = b"\x01" + len(hello).to_bytes(3, "big") + hello
    rec = b"\x16\x03\x01" + len(hs).to_bytes(2, "big") + hs
    return Session("10.2.%d.%d" % (i // 200, i % 200 + 2), "198.51.100.%d" % (i % 50 + 1),
                   30000 + i, 443, [(True, rec), (False, rng.randbytes(1200)),
                                    (True, rng.randbytes(300)), (False, rng.randbytes(900))])


def smtp_session(i):
    lines = [(False, b"220 mail.example.net ESMTP\r\n"), (True, b"EHLO %s\r\n" % host().encode()),
             (False, b"250-mail.example.net\r\n250 SIZE 1000000\r\n"),
             (True, b"MAIL FROM:<%s@%s>\r\n" % (word().encode(), host().encode())),
             (False, b"250 OK\r\n"), (True, b"QUIT\r\n"), (False, b"221 Bye\r\n")]
    return Session("10.3.%d.%d" % (i // 200, i % 200 + 2), "203.0.113.%d" % (i % 50 + 1),
                   40000 + i, 25, lines)


def text_session(i):
    data = " ".join(word() for _ in range(rng.randrange(20, 120))).encode()
    return Session("10.4.%d.%d" % (i // 200, i % 200 + 2), "203.0.113.%d" % (i % 50 + 100),
                   45000 + i, 8080, [(True, data), (False, data[::-1])])


def dns_pair(i):
    q = host()
    cli, srv, sport = "10.5.%d.%d" % (i // 200, i % 200 + 2), "192.0.2.53", 10000 + i % 50000
    qry = Ether(**MAC) / IP(src=cli, dst=srv) / UDP(sport=sport, dport=53) / \
        DNS(id=i & 0xffff, rd=1, qd=DNSQR(qname=q))
    ans = Ether(**MAC) / IP(src=srv, dst=cli) / UDP(sport=53, dport=sport) / \
        DNS(id=i & 0xffff, qr=1, rd=1, ra=1, qd=DNSQR(qname=q),
            an=DNSRR(rrname=q, ttl=300, rdata="192.0.2.%d" % (i % 250 + 1)))
    return [qry, ans]


def icmp_pair(i):
    cli, srv = "10.6.%d.%d" % (i // 200, i % 200 + 2), "192.0.2.200"
    data = rng.randbytes(56)
    return [Ether(**MAC) / IP(src=cli, dst=srv) / ICMP(type=8, id=i, seq=1) / Raw(data),
            Ether(**MAC) / IP(src=srv, dst=cli) / ICMP(type=0, id=i, seq=1) / Raw(data)]


def main():
    streams = [http_session(i).pkts for i in range(1500)]
    streams += [tls_session(i).pkts for i in range(300)]
    streams += [smtp_session(i).pkts for i in range(200)]
    streams += [text_session(i).pkts for i in range(200)]
    streams += [dns_pair(i) for i in range(3000)]
    streams += [icmp_pair(i) for i in range(500)]
    # Interleave: up to 40 streams open at once, each handing out its next packet in turn.
    order = list(range(len(streams)))
    rng.shuffle(order)
    out = []
    active = []
    pos = {}
    while order or active:
        while order and len(active) < 40:
            k = order.pop()
            active.append(k)
            pos[k] = 0
        j = rng.randrange(len(active))
        k = active[j]
        out.append(streams[k][pos[k]])
        pos[k] += 1
        if pos[k] == len(streams[k]):
            active.pop(j)
    for n, p in enumerate(out):
        p.time = T0 + n * 0.001
    wrpcap(OUT, out)
    print("%s: %d packets" % (OUT, len(out)), file=sys.stderr)


main()
