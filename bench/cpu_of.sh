#!/usr/bin/env bash
# bench/cpu_of.sh CMD...: run CMD and print the CPU that it and every process it started used,
# detached ones included (the PostgreSQL server pg_ctl starts, Chromium, app servers, workers).
#
# rusage (/usr/bin/time) counts only waited-for children, and /proc/stat deltas count the whole
# machine, other people's work included. A cgroup v1 cpuacct group counts exactly the processes
# inside it, and every child inherits it. Needs root and /sys/fs/cgroup/cpuacct (falls back
# to rusage with a warning).
set -uo pipefail
root=/sys/fs/cgroup/cpuacct
start=$(date +%s.%N)
if [ -w "$root" ] && group=$(mktemp -d "$root/kravspar-cpu.XXXXXX" 2>/dev/null); then
    # Run CMD in a subshell that first moves itself into the group.
    bash -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' _ "$group" "$@"
    rc=$?
    end=$(date +%s.%N)
    read -r user sys < <(awk '/^user/{u=$2} /^system/{s=$2} END{print u, s}' "$group/cpuacct.stat")
    total=$(cat "$group/cpuacct.usage")
    # Processes still alive (a leaked server) keep the group; report them.
    # (cgroup files report size 0, so read them rather than test -s.)
    left=$(cat "$group/cgroup.procs")
    if [ -n "$left" ]; then
        echo "cpu_of: processes still running in the group, not counted further: $(echo $left)" >&2
        for pid in $left; do echo "$pid" > "$root/cgroup.procs" 2>/dev/null; done
    fi
    for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$group" 2>/dev/null && break; sleep 0.2; done
    hz=$(getconf CLK_TCK)
    awk -v t="$total" -v u="$user" -v s="$sys" -v hz="$hz" -v a="$start" -v b="$end" 'BEGIN {
        printf "cpu_of: %.1f s CPU (user %.1f s, system %.1f s), wall %.1f s\n", t / 1e9, u / hz, s / hz, b - a }' >&2
    exit $rc
fi
echo "cpu_of: no writable cpuacct cgroup; counting waited-for children only (rusage)" >&2
exec /usr/bin/time -f "cpu_of: %U s user + %S s system (waited-for children only), wall %e s" "$@"
