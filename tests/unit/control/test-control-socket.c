#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "control/control-internal.h"
#include "control/control.h"
#include "util/util-error.h"

static void request_end_frames_one_value(void **state)
{
    (void)state;
    const char *two = " {\"a\": \"}{\\\"\"} {\"b\":1}";
    size_t end = control_request_end(two, strlen(two));
    assert_int_equal(end, strlen(" {\"a\": \"}{\\\"\"}"));
    assert_int_equal(control_request_end(two + end, strlen(two + end)), strlen(" {\"b\":1}"));
    assert_int_equal(control_request_end("{\"a\": [1, {", 11), 0);   // incomplete
    assert_int_equal(control_request_end("  \n", 3), 0);              // nothing yet
    assert_int_equal(control_request_end("\"{\"", 1), 1);             // garbage: all of it
    assert_int_equal(control_request_end("GET / HTTP/1.0", 14), 14);
}

static void socket_path_is_off_unless_asked(void **state)
{
    (void)state;
    Conf *c = conf_new();
    char buf[128];
    const char *path = "x";
    assert_int_equal(control_socket_path(c, false, NULL, "/tmp/l", buf, sizeof(buf), &path), 0);
    assert_null(path);
    assert_int_equal(control_socket_path(c, true, NULL, "/tmp/l", buf, sizeof(buf), &path), 0);
    assert_string_equal(path, "/tmp/l/vigil-command.socket");
    assert_int_equal(control_socket_path(c, true, "/run/v.sock", "/tmp/l", buf, sizeof(buf),
                                         &path), 0);
    assert_string_equal(path, "/run/v.sock");
    assert_int_equal(conf_set(c, "unix-command.enabled", "auto"), 0);
    assert_int_equal(control_socket_path(c, false, NULL, "/tmp/l", buf, sizeof(buf), &path), 0);
    assert_null(path);
    assert_int_equal(conf_set(c, "unix-command.enabled", "maybe"), 0);
    assert_int_equal(control_socket_path(c, false, NULL, "/tmp/l", buf, sizeof(buf), &path),
                     VG_EINVAL);
    assert_int_equal(conf_set(c, "unix-command.enabled", "no"), 0);
    char longp[200];
    memset(longp, 'a', sizeof(longp) - 1);
    longp[0] = '/';
    longp[sizeof(longp) - 1] = '\0';
    assert_int_equal(control_socket_path(c, true, longp, "/tmp/l", buf, sizeof(buf), &path),
                     VG_EINVAL);
    conf_free(c);
}

static void server_is_owner_only_refuses_a_live_socket_and_clears_a_stale_one(void **state)
{
    (void)state;
    char dir[] = "/tmp/vg-ctl-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof(path), "%s/s", dir);
    Engine e;
    memset(&e, 0, sizeof(e));
    ControlServer *cs = control_server_new(path, &e);
    assert_non_null(cs);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_null(control_server_new(path, &e)); // live: another server answers
    control_server_free(cs);
    assert_int_not_equal(stat(path, &st), 0); // removed at the end
    /* A stale socket (bound, nobody listening) is replaced. */
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, path, strlen(path) + 1);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    close(fd);
    cs = control_server_new(path, &e);
    assert_non_null(cs);
    control_server_free(cs);
    /* A regular file is never replaced. */
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_null(control_server_new(path, &e));
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_end_frames_one_value),
        cmocka_unit_test(socket_path_is_off_unless_asked),
        cmocka_unit_test(server_is_owner_only_refuses_a_live_socket_and_clears_a_stale_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
