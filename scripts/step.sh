#!/usr/bin/env bash
# Run one setup step, saying what it does and how long it took: no silent minutes.
# Usage: scripts/step.sh "what this does" command args...
set -uo pipefail
label=$1; shift
start=$(date +%s)
echo "==> ${label}..."
"$@"
status=$?
secs=$(( $(date +%s) - start ))
if [ $status -eq 0 ]; then echo "==> ${label}: done in ${secs} s"; else echo "==> ${label}: FAILED after ${secs} s (exit ${status})" >&2; fi
exit $status
