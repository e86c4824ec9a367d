#!/usr/bin/env bash
# Program benchmarks: the same static binaries (userland/target/bin, busybox) natively, under
# qemu-x86_64 (qemu-user) and on ALOS/J, in one run, so the ratios hold whatever the machine.
# Each benchmark program times itself with clock_gettime(CLOCK_MONOTONIC) and prints ns per
# operation; the busybox loop is timed around the whole program.
#   bench/userland.sh [GETPID_N [PIPE_N [PIPE_MIB [FORK_N [LOOP_N]]]]]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/userland/target/bin"
getpid_n="${1:-1000000}"; pipe_n="${2:-20000}"; pipe_mib="${3:-64}"; fork_n="${4:-1000}"; loop_n="${5:-1000}"
[ -x "$bin/getpid-bench" ] || { echo "bench/userland.sh: no userland programs (mvn package with musl-tools)" >&2; exit 1; }
busybox=/bin/busybox
loop="i=0; while [ \$i -lt $loop_n ]; do i=\$((i+1)); done"

# One line per figure: "NAME VALUE UNIT" from the programs' own reports.
figures() {
  awk '/^getpid:/ {print "getpid", $(NF-3), "ns"}
       /^pipe round trip:/ {print "pipe-round-trip", $(NF-3), "ns"}
       /^pipe throughput:/ {print "pipe-throughput", $(NF-1), "MB/s"}
       /^fork\+exec\+wait:/ {print "fork-exec-wait", $(NF-3), "ns"}
       /^loop / {print "busybox-loop", $2, "ms"}'
}

native() {
  "$bin/getpid-bench" "$getpid_n"
  "$bin/pipe-bench" "$pipe_n" "$pipe_mib"
  PATH="$bin:$PATH" "$bin/forkexec-bench" "$fork_n" hello
  s=$(date +%s%N); "$busybox" sh -c "$loop"; e=$(date +%s%N); echo "loop $(( (e - s) / 1000000 ))"
}

qemu() {
  qemu-x86_64 "$bin/getpid-bench" "$getpid_n"
  qemu-x86_64 "$bin/pipe-bench" "$pipe_n" "$pipe_mib"
  # qemu-user runs only the first program: the exec'd child runs natively.
  PATH="$bin:$PATH" qemu-x86_64 "$bin/forkexec-bench" "$fork_n" hello
  s=$(date +%s%N); qemu-x86_64 "$busybox" sh -c "$loop"; e=$(date +%s%N); echo "loop $(( (e - s) / 1000000 ))"
}

alos() {
  # Gogo expands $NAME inside double quotes: the loop's own variables are escaped for it.
  local gogo_loop="${loop//\$/\\\$}"
  "$root/alos" -netdev hub,id=n0 -device pcnet,netdev=n0 -serial none -c "exec /bin/getpid-bench $getpid_n;
      exec /bin/pipe-bench $pipe_n $pipe_mib; exec /bin/forkexec-bench $fork_n hello;
      time { exec /bin/busybox sh -c \"$gogo_loop\" }" 2>&1 | sed -E 's/^elapsed ([0-9.]+) ms/loop \1/'
}

declare -A n q a
while read -r k v u; do n[$k]="$v $u"; done < <(native | figures)
if command -v qemu-x86_64 >/dev/null; then
  while read -r k v u; do q[$k]="$v $u"; done < <(qemu | figures)
fi
while read -r k v u; do a[$k]="$v $u"; done < <(alos | figures)

# The last column is ALOS/J's time over native's (for throughput: native's rate over ALOS/J's).
printf '%-16s %16s %16s %16s %10s\n' benchmark native qemu-x86_64 ALOS/J ALOS/native
for k in getpid pipe-round-trip pipe-throughput fork-exec-wait busybox-loop; do
  nv=${n[$k]:-?}; qv=${q[$k]:-n/a}; av=${a[$k]:-?}
  ratio=$(awk -v x="${av%% *}" -v y="${nv%% *}" -v k="$k" 'BEGIN { if (y + 0 == 0 || x + 0 == 0) print "?";
      else if (k == "pipe-throughput") printf "%.1fx\n", y / x; else printf "%.1fx\n", x / y }')
  printf '%-16s %16s %16s %16s %10s\n' "$k" "$nv" "$qv" "$av" "$ratio"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
