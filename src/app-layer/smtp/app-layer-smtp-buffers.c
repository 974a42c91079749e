/* The buffers SMTP rules inspect, all toserver:
 *
 * smtp.helo, smtp.mail_from       final once the message data starts (or the tx ends)
 * smtp.rcpt_to                    one instance per RCPT TO, final then too
 * email.from, email.subject, email.date, email.message_id, email.x_mailer
 *                                 the message header values, final once its header
 *                                 block ended
 * email.to, email.cc, email.received
 *                                 one instance per address / Received header
 * email.url                       one instance per URL of the text parts, final at the
 *                                 end of the message
 * email.body_md5                  the MD5 of the message body (lower-case hex), at the
 *                                 end of the message, when mime.body-md5 computes it
 * file.data                       one instance per attachment (its decoded data, at
 *                                 most APP_FILE_WINDOW_MAX bytes), at the end of the
 *                                 message
 *
 * Getters hand out pointers into the tx, valid while it lives. */
#include "app-layer/smtp/app-layer-smtp.h"

static bool str_out(const SmtpStr *s, const uint8_t **d, uint32_t *l)
{
    if (s->p == NULL) {
        return false;
    }
    *d = s->p;
    *l = s->len;
    return true;
}

static bool list_out(const SmtpList *li, uint32_t idx, const uint8_t **d, uint32_t *l)
{
    if (idx >= li->n) {
        return false;
    }
    return str_out(&li->v[idx], d, l);
}

static bool get_helo(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    const SmtpTx *t = smtp_tx(tx);
    return t != NULL && str_out(&t->helo, d, l);
}

static bool get_mail_from(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    const SmtpTx *t = smtp_tx(tx);
    return t != NULL && str_out(&t->mail_from, d, l);
}

static bool multi_rcpt(const Flow *f, const AppTx *tx, uint32_t i, const uint8_t **d,
                       uint32_t *l)
{
    (void)f;
    const SmtpTx *t = smtp_tx(tx);
    return t != NULL && list_out(&t->rcpt_to, i, d, l);
}

static bool get_rcpt(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    return multi_rcpt(f, tx, 0, d, l);
}

#define FIELD_GETTER(fn, idx)                                                               \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)          \
    {                                                                                       \
        (void)f;                                                                            \
        const SmtpTx *t = smtp_tx(tx);                                                      \
        return t != NULL && t->has_mime && str_out(&t->mime.field[idx], d, l);              \
    }

FIELD_GETTER(get_from, MIME_F_FROM)
FIELD_GETTER(get_subject, MIME_F_SUBJECT)
FIELD_GETTER(get_date, MIME_F_DATE)
FIELD_GETTER(get_message_id, MIME_F_MESSAGE_ID)
FIELD_GETTER(get_x_mailer, MIME_F_X_MAILER)

#define LIST_GETTERS(multi_fn, fn, li)                                                      \
    static bool multi_fn(const Flow *f, const AppTx *tx, uint32_t i, const uint8_t **d,     \
                         uint32_t *l)                                                       \
    {                                                                                       \
        (void)f;                                                                            \
        const SmtpTx *t = smtp_tx(tx);                                                      \
        return t != NULL && t->has_mime && list_out(&t->mime.list[li], i, d, l);            \
    }                                                                                       \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)          \
    {                                                                                       \
        return multi_fn(f, tx, 0, d, l);                                                    \
    }

LIST_GETTERS(multi_to, get_to, MIME_L_TO)
LIST_GETTERS(multi_cc, get_cc, MIME_L_CC)
LIST_GETTERS(multi_received, get_received, MIME_L_RECEIVED)
LIST_GETTERS(multi_url, get_url, MIME_L_URL)

static bool get_body_md5(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    const SmtpTx *t = smtp_tx(tx);
    if (t == NULL || !t->has_mime || !t->mime.has_body_md5) {
        return false;
    }
    *d = (const uint8_t *)t->mime.body_md5;
    *l = 32;
    return true;
}

static bool multi_file(const Flow *f, const AppTx *tx, uint32_t i, const uint8_t **d,
                       uint32_t *l)
{
    (void)f;
    const SmtpTx *t = smtp_tx(tx);
    if (t == NULL || i >= t->n_files || t->files[i]->f.data == NULL) {
        return false;
    }
    *d = t->files[i]->f.data;
    *l = t->files[i]->f.data_len;
    return true;
}

static bool get_file(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    return multi_file(f, tx, 0, d, l);
}

#define ROW(n, prog, fn) {.name = n, .proto = APP_PROTO_SMTP, .dir = APP_DIR_TOSERVER, \
                          .progress = prog, .get = fn}
#define MROW(n, prog, fn, mfn) {.name = n, .proto = APP_PROTO_SMTP, .dir = APP_DIR_TOSERVER, \
                                .progress = prog, .get = fn, .get_multi = mfn}

const AppBufferDef smtp_buffers[] = {
    ROW("smtp.helo", SMTP_PROG_DATA, get_helo),
    ROW("smtp.mail_from", SMTP_PROG_DATA, get_mail_from),
    MROW("smtp.rcpt_to", SMTP_PROG_DATA, get_rcpt, multi_rcpt),
    ROW("email.from", SMTP_PROG_HEADERS, get_from),
    ROW("email.subject", SMTP_PROG_HEADERS, get_subject),
    ROW("email.date", SMTP_PROG_HEADERS, get_date),
    ROW("email.message_id", SMTP_PROG_HEADERS, get_message_id),
    ROW("email.x_mailer", SMTP_PROG_HEADERS, get_x_mailer),
    MROW("email.to", SMTP_PROG_HEADERS, get_to, multi_to),
    MROW("email.cc", SMTP_PROG_HEADERS, get_cc, multi_cc),
    MROW("email.received", SMTP_PROG_HEADERS, get_received, multi_received),
    MROW("email.url", SMTP_PROG_DONE, get_url, multi_url),
    ROW("email.body_md5", SMTP_PROG_DONE, get_body_md5),
    MROW("file.data", SMTP_PROG_DONE, get_file, multi_file),
};
