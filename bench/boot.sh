#!/usr/bin/env bash
# Boot benchmark: the default machine against its peer, a bare Felix on the same JVM.
#
#   bench/boot.sh [N]        (N runs of each, default 10)
#
# ours:  ./alos -c 'echo READY' (the alos script as a user runs it: the default machine with
#        its disk, NIC and every bundle of conf/bundles.list)
# peer:  the same JVM and flags starting a bare Apache Felix (bench/BareFelix.java) with only
#        the distribution's own SCR, Configuration Admin, OSGi utility bundles, JLine and Gogo
#        runtime/command/console jars, running the same command through gosh.args ("-c echo
#        READY"); "peer+AppCDS" is that peer again with a class data archive of its own made by
#        a training run here, as ours has one (distribution/target/alosj/lib/alosj.jsa).
# Both end on the same condition: the command's READY line on the console, the moment each
# shell has taken and run a command. The time is taken from before the process is spawned to
# that line (bash's EPOCHREALTIME), and to the process's exit; the CPU time of the whole run (user
# + system of every JVM thread, the JIT's and the collector's included) is the steadier figure on
# a shared machine. Runs are interleaved (ours, peer, peer+AppCDS, ours, …) so a load
# that comes and goes falls on all alike; medians are printed, then the ratios. Only bash and the
# JDK (java, javac, jar) are needed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-10}"
dist="$root/distribution/target/alosj"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
javac_bin="${JAVA_HOME:+$JAVA_HOME/bin/}javac"
# The alos script's JVM flags (keep in step with it), less the application's class data archive.
flags=(-XX:Tier4InvocationThreshold=30000 -XX:Tier4MinInvocationThreshold=3600 -XX:Tier4CompileThreshold=90000
  -XX:Tier4BackEdgeThreshold=240000 ${ALOS_JAVA_OPTS:--XX:+UseSerialGC -Xms512m} --enable-native-access=ALL-UNNAMED)

"$root/alos" -c 'echo' >/dev/null 2>&1 || { echo "boot failed; run ./alos -c echo to see why" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$javac_bin" -d "$work/classes" -cp "$dist/lib/org.apache.felix.framework.jar" "$root/bench/BareFelix.java"
# A jar: a class data archive takes jars on the class path, not directories.
"${JAVA_HOME:+$JAVA_HOME/bin/}jar" -cf "$work/bare-felix.jar" -C "$work/classes" .
mkdir -p "$work/home/etc"
echo "prompt = 'g! '" >"$work/home/etc/gosh_profile"   # Gogo's own profile is for a terminal, not -c
b="$dist/bundles"
peer_jars=("$b/org.osgi.util.function.jar" "$b/org.osgi.util.promise.jar" "$b/org.osgi.service.component.jar"
  "$b/org.apache.felix.scr.jar" "$b/org.apache.felix.configadmin.jar" "$b/jline.jar"
  "$b/org.apache.felix.gogo.runtime.jar" "$b/org.apache.felix.gogo.command.jar" "$b/org.apache.felix.gogo.jline.jar")
peer() {
  "$java_bin" "${flags[@]}" "$@" -Dorg.jline.terminal.dumb=true -Dgosh.home="$work/home" -Dgosh.args='-c echo READY' \
    -cp "$dist/lib/org.apache.felix.framework.jar:$work/bare-felix.jar" BareFelix "${peer_jars[@]}"
}
ours() { "$root/alos" -c 'echo READY'; }
peer_plain() { peer; }
peer_cds() { peer -XX:SharedArchiveFile="$work/peer.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off; }

# The peer's training run, as the distribution's build makes ours.
peer -XX:ArchiveClassesAtExit="$work/peer.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off >/dev/null 2>&1 </dev/null
[ -f "$work/peer.jsa" ] || { echo "the peer's class data archive was not made" >&2; exit 1; }

# One run of "$1": prints "ms-to-READY ms-to-exit cpu-ms" (wall ms from before the spawn; CPU:
# user + system time of the whole run, every thread of the JVM, as bash's `times` counts its
# children once they have exited).
measure() {
  local start ready="" cpu="" line
  start=$EPOCHREALTIME
  while IFS= read -r line; do
    if [ -z "$ready" ] && [[ $line == READY* ]]; then ready=$EPOCHREALTIME; fi
    if [[ $line =~ ^([0-9]+)m([0-9.]+)s\ ([0-9]+)m([0-9.]+)s$ ]]; then
      cpu=$(awk -v a="${BASH_REMATCH[1]}" -v b="${BASH_REMATCH[2]}" -v c="${BASH_REMATCH[3]}" -v d="${BASH_REMATCH[4]}" \
        'BEGIN {print int((a * 60 + b + c * 60 + d) * 1000)}')
    fi
  done < <("$1" 2>/dev/null </dev/null; times)
  local end=$EPOCHREALTIME
  [ -n "$ready" ] || { echo "$1: no READY line" >&2; exit 1; }
  echo "$(ms "$start" "$ready") $(ms "$start" "$end") $cpu"
}
ms() { echo $(( (${2/./} - ${1/./}) / 1000 )); }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }

names=(ours peer_plain peer_cds)
declare -A ready exit_ cpu
for n in "${names[@]}"; do "$n" >/dev/null 2>&1 </dev/null; ready[$n]=""; exit_[$n]=""; cpu[$n]=""; done   # warm the page cache
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$runs"); do
  for n in "${names[@]}"; do
    read -r r e c < <(measure "$n")
    ready[$n]+="$r "; exit_[$n]+="$e "; cpu[$n]+="$c "
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "$("$java_bin" -version 2>&1 | head -1); $(nproc) cores; load average $load_before before, $load_after after"
echo "JVM flags of both: ${flags[*]}"
printf '%-34s %10s %10s %14s\n' "median of $runs (ms)" "to READY" "to exit" "CPU, whole run"
declare -A med medc
for n in "${names[@]}"; do
  med[$n]=$(median ${ready[$n]}); medc[$n]=$(median ${cpu[$n]})
  label=$([ "$n" = ours ] && echo "ours: ./alos -c 'echo READY'" || ([ "$n" = peer_plain ] && echo "peer: bare Felix+SCR+CM+Gogo" || echo "peer+AppCDS"))
  printf '%-34s %10s %10s %14s\n' "$label" "${med[$n]}" "$(median ${exit_[$n]})" "${medc[$n]}"
done
awk -v o="${med[ours]}" -v p="${med[peer_plain]}" -v c="${med[peer_cds]}" \
  'BEGIN {printf "ratio to READY  ours/peer: %.2f   ours/peer+AppCDS: %.2f\n", o / p, o / c}'
awk -v o="${medc[ours]}" -v p="${medc[peer_plain]}" -v c="${medc[peer_cds]}" \
  'BEGIN {printf "ratio of CPU    ours/peer: %.2f   ours/peer+AppCDS: %.2f\n", o / p, o / c}'
