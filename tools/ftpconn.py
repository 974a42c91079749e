"""One TCP connection of the FTP capture generators (make-ftp-determinism-pcap.py,
make-ftp-reuse-pcap.py): packets of either side with the sequence numbers kept,
the handshake and the closing."""
from scapy.all import IP, TCP, Raw


class Conn:
    """Client cli:sport to server srv:dport."""

    def __init__(self, cli, sport, dport, srv="10.9.0.1", seq_c=1000, seq_s=9000):
        self.cli, self.sport, self.dport, self.srv = cli, sport, dport, srv
        self.seq = {"c": seq_c, "s": seq_s}   # the SYN's and the SYN/ACK's numbers

    def pkt(self, frm, data=b"", flags="PA"):
        if frm == "c":
            p = IP(src=self.cli, dst=self.srv) / TCP(sport=self.sport, dport=self.dport,
                                                      flags=flags, seq=self.seq["c"],
                                                      ack=self.seq["s"])
        else:
            p = IP(src=self.srv, dst=self.cli) / TCP(sport=self.dport, dport=self.sport,
                                                      flags=flags, seq=self.seq["s"],
                                                      ack=self.seq["c"])
        if data:
            p = p / Raw(data)
        self.seq[frm] += len(data) + (1 if ("S" in flags or "F" in flags) else 0)
        return p

    def open(self):
        c = self.pkt("c", flags="S")
        c[TCP].ack = 0
        s = self.pkt("s", flags="SA")
        return [c, s, self.pkt("c", flags="A")]

    def close(self):
        return [self.pkt("c", flags="FA"), self.pkt("s", flags="FA"), self.pkt("c", flags="A")]
