#!/usr/bin/env python3
"""Print the ET Open rules that use core keywords only (issue 16's set).

Usage: et-core-rules.py ET_OPEN_DIR > core.rules

The set Suricata's alerts in ../shared/data/parity/ were made with: every
enabled rule of ET_OPEN_DIR/*.rules (files in name order) whose header
protocol is not an application-layer one (tcp, udp, icmp, ip, ...) and that
uses no application-layer keyword (a sticky buffer such as http.uri or
tls.cert_subject, a legacy http_* modifier, file_data, ftpbounce, tls*/ssl_*/
dns* keywords). On the 2024-04-19 copy this gives 3,577 rules; a count on
stderr says how many were kept.
"""
import glob
import os
import re
import sys

CORE_PROTOS = {"tcp", "udp", "icmp", "icmpv6", "ip", "ipv4", "ipv6", "pkthdr", "tcp-pkt",
               "tcp-stream", "sctp"}
# Splits the option list at the ';' that are not escaped.
OPT_SPLIT = re.compile(r"(?<!\\);")


def keywords(rule):
    opts = rule[rule.index("(") + 1:rule.rindex(")")]
    return {o.split(":", 1)[0].strip() for o in OPT_SPLIT.split(opts) if o.strip()}


def is_app_keyword(k):
    return (k in ("file_data", "ftpbounce") or "." in k or
            k.startswith(("http_", "tls", "ssl_", "dns")))


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        sys.stderr.write("usage: et-core-rules.py ET_OPEN_DIR > core.rules\n")
        return 2
    kept = 0
    for path in sorted(glob.glob(os.path.join(argv[1], "*.rules"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                rule = line.strip()
                if not rule or rule.startswith("#"):
                    continue
                fields = rule.split(None, 2)
                if len(fields) < 3 or "(" not in rule or ")" not in rule:
                    sys.stderr.write("%s:%d: not a rule, skipped\n" % (path, n))
                    continue
                if fields[1].lower() not in CORE_PROTOS:
                    continue
                if any(is_app_keyword(k) for k in keywords(rule)):
                    continue
                sys.stdout.write(rule + "\n")
                kept += 1
    sys.stderr.write("%d rules with core keywords only\n" % kept)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
