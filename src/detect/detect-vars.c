/* Address and port variables ($HOME_NET, $HTTP_PORTS): a small table filled
 * with Suricata's defaults and then from the configuration's vars section. */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "util/util-error.h"

/* Suricata's default suricata.yaml values, so that stock rules load without a
 * configuration (tests, -T with a minimal config). */
static const struct {
    const char *name;
    const char *value;
    bool is_port;
} default_vars[] = {
    { "HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]", false },
    { "EXTERNAL_NET", "!$HOME_NET", false },
    { "HTTP_SERVERS", "$HOME_NET", false },
    { "SMTP_SERVERS", "$HOME_NET", false },
    { "SQL_SERVERS", "$HOME_NET", false },
    { "DNS_SERVERS", "$HOME_NET", false },
    { "TELNET_SERVERS", "$HOME_NET", false },
    { "AIM_SERVERS", "$EXTERNAL_NET", false },
    { "DC_SERVERS", "$HOME_NET", false },
    { "DNP3_SERVER", "$HOME_NET", false },
    { "DNP3_CLIENT", "$HOME_NET", false },
    { "MODBUS_CLIENT", "$HOME_NET", false },
    { "MODBUS_SERVER", "$HOME_NET", false },
    { "ENIP_CLIENT", "$HOME_NET", false },
    { "ENIP_SERVER", "$HOME_NET", false },
    { "HTTP_PORTS", "80", true },
    { "SHELLCODE_PORTS", "!80", true },
    { "ORACLE_PORTS", "1521", true },
    { "SSH_PORTS", "22", true },
    { "DNP3_PORTS", "20000", true },
    { "MODBUS_PORTS", "502", true },
    { "FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]", true },
    { "FTP_PORTS", "21", true },
    { "GENEVE_PORTS", "6081", true },
    { "VXLAN_PORTS", "4789", true },
    { "TEREDO_PORTS", "3544", true },
};

char *detect_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static DetectVar *find(const DetectVars *vars, const char *name, bool is_port)
{
    for (size_t i = 0; i < vars->n; i++) {
        if (vars->v[i].is_port == is_port && strcmp(vars->v[i].name, name) == 0) {
            return &vars->v[i];
        }
    }
    return NULL;
}

int detect_vars_set(DetectVars *vars, const char *name, const char *value, bool is_port)
{
    if (name[0] == '$') {
        name++;
    }
    char *v = detect_strndup(value, strlen(value));
    if (v == NULL) {
        return VG_ENOMEM;
    }
    DetectVar *old = find(vars, name, is_port);
    if (old != NULL) {
        free(old->value);
        old->value = v;
        return 0;
    }
    DetectVar *nv = realloc(vars->v, (vars->n + 1) * sizeof(*nv));
    char *n = detect_strndup(name, strlen(name));
    if (nv == NULL || n == NULL) {
        if (nv != NULL) {
            vars->v = nv;
        }
        free(n);
        free(v);
        return VG_ENOMEM;
    }
    vars->v = nv;
    vars->v[vars->n++] = (DetectVar){ n, v, is_port };
    return 0;
}

int detect_vars_set_defaults(DetectVars *vars)
{
    for (size_t i = 0; i < sizeof(default_vars) / sizeof(default_vars[0]); i++) {
        int rc = detect_vars_set(vars, default_vars[i].name, default_vars[i].value,
                                 default_vars[i].is_port);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

const char *detect_vars_lookup(const void *ctx, const char *name, bool is_port)
{
    const DetectVar *v = find(ctx, name, is_port);
    return v ? v->value : NULL;
}

void detect_vars_free(DetectVars *vars)
{
    for (size_t i = 0; i < vars->n; i++) {
        free(vars->v[i].name);
        free(vars->v[i].value);
    }
    free(vars->v);
    memset(vars, 0, sizeof(*vars));
}
