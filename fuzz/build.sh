#!/usr/bin/env bash
# Build, and optionally run, the libFuzzer targets fuzz/fuzz-*.c.
#
#   bash fuzz/build.sh            build every target into build-fuzz/ (what `make fuzz` runs)
#   bash fuzz/build.sh run 60     build, then run each target for 60 seconds
#   bash fuzz/build.sh run 60 fuzz-decode
#                                 ... only the named targets
#   build-fuzz/fuzz-decode CRASH  replay one input (from build-fuzz/crashes/fuzz-decode/)
#
# How: every engine source (src/**/*.c except src/main.c and any *mock*
# file) is compiled once with clang -fsanitize=fuzzer-no-link,address,undefined
# into build-fuzz/obj/ and archived as build-fuzz/libvigil-fuzz.a; each
# fuzz/fuzz-<name>.c is compiled with -fsanitize=fuzzer,address,undefined and
# linked against it into build-fuzz/fuzz-<name>. Include paths -Isrc
# -Itests/unit; compiler and linker flags of libpcap yaml-0.1 libpcre2-8 htp libmagic libcrypto libnghttp2 zlib libbrotlidec hiredis rdkafka from
# pkg-config, and libhs when present (VG_HAVE_HYPERSCAN=1, as in CMake).
# Objects are rebuilt only when their source or a header they include changed.
#
# A source that does not compile (a subsystem still landing) is left out of
# the archive with a message; a target that then fails to compile or link is
# skipped with a message. Exit status: 0 when at least one target was built
# and no run found a crash; 1 otherwise. With FUZZ_STRICT=1 (what `make
# fuzz-smoke` and CI use) any source or target left out is a failure too.
#
# Runs keep a corpus per target in build-fuzz/corpus/<name>/ (seeded from
# fuzz/corpus/<name>/ when that exists) and write crashing inputs to
# build-fuzz/crashes/<name>/.
#
# Environment: CC (default clang, installed with apt-get when missing),
# JOBS (parallel compiles, default 2), FUZZ_OUT (default build-fuzz),
# FUZZ_MAX_LEN (libFuzzer -max_len, default 4096), FUZZ_STRICT (see above).
#
# The seeds in fuzz/corpus/ are made by tools/make-fuzz-corpus.py.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
OUT=${FUZZ_OUT:-build-fuzz}
CC=${CC:-clang}
JOBS=${JOBS:-2}
MAX_LEN=${FUZZ_MAX_LEN:-4096}
STRICT=${FUZZ_STRICT:-0}
MODE=${1:-build}
SECONDS_PER_TARGET=${2:-60}
shift $(( $# > 2 ? 2 : $# ))
ONLY=("$@")

log() { printf 'fuzz: %s\n' "$*"; }

ensure_clang() {
    if command -v "$CC" >/dev/null 2>&1; then
        return 0
    fi
    if [ "$CC" = clang ] && command -v apt-get >/dev/null 2>&1; then
        log "installing clang"
        apt-get update -qq >/dev/null && apt-get install -y -qq clang >/dev/null
    fi
    command -v "$CC" >/dev/null 2>&1 || { log "no $CC compiler; install clang"; exit 1; }
}

pkg_flags() {
    local kind=$1 mods="libpcap yaml-0.1 libpcre2-8 htp libmagic libcrypto libnetfilter_queue libnghttp2 zlib libbrotlidec hiredis rdkafka"
    if pkg-config --exists libhs 2>/dev/null; then
        mods="$mods libhs"
    fi
    # shellcheck disable=SC2086
    pkg-config "$kind" $mods
}

# An object is up to date when every file in its .d list exists and is older.
up_to_date() {
    local obj=$1 dep=$2
    [ -f "$obj" ] && [ -f "$dep" ] || return 1
    local f
    for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$dep"); do
        [ -e "$f" ] && [ ! "$f" -nt "$obj" ] || return 1
    done
    return 0
}

compile_one() {
    local src=$1 obj dep
    obj="$OUT/obj/${src%.c}.o"
    dep="${obj%.o}.d"
    up_to_date "$obj" "$dep" && { echo "$obj"; return 0; }
    mkdir -p "$(dirname "$obj")"
    # shellcheck disable=SC2086
    if $CC $CFLAGS -fsanitize=fuzzer-no-link,address,undefined -MMD -MF "$dep" \
        -c "$src" -o "$obj" 2>"$obj.log"; then
        echo "$obj"
    else
        rm -f "$obj"
        echo "SKIP-SOURCE $src ($(grep -m1 'error' "$obj.log" | cut -c1-160))" >&2
    fi
}

build_library() {
    local srcs
    srcs=$(find src -name '*.c' ! -path src/main.c ! -name '*mock*' | sort)
    export -f compile_one up_to_date
    export CC CFLAGS OUT
    local objs
    objs=$(printf '%s\n' $srcs | xargs -P "$JOBS" -I{} bash -c 'compile_one "$1"' _ {} |
           sort) || true
    local n_src n_obj
    n_src=$(printf '%s\n' $srcs | wc -l)
    n_obj=$(printf '%s\n' $objs | grep -c . || true)
    log "engine: $n_obj of $n_src sources compiled"
    if [ "$STRICT" = 1 ] && [ "$n_obj" -ne "$n_src" ]; then
        log "FUZZ_STRICT: $((n_src - n_obj)) engine source(s) did not compile"
        exit 1
    fi
    rm -f "$OUT/libvigil-fuzz.a"
    # shellcheck disable=SC2086
    [ "$n_obj" -gt 0 ] && ar rcs "$OUT/libvigil-fuzz.a" $objs
}

build_target() {
    local src=$1 name
    name=$(basename "$src" .c)
    # shellcheck disable=SC2086
    if $CC $CFLAGS -fsanitize=fuzzer,address,undefined "$src" "$OUT/libvigil-fuzz.a" \
        $LDLIBS -o "$OUT/$name" 2>"$OUT/$name.log"; then
        log "built $OUT/$name"
        return 0
    fi
    log "SKIP $name: $(grep -m1 -E 'error|undefined reference' "$OUT/$name.log" | cut -c1-160)"
    rm -f "$OUT/$name"
    return 1
}

wanted() {
    local name=$1
    [ ${#ONLY[@]} -eq 0 ] && return 0
    local o
    for o in "${ONLY[@]}"; do
        [ "$o" = "$name" ] && return 0
    done
    return 1
}

run_target() {
    local name=$1 corpus="$OUT/corpus/$1" crashes="$OUT/crashes/$1/"
    mkdir -p "$corpus" "$crashes"
    local seeds=()
    [ -d "fuzz/corpus/$name" ] && seeds=("fuzz/corpus/$name")
    if [ "$STRICT" = 1 ] && [ ${#seeds[@]} -eq 0 ]; then
        log "FUZZ_STRICT: $name has no seed corpus in fuzz/corpus/$name"
        return 1
    fi
    log "running $name for ${SECONDS_PER_TARGET}s"
    if "$OUT/$name" -max_total_time="$SECONDS_PER_TARGET" -max_len="$MAX_LEN" \
        -artifact_prefix="$crashes" -print_final_stats=1 "$corpus" "${seeds[@]}" \
        >"$OUT/$name.run.log" 2>&1; then
        log "$name: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' \
            "$OUT/$name.run.log" | grep -o '[0-9]*$') runs, no crash"
        return 0
    fi
    log "$name: CRASH, see $OUT/$name.run.log and $crashes"
    grep -m3 -E 'ERROR|SUMMARY' "$OUT/$name.run.log" | sed 's/^/  /'
    return 1
}

main() {
    case "$MODE" in
    build | run) ;;
    *) echo "usage: $0 [build | run SECONDS [TARGET...]]" >&2; exit 2 ;;
    esac
    ensure_clang
    local version
    version=$(sed -n 's/^project(vigil VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
    CFLAGS="-std=c11 -g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE -Isrc -Itests/unit \
-DVG_SOURCE_DIR=\"$ROOT\" -DVG_VERSION=\"${version:-0}\" -DVG_BUILD_TYPE=\"fuzz\" \
$(pkg_flags --cflags)"
    if pkg-config --exists libhs 2>/dev/null; then
        CFLAGS="$CFLAGS -DVG_HAVE_HYPERSCAN=1"
    fi
    LDLIBS="$(pkg_flags --libs) -lpthread -ldl -lm"
    mkdir -p "$OUT/obj"
    build_library
    local built=() src name n_wanted=0
    for src in fuzz/fuzz-*.c; do
        name=$(basename "$src" .c)
        wanted "$name" || continue
        n_wanted=$((n_wanted + 1))
        if [ -f "$OUT/libvigil-fuzz.a" ] && build_target "$src"; then
            built+=("$name")
        fi
    done
    if [ "$STRICT" = 1 ] && [ ${#built[@]} -ne "$n_wanted" ]; then
        log "FUZZ_STRICT: $((n_wanted - ${#built[@]})) target(s) did not build"
        exit 1
    fi
    if [ ${#built[@]} -eq 0 ]; then
        log "no target built"
        exit 1
    fi
    log "${#built[@]} target(s) built: ${built[*]}"
    [ "$MODE" = run ] || exit 0
    local failed=0
    for name in "${built[@]}"; do
        run_target "$name" || failed=1
    done
    exit $failed
}

main
