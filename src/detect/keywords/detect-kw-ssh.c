/* SSH keywords that are not plain sticky buffers (ssh.proto, ssh.software, ssh.hassh,
 * ssh.hassh.string, ssh.hassh.server, ssh.hassh.server.string come from the app-layer
 * buffer registry):
 *
 * ssh_proto, ssh_software     legacy names of the ssh.proto / ssh.software buffers.
 * ssh.protoversion:V          the protocol version of either side starts with V;
 *                             "2_compat" matches 2.0 and 1.99 (servers speaking both).
 * ssh.softwareversion:V       the software version of either side starts with V.
 *
 * Hassh buffers are refused with "hassh support is not enabled" when the config says
 * app-layer.protocols.ssh.hassh: no (otherwise they are always computed); such a refusal
 * fails start-up (and a reload), as in Suricata 9. */

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "app-layer/ssh/app-layer-ssh.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

enum { SSH_FIELD_PROTO = 0, SSH_FIELD_SOFTWARE };

typedef struct DetectSshVer {
    uint8_t field;
    bool compat2;                // "2_compat"
    uint32_t len;
    char val[256];
} DetectSshVer;

static bool prefix_eq(const uint8_t *s, uint32_t slen, const char *v, uint32_t vlen)
{
    return slen >= vlen && memcmp(s, v, vlen) == 0;
}

static bool match_side(const DetectSshVer *d, const SshSide *s)
{
    if (s == NULL || !s->has_banner) {
        return false;
    }
    if (d->field == SSH_FIELD_SOFTWARE) {
        return prefix_eq(s->software, s->software_len, d->val, d->len);
    }
    if (d->compat2) {
        return (s->proto_len == 3 && memcmp(s->proto, "2.0", 3) == 0) ||
               (s->proto_len == 4 && memcmp(s->proto, "1.99", 4) == 0);
    }
    return prefix_eq(s->proto, s->proto_len, d->val, d->len);
}

static bool match_ssh_ver(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                          const void *ctx)
{
    (void)dt;
    if (app_layer_tx_proto(f, tx) != APP_PROTO_SSH) {
        return false;
    }
    return match_side(ctx, ssh_tx_side(tx, dir));
}

static const DetectKeyword kw_ssh_ver_tx = {
    .name = "ssh-version", .desc = "SSH protocol/software version of the transaction",
    .tx_match = match_ssh_ver, .free = free,
};

static int claim_ssh(DetectParser *dp, const char *kw)
{
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_SSH) {
        return detect_err(dp, "%s needs protocol ssh", kw);
    }
    dp->s->alproto = APP_PROTO_SSH;
    return 0;
}

static int setup_ver(DetectParser *dp, const char *arg, uint8_t field, const char *kw)
{
    while (arg != NULL && *arg == ' ') {
        arg++;
    }
    size_t n = arg != NULL ? strlen(arg) : 0;
    while (n > 0 && arg[n - 1] == ' ') {
        n--;
    }
    if (n >= 2 && arg[0] == '"' && arg[n - 1] == '"') {
        arg++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof(((DetectSshVer *)0)->val)) {
        return detect_err(dp, "bad %s value (expected a version string)", kw);
    }
    DetectSshVer *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->field = field;
    memcpy(d->val, arg, n);
    d->len = (uint32_t)n;
    d->compat2 = field == SSH_FIELD_PROTO && strcmp(d->val, "2_compat") == 0;
    if (claim_ssh(dp, kw) != 0) {
        free(d);
        return VG_EINVAL;
    }
    return detect_app_append(dp, false, &kw_ssh_ver_tx, d);
}

static int setup_protoversion(DetectParser *dp, const char *arg)
{
    return setup_ver(dp, arg, SSH_FIELD_PROTO, "ssh.protoversion");
}

static int setup_softwareversion(DetectParser *dp, const char *arg)
{
    return setup_ver(dp, arg, SSH_FIELD_SOFTWARE, "ssh.softwareversion");
}

static int setup_proto_legacy(DetectParser *dp, const char *arg)
{
    (void)arg;
    return detect_app_select_buffer(dp, "ssh.proto");
}

static int setup_software_legacy(DetectParser *dp, const char *arg)
{
    (void)arg;
    return detect_app_select_buffer(dp, "ssh.software");
}

static int setup_hassh(DetectParser *dp, const char *name)
{
    if (!ssh_hassh_allowed()) {
        dp->de->n_conflicts++;  // the rules and the configuration disagree: start-up fails
        return detect_err(dp, "%s: hassh support is not enabled "
                              "(app-layer.protocols.ssh.hassh: no)", name);
    }
    return detect_app_select_buffer(dp, name);
}

static int setup_hassh_c(DetectParser *dp, const char *arg)
{
    (void)arg;
    return setup_hassh(dp, "ssh.hassh");
}

static int setup_hassh_cs(DetectParser *dp, const char *arg)
{
    (void)arg;
    return setup_hassh(dp, "ssh.hassh.string");
}

static int setup_hassh_s(DetectParser *dp, const char *arg)
{
    (void)arg;
    return setup_hassh(dp, "ssh.hassh.server");
}

static int setup_hassh_ss(DetectParser *dp, const char *arg)
{
    (void)arg;
    return setup_hassh(dp, "ssh.hassh.server.string");
}

const DetectKeyword detect_kw_ssh_protoversion = {
    .name = "ssh.protoversion", .desc = "SSH protocol version starts with (or 2_compat)",
    .flags = DETECT_KW_RAW_VALUE, .setup = setup_protoversion, .free = free,
};
const DetectKeyword detect_kw_ssh_softwareversion = {
    .name = "ssh.softwareversion", .desc = "SSH software version starts with",
    .flags = DETECT_KW_RAW_VALUE, .setup = setup_softwareversion, .free = free,
};
const DetectKeyword detect_kw_ssh_proto_legacy = {
    .name = "ssh_proto", .desc = "sticky buffer: SSH protocol version (ssh.proto)",
    .flags = DETECT_KW_NOOPT, .setup = setup_proto_legacy,
};
const DetectKeyword detect_kw_ssh_software_legacy = {
    .name = "ssh_software", .desc = "sticky buffer: SSH software version (ssh.software)",
    .flags = DETECT_KW_NOOPT, .setup = setup_software_legacy,
};
const DetectKeyword detect_kw_ssh_hassh = {
    .name = "ssh.hassh", .desc = "sticky buffer: HASSH of the client",
    .flags = DETECT_KW_NOOPT, .setup = setup_hassh_c,
};
const DetectKeyword detect_kw_ssh_hassh_string = {
    .name = "ssh.hassh.string", .desc = "sticky buffer: HASSH string of the client",
    .flags = DETECT_KW_NOOPT, .setup = setup_hassh_cs,
};
const DetectKeyword detect_kw_ssh_hassh_server = {
    .name = "ssh.hassh.server", .desc = "sticky buffer: HASSH of the server",
    .flags = DETECT_KW_NOOPT, .setup = setup_hassh_s,
};
const DetectKeyword detect_kw_ssh_hassh_server_string = {
    .name = "ssh.hassh.server.string", .desc = "sticky buffer: HASSH string of the server",
    .flags = DETECT_KW_NOOPT, .setup = setup_hassh_ss,
};
