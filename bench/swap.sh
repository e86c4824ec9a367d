#!/usr/bin/env bash
# Driver swap gap under load, NIC models side by side in one run: for each model in NICS, one
# machine with two such NICs on the in-JVM hub (eth0 10.0.0.1, eth1 10.0.0.2) fetches a 60 MB
# file from eth1's httpd twice; 0.3 s into the second GET the NIC driver's bundle is swapped:
# `update` (SWAPS=update, the default), `stop` then `start` (restart) or `uninstall` then a fresh
# install of the same jar (reinstall). Per boot it prints the GET's rate, the gap (from "eth1: the
# driver went away" to eth1's next "in slot" line in the log: eth1 had no driver) and TCP's loss
# counters (timeouts = RTOs; window probes are counted apart).
# Usage: bench/swap.sh [BOOTS]   NICS="pcnet virtio-net-pci" (default) picks the models,
#        SWAPS="update restart reinstall" the kinds of swap (each a boot of its own).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
boots="${1:-3}"
nics=(${NICS:-pcnet virtio-net-pci})
swaps=(${SWAPS:-update})
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
"$root/alos" --help >/dev/null # builds the distribution if needed
head -c 60000000 /dev/urandom > "$tmp/big.bin"
expected="$(sha256sum "$tmp/big.bin" | cut -d' ' -f1)"
# Bundle ids follow conf/bundles.list (the system bundle is 0).
bundle_id() {
  grep -v '^\s*#' "$root/distribution/target/alosj/conf/bundles.list" | grep -v '^\s*$' | grep -n "^$1\$" | cut -d: -f1
}
driver_of() { case "$1" in pcnet) echo drivers-pcnet.jar ;; e1000|e1000e) echo drivers-e1000e.jar ;; virtio-net-pci*) echo drivers-virtio.jar ;; esac; }

swap_of() { # the console's commands for swap kind $1 of bundle $2 (jar $3)
  case "$1" in
    update) echo "update $2" ;;
    restart) echo "stop $2; start $2" ;;
    # Gogo's start with a location installs the jar as a new bundle, then starts it.
    reinstall) echo "uninstall $2; start file:$root/distribution/target/alosj/bundles/$3" ;;
    *) echo "bench/swap.sh: unknown swap '$1' (update, restart or reinstall)" >&2; exit 2 ;;
  esac
}

echo "== driver ${swaps[*]} during a 60 MB HTTP GET between two NICs of one machine; load $(cut -d' ' -f1-3 /proc/loadavg) =="
for b in $(seq "$boots"); do
  for nic in "${nics[@]}"; do
   for kind in "${swaps[@]}"; do
    jar="$(driver_of "$nic")"
    id="$(bundle_id "$jar")"
    swap="$(swap_of "$kind" "$id" "$jar")"
    run="$tmp/run-$b"
    rm -rf "$run"
    out="$(ALOS_RUN="$run" "$root/alos" -nodefaults -netdev hub,id=n0 -device "$nic,netdev=n0,mac=52:54:00:00:00:01,addr=2" \
      -device "$nic,netdev=n0,mac=52:54:00:00:00:02,addr=3" \
      -c "ifconfig eth0 10.0.0.1/24; ifconfig eth1 10.0.0.2/24; httpd start 80 host:$tmp; http get -sha256 http://10.0.0.2/big.bin; (sleep 0.3; $swap) &; http get -sha256 http://10.0.0.2/big.bin; netstat -s" 2>&1)"
    if [ "$(echo "$out" | grep -c "$expected")" != 2 ]; then
      echo "$nic: a GET failed or its digest differs:" >&2; echo "$out" >&2; exit 1
    fi
    gap="$(grep -E 'eth1: (the driver went away|\S+ in slot)' "$run/alosj.log" | awk '
      { split($1, t, ":"); ms = (t[1] * 3600 + t[2] * 60 + t[3]) * 1000 }
      /went away/ { away = ms; next }
      away != "" { printf "%.0f", ms - away; exit }')"
    rate="$(echo "$out" | grep -o '[0-9.]* Mbit/s' | tail -1)"
    tcp="$(echo "$out" | grep '^tcp:' | sed 's/^tcp: //')"
    echo "$nic $kind boot $b: gap ${gap:-?} ms; the GET $rate; $tcp"
   done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
