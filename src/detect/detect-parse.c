/* Rule parser: header, options, and the checks that make a rule complete.
 *
 * Hand-written (no regex): a rule is
 *   action proto src sport dir dst dport (name[:value]; ...)
 * An option value ends at the first ';' not preceded by a backslash, quotes
 * or not, as Suricata does. Keyword setup functions receive the value with
 * surrounding quotes removed and \; \" \\ \: unescaped, unless the keyword asks
 * for the raw text (content, pcre). */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-asn1.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

int detect_err(DetectParser *dp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dp->err, sizeof(dp->err), fmt, ap);
    va_end(ap);
    return VG_EINVAL;
}

int detect_err_unsupported(DetectParser *dp, const char *what)
{
    snprintf(dp->err, sizeof(dp->err), "unsupported keyword '%s'", what);
    return VG_EUNSUPPORTED;
}

int detect_append(DetectParser *dp, DetectList list, const DetectKeyword *kw, void *ctx,
                  uint8_t pm_type)
{
    int li = list == DETECT_LIST_PMATCH ? dp->pm_list : (int)list;
    li = list == DETECT_LIST_PMATCH ? detect_app_relative_list(dp, li, pm_type, ctx) : li;
    DetectMatchList *l = detect_sig_list_get(dp, li);
    if (l == NULL) {
        goto fail;
    }
    if (l->n == l->cap) {
        if (l->cap >= 4096) {
            goto fail;
        }
        uint16_t cap = l->cap ? (uint16_t)(l->cap * 2) : 4;
        DetectMatch *m = realloc(l->m, cap * sizeof(*m));
        if (m == NULL) {
            goto fail;
        }
        l->m = m;
        l->cap = cap;
    }
    l->m[l->n++] = (DetectMatch){ kw, ctx, pm_type };
    if (li == DETECT_LIST_PMATCH) {
        dp->s->flags |= SIG_F_HAS_PAYLOAD;
    }
    if (detect_list_is_payload(li)) {
        dp->last_pm = l->n - 1;
        dp->last_list = (uint16_t)li;
    }
    return 0;
fail:
    if (kw->free != NULL) {
        kw->free(ctx);
    }
    return detect_err(dp, "too many keywords");
}

DetectContent *detect_last_content(DetectParser *dp)
{
    const DetectMatchList *l = detect_sig_list(dp->s, dp->last_list);
    for (int i = l != NULL ? (int)l->n - 1 : -1; i >= 0; i--) {
        if (l->m[i].pm_type == DETECT_PM_CONTENT) {
            return l->m[i].ctx;
        }
    }
    return NULL;
}

int detect_byte_var_find(const Signature *s, const char *name)
{
    for (int i = 0; i < s->n_byte_vars; i++) {
        if (strcmp(s->byte_var_names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

int detect_parse_value(DetectParser *dp, const char *text, bool allow_var, int64_t min,
                       int64_t max, DetectValue *out)
{
    while (*text == ' ') {
        text++;
    }
    const char *p = text;
    bool neg = false;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    if (*p >= '0' && *p <= '9') {
        int64_t v = 0;
        bool is_hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
        if (is_hex) {
            p += 2;
        }
        const char *digits = p;
        for (; *p != '\0' && *p != ' '; p++) {
            int d;
            if (*p >= '0' && *p <= '9') {
                d = *p - '0';
            } else if (is_hex && ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')) {
                d = (*p | 0x20) - 'a' + 10;
            } else {
                return detect_err(dp, "bad number '%s'", text);
            }
            v = v * (is_hex ? 16 : 10) + d;
            if (v > ((int64_t)1 << 40)) {
                return detect_err(dp, "number '%s' out of range", text);
            }
        }
        while (*p == ' ') {
            p++;
        }
        if (p == digits || *p != '\0') {
            return detect_err(dp, "bad number '%s'", text);
        }
        v = neg ? -v : v;
        if (v < min || v > max) {
            return detect_err(dp, "value %lld out of range [%lld, %lld]", (long long)v,
                              (long long)min, (long long)max);
        }
        *out = (DetectValue){ v, -1 };
        return 0;
    }
    int idx = allow_var && !neg ? detect_byte_var_find(dp->s, text) : -1;
    if (idx < 0) {
        return detect_err(dp, "bad value '%s' (not a number or known byte variable)", text);
    }
    *out = (DetectValue){ 0, (int8_t)idx };
    return 0;
}

/* ---- header ------------------------------------------------------------- */

static const char *const app_protos[] = {
    "http", "http1", "http2", "dns", "tls", "ssl", "smb", "ssh", "ftp", "ftp-data", "smtp",
    "imap", "pop3", "dcerpc", "nfs", "tftp", "ntp", "dhcp", "krb5", "snmp", "sip", "rfb",
    "mqtt", "modbus", "dnp3", "enip", "ike", "ikev2", "rdp", "telnet", "quic", "pgsql",
    "websocket", "ldap", "bittorrent-dht", "template", "irc", "doh2", "mdns", "pop",
};

static void proto_set(Signature *s, unsigned p)
{
    s->protos[p / 8] |= (uint8_t)(1u << (p % 8));
}

static int parse_proto(DetectParser *dp, const char *name)
{
    Signature *s = dp->s;
    if (strcmp(name, "ip") == 0 || strcmp(name, "pkthdr") == 0) {
        memset(s->protos, 0xff, sizeof(s->protos));
        if (name[0] == 'p') {
            s->flags |= SIG_F_PKTHDR;
        }
    } else if (strcmp(name, "ipv4") == 0 || strcmp(name, "ip4") == 0) {
        memset(s->protos, 0xff, sizeof(s->protos));
        s->flags |= SIG_F_IPV4_ONLY;
    } else if (strcmp(name, "ipv6") == 0 || strcmp(name, "ip6") == 0) {
        memset(s->protos, 0xff, sizeof(s->protos));
        s->flags |= SIG_F_IPV6_ONLY;
    } else if (strcmp(name, "arp") == 0) {
        s->flags |= SIG_F_ARP;  // no IP protocol: only the non-IP group holds it
    } else if (strcmp(name, "sctp") == 0) {
        proto_set(s, 132);
    } else if (strcmp(name, "tcp") == 0 || strcmp(name, "tcp-pkt") == 0 ||
               strcmp(name, "tcp-stream") == 0) {
        proto_set(s, 6);
        s->flags |= strcmp(name, "tcp-pkt") == 0 ? SIG_F_PROTO_TCP_PKT : 0;
        s->flags |= strcmp(name, "tcp-stream") == 0 ? SIG_F_PROTO_TCP_STREAM : 0;
    } else if (strcmp(name, "udp") == 0) {
        proto_set(s, 17);
    } else if (strcmp(name, "icmp") == 0) {
        proto_set(s, 1);
        proto_set(s, 58);
    } else if (strcmp(name, "icmpv4") == 0) {
        proto_set(s, 1);
    } else if (strcmp(name, "icmpv6") == 0) {
        proto_set(s, 58);
    } else {
        int rc = detect_app_header_proto(dp, name);
        if (rc != VG_ENOENT) {
            return rc;
        }
        for (size_t i = 0; i < sizeof(app_protos) / sizeof(app_protos[0]); i++) {
            if (strcmp(name, app_protos[i]) == 0) {
                snprintf(dp->err, sizeof(dp->err), "unsupported protocol '%.64s'", name);
                return VG_EUNSUPPORTED;
            }
        }
        return detect_err(dp, "unknown protocol '%.64s'", name);
    }
    return 0;
}

static int parse_action(DetectParser *dp, const char *a)
{
    static const struct {
        const char *name;
        uint8_t action;
    } actions[] = {
        { "alert", DETECT_ACTION_ALERT },      { "drop", DETECT_ACTION_DROP },
        { "pass", DETECT_ACTION_PASS },        { "reject", DETECT_ACTION_REJECT },
        { "rejectsrc", DETECT_ACTION_REJECT }, { "rejectdst", DETECT_ACTION_REJECT_DST },
        { "rejectboth", DETECT_ACTION_REJECT_BOTH },
    };
    /* Suricata 8 action scopes: drop:packet, drop:flow, pass:packet, pass:flow */
    const char *colon = strchr(a, ':');
    size_t alen = colon != NULL ? (size_t)(colon - a) : strlen(a);
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        if (strlen(actions[i].name) != alen || strncmp(a, actions[i].name, alen) != 0) {
            continue;
        }
        dp->s->action = actions[i].action;
        if (colon == NULL) {
            return 0;
        }
        bool scoped = actions[i].action == DETECT_ACTION_DROP ||
                      actions[i].action == DETECT_ACTION_PASS;
        if (scoped && strcmp(colon + 1, "packet") == 0) {
            dp->s->scope = DETECT_SCOPE_PACKET;
        } else if (scoped && strcmp(colon + 1, "flow") == 0) {
            dp->s->scope = DETECT_SCOPE_FLOW;
        } else {
            return detect_err(dp, "bad action scope '%s'", a);
        }
        return 0;
    }
    if (strncmp(a, "accept", 6) == 0) {
        return detect_err(dp, "action 'accept' is for firewall rules only");
    }
    return detect_err(dp, "unknown action '%s'", a);
}

/* Next header token: whitespace separated, but brackets keep spaces inside. */
static int next_token(const char **pp, char *out, size_t outlen)
{
    const char *p = *pp;
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    size_t n = 0;
    int nest = 0;
    while (*p != '\0' && (nest > 0 || (*p != ' ' && *p != '\t' && *p != '('))) {
        nest += *p == '[' ? 1 : (*p == ']' ? -1 : 0);
        if (n + 1 >= outlen || nest < 0) {
            return VG_EINVAL;
        }
        out[n++] = *p++;
    }
    out[n] = '\0';
    *pp = p;
    return n > 0 && nest == 0 ? 0 : VG_EINVAL;
}

static int parse_header_tokens(DetectParser *dp, char **tok)
{
    Signature *s = dp->s;
    int rc;
    if (dp->is_firewall) {
        char proto[64];
        rc = detect_fw_parse_action(dp, tok[0]);
        if (rc == 0) {
            rc = detect_fw_parse_proto(dp, tok[1], proto, sizeof(proto));
        }
        if (rc == 0) {
            rc = parse_proto(dp, proto);
        }
    } else {
        rc = parse_action(dp, tok[0]);
        if (rc == 0) {
            rc = parse_proto(dp, tok[1]);
        }
    }
    if (rc != 0) {
        return rc;
    }
    if (strcmp(tok[4], "<>") == 0) {
        s->flags |= SIG_F_BIDIR;
    } else if (strcmp(tok[4], "=>") == 0) {
        s->flags |= SIG_F_TXBOTHDIR;  // Suricata 8 transactional rule: checked in detect-app.c
    } else if (strcmp(tok[4], "->") != 0) {
        return detect_err(dp, "bad direction '%.32s'", tok[4]);
    }
    const DetectVars *v = &dp->de->vars;
    DetectAddrMemo **memo = &dp->de->addr_memo;
    if (detect_addr_parse_memo(memo, &s->src, tok[2], detect_vars_lookup, v, dp->err,
                               sizeof(dp->err)) ||
        detect_addr_parse_memo(memo, &s->dst, tok[5], detect_vars_lookup, v, dp->err,
                               sizeof(dp->err)) ||
        detect_port_parse(&s->sp, tok[3], detect_vars_lookup, v, dp->err, sizeof(dp->err)) ||
        detect_port_parse(&s->dp, tok[6], detect_vars_lookup, v, dp->err, sizeof(dp->err))) {
        return VG_EINVAL;
    }
    return 0;
}

static int parse_header(DetectParser *dp, const char **pp)
{
    static const char *const what[] = { "action", "protocol", "source address", "source port",
                                        "direction", "destination address",
                                        "destination port" };
    size_t cap = strlen(*pp) + 1;
    char *buf = malloc(cap * 7);
    if (buf == NULL) {
        return detect_err(dp, "out of memory");
    }
    char *tok[7];
    int rc = 0;
    for (int i = 0; i < 7 && rc == 0; i++) {
        tok[i] = buf + cap * (size_t)i;
        if (next_token(pp, tok[i], cap) != 0) {
            rc = detect_err(dp, "bad or missing %s in rule header", what[i]);
        }
    }
    if (rc == 0) {
        rc = parse_header_tokens(dp, tok);
    }
    free(buf);
    return rc;
}

/* ---- options ------------------------------------------------------------ */

/* Copies value, dropping surrounding quotes and unescaping \; \" \\ \:. */
static void unquote(const char *v, size_t len, char *out)
{
    if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
        v++;
        len -= 2;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] == '\\' && i + 1 < len && strchr(";\"\\:", v[i + 1]) != NULL) {
            i++;
        }
        out[n++] = v[i];
    }
    out[n] = '\0';
}

/* rest: what follows the first unescaped '"' of a quoted value. As Suricata
 * reads a value up to its ';', a '"' inside it (a pcre with a literal quote)
 * is kept when the value still ends with the closing '"' and no following
 * option ("name:" at the start or after a space) sits in between: that is a
 * missing ';'. */
static bool quote_is_inner(const char *rest, size_t rlen)
{
    if (rlen == 0 || rest[rlen - 1] != '"') {
        return false;
    }
    for (size_t j = 0; j < rlen; j++) {
        bool is_start = j == 0 && rest[0] != ' ' && rest[0] != '\t';
        if (!is_start && rest[j] != ' ' && rest[j] != '\t') {
            continue;
        }
        size_t k = is_start ? 0 : j + 1;
        size_t word = k;
        while (k < rlen && (isalnum((unsigned char)rest[k]) || rest[k] == '_' ||
                            rest[k] == '.' || rest[k] == '-')) {
            k++;
        }
        while (k < rlen && (rest[k] == ' ' || rest[k] == '\t')) {
            k++;
        }
        if (k > word && k < rlen && (rest[k] == ':' || rest[k] == ';')) {
            return false;
        }
    }
    return true;
}

/* A value that opens a quote (after an optional '!') must close it, and
 * only the option's ';' may follow the closing quote: text after it is most
 * likely a following option whose ';' separator is missing. */
static int check_quoted(DetectParser *dp, const char *name, const char *v, size_t len)
{
    size_t i = 0;
    if (i < len && v[i] == '!') {
        i++;
    }
    while (i < len && (v[i] == ' ' || v[i] == '\t')) {
        i++;
    }
    if (i >= len || v[i] != '"') {
        return 0;
    }
    for (i++; i < len && v[i] != '"'; i++) {
        i += v[i] == '\\' ? 1 : 0;
    }
    if (i >= len) {
        return detect_err(dp, "%s: quoted value not closed", name);
    }
    if (i + 1 < len) {
        const char *rest = v + i + 1;
        size_t rlen = len - i - 1;
        detect_trim_span(&rest, &rlen);
        if (quote_is_inner(rest, rlen)) {
            return 0;
        }
        return detect_err(dp, "%s: unexpected text '%.*s' after the quoted value (missing ';'?)",
                          name, (int)(rlen < 64 ? rlen : 64), rest);
    }
    return 0;
}

static int run_option(DetectParser *dp, const char *name, const char *val, size_t vlen,
                      bool has_val, char *scratch)
{
    const DetectKeyword *kw = detect_keyword_find(name);
    if (kw == NULL && detect_app_is_buffer_name(name)) {
        if (!has_val) {
            return detect_app_select_buffer(dp, name);
        }
        /* a sticky buffer takes one value, its direction: file.data: to_client */
        memcpy(scratch, val, vlen);
        scratch[vlen] = '\0';
        return detect_app_select_buffer_dir(dp, name, scratch);
    }
    if (kw == NULL) {
        return detect_err_unsupported(dp, name);
    }
    if (has_val && (kw->flags & DETECT_KW_NOOPT)) {
        return detect_err(dp, "keyword '%s' takes no value", name);
    }
    if (!has_val && !(kw->flags & (DETECT_KW_NOOPT | DETECT_KW_OPTIONAL))) {
        return detect_err(dp, "keyword '%s' needs a value", name);
    }
    if (!has_val) {
        return kw->plugin != NULL ? detect_plugin_setup(dp, kw, NULL) : kw->setup(dp, NULL);
    }
    if (check_quoted(dp, name, val, vlen) != 0) {
        return VG_EINVAL;
    }
    if (kw->flags & DETECT_KW_RAW_VALUE) {
        memcpy(scratch, val, vlen);
        scratch[vlen] = '\0';
    } else {
        unquote(val, vlen, scratch);
    }
    return kw->plugin != NULL ? detect_plugin_setup(dp, kw, scratch) : kw->setup(dp, scratch);
}

void detect_trim_span(const char **s, size_t *len)
{
    while (*len > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' ||
                        (*s)[*len - 1] == '\r')) {
        (*len)--;
    }
}

/* opts points after '(' and holds everything up to the final ')'. */
static int parse_options(DetectParser *dp, const char *opts, size_t len)
{
    char *scratch = malloc(len + 1);
    if (scratch == NULL) {
        return detect_err(dp, "out of memory");
    }
    int rc = 0;
    size_t i = 0;
    while (rc == 0 && i < len) {
        size_t start = i;
        while (i < len && !(opts[i] == ';' && (i == 0 || opts[i - 1] != '\\' ||
                                               (i >= 2 && opts[i - 2] == '\\')))) {
            i++;
        }
        if (i >= len) {
            const char *rest = opts + start;
            size_t rlen = len - start;
            detect_trim_span(&rest, &rlen);
            if (rlen > 0) {
                rc = detect_err(dp, "option '%.*s' not terminated by ';'", (int)rlen, rest);
            }
            break;
        }
        const char *opt = opts + start;
        size_t olen = i - start;
        i++;
        detect_trim_span(&opt, &olen);
        if (olen == 0) {
            continue;
        }
        const char *colon = memchr(opt, ':', olen);
        size_t nlen = colon ? (size_t)(colon - opt) : olen;
        const char *name = opt;
        detect_trim_span(&name, &nlen);
        char kwname[64];
        if (nlen == 0 || nlen >= sizeof(kwname)) {
            rc = detect_err(dp, "bad option name '%.*s'", (int)(nlen < 60 ? nlen : 60), name);
            break;
        }
        memcpy(kwname, name, nlen);
        kwname[nlen] = '\0';
        const char *val = colon ? colon + 1 : opt + olen;
        size_t vlen = colon ? olen - (size_t)(colon - opt) - 1 : 0;
        detect_trim_span(&val, &vlen);
        rc = run_option(dp, kwname, val, vlen, colon != NULL, scratch);
    }
    free(scratch);
    return rc;
}

/* ---- completion --------------------------------------------------------- */

static bool pm_is_relative(const DetectMatch *m)
{
    switch (m->pm_type) {
    case DETECT_PM_CONTENT:
        return (((const DetectContent *)m->ctx)->flags & DETECT_CONTENT_RELATIVE) != 0;
    case DETECT_PM_PCRE:
        return (((const DetectPcre *)m->ctx)->flags & DETECT_PM_F_RELATIVE) != 0;
    case DETECT_PM_ISDATAAT:
        return (((const DetectIsdataat *)m->ctx)->flags & DETECT_PM_F_RELATIVE) != 0;
    case DETECT_PM_ASN1:
        return (((const DetectAsn1 *)m->ctx)->flags & DETECT_PM_F_RELATIVE) != 0;
    case DETECT_PM_BASE64:
        return (((const DetectBase64 *)m->ctx)->flags & DETECT_PM_F_RELATIVE) != 0;
    case DETECT_PM_BSIZE:
    case DETECT_PM_DATASET:
    case DETECT_PM_PLUGIN:
        return false;
    default:
        return (((const DetectByte *)m->ctx)->flags & DETECT_BYTE_F_RELATIVE) != 0;
    }
}

static void mark_relative_next(DetectMatch *m)
{
    switch (m->pm_type) {
    case DETECT_PM_CONTENT:
        ((DetectContent *)m->ctx)->flags |= DETECT_CONTENT_RELATIVE_NEXT;
        break;
    case DETECT_PM_PCRE:
        ((DetectPcre *)m->ctx)->flags |= DETECT_PM_F_RELATIVE_NEXT;
        break;
    case DETECT_PM_ISDATAAT:
        ((DetectIsdataat *)m->ctx)->flags |= DETECT_PM_F_RELATIVE_NEXT;
        break;
    case DETECT_PM_ASN1:
        ((DetectAsn1 *)m->ctx)->flags |= DETECT_PM_F_RELATIVE_NEXT;
        break;
    case DETECT_PM_BASE64:
        ((DetectBase64 *)m->ctx)->flags |= DETECT_PM_F_RELATIVE_NEXT;
        break;
    case DETECT_PM_BSIZE:
    case DETECT_PM_DATASET:
    case DETECT_PM_PLUGIN:
        break;
    default:
        ((DetectByte *)m->ctx)->flags |= DETECT_BYTE_F_RELATIVE_NEXT;
        break;
    }
}

/* Suricata's default choice: an explicit fast_pattern, else the longest
 * positive content (the first of equal length). */
static void pick_fast_pattern(Signature *s)
{
    const DetectMatchList *l = &s->lists[DETECT_LIST_PMATCH];
    const DetectContent *best = NULL;
    for (uint16_t i = 0; i < l->n; i++) {
        if (l->m[i].pm_type != DETECT_PM_CONTENT) {
            continue;
        }
        const DetectContent *c = l->m[i].ctx;
        if (c->flags & DETECT_CONTENT_FAST_PATTERN) {
            s->fp = c;
            return;
        }
        if (!(c->flags & DETECT_CONTENT_NEGATED) && (best == NULL || c->len > best->len)) {
            best = c;
        }
    }
    s->fp = best;
}

/* A rule that looks only at addresses and ports and sets flowbits decides for
 * a whole flow, as an IP-only rule does in Suricata: its drop or pass applies
 * to the flow (detect_on_match). A flow keyword (direction or state) makes it a
 * packet rule: `pass tcp ... (flow:not_established;)` passes the handshake's
 * packets, not the flow. */
static bool sig_is_like_iponly(const Signature *s, bool any_payload)
{
    if (any_payload || s->alproto != 0 || s->app != NULL ||
        (s->flags & (SIG_F_PKTHDR | SIG_F_ARP | SIG_F_TOSERVER | SIG_F_TOCLIENT))) {
        return false;
    }
    if (s->lists[DETECT_LIST_MATCH].n > 0) {
        return false;
    }
    const DetectMatchList *post = &s->lists[DETECT_LIST_POST];
    for (uint16_t i = 0; i < post->n; i++) {
        if (strcmp(post->m[i].kw->name, "flowbits") != 0) {
            return false;
        }
    }
    return true;
}

static int finish_rule(DetectParser *dp)
{
    Signature *s = dp->s;
    if (s->sid == 0) {
        return detect_err(dp, "rule has no sid");
    }
    if (s->gid == 0) {
        s->gid = 1;
    }
    if (!(s->flags & SIG_F_PRIORITY_SET)) {
        s->priority = s->cls ? s->cls->priority : 3;
    }
    bool any_payload = false;
    for (int li = 0; li < DETECT_LIST_MAX; li++) {
        DetectMatchList *l = &s->lists[li];
        if (!detect_list_is_payload(li)) {
            continue;
        }
        any_payload = any_payload || l->n > 0;
        for (uint16_t i = 1; i < l->n; i++) {
            if (pm_is_relative(&l->m[i])) {
                mark_relative_next(&l->m[i - 1]);
            }
        }
    }
    pick_fast_pattern(s);
    if (s->sp.is_any && s->dp.is_any && s->lists[DETECT_LIST_MATCH].n == 0 && !any_payload &&
        !(s->flags & (SIG_F_PKTHDR | SIG_F_ARP)) && s->alproto == 0 && s->app == NULL) {
        s->flags |= SIG_F_IPONLY;
    }
    if (sig_is_like_iponly(s, any_payload)) {
        s->flags |= SIG_F_LIKE_IPONLY;
    }
    int rc = detect_app_finish(dp);
    if (rc == 0 && dp->is_firewall) {
        rc = detect_fw_finish(dp);
    }
    return rc;
}

const char *detect_sig_text(const Signature *s)
{
    return s != NULL ? s->text : NULL;
}

uint16_t detect_sig_references(const Signature *s, const char *const **refs)
{
    if (s == NULL || s->n_refs == 0) {
        *refs = NULL;
        return 0;
    }
    *refs = (const char *const *)s->refs;
    return s->n_refs;
}

void detect_sig_free(Signature *s)
{
    if (s == NULL) {
        return;
    }
    free(s->text);
    for (uint16_t i = 0; i < s->n_refs; i++) {
        free(s->refs[i]);
    }
    free(s->refs);
    for (int li = 0; li < DETECT_LIST_MAX; li++) {
        DetectMatchList *l = &s->lists[li];
        for (uint16_t i = 0; i < l->n; i++) {
            if (l->m[i].kw->free != NULL) {
                l->m[i].kw->free(l->m[i].ctx);
            }
        }
        free(l->m);
    }
    for (uint16_t i = 0; i < s->n_meta; i++) {
        free((char *)s->meta[i].key);
        free((char *)s->meta[i].value);
    }
    for (int i = 0; i < s->n_byte_vars; i++) {
        free(s->byte_var_names[i]);
    }
    detect_app_sig_free(s);
    free(s->fw);
    free(s->meta);
    free(s->msg);
    free(s->threshold);
    detect_addr_free(&s->src);
    detect_addr_free(&s->dst);
    detect_port_free(&s->sp);
    detect_port_free(&s->dp);
    free(s);
}

/* Finds "sid:N" early so a rule failing before its sid option still names
 * its sid in the warning; 0 when absent or not a 32-bit number. */
uint32_t detect_parse_scan_sid(const char *rule)
{
    const char *p = rule;
    while ((p = strstr(p, "sid")) != NULL) {
        const char *q = p + 3;
        bool at_start = p > rule && (p[-1] == ';' || p[-1] == ' ' || p[-1] == '(');
        p = q;
        while (*q == ' ') {
            q++;
        }
        if (!at_start || *q != ':') {
            continue;
        }
        q++;
        while (*q == ' ') {
            q++;
        }
        uint64_t v = 0;
        while (*q >= '0' && *q <= '9' && v <= UINT32_MAX) {
            v = v * 10 + (uint64_t)(*q++ - '0');
        }
        return v <= UINT32_MAX ? (uint32_t)v : 0;
    }
    return 0;
}

int detect_parse_rule(DetectEngine *de, const char *rule, const char *file, int line,
                      Signature **out, char *err, size_t errlen)
{
    /* requires first: a rule for another engine may hold anything after it */
    int req = detect_requires_check(rule, err, errlen);
    if (req <= 0) {
        *out = NULL;
        return req < 0 ? VG_EINVAL : 0;
    }
    DetectParser *dp = calloc(1, sizeof(*dp));
    Signature *s = calloc(1, sizeof(*s));
    int rc = VG_ENOMEM;
    if (dp == NULL || s == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    *dp = (DetectParser){ .de = de, .s = s, .last_pm = -1, .pm_list = DETECT_LIST_PMATCH,
                          .last_list = DETECT_LIST_PMATCH, .is_firewall = detect_fw_loading(de) };
    s->file = (char *)file;
    s->line = line;
    const char *p = rule;
    rc = parse_header(dp, &p);
    if (rc == 0) {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        const char *end = strrchr(p, ')');
        const char *tail = end ? end + 1 : NULL;
        while (tail && (*tail == ' ' || *tail == '\t' || *tail == '\r')) {
            tail++;
        }
        if (*p != '(' || end == NULL || *tail != '\0') {
            rc = detect_err(dp, "rule options must be enclosed in '(' ')'");
        } else {
            rc = parse_options(dp, p + 1, (size_t)(end - p - 1));
        }
    }
    if (rc == 0) {
        rc = finish_rule(dp);
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s", dp->err);
        goto fail;
    }
    free(dp);
    *out = s;
    return 0;
fail:
    *out = NULL;
    detect_sig_free(s);
    free(dp);
    return rc;
}
