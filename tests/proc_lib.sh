# proc_lib.sh: shell helpers shared by the black-box tests of edgecase (cli.sh, fuzz.sh): find processes by name, count checks.
# Sourced, not run. The sourcing script sets fails=0 first.

# pids NAME: the processes whose command name is NAME.
pids() {
    for c in /proc/[0-9]*/comm; do
        [ "$(cat "$c" 2>/dev/null)" = "$1" ] && { p=${c#/proc/}; echo "${p%/comm}"; }
    done
}

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
