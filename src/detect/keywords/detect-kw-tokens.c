/* Keyword arguments split on commas ("4, relative, little"). */
#include <string.h>

#include "detect/keywords/detect-kw.h"

static char *trim(char *p)
{
    while (*p == ' ') {
        p++;
    }
    size_t l = strlen(p);
    while (l > 0 && p[l - 1] == ' ') {
        p[--l] = '\0';
    }
    return p;
}

int detect_kw_split(DetectParser *dp, const char *arg, DetectKwTokens *tk, int max_tokens,
                    bool allow_empty)
{
    size_t len = strlen(arg);
    if (len >= sizeof(tk->buf)) {
        return detect_err(dp, "option too long");
    }
    if (max_tokens > DETECT_KW_MAX_TOKENS) {
        max_tokens = DETECT_KW_MAX_TOKENS;
    }
    memcpy(tk->buf, arg, len + 1);
    tk->n = 0;
    for (char *p = tk->buf; p != NULL;) {
        char *comma = strchr(p, ',');
        if (comma != NULL) {
            *comma = '\0';
        }
        if (tk->n == max_tokens) {
            return detect_err(dp, "too many options in '%s'", arg);
        }
        char *t = trim(p);
        if (*t == '\0' && !allow_empty) {
            return detect_err(dp, "empty option in '%s'", arg);
        }
        tk->t[tk->n++] = t;
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}
