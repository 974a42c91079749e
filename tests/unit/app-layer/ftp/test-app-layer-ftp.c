/* FTP and ftp-data through the app-layer framework: commands and replies (multi-line,
 * preliminary), PORT/EPRT/PASV/EPSV parsing and the expectation that turns the data
 * connection into ftp-data with the transfer's file, too-long lines, byte splits,
 * garbage, and the EVE objects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/ftp/app-layer-ftp.h"
#include "conf/conf.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "runtime/runtime-order.h"
#include "util/util-json.h"

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static void addr4(VgAddr *a, uint8_t a0, uint8_t a1, uint8_t a2, uint8_t a3)
{
    memset(a, 0, sizeof(*a));
    a->family = 4;
    a->a.u8[0] = a0;
    a->a.u8[1] = a1;
    a->a.u8[2] = a2;
    a->a.u8[3] = a3;
}

static void flow_init(Fx *fx, uint16_t sp, uint16_t dp)
{
    fx->f.key.proto = 6;
    addr4(&fx->f.key.src, 10, 0, 0, 1);
    addr4(&fx->f.key.dst, 10, 0, 0, 2);
    fx->f.key.sp = sp;
    fx->f.key.dp = dp;
    fx->af = app_flow_get_or_new(&fx->f);
    assert_non_null(fx->af);
}

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_FTP, true);
    app_layer_set_proto_inspected(APP_PROTO_FTP_DATA, true);
    Fx *fx = calloc(2, sizeof(*fx));
    flow_init(&fx[0], 40000, 21);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx[0].af);
    app_flow_free(fx[1].af);
    free(fx);
    ftp_expect_deinit();
    app_layer_set_proto_inspected(APP_PROTO_FTP, false);
    app_layer_set_proto_inspected(APP_PROTO_FTP_DATA, false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const char *s)
{
    app_test_feed(fx->af, dir, s, (uint32_t)strlen(s));
}

static const FtpTx *tx_at(Fx *fx, uint32_t i)
{
    return ftp_tx(app_layer_tx_at(&fx->f, i));
}

static bool bytes_is(const uint8_t *p, uint32_t n, const char *v)
{
    return p != NULL && n == strlen(v) && memcmp(p, v, n) == 0;
}

static void hostport_forms(void **state)
{
    (void)state;
    VgAddr a;
    uint16_t port;
    bool has;
    assert_true(ftp_parse_hostport((const uint8_t *)"10,0,0,9,4,1", 12, &a, &port));
    assert_int_equal(port, 1025);
    assert_int_equal(a.a.u8[3], 9);
    assert_true(ftp_parse_hostport((const uint8_t *)"Entering (1,2,3,4,0,21).", 24, &a, &port));
    assert_int_equal(port, 21);
    assert_false(ftp_parse_hostport((const uint8_t *)"1,2,3,4,0", 9, &a, &port));
    assert_false(ftp_parse_hostport((const uint8_t *)"1,2,3,256,0,1", 13, &a, &port));
    assert_false(ftp_parse_hostport((const uint8_t *)"", 0, &a, &port));
    assert_true(ftp_parse_ext((const uint8_t *)"|1|10.1.2.3|5000|", 17, &a, &has, &port));
    assert_true(has);
    assert_int_equal(port, 5000);
    assert_true(ftp_parse_ext((const uint8_t *)"(|||58612|)", 11, &a, &has, &port));
    assert_false(has);
    assert_int_equal(port, 58612);
    assert_false(ftp_parse_ext((const uint8_t *)"(|||99999|)", 11, &a, &has, &port));
    assert_false(ftp_parse_ext((const uint8_t *)"|||", 3, &a, &has, &port));
}

/* RFC 2428 2: EPRT with net-prt 2 names an IPv6 address. */
static void eprt_ipv6_address(void **state)
{
    (void)state;
    VgAddr a;
    uint16_t port;
    bool has;
    const char *s = "|2|fd00:10:16:1::3|40467|";
    assert_true(ftp_parse_ext((const uint8_t *)s, (uint32_t)strlen(s), &a, &has, &port));
    assert_true(has);
    assert_int_equal(a.family, 6);
    assert_int_equal(port, 40467);
    assert_int_equal(a.a.u8[0], 0xfd);
    assert_int_equal(a.a.u8[15], 3);
    s = "|2|fd00::zz|40467|";      // not an address: the port alone
    assert_true(ftp_parse_ext((const uint8_t *)s, (uint32_t)strlen(s), &a, &has, &port));
    assert_false(has);
}

/* RFC 4217: a 234 to AUTH TLS hands the control connection to TLS; a refused
 * AUTH (534) keeps FTP. */
static void auth_tls_hands_over_to_tls(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOCLIENT, "220 ready\r\n");
    feed(fx, APP_DIR_TOSERVER, "AUTH TLS\r\n");
    feed(fx, APP_DIR_TOCLIENT, "534 not now\r\n");
    assert_int_equal(fx->f.app_proto, APP_PROTO_FTP);
    feed(fx, APP_DIR_TOSERVER, "AUTH TLS\r\n");
    feed(fx, APP_DIR_TOCLIENT, "234 go ahead\r\n");
    static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0x2d, 0x01, 0x00, 0x00, 0x29,
                                    0x03, 0x03};
    uint8_t ch[50] = {0};
    memcpy(ch, hello, sizeof(hello));
    app_test_feed(fx->af, APP_DIR_TOSERVER, ch, sizeof(ch));
    assert_int_equal(app_layer_flow_proto_orig(&fx->f), APP_PROTO_FTP);
    assert_int_equal(fx->f.app_proto, APP_PROTO_TLS);
}

static void commands_and_replies(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOCLIENT, "220-Welcome\r\n220 ready\r\n");
    feed(fx, APP_DIR_TOSERVER, "USER anonymous\r\n");
    feed(fx, APP_DIR_TOCLIENT, "331 password\r\n");
    feed(fx, APP_DIR_TOSERVER, "PASV\r\n");
    feed(fx, APP_DIR_TOCLIENT, "227 Entering Passive Mode (10,0,0,2,19,137).\r\n");
    feed(fx, APP_DIR_TOSERVER, "RETR f.txt\r\n");
    feed(fx, APP_DIR_TOCLIENT, "150 here\r\n");
    const FtpTx *r = tx_at(fx, 3);
    assert_true(bytes_is(r->cmd, r->cmd_len, "RETR"));
    assert_false(app_layer_tx_complete(&fx->f, &r->tx, 1));   // 1xx is preliminary
    feed(fx, APP_DIR_TOCLIENT, "226 done\r\n");
    assert_true(app_layer_tx_complete(&fx->f, &r->tx, 1));
    assert_int_equal(r->n_replies, 2);
    const FtpTx *g = tx_at(fx, 0);
    assert_false(g->has_command);
    assert_int_equal(g->n_replies, 2);
    const FtpTx *p = tx_at(fx, 2);
    assert_int_equal(p->mode, FTP_MODE_PASSIVE);
    assert_true(p->has_port);
    assert_int_equal(p->port, 19 * 256 + 137);
    assert_true(bytes_is(tx_at(fx, 1)->arg, tx_at(fx, 1)->arg_len, "anonymous"));
}

static void data_connection_becomes_ftp_data(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "USER a\r\nPASV\r\n");
    feed(fx, APP_DIR_TOCLIENT, "331 p\r\n227 Entering Passive Mode (10,0,0,2,19,137)\r\n");
    feed(fx, APP_DIR_TOSERVER, "STOR up.txt\r\n");
    flow_init(&fx[1], 40001, 19 * 256 + 137);
    feed(&fx[1], APP_DIR_TOSERVER, "root:x:0:0\n");
    assert_int_equal(fx[1].f.app_proto, APP_PROTO_FTP_DATA);
    app_flow_eof(fx[1].af, APP_DIR_TOSERVER);
    const FtpDataTx *t = ftp_data_tx(app_layer_tx_at(&fx[1].f, 0));
    assert_non_null(t);
    assert_int_equal(t->command, FTPDATA_CMD_STOR);
    const AppFile *file = app_layer_tx_file_at(&fx[1].f, &t->tx, APP_DIR_TOSERVER, 0);
    assert_non_null(file);
    assert_int_equal(file->state, APP_FILE_CLOSED);
    assert_int_equal(file->size, 11);
    assert_true(bytes_is(file->name, file->name_len, "up.txt"));
    /* the expectation is used once */
    assert_int_equal(app_expect_proto(&fx[1].f), APP_PROTO_UNKNOWN);
}

/* A flow is looked up once, at its first data: an announcement made while its
 * detection is still undecided does not turn it into ftp-data later (each lookup
 * waits for the packet order; Suricata too looks once). */
static void looked_up_once_at_the_first_data(void **state)
{
    Fx *fx = *state;
    flow_init(&fx[1], 40001, 19 * 256 + 137);
    feed(&fx[1], APP_DIR_TOSERVER, "G");   // an HTTP method's start: undecided
    assert_int_equal(fx[1].af->det[APP_DIR_TOSERVER], APP_DET_UNKNOWN);
    feed(fx, APP_DIR_TOSERVER, "USER a\r\nPASV\r\n");
    feed(fx, APP_DIR_TOCLIENT, "331 p\r\n227 Entering Passive Mode (10,0,0,2,19,137)\r\n");
    feed(&fx[1], APP_DIR_TOSERVER, "xyz\n");
    assert_int_not_equal(fx[1].f.app_proto, APP_PROTO_FTP_DATA);
    feed(&fx[1], APP_DIR_TOCLIENT, "abc\n");   // nor the other side's first data
    assert_int_not_equal(fx[1].f.app_proto, APP_PROTO_FTP_DATA);
    /* the announcement is still there for the connection it was made for */
    assert_int_equal(app_expect_proto(&fx[1].f), APP_PROTO_FTP_DATA);
}

/* A control connection's end removes its own unused announcement only: a later
 * session's entry for the same hosts and port stays. */
static void end_removes_only_its_own_announcement(void **state)
{
    Fx *fx = *state;
    uint64_t first = ftp_expect_add(NULL, &fx->f, 5000);
    uint64_t second = ftp_expect_add(NULL, &fx->f, 5000);   // replaces the first
    assert_true(first != 0 && second != 0 && first != second);
    ftp_expect_remove(first);
    flow_init(&fx[1], 40001, 5000);
    FtpExpect e;
    assert_true(ftp_expect_take(NULL, &fx[1].f, &e));
    free(e.name);
    assert_false(ftp_expect_take(NULL, &fx[1].f, &e));   // taken once
    uint64_t third = ftp_expect_add(NULL, &fx->f, 5001);
    ftp_expect_set_command(NULL, third, FTPDATA_CMD_RETR, (const uint8_t *)"x", 1);
    ftp_expect_remove(third);
    fx[1].f.key.dp = 5001;
    assert_false(ftp_expect_take(NULL, &fx[1].f, &e));
}

/* As Suricata's expectations: an announcement is for a connection between the control
 * connection's two hosts, either way round, to the announced port, whatever address it
 * named (a server behind NAT names its private one); a third host's connection to that
 * port is not ftp-data. */
static void announcement_is_bound_to_the_control_hosts(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "USER a\r\nPASV\r\n");
    feed(fx, APP_DIR_TOCLIENT, "331 p\r\n227 Entering Passive Mode (192,168,7,9,19,137)\r\n");
    flow_init(&fx[1], 40001, 19 * 256 + 137);
    addr4(&fx[1].f.key.src, 10, 0, 0, 3);   // a third host
    assert_int_equal(app_expect_proto(&fx[1].f), APP_PROTO_UNKNOWN);
    fx[1].f.key.src = fx->f.key.dst;        // the server to the client (active mode's way)
    fx[1].f.key.dst = fx->f.key.src;
    assert_int_equal(app_expect_proto(&fx[1].f), APP_PROTO_FTP_DATA);
    fx[1].f.key.dp = 19 * 256 + 138;        // another port
    assert_int_equal(app_expect_proto(&fx[1].f), APP_PROTO_UNKNOWN);
}

/* A pair holds at most 10 announcements, the oldest going first; another pair's stay. */
static void a_pair_keeps_its_ten_newest(void **state)
{
    Fx *fx = *state;
    Flow other = fx->f;
    addr4(&other.key.src, 10, 0, 0, 9);
    assert_true(ftp_expect_add(NULL, &other, 6000) != 0);
    for (uint16_t port = 6000; port < 6011; port++) {
        assert_true(ftp_expect_add(NULL, &fx->f, port) != 0);
    }
    flow_init(&fx[1], 40001, 6000);
    assert_int_equal(app_expect_proto(&fx[1].f), APP_PROTO_UNKNOWN);   // the oldest went
    for (uint16_t port = 6001; port < 6011; port++) {
        fx[1].f.key.dp = port;
        assert_int_equal(app_expect_proto(&fx[1].f), APP_PROTO_FTP_DATA);
    }
    other.key.sp = 40001;
    other.key.dp = 6000;
    assert_int_equal(app_expect_proto(&other), APP_PROTO_FTP_DATA);
}

/* The file names the table keeps are bounded in all (1024 names of the longest line):
 * past that a transfer's name is not kept, and one handed to a data connection makes
 * room again. */
static void names_kept_are_bounded(void **state)
{
    Fx *fx = *state;
    static uint8_t name[FTP_LINE_MAX];
    memset(name, 'n', sizeof(name));
    Flow ctl = fx->f;
    uint64_t ids[1026];
    for (uint32_t i = 0; i < 1026; i++) {
        addr4(&ctl.key.src, 10, 1, (uint8_t)(i >> 8), (uint8_t)i);   // a pair each
        ids[i] = ftp_expect_add(NULL, &ctl, 7000);
        assert_true(ids[i] != 0);
        if (i < 1025) {
            ftp_expect_set_command(NULL, ids[i], FTPDATA_CMD_RETR, name, sizeof(name));
        }
    }
    Flow data = ctl;
    data.key.sp = 40001;
    data.key.dp = 7000;
    FtpExpect e;
    addr4(&data.key.src, 10, 1, 4, 0);                                 // the 1025th
    assert_true(ftp_expect_take(NULL, &data, &e));
    assert_int_equal(e.command, FTPDATA_CMD_RETR);
    assert_int_equal(e.name_len, 0);
    assert_null(e.name);
    addr4(&data.key.src, 10, 1, 0, 0);                                 // the first
    assert_true(ftp_expect_take(NULL, &data, &e));
    assert_int_equal(e.name_len, FTP_LINE_MAX);
    free(e.name);
    ftp_expect_set_command(NULL, ids[1025], FTPDATA_CMD_STOR, name, sizeof(name));
    addr4(&data.key.src, 10, 1, 4, 1);                                 // room again
    assert_true(ftp_expect_take(NULL, &data, &e));
    assert_int_equal(e.name_len, FTP_LINE_MAX);
    free(e.name);
}

/* Data parsed only at a flow's end announces nothing and is not looked up. */
static void flow_end_data_announces_nothing(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "USER a\r\nPASV\r\n");
    app_flow_end(fx->af);
    feed(fx, APP_DIR_TOCLIENT, "331 p\r\n227 Entering Passive Mode (10,0,0,2,19,137)\r\n");
    flow_init(&fx[1], 40001, 19 * 256 + 137);
    assert_int_equal(app_expect_proto(&fx[1].f), APP_PROTO_UNKNOWN);
    assert_int_equal(ftp_expect_add(fx->af, &fx->f, 5002), 0);
    fx[1].f.key.dp = 5002;
    assert_false(ftp_expect_take(NULL, &fx[1].f, NULL));
}

/* A flow whose first data is parsed only in its flow end (its app flow is new at
 * the flush) is not looked up either: that runs under the flow-end lock, and a
 * packet-order wait there waited for a thread that waited for the lock (workers,
 * no rules: the run hung). Here the packet order is on and an earlier packet is
 * never released, so a wait would never end (the alarm fails the test). */
static void flow_end_flush_never_waits_for_the_order(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "USER a\r\nPASV\r\n");
    feed(fx, APP_DIR_TOCLIENT, "331 p\r\n227 Entering Passive Mode (10,0,0,2,19,137)\r\n");
    flow_init(&fx[1], 40001, 19 * 256 + 137);
    fx[1].f.flags |= FLOW_F_ENDING;
    runtime_order_enable(true);
    (void)runtime_order_next_seq();               // 1: never released
    runtime_order_begin(runtime_order_next_seq()); // 2: would wait for 1
    alarm(10);
    assert_int_equal(app_expect_proto(&fx[1].f), APP_PROTO_UNKNOWN);
    feed(&fx[1], APP_DIR_TOSERVER, "root:x:0:0\n");
    assert_int_not_equal(fx[1].f.app_proto, APP_PROTO_FTP_DATA);
    alarm(0);
    runtime_order_begin(0);
    runtime_order_enable(false);
}

/* With the FTP parser off (app-layer.protocols.ftp.enabled: no) nothing is ever
 * announced: a new flow's first data does not wait for the packet order at all (a
 * wait here would never end: the alarm fails the test). */
static void ftp_off_lookup_never_waits(void **state)
{
    (void)state;
    Conf *c = conf_new();
    assert_non_null(c);
    assert_int_equal(conf_load_string(c, "app-layer:\n  protocols:\n    ftp:\n"
                                         "      enabled: no\n", "t.yaml"), 0);
    app_layer_deinit();
    assert_int_equal(app_layer_init(c), 0);
    assert_false(app_layer_proto_enabled(APP_PROTO_FTP));
    Flow f;
    memset(&f, 0, sizeof(f));
    f.key.proto = 6;
    runtime_order_enable(true);
    (void)runtime_order_next_seq();               // 1: never released
    runtime_order_begin(runtime_order_next_seq()); // 2
    alarm(10);
    assert_int_equal(app_expect_proto(&f), APP_PROTO_UNKNOWN);
    alarm(0);
    runtime_order_begin(0);
    runtime_order_enable(false);
    app_layer_deinit();
    assert_int_equal(app_layer_init(NULL), 0);
    conf_free(c);
}

/* APPE keeps its name; NLST (a listing) gives a tx with its command and no file. */
static void data_commands_beyond_stor_and_retr(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "USER a\r\nPASV\r\n");
    feed(fx, APP_DIR_TOCLIENT, "331 p\r\n227 Entering Passive Mode (10,0,0,2,19,137)\r\n");
    feed(fx, APP_DIR_TOSERVER, "NLST\r\n");
    flow_init(&fx[1], 40001, 19 * 256 + 137);
    feed(&fx[1], APP_DIR_TOCLIENT, "a.txt\r\nb.txt\r\n");
    assert_int_equal(fx[1].f.app_proto, APP_PROTO_FTP_DATA);
    const FtpDataTx *t = ftp_data_tx(app_layer_tx_at(&fx[1].f, 0));
    assert_non_null(t);
    assert_int_equal(t->command, FTPDATA_CMD_NLST);
    assert_string_equal(ftp_data_cmd_name(t->command), "NLST");
    assert_null(app_layer_tx_file_at(&fx[1].f, &t->tx, APP_DIR_TOCLIENT, 0));
    assert_string_equal(ftp_data_cmd_name(FTPDATA_CMD_APPE), "APPE");
    assert_null(ftp_data_cmd_name(FTPDATA_CMD_NONE));
    assert_null(ftp_data_cmd_name(FTPDATA_CMD_COUNT));
}

static void port_command_and_bounce_address(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "PORT 192,168,1,1,4,0\r\n");
    const FtpTx *t = tx_at(fx, 0);
    assert_int_equal(t->mode, FTP_MODE_ACTIVE);
    assert_int_equal(t->port, 1024);
    assert_true(t->has_addr);
    assert_int_equal(t->addr.a.u8[0], 192);
}

static void too_long_lines_are_truncated(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "USER a\r\n");
    feed(fx, APP_DIR_TOCLIENT, "331 p\r\n");
    feed(fx, APP_DIR_TOSERVER, "RETR ");
    char chunk[1025];
    memset(chunk, 'x', 1024);
    chunk[1024] = '\0';
    for (int i = 0; i < 100; i++) {
        feed(fx, APP_DIR_TOSERVER, chunk);
    }
    feed(fx, APP_DIR_TOSERVER, "\r\n");
    feed(fx, APP_DIR_TOCLIENT, "550 ");
    for (int i = 0; i < 100; i++) {
        feed(fx, APP_DIR_TOCLIENT, chunk);
    }
    feed(fx, APP_DIR_TOCLIENT, "\r\n");
    const FtpTx *t = tx_at(fx, 1);
    assert_non_null(t);
    assert_true(t->cmd_truncated);
    assert_int_equal(t->arg_len, FTP_LINE_MAX - 5);
    assert_true(t->reply_truncated);
    assert_true(app_layer_tx_complete(&fx->f, &t->tx, 1));
}

static void byte_by_byte_and_garbage(void **state)
{
    Fx *fx = *state;
    const char *s = "USER me\r\n\r\n\x01\x02 junk\nPASS x\r\n";
    for (size_t i = 0; s[i] != '\0'; i++) {
        app_flow_data(fx->af, APP_DIR_TOSERVER, (const uint8_t *)s + i, 1);
    }
    app_flow_packet_publish(fx->af);
    assert_int_equal(app_layer_tx_count(&fx->f), 3);
    assert_true(bytes_is(tx_at(fx, 2)->cmd, tx_at(fx, 2)->cmd_len, "PASS"));
    feed(fx, APP_DIR_TOCLIENT, "no code here\r\n");
    assert_int_equal(tx_at(fx, 0)->n_replies, 1);
}

static void eve_object(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "USER a\r\nEPSV\r\n");
    feed(fx, APP_DIR_TOCLIENT, "331 p\r\n229 Entering Extended Passive Mode (|||58612|)\r\n");
    JsonBuf jb;
    app_test_tx_json(&fx->f, 1, &jb, 1024);
    assert_string_equal(jb.buf,
                        "{\"ftp\":{\"command\":\"EPSV\",\"reply\":[\"Entering Extended Passive "
                        "Mode (|||58612|)\"],\"completion_code\":[\"229\"],\"dynamic_port\":58612,"
                        "\"mode\":\"passive\",\"reply_received\":\"yes\",\"command_truncated\":false,"
                        "\"reply_truncated\":false}}");
    json_buf_deinit(&jb);
}

/* max-tx counts from the oldest tx not finished: answered txs still waiting for
 * detect and output do not count; the refused command's event goes on that tx. */
static void max_tx_counts_unfinished_txs(void **state)
{
    (void)state;
    Conf *c = conf_new();
    assert_int_equal(conf_load_string(c, "app-layer:\n  protocols:\n    ftp:\n      max-tx: 1\n",
                                      "t.yaml"), 0);
    app_layer_deinit();
    flow_storage_reset();
    assert_int_equal(app_layer_init(c), 0);
    conf_free(c);
    Fx fx = {0};
    flow_init(&fx, 40100, 21);
    feed(&fx, APP_DIR_TOCLIENT, "220 hi\r\n");
    feed(&fx, APP_DIR_TOSERVER, "USER u\r\n");
    feed(&fx, APP_DIR_TOCLIENT, "331 pw\r\n");
    feed(&fx, APP_DIR_TOSERVER, "PWD\r\nPWD\r\n");
    assert_int_equal(app_layer_tx_count(&fx.f), 3);   // txs are kept: rules, no detect
    assert_true(bytes_is(tx_at(&fx, 1)->cmd, tx_at(&fx, 1)->cmd_len, "USER"));
    assert_true(bytes_is(tx_at(&fx, 2)->cmd, tx_at(&fx, 2)->cmd_len, "PWD"));
    assert_true(app_test_tx_has_event(app_layer_tx_at(&fx.f, 2), "ftp.too_many_transactions"));
    assert_false(app_test_tx_has_event(app_layer_tx_at(&fx.f, 1), "ftp.too_many_transactions"));
    app_flow_free(fx.af);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hostport_forms),
        cmocka_unit_test(eprt_ipv6_address),
        cmocka_unit_test_setup_teardown(data_commands_beyond_stor_and_retr, setup, teardown),
        cmocka_unit_test_setup_teardown(commands_and_replies, setup, teardown),
        cmocka_unit_test_setup_teardown(auth_tls_hands_over_to_tls, setup, teardown),
        cmocka_unit_test_setup_teardown(data_connection_becomes_ftp_data, setup, teardown),
        cmocka_unit_test_setup_teardown(port_command_and_bounce_address, setup, teardown),
        cmocka_unit_test_setup_teardown(too_long_lines_are_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(byte_by_byte_and_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(eve_object, setup, teardown),
        cmocka_unit_test_setup_teardown(max_tx_counts_unfinished_txs, setup, teardown),
        cmocka_unit_test_setup_teardown(looked_up_once_at_the_first_data, setup, teardown),
        cmocka_unit_test_setup_teardown(end_removes_only_its_own_announcement, setup, teardown),
        cmocka_unit_test_setup_teardown(announcement_is_bound_to_the_control_hosts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_pair_keeps_its_ten_newest, setup, teardown),
        cmocka_unit_test_setup_teardown(names_kept_are_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(flow_end_data_announces_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(flow_end_flush_never_waits_for_the_order, setup,
                                        teardown),
        cmocka_unit_test(ftp_off_lookup_never_waits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
