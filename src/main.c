/* Vigil: start-up, command line, shutdown. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acquire/acquire.h"
#include "app-layer/app-layer.h"
#include "conf/conf.h"
#include "runtime/plugin.h"
#include "detect/detect.h"
#include "detect/mpm/detect-mpm.h"
#include "engine-logging.h"
#include "engine-privs.h"
#include "engine-progress.h"
#include "engine-setup.h"
#include "engine-socket-mode.h"
#include "runtime/engine.h"
#include "runtime/runmodes.h"
#include "runtime/runtime-profiling.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define EXIT_USAGE 2

static Engine g_engine; // signal handlers set its atomics only

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: vigil -r PATH [options]\n"
            "       vigil -q QUEUE [options]\n"
            "       vigil -i IF [options] [BPF filter]\n"
            "       vigil --unix-socket[=PATH] [options]   (captures queued with pcap-file)\n"
            "  -r PATH              read a pcap/pcapng file, or every capture in a directory\n"
            "  -i IF, --pcap=IF     capture live from interface IF (libpcap); words after the\n"
            "                       options form a BPF filter, e.g. 'tcp port 80'\n"
            "  --af-packet[=IF]     capture live through AF_PACKET (TPACKET_V3, fanout over\n"
            "                       the threads of IF's af-packet: entry; IF default: the first\n"
            "                       interface listed there)\n"
            "  -D                   run in the background (daemon) once start-up succeeded\n"
            "  --pidfile FILE       write the pid to FILE (refused while the pid in it lives)\n"
            "  --user USER, --group GROUP\n"
            "                       run as USER/GROUP once capture and outputs are open,\n"
            "                       keeping only the capabilities capture needs\n"
            "  -q N | -q A:B        run inline on NFQUEUE queue N, or queues A..B (repeatable;\n"
            "                       one reader thread per queue)\n"
            "  -c FILE              config file (default: etc/vigil.yaml, else built-in defaults)\n"
            "  -l DIR               log directory (default: default-log-dir of the config,\n"
            "                       else ./logs; created)\n"
            "  -S FILE              load only the rules in FILE (repeatable: all are loaded)\n"
            "  -s FILE              load FILE in addition to the configured rules (repeatable)\n"
            "  -k all|none          checksum validation (default: auto)\n"
            "  --set KEY=VALUE      override a config value by dotted path (repeatable)\n"
            "  --strict-config      an unknown config key is an error, not a warning\n"
            "  --runmode NAME       single, autofp, workers or custom\n"
            "  --list-runmodes      list the runmodes\n"
            "  --list-app-layer-protos  list the application-layer parsers\n"
            "  --list-keywords      list the supported rule keywords\n"
            "  --list-modules       list the thread modules\n"
            "  --list-config-keys   list every config key with type, default and bounds\n"
            "  --dump-config        print the effective configuration (-c, --set, defaults)\n"
            "  --simulate-ips       act as if inline: drop rules drop\n"
            "  --firewall-rules-exclusive FILE\n"
            "                       firewall mode with the firewall rules of FILE only\n"
            "  --data-dir DIR       where datasets named in rules keep their save and state\n"
            "                       files (the data-dir key)\n"
            "  --no-random          accepted as Suricata's: Vigil's output never depends on\n"
            "                       random numbers (same input, same output)\n"
            "  --simulate-packet-tcp-ssn-memcap=N, --simulate-packet-tcp-reassembly-memcap=N\n"
            "                       test the exception policies: act as if the stream (or\n"
            "                       reassembly) memcap were reached at capture packet N\n"
            "  --simulate-applayer-error-at-offset-ts=N\n"
            "                       ... as if the app-layer parser failed on to-server data\n"
            "                       at stream offset N\n"
            "  --progress           a progress line while reading captures (on by itself\n"
            "                       when stderr is a terminal; --quiet turns it off)\n"
            "  --unix-socket[=PATH] serve the control socket (vigilctl; default path:\n"
            "                       unix-command.filename, in the log directory)\n"
            "  -T                   test the config and rules, then exit (-v: rule set summary)\n"
            "  --engine-analysis    load config and rules, write LOGDIR/rules.json (per rule:\n"
            "                       fast pattern, prefilter, lists, warnings) and a summary\n"
            "  --allow-empty-rules  with -T: pass even when no rule is loaded\n"
            "  -v                   more verbose (repeatable)\n"
            "  --quiet              quiet: errors and warnings only\n"
            "  -V, --build-info     version and build information\n"
            "  -h, --help           this help\n");
}

static void build_info(void)
{
    printf("This is Vigil version %s\n", VG_VERSION);
    printf("Build type: %s\n", VG_BUILD_TYPE);
#ifdef VG_HAVE_HYPERSCAN
    printf("Hyperscan: yes\n");
#else
    printf("Hyperscan: no\n");
#endif
    printf("Plugin API version: %u\n", VG_PLUGIN_API_VERSION);
    printf("Licence: GPL-3.0-only\n");
}

static void on_stop_signal(int sig)
{
    (void)sig;
    atomic_store(&g_engine.stop, true);
}

static void on_hup(int sig)
{
    (void)sig;
    atomic_store(&g_engine.reopen_logs, true);
}

static void on_usr2(int sig)
{
    (void)sig;
    atomic_store(&g_engine.reload_rules, true);
}

/* The handlers only set flags that the engine's threads poll (the stats
 * task reopens the logs, the reload task reloads the rules, every thread
 * watches stop). SIGHUP and SIGUSR2 restart interrupted system calls: landing
 * in the reader's read() they must not end the capture early as a read error.
 * SIGINT and SIGTERM do interrupt them, so that a reader blocked on a quiet
 * FIFO sees the stop at once (it takes the error as the stop). Installed
 * before the configuration and rules load, so that a SIGHUP during a long
 * start-up is kept for later instead of killing the process.
 * Exit status after SIGINT/SIGTERM: 0 when the run ended cleanly (every
 * output flushed), as at the end of the input. */
static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

enum {
    OPT_SET = 256,
    OPT_RUNMODE,
    OPT_SIMULATE_IPS,
    OPT_FIREWALL_RULES,
    OPT_BUILD_INFO,
    OPT_LIST_RUNMODES,
    OPT_LIST_APP_LAYER_PROTOS,
    OPT_LIST_KEYWORDS,
    OPT_LIST_MODULES,
    OPT_PCAP,
    OPT_ALLOW_EMPTY_RULES,
    OPT_STRICT_CONFIG,
    OPT_LIST_CONFIG_KEYS,
    OPT_DUMP_CONFIG,
    OPT_ENGINE_ANALYSIS,
    OPT_UNIX_SOCKET,
    OPT_PROGRESS,
    OPT_QUIET,
    OPT_PCAP_LIVE,
    OPT_AF_PACKET,
    OPT_PIDFILE,
    OPT_USER,
    OPT_GROUP,
    OPT_NO_RANDOM,
    OPT_DATA_DIR,
    OPT_SIM_SSN_MEMCAP,
    OPT_SIM_REASM_MEMCAP,
    OPT_SIM_APPLAYER_ERROR_TS,
};

typedef struct Cli {
    EngineOptions *o;
    const char *sets[64];
    int n_sets;
    char sim_sets[3][96];        // --simulate-* options, as the simulate.* keys they set
    char data_dir_set[4200];     // --data-dir, as the data-dir key it sets
    int list;                    // OPT_LIST_* or 0
    bool is_strict_config;       // --strict-config
    bool is_dump_config;         // --dump-config
} Cli;

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "vigil: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see vigil -h)\n");
    return EXIT_USAGE;
}

/* -q N or -q A:B: NFQUEUE numbers 0..65535. Returns -1 or an exit status. */
static int parse_queues(EngineOptions *o, const char *arg)
{
    char *end = NULL;
    errno = 0;
    unsigned long lo = strtoul(arg, &end, 10);
    unsigned long hi = lo;
    if (end != arg && *end == ':') {
        const char *b = end + 1;
        hi = strtoul(b, &end, 10);
        if (end == b) {
            return bad_usage("-q takes a queue number N or a range A:B, not '%s'", arg);
        }
    }
    if (end == arg || *end != '\0' || errno != 0 || arg[0] == '-' || lo > 65535 ||
        hi > 65535 || hi < lo) {
        return bad_usage("-q takes a queue number 0..65535 or a range A:B, not '%s'", arg);
    }
    for (unsigned long q = lo; q <= hi; q++) {
        for (int i = 0; i < o->n_nfq_queues; i++) {
            if (o->nfq_queues[i] == q) {
                return bad_usage("-q %s: a queue is named twice", arg);
            }
        }
        if (o->n_nfq_queues >= (int)(sizeof(o->nfq_queues) / sizeof(o->nfq_queues[0]))) {
            return bad_usage("-q %s: at most 16 queues", arg);
        }
        o->nfq_queues[o->n_nfq_queues++] = (uint16_t)q;
    }
    return -1;
}

/* Returns -1 to go on, or an exit status. */
/* --simulate-* test hooks become the simulate.* keys (conf-schema-keys.c) that
 * the stream engine and the app layer read. */
static int simulate_set(Cli *cli, int c, const char *arg)
{
    static const char *const keys[] = {"simulate.tcp-ssn-memcap-packet",
                                       "simulate.tcp-reassembly-memcap-packet",
                                       "simulate.applayer-error-offset-ts"};
    int i = c - OPT_SIM_SSN_MEMCAP;
    char *end = NULL;
    unsigned long long v = strtoull(arg, &end, 10);
    if (arg[0] < '0' || arg[0] > '9' || end == NULL || *end != '\0' || v > INT64_MAX ||
        cli->n_sets >= 64) {
        return bad_usage("--simulate-* takes a number, not '%s'", arg);
    }
    (void)snprintf(cli->sim_sets[i], sizeof(cli->sim_sets[i]), "%s=%llu", keys[i], v);
    cli->sets[cli->n_sets++] = cli->sim_sets[i];
    return -1;
}

static int parse_opt(Cli *cli, int c, const char *arg)
{
    EngineOptions *o = cli->o;
    switch (c) {
    case 'r':
        o->pcap_path = arg;
        break;
    case 'c':
        o->config_path = arg;
        break;
    case 'l':
        o->log_dir = arg;
        break;
    case 'S':
        if (o->n_exclusive_rules >= 16) {
            return bad_usage("too many -S options: '%s'", arg);
        }
        o->exclusive_rules[o->n_exclusive_rules++] = arg;
        break;
    case 's':
        if (o->n_extra_rules >= 16) {
            return bad_usage("too many -s options: '%s'", arg);
        }
        o->extra_rules[o->n_extra_rules++] = arg;
        break;
    case 'k':
        if (strcmp(arg, "all") == 0) {
            o->checksum_mode = CHECKSUM_ALL;
        } else if (strcmp(arg, "none") == 0) {
            o->checksum_mode = CHECKSUM_NONE;
        } else {
            return bad_usage("-k takes 'all' or 'none', not '%s'", arg);
        }
        o->checksum_set = true;
        break;
    case OPT_SET:
        if (strchr(arg, '=') == NULL || cli->n_sets >= 64) {
            return bad_usage("--set takes KEY=VALUE, not '%s'", arg);
        }
        cli->sets[cli->n_sets++] = arg;
        break;
    case OPT_RUNMODE:
        o->runmode = arg;
        break;
    case OPT_STRICT_CONFIG:
        cli->is_strict_config = true;
        break;
    case OPT_SIMULATE_IPS:
        o->simulate_ips = true;
        break;
    case OPT_FIREWALL_RULES:
        o->firewall_rules = arg;
        break;
    case OPT_UNIX_SOCKET:
        engine_set_unix_socket(arg);
        break;
    case OPT_PROGRESS:
        engine_progress_enable();
        break;
    case 'T':
        o->test_config = true;
        break;
    case OPT_ALLOW_EMPTY_RULES:
        o->allow_empty_rules = true;
        break;
    case 'v':
        o->verbose++;
        break;
    case 'i':
    case OPT_PCAP_LIVE:
        if (arg == NULL || arg[0] == '\0') {
            return bad_usage("%s needs an interface name", c == 'i' ? "-i" : "--pcap");
        }
        o->live_iface = arg;
        break;
    case OPT_AF_PACKET:
        o->af_packet_iface = arg != NULL ? arg : "";
        break;
    case OPT_PIDFILE:
        o->pidfile = arg;
        break;
    case OPT_USER:
        o->run_user = arg;
        break;
    case OPT_GROUP:
        o->run_group = arg;
        break;
    case OPT_NO_RANDOM:
        break;                   // nothing random reaches an output (see the help)
    case OPT_DATA_DIR: {
        int n = snprintf(cli->data_dir_set, sizeof(cli->data_dir_set), "data-dir=%s", arg);
        if (arg[0] == '\0' || n < 0 || (size_t)n >= sizeof(cli->data_dir_set) ||
            cli->n_sets >= 64) {
            return bad_usage("%s needs a directory name", "--data-dir");
        }
        cli->sets[cli->n_sets++] = cli->data_dir_set;
        break;
    }
    case OPT_SIM_SSN_MEMCAP:
    case OPT_SIM_REASM_MEMCAP:
    case OPT_SIM_APPLAYER_ERROR_TS:
        return simulate_set(cli, c, arg);
    case 'D':
        o->daemon = true;
        break;
    case OPT_QUIET:
        o->verbose = -1;
        break;
    case 'q':
        return parse_queues(o, arg);
    case 'V':
    case OPT_BUILD_INFO:
        build_info();
        return 0;
    case 'h':
        usage(stdout);
        return 0;
    case OPT_LIST_RUNMODES:
    case OPT_LIST_APP_LAYER_PROTOS:
    case OPT_LIST_KEYWORDS:
    case OPT_LIST_MODULES:
    case OPT_LIST_CONFIG_KEYS:
        cli->list = c;
        break;
    case OPT_DUMP_CONFIG:
        cli->is_dump_config = true;
        break;
    case OPT_ENGINE_ANALYSIS:
        o->engine_analysis = true;
        o->test_config = true;
        break;
    default:
        return EXIT_USAGE;
    }
    return -1;
}

static int parse_cli(int argc, char **argv, Cli *cli)
{
    static const struct option longopts[] = {
        {"set", required_argument, NULL, OPT_SET},
        {"runmode", required_argument, NULL, OPT_RUNMODE},
        {"simulate-ips", no_argument, NULL, OPT_SIMULATE_IPS},
        {"firewall-rules-exclusive", required_argument, NULL, OPT_FIREWALL_RULES},
        {"build-info", no_argument, NULL, OPT_BUILD_INFO},
        {"list-runmodes", no_argument, NULL, OPT_LIST_RUNMODES},
        {"list-app-layer-protos", no_argument, NULL, OPT_LIST_APP_LAYER_PROTOS},
        {"list-keywords", no_argument, NULL, OPT_LIST_KEYWORDS},
        {"list-modules", no_argument, NULL, OPT_LIST_MODULES},
        {"pcap-file", required_argument, NULL, 'r'},
        {"allow-empty-rules", no_argument, NULL, OPT_ALLOW_EMPTY_RULES},
        {"strict-config", no_argument, NULL, OPT_STRICT_CONFIG},
        {"list-config-keys", no_argument, NULL, OPT_LIST_CONFIG_KEYS},
        {"dump-config", no_argument, NULL, OPT_DUMP_CONFIG},
        {"engine-analysis", no_argument, NULL, OPT_ENGINE_ANALYSIS},
        {"unix-socket", optional_argument, NULL, OPT_UNIX_SOCKET},
        {"progress", no_argument, NULL, OPT_PROGRESS},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"pcap", required_argument, NULL, OPT_PCAP_LIVE},
        {"af-packet", optional_argument, NULL, OPT_AF_PACKET},
        {"pidfile", required_argument, NULL, OPT_PIDFILE},
        {"user", required_argument, NULL, OPT_USER},
        {"group", required_argument, NULL, OPT_GROUP},
        {"no-random", no_argument, NULL, OPT_NO_RANDOM},
        {"data-dir", required_argument, NULL, OPT_DATA_DIR},
        {"simulate-packet-tcp-ssn-memcap", required_argument, NULL, OPT_SIM_SSN_MEMCAP},
        {"simulate-packet-tcp-reassembly-memcap", required_argument, NULL, OPT_SIM_REASM_MEMCAP},
        {"simulate-applayer-error-at-offset-ts", required_argument, NULL,
         OPT_SIM_APPLAYER_ERROR_TS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":r:c:l:S:s:k:q:i:DTvVh", longopts, NULL)) != -1) {
        if (c == '?') {
            const char *opt = optopt ? (char[]){'-', (char)optopt, 0} : argv[optind - 1];
            return bad_usage("unknown option '%s'", opt);
        }
        if (c == ':') {
            return bad_usage("option '%s' needs a value", argv[optind - 1]);
        }
        int rc = parse_opt(cli, c, optarg);
        if (rc >= 0) {
            return rc;
        }
    }
    if (optind < argc && cli->o->live_iface == NULL) {
        return bad_usage("unexpected argument '%s'", argv[optind]);
    }
    /* Live capture: the remaining words are the BPF filter. */
    static char filter[1024];
    size_t used = 0;
    for (int i = optind; i < argc; i++) {
        size_t len = strlen(argv[i]);
        if (used + len + 2 > sizeof(filter)) {
            return bad_usage("BPF filter too long at '%s'", argv[i]);
        }
        if (used > 0) {
            filter[used++] = ' ';
        }
        memcpy(filter + used, argv[i], len + 1);
        used += len;
    }
    if (used > 0) {
        cli->o->bpf_filter = filter;
    }
    return -1;
}

static void set_log_level(int verbose)
{
    LogLevel lvl = LOG_LEVEL_NOTICE;
    if (verbose < 0) {
        lvl = LOG_LEVEL_WARNING;
    } else if (verbose == 1) {
        lvl = LOG_LEVEL_INFO;
    } else if (verbose == 2) {
        lvl = LOG_LEVEL_CONFIG;
    } else if (verbose > 2) {
        lvl = LOG_LEVEL_DEBUG;
    }
    util_log_set_level(lvl);
}

/* -c, else etc/vigil.yaml of the source tree or the installed one, else
 * built-in defaults. */
static int load_config(Engine *e, const Cli *cli)
{
    e->conf = conf_new();
    if (e->conf == NULL) {
        return 1;
    }
    const char *path = e->opts.config_path;
#ifndef VG_SYSCONF_DIR
#define VG_SYSCONF_DIR "/etc"
#endif
    static const char *const candidates[] = {VG_SOURCE_DIR "/etc/vigil.yaml",
                                             VG_SYSCONF_DIR "/vigil/vigil.yaml",
                                             "/etc/vigil/vigil.yaml"};
    /* VIGIL_CONFIG names the default config; set but empty: none at all. */
    const char *env = getenv("VIGIL_CONFIG");
    bool search = path == NULL && env == NULL;
    if (path == NULL && env != NULL && env[0] != '\0') {
        path = env;
    }
    for (size_t i = 0; search && path == NULL && i < sizeof(candidates) / sizeof(candidates[0]);
         i++) {
        if (access(candidates[i], R_OK) == 0) {
            path = candidates[i];
        }
    }
    if (path != NULL) {
        if (conf_load_file(e->conf, path) != 0) {
            return 1;
        }
        e->opts.config_path = path;
        VG_INFO("configuration loaded from %s", path);
    } else {
        VG_INFO("no configuration file: running on built-in defaults");
    }
    for (int i = 0; i < cli->n_sets; i++) {
        if (conf_set_override(e->conf, cli->sets[i]) != 0) {
            return EXIT_USAGE;
        }
    }
    /* Plugins first: the schema then knows the keys they add. */
    if (plugin_load_all(e->conf) != 0) {
        return 1;
    }
    /* Every key against the schema: unknown keys warn (fail when strict or
     * from --set), bad values fail. */
    if (conf_check(e->conf, cli->is_strict_config, NULL) != 0) {
        return 1;
    }
    if (acquire_af_packet_conf_check(e->conf) != 0 || prof_configure(e->conf) != 0) {
        return 1;
    }
    return acquire_nfq_conf_check(e->conf) == 0 ? 0 : 1;
}

/* --pidfile: refuse a file naming a live process; else write ours. The
 * file is removed at exit by pidfile_remove. */
static int pidfile_write(const char *path, bool do_write)
{
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        long old = 0;
        int n = fscanf(f, "%ld", &old);
        fclose(f);
        if (n == 1 && old > 0 && old != (long)getpid() &&
            (kill((pid_t)old, 0) == 0 || errno == EPERM)) {
            VG_ERROR("%s: pid %ld is running; not starting a second instance", path, old);
            return 1;
        }
    }
    if (!do_write) {
        return 0;
    }
    f = fopen(path, "w");
    if (f == NULL) {
        VG_ERROR("%s: cannot write pid file: %s", path, strerror(errno));
        return 1;
    }
    fprintf(f, "%ld\n", (long)getpid());
    if (fclose(f) != 0) {
        VG_ERROR("%s: cannot write pid file: %s", path, strerror(errno));
        return 1;
    }
    return 0;
}

/* -D: detach after start-up checks passed: the parent exits 0, the child
 * runs in a new session with stdin/stdout on /dev/null (logs keep stderr
 * unless it is a terminal). */
static int daemonize(void)
{
    pid_t pid = fork();
    if (pid < 0) {
        VG_ERROR("-D: cannot fork: %s", strerror(errno));
        return 1;
    }
    if (pid > 0) {
        _exit(0);
    }
    if (setsid() < 0) {
        VG_ERROR("-D: setsid failed: %s", strerror(errno));
        return 1;
    }
    FILE *in = freopen("/dev/null", "r", stdin);
    FILE *out = freopen("/dev/null", "w", stdout);
    if (isatty(STDERR_FILENO)) {
        (void)freopen("/dev/null", "w", stderr);
    }
    return in != NULL && out != NULL ? 0 : 1;
}

static int make_log_dir(Engine *e);

/* --engine-analysis: rules.json in the log directory and the summary on
 * stdout. Refused rules are part of the analysis, not a failure of it. */
static int write_engine_analysis(Engine *e)
{
    if (make_log_dir(e) != 0) {
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/rules.json", e->opts.log_dir);
    const DetectEngine *de = atomic_load(&e->detect);
    int rc = detect_analysis_write(de, path);
    if (rc != 0) {
        VG_ERROR("%s: cannot write the rule analysis (%s)", path,
                 rc == VG_ENOMEM ? "out of memory" : strerror(errno));
        return 1;
    }
    DetectAnalysisSummary sum;
    detect_analysis_summary(de, &sum);
    detect_analysis_print(&sum, stdout);
    VG_NOTICE("rule analysis written to %s", path);
    return 0;
}

static int make_log_dir(Engine *e)
{
    if (e->opts.log_dir == NULL) {
        e->opts.log_dir = conf_str_or(e->conf, "default-log-dir", "./logs");
    }
    if (mkdir(e->opts.log_dir, 0750) != 0 && errno != EEXIST) {
        VG_ERROR("%s: cannot create log directory: %s", e->opts.log_dir, strerror(errno));
        return 1;
    }
    return 0;
}

static bool capture_is_readable(const char *path)
{
    char **files = NULL;
    size_t n = acquire_list_files(path, &files);
    acquire_files_free(files, n);
    return n > 0;
}

static double now_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the whole process so far (every thread, user and system). */
static double now_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(Engine *e)
{
    const char *runmode = e->opts.runmode ? e->opts.runmode
                                          : conf_str_or(e->conf, "runmode", "single");
    bool bad = false;
    int64_t n_workers = conf_int_or(e->conf, "threading.worker-threads", 0, &bad);
    if (bad || n_workers < 0 || n_workers > 32) {
        VG_ERROR("threading.worker-threads must be 0 (auto) .. 32");
        return 1;
    }
    Pipeline pl;
    if (runmode_build(e, runmode, (uint32_t)n_workers, &pl) != 0) {
        return 1;
    }
    VG_NOTICE("runmode %s, %u thread group(s)", runmode, pl.n_groups);
    double t0 = now_wall();
    double cpu0 = now_cpu();
    mpm_set_compile_threads(1);   // a reload while packets run: on its own thread only
    int rc = runmode_run(e, &pl);
    mpm_set_compile_threads(0);
    double elapsed = now_wall() - t0;
    engine_print_summary(e, elapsed);
    /* The packet phase alone, without start-up and rule loading: what the
     * CI regression guard (tools/perf-guard.sh) divides by the packets. */
    VG_INFO("packet phase: %.3f s wall, %.3f s cpu (all threads)", elapsed, now_cpu() - cpu0);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    Engine *e = &g_engine;
    Cli cli = {.o = &e->opts};
    int rc = parse_cli(argc, argv, &cli);
    if (rc >= 0) {
        return rc;
    }
    set_log_level(e->opts.verbose);
    if (cli.list == OPT_LIST_RUNMODES) {
        runmode_list_print();
        return 0;
    }
    if (cli.list == OPT_LIST_APP_LAYER_PROTOS) {
        app_layer_list_protos_print();
        return 0;
    }
    if (cli.list == OPT_LIST_KEYWORDS) {
        engine_print_keywords();
        return 0;
    }
    if (cli.list == OPT_LIST_MODULES) {
        engine_print_modules();
        return 0;
    }
    if (cli.list == OPT_LIST_CONFIG_KEYS) {
        conf_schema_print(stdout);
        return 0;
    }
    if (cli.is_dump_config) {
        rc = load_config(e, &cli);
        if (rc == 0) {
            conf_dump(e->conf, stdout);
        }
        conf_free(e->conf);
        return rc;
    }
    bool is_nfq = e->opts.n_nfq_queues > 0;
    bool is_live = e->opts.live_iface != NULL;
    bool is_afp = e->opts.af_packet_iface != NULL;
    if ((e->opts.pcap_path != NULL) + is_nfq + is_live + is_afp > 1) {
        fprintf(stderr, "vigil: -r, -q, -i and --af-packet exclude each other (see vigil -h)\n");
        return EXIT_USAGE;
    }
    /* --unix-socket and no capture source: the unix-socket runmode, which
     * reads the captures queued on the socket. */
    bool is_socket_mode = e->opts.pcap_path == NULL && !is_nfq && !is_live && !is_afp &&
                          !e->opts.test_config && engine_unix_socket_asked();
    if (e->opts.pcap_path == NULL && !is_nfq && !is_live && !is_afp && !e->opts.test_config &&
        !is_socket_mode) {
        fprintf(stderr, "vigil: nothing to read: give a capture with -r PATH, an interface "
                        "with -i IF or a queue with -q N (see vigil -h)\n");
        return EXIT_USAGE;
    }
    install_signals();
    rc = load_config(e, &cli);
    if (rc != 0) {
        conf_free(e->conf);
        return rc;
    }
    /* The logging: section; its file opens with the log directory (until
     * then its messages are kept). */
    const char *log_dir_early = e->opts.log_dir != NULL
                                    ? e->opts.log_dir
                                    : conf_str_or(e->conf, "default-log-dir", "./logs");
    if (engine_logging_setup(e->conf, e->opts.verbose, log_dir_early) != 0) {
        engine_logging_finish(log_dir_early);
        conf_free(e->conf);
        return 1;
    }
    e->is_inline = e->opts.simulate_ips || is_nfq;
    e->is_live_inline = is_nfq;
    if (is_nfq) {
        e->acquire_module = "nfq";
        e->acquire_threads = (uint32_t)e->opts.n_nfq_queues;
    } else if (is_live) {
        e->acquire_module = "pcap-live";
        e->acquire_threads = 1;
    } else if (is_afp) {
        AcquireAfPacketSetup as;
        if (acquire_af_packet_setup(e->conf, e->opts.af_packet_iface, &as) != 0) {
            conf_free(e->conf);
            return 1;
        }
        /* EVE in_iface names the interface when there is only one */
        e->opts.af_packet_iface = as.n_ifaces == 1 ? as.first_iface : "";
        e->acquire_module = "af-packet";
        e->acquire_threads = as.n_threads;
        if (as.copy_mode == AFP_COPY_IPS) {
            e->is_inline = true;      // drops apply; rejects go out at link level
            e->is_live_inline = true;
        }
    }
    EnginePrivs privs;
    rc = engine_privs_resolve(e, e->opts.run_user, e->opts.run_group, &privs);
    if (rc != 0) {
        conf_free(e->conf);
        return rc;
    }
    rc = engine_setup(e);
    bool did_run = false;
    if (rc == 0 && e->opts.engine_analysis) {
        rc = write_engine_analysis(e);
    } else if (e->opts.test_config) {
        if (rc == 0 && e->opts.verbose > 0 && atomic_load(&e->detect) != NULL) {
            DetectAnalysisSummary sum;
            detect_analysis_summary(atomic_load(&e->detect), &sum);
            detect_analysis_print(&sum, stdout);
        }
        rc = rc == 0 ? engine_test_result(e) : rc;
        if (rc == 0) {
            VG_NOTICE("configuration test passed");
        } else {
            VG_ERROR("configuration test failed");
        }
    } else if (rc == 0) {
        /* The capture is checked before any output file is created: a run
         * that cannot read its input leaves nothing behind. */
        if (is_nfq) {
            rc = acquire_nfq_probe(e->opts.nfq_queues, e->opts.n_nfq_queues) == 0 ? 0 : 1;
        } else if (is_live) {
            rc = acquire_pcap_live_probe(e->opts.live_iface, e->opts.bpf_filter) == 0 ? 0 : 1;
        } else if (is_afp) {
            rc = acquire_af_packet_probe() == 0 ? 0 : 1;
        } else if (!is_socket_mode) {
            rc = capture_is_readable(e->opts.pcap_path) ? 0 : 1;
        }
        if (rc == 0 && e->opts.pidfile != NULL) {
            rc = pidfile_write(e->opts.pidfile, false); // a live pid: refuse before any output
        }
        /* The unix-socket runmode opens its socket at once (a second instance
         * is refused before detaching); each capture gets its outputs later. */
        rc = rc != 0 || make_log_dir(e) != 0 || engine_logging_open() != 0 ? 1
             : is_socket_mode ? (engine_control_open(e) != NULL ? 0 : 1)
                              : engine_setup_outputs(e);
        if (rc == 0 && e->opts.daemon) {
            rc = daemonize();
        }
        bool wrote_pid = false;
        if (rc == 0 && e->opts.pidfile != NULL) {
            rc = pidfile_write(e->opts.pidfile, true);
            wrote_pid = rc == 0;
        }
        if (rc == 0) {
            rc = engine_privs_drop(&privs, is_nfq || is_live || is_afp, e->opts.log_dir);
        }
        if (rc == 0) {
            rc = is_socket_mode ? engine_socket_mode_run(e, run) : run(e);
            (void)conf_report_unread(e->conf); // keys no reader looked at (-v)
            did_run = true;
        }
        if (wrote_pid) {
            unlink(e->opts.pidfile);
        }
    }
    engine_teardown(e);
    /* After the teardown: flow-end detection has merged its rule figures. */
    if (did_run && prof_enabled && prof_report_write(e->opts.log_dir) != 0) {
        rc = 1;
    }
    engine_logging_finish(e->opts.log_dir != NULL ? e->opts.log_dir : log_dir_early);
    conf_free(e->conf);
    return rc;
}
