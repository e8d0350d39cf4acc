#!/usr/bin/env bash
# Print a short hash of the given files and folders' contents (sorted, stable).
set -euo pipefail
find "$@" -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z \
  | xargs -0 sha256sum | sha256sum | cut -c1-12
