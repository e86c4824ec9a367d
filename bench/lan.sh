#!/usr/bin/env bash
# TCP throughput between two ALOS/J machines (two JVMs) on a clean UDP LAN: raw Ethernet frames
# in UDP datagrams over loopback (`-netdev udp`), PCnet models, pcnet32 drivers, the stacks.
# The client machine fetches a file from the server machine's httpd GETS times in one boot
# (`http get -sha256`, the body is hashed, not stored) and prints Mbit/s for each GET; the
# first GET is cold (JIT), the later ones warm. Two setups: no fault filter at all, and the
# fault filter on each machine with reorder=0.02 (no drop), as bench/tcp-peers.sh part 2.
# Usage: bench/lan.sh [MIB] [GETS] [RUNS]   (RUNS boots of each setup; the median of the warm GETs)
# Environment: LAN_JAVA_OPTS_SERVER / LAN_JAVA_OPTS_CLIENT replace the JVM options (e.g. JFR);
# LAN_ALOS runs another launcher (e.g. one for an older build) instead of ./alos;
# LAN_SETUPS=0 runs only the setup without the fault filter (1: only the one with it);
# LAN_NICS lists the NIC models to compare, each booted in turn within every run so that they
# share the machine's load (default: pcnet; e.g. "pcnet virtio-net-pci virtio-net-pci,host_mtu=9000");
# LAN_BUILDS="NAME=LAUNCHER ..." compares builds A/B the same way, each NIC of each build booted in
# turn within every run (e.g. "new=./alos old=/tmp/old/alos", the old one a copy of alos and its
# distribution/target/alosj).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mib="${1:-50}"; gets="${2:-4}"; runs="${3:-3}"
tmp="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
alos="${LAN_ALOS:-$root/alos}"
builds=(${LAN_BUILDS:-"=$alos"})
for b in "${builds[@]}"; do
  "${b#*=}" --help >/dev/null   # builds the distribution if needed
done
head -c "$((mib * 1048576))" /dev/urandom > "$tmp/big.bin"
expected="$(sha256sum "$tmp/big.bin" | cut -d' ' -f1)"

# CPU seconds a process has used so far: user and system, separated by a space
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f %.2f", $14 / hz, $15 / hz}' "/proc/$1/stat" 2>/dev/null || echo "0 0"; }
# The same for its threads other than the JIT's compiler threads: what the data path itself costs.
# (During the first GETs C2 still compiles the hot code, a third of the CPU, and that varies.)
path_cpu_of() {
  local hz t
  hz="$(getconf CLK_TCK)"
  for t in /proc/"$1"/task/*; do
    grep -q CompilerThre "$t/comm" 2>/dev/null || sed 's/.*) //' "$t/stat" 2>/dev/null | cut -d' ' -f12,13
  done | awk -v hz="$hz" '{u += $1; s += $2} END {printf "%.2f %.2f", u / hz, s / hz}'
}

# one_run FAULT(0|1) NIC -> prints the Mbit/s of each GET on one line, then the server's CPU
# seconds from its prompt to the end (the GETs' sending side; user + system, ms a MiB sent, and system
# alone: the datagrams' system calls and the threads' wake-ups; and ms a MiB of the warm GETs, from the
# end of the first GET on) and the client's whole CPU (boot included)
one_run() {
  local fault="$1" nic="$2" pa pb na nb fa fb cmds
  pa=$((20000 + RANDOM % 20000)); pb=$((pa + 1))
  # A NIC with options (virtio-net-pci,host_mtu=9000) takes netdev and mac after them.
  if [ "$fault" = 1 ]; then
    fa=(-netdev "fault,id=f0,netdev=u0,reorder=0.02,seed=1" -device "$nic,netdev=f0,mac=52:54:00:00:00:01")
    fb=(-netdev "fault,id=f0,netdev=u0,reorder=0.02,seed=2" -device "$nic,netdev=f0,mac=52:54:00:00:00:02")
  else
    fa=(-device "$nic,netdev=u0,mac=52:54:00:00:00:01")
    fb=(-device "$nic,netdev=u0,mac=52:54:00:00:00:02")
  fi
  ALOS_JAVA_OPTS="${LAN_JAVA_OPTS_SERVER:--XX:+UseSerialGC}" "$alos" -nodefaults \
    -netdev "udp,id=u0,local=127.0.0.1:$pa,remote=127.0.0.1:$pb" "${fa[@]}" \
    -c "ifconfig eth0 10.0.0.1/24; httpd start 80 host:$tmp; echo SERVER-READY; sleep 3600" > "$tmp/server.log" 2>&1 &
  server=$!
  for _ in $(seq 300); do grep -q SERVER-READY "$tmp/server.log" 2>/dev/null && break; sleep 0.1; done
  local server_cpu0 server_cpu1
  server_cpu0="$(cpu_of "$server")"
  cmds="ifconfig eth0 10.0.0.2/24"
  for _ in $(seq "$gets"); do cmds="$cmds; http get -sha256 http://10.0.0.1/big.bin"; done
  # The server's CPU when the first (cold) GET is done: the warm GETs' cost leaves out its JIT work.
  rm -f "$tmp/client.log" "$tmp/warm0"
  ( for _ in $(seq 6000); do
      if grep -q ' Mbit/s' "$tmp/client.log" 2>/dev/null; then
        echo "$(cpu_of "$server") $(path_cpu_of "$server")" > "$tmp/warm0"; break
      fi
      sleep 0.05
    done ) &
  local watcher=$!
  ALOS_JAVA_OPTS="${LAN_JAVA_OPTS_CLIENT:--XX:+UseSerialGC}" /usr/bin/time -f "%U %S" -o "$tmp/client.cpu" "$alos" -nodefaults \
    -netdev "udp,id=u0,local=127.0.0.1:$pb,remote=127.0.0.1:$pa" "${fb[@]}" \
    -c "$cmds; netstat -s" > "$tmp/client.log" 2>&1 || true
  server_cpu1="$(cpu_of "$server")"
  local server_path1
  server_path1="$(path_cpu_of "$server")"
  kill "$watcher" 2>/dev/null || true; wait "$watcher" 2>/dev/null || true
  kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""
  local bad
  bad="$(grep 'sha256' "$tmp/client.log" | grep -vc "$expected" || true)"
  if [ "$bad" != 0 ] || ! grep -q "$expected" "$tmp/client.log"; then
    echo "a GET failed or the digest differs:" >&2; cat "$tmp/client.log" >&2; return 1
  fi
  grep -o '[0-9.]* Mbit/s' "$tmp/client.log" | cut -d' ' -f1 | tr '\n' ' '
  echo "| CPU server $(echo "$server_cpu0 $server_cpu1" | awk -v mib="$((mib * gets))" \
    '{u = $3 - $1; s = $4 - $2; printf "%.2f s (%.1f ms/MiB, system %.2f s)", u + s, 1000 * (u + s) / mib, s}'), \
warm GETs $(echo "$(cat "$tmp/warm0" 2>/dev/null || echo "$server_cpu1 $server_path1") $server_cpu1 $server_path1" \
    | awk -v mib="$((mib * (gets - 1)))" '{m = (mib > 0) ? 1000 / mib : 0;
      printf "%.1f ms/MiB, without the JIT compiler threads %.1f (system %.1f)", m * ($5 + $6 - $1 - $2), m * ($7 + $8 - $3 - $4), m * ($8 - $4)}'), client $(awk '{printf "%.2f", $1 + $2}' "$tmp/client.cpu") s"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

nics=(${LAN_NICS:-pcnet})
for fault in ${LAN_SETUPS:-0 1}; do
  if [ "$fault" = 1 ]; then label="fault filter reorder=0.02 each way"; else label="no fault filter"; fi
  echo "== two machines on a UDP LAN, $label, $mib MiB x $gets GETs, $runs boots of each NIC; load $(cut -d' ' -f1-3 /proc/loadavg) =="
  declare -A warm=() cost=() path=()
  keys=()
  for r in $(seq "$runs"); do
    for b in "${builds[@]}"; do
      alos="${b#*=}"
      for nic in "${nics[@]}"; do
        name="${b%%=*}"; key="${name:+$name }$nic"
        [ "$r" = 1 ] && keys+=("$key")
        line="$(one_run "$fault" "$nic")"
        echo "$key boot $r: ${line/|/Mbit/s;}"
        warm[$key]="${warm[$key]:-} $(echo "${line%%|*}" | cut -d' ' -f2-)"
        cost[$key]="${cost[$key]:-} $(echo "$line" | grep -o 'warm GETs [0-9.]* ms/MiB' | cut -d' ' -f3 || true)"
        path[$key]="${path[$key]:-} $(echo "$line" | grep -o 'compiler threads [0-9.]*' | cut -d' ' -f3 || true)"
      done
    done
  done
  for nic in "${keys[@]}"; do
    echo "$nic median of the warm GETs: $(echo "${warm[$nic]}" | tr ' ' '\n' | grep . | median) Mbit/s;" \
      "server CPU a MiB of the warm GETs (median of the boots): $(echo "${cost[$nic]}" | tr ' ' '\n' | grep . | median) ms," \
      "without the JIT compiler threads $(echo "${path[$nic]}" | tr ' ' '\n' | grep . | median) ms"
  done
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  unset warm cost path
done
