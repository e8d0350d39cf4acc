#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (Playwright's own downloader cannot reach the net).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium is missing: run 'sudo apt-get install -y chromium' once, then retry." >&2; exit 1
fi
echo "Installing Debian's chromium (about 20 s)..."
apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null
