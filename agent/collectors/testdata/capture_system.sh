#!/usr/bin/env bash
# Captures this machine's kernel files the system collector reads, and what
# independent tools say at the same moment, into system-<arch>.json:
#   { "files": { "/proc/stat": "…", … }, "stat_after_1s": "…", "tools": { "nproc": "…", … } }
# Run from the repository root: agent/collectors/testdata/capture_system.sh
set -euo pipefail
out="agent/collectors/testdata/system-$(uname -m).json"
stat_before=$(cat /proc/stat)
sleep 1
stat_after=$(cat /proc/stat)
args=()
for f in /proc/loadavg /proc/meminfo /proc/uptime /proc/sys/kernel/random/boot_id \
  /proc/sys/kernel/hostname /proc/sys/kernel/osrelease; do
  args+=(--rawfile "$f" "$f")
done
jq -n "${args[@]}" \
  --arg stat_before "$stat_before" \
  --arg stat_after "$stat_after" \
  --arg nproc "$(nproc)" \
  --arg free "$(free -b)" \
  --arg uname "$(uname -srm)" \
  '{ files: (($ARGS.named | with_entries(select(.key | startswith("/"))))
       + { "/proc/stat": ($stat_before + "\n") }),
     stat_after_1s: ($stat_after + "\n"),
     tools: { uname: $uname, nproc: $nproc, "free -b": $free } }' >"$out"
echo "wrote $out"
