/* The EVE objects of an SMTP tx, as Suricata writes them:
 *
 * "smtp": {"helo", "mail_from", "rcpt_to": [...]}
 * "email": {"status", "from", "to": [...], "cc": [...], "attachment": [...], "url": [...]}
 *          plus, with outputs.eve-log.types.smtp extended: yes (all) or custom: [names]
 *          (those named): "subject", "date", "message_id", "x_mailer", "reply_to",
 *          "user_agent", "organization", "received": [...]; with md5: [body, subject]
 *          "body_md5" (when mime.body-md5 computed it) and "subject_md5".
 *
 * URLs are written most recent first, as Suricata lists them. The field selection is
 * set once at start-up (smtp_log_set_fields) and only read afterwards. */
#include "app-layer/smtp/app-layer-smtp.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *conf;            // name in custom: [...]
    const char *key;             // EVE key
    int field;                   // MIME_F_* or -1 for received
} g_extra[] = {
    {"subject", "subject", MIME_F_SUBJECT},
    {"date", "date", MIME_F_DATE},
    {"message-id", "message_id", MIME_F_MESSAGE_ID},
    {"x-mailer", "x_mailer", MIME_F_X_MAILER},
    {"reply-to", "reply_to", MIME_F_REPLY_TO},
    {"user-agent", "user_agent", MIME_F_USER_AGENT},
    {"organization", "organization", MIME_F_ORGANIZATION},
    {"received", "received", -1},
};
#define N_EXTRA (sizeof(g_extra) / sizeof(g_extra[0]))

static bool g_extra_on[N_EXTRA];   // start-up only
static bool g_md5_body;            // start-up only
static bool g_md5_subject;

void smtp_log_set_md5(bool body, bool subject)
{
    g_md5_body = body;
    g_md5_subject = subject;
}

static void subject_md5(JsonBuf *jb, const SmtpStr *s)
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    if (s->p == NULL || EVP_Digest(s->p, s->len, d, &n, EVP_md5(), NULL) != 1) {
        return;
    }
    for (unsigned int i = 0; i < n; i++) {
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    }
    json_str(jb, "subject_md5", hex);
}

void smtp_log_set_fields(bool extended, const char *const *custom, uint32_t n_custom)
{
    for (uint32_t i = 0; i < N_EXTRA; i++) {
        g_extra_on[i] = extended;
        for (uint32_t c = 0; c < n_custom; c++) {
            if (custom[c] != NULL && strcmp(custom[c], g_extra[i].conf) == 0) {
                g_extra_on[i] = true;
            }
        }
    }
}

static void str(JsonBuf *jb, const char *key, const SmtpStr *s)
{
    if (s->p != NULL) {
        json_strn(jb, key, s->p, s->len);
    }
}

static void list(JsonBuf *jb, const char *key, const SmtpList *l, bool reversed)
{
    if (l->n == 0) {
        return;
    }
    json_open_array(jb, key);
    for (uint32_t i = 0; i < l->n; i++) {
        const SmtpStr *s = &l->v[reversed ? l->n - 1 - i : i];
        json_strn(jb, NULL, s->p != NULL ? s->p : (const uint8_t *)"", s->len);
    }
    json_close_array(jb);
}

static void log_email(JsonBuf *jb, const SmtpMime *m)
{
    json_open_object(jb, "email");
    json_str(jb, "status", smtp_mime_status_name(m));
    str(jb, "from", &m->field[MIME_F_FROM]);
    list(jb, "to", &m->list[MIME_L_TO], false);
    list(jb, "cc", &m->list[MIME_L_CC], false);
    for (uint32_t i = 0; i < N_EXTRA; i++) {
        if (!g_extra_on[i]) {
            continue;
        }
        if (g_extra[i].field >= 0) {
            str(jb, g_extra[i].key, &m->field[g_extra[i].field]);
        } else {
            list(jb, g_extra[i].key, &m->list[MIME_L_RECEIVED], false);
        }
    }
    list(jb, "attachment", &m->list[MIME_L_ATTACHMENT], false);
    list(jb, "url", &m->list[MIME_L_URL], true);
    if (g_md5_body && m->has_body_md5) {
        json_str(jb, "body_md5", m->body_md5);
    }
    if (g_md5_subject) {
        subject_md5(jb, &m->field[MIME_F_SUBJECT]);
    }
    json_close_object(jb);
}

void smtp_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const SmtpTx *t = smtp_tx(tx);
    if (t == NULL) {
        return;
    }
    json_open_object(jb, "smtp");
    str(jb, "helo", &t->helo);
    str(jb, "mail_from", &t->mail_from);
    list(jb, "rcpt_to", &t->rcpt_to, false);
    json_close_object(jb);
    if (t->has_mime) {
        log_email(jb, &t->mime);
    }
}
