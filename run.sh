#!/usr/bin/env bash
# Set up graphdiff on a fresh machine and run it.
#
#   ./run.sh setup               install Graphviz (apt), create .venv, pip install -e '.[test,plot]'
#   ./run.sh demo [ARGS...]      setup, then `graphdiff demo ARGS...`
#   ./run.sh test [PYTEST ARGS]  setup, then ruff check . and pytest
#
# Every step is idempotent: a second run skips what is already done.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
STAMP="$VENV/.graphdiff-installed"

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

usage() {
    cat <<'USAGE'
usage: ./run.sh setup
       ./run.sh demo [ARGS...]
       ./run.sh test [PYTEST ARGS...]
USAGE
}

install_graphviz() {
    if command -v dot >/dev/null 2>&1; then
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        cat >&2 <<'MSG'
==> WARNING: Graphviz (the `dot` program) is not installed and apt-get is not available.
    Install it with your package manager, e.g. `brew install graphviz`,
    `dnf install graphviz` or `pacman -S graphviz`, or see https://graphviz.org/download/.
    Continuing without it: rendering graphs to images will not work.
MSG
        return 0
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "installing Graphviz needs root: run 'apt-get install graphviz' as root, or install sudo"
        sudo=(sudo)
    fi
    say "installing Graphviz (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends graphviz >/dev/null
    command -v dot >/dev/null 2>&1 || die "Graphviz was installed but \`dot\` is still not on PATH"
}

find_python() {
    local py
    for py in python3.11 python3; do
        if command -v "$py" >/dev/null 2>&1; then
            if "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
                printf '%s\n' "$py"
                return 0
            fi
        fi
    done
    local found="none"
    if command -v python3 >/dev/null 2>&1; then
        found="$(python3 -c 'import sys; print(sys.version.split()[0])' 2>/dev/null || echo unknown)"
    fi
    die "graphdiff needs Python >= 3.11 (python3.11 or python3); found python3 version: $found"
}

make_venv() {
    if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
        return 0
    fi
    if [ -e "$VENV" ]; then
        say "removing broken or too old .venv"
        rm -rf "$VENV"
    fi
    local py
    py="$(find_python)"
    say "creating .venv with $py ($("$py" -c 'import sys; print(sys.version.split()[0])'))"
    if ! "$py" -m venv "$VENV" >/dev/null 2>&1; then
        rm -rf "$VENV"
        # Debian and Ubuntu ship venv/ensurepip separately (python3-venv).
        if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
            local minor
            minor="$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
            say "installing python3-venv (apt-get)"
            DEBIAN_FRONTEND=noninteractive apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                "python$minor-venv" >/dev/null 2>&1 \
                || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                    python3-venv >/dev/null
        fi
        if ! "$py" -m venv "$VENV"; then
            rm -rf "$VENV"
            die "could not create a virtual environment; on Debian/Ubuntu run: apt-get install python3-venv"
        fi
    fi
}

install_package() {
    if [ -f "$STAMP" ] && [ "$STAMP" -nt pyproject.toml ]; then
        return 0
    fi
    say "installing graphdiff and its test tools into .venv (pip)"
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    local log="$VENV/pip-install.log"
    if ! { "$VENV/bin/python" -m pip install -q --upgrade pip \
            && "$VENV/bin/python" -m pip install -q -e '.[test,plot]'; } >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "pip install failed (full log: $log)"
    fi
    touch "$STAMP"
}

setup() {
    install_graphviz
    make_venv
    install_package
}

cmd="${1:-}"
[ $# -gt 0 ] && shift

case "$cmd" in
    setup)
        setup
        say "ready"
        ;;
    demo)
        setup
        say "graphdiff demo${*:+ $*}"
        exec "$VENV/bin/graphdiff" demo "$@"
        ;;
    test)
        setup
        status=0
        say "ruff check ."
        "$VENV/bin/ruff" check . || status=1
        say "pytest${*:+ $*}"
        "$VENV/bin/python" -m pytest "$@" || status=1
        exit "$status"
        ;;
    -h | --help | help)
        usage
        ;;
    *)
        usage >&2
        exit 2
        ;;
esac
