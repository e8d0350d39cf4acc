#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 supports Python <= 3.10 only).
set -euo pipefail
for candidate in "${PYTHON310:-}" python3.10 "$HOME/.pyenv/versions/3.10"*/bin/python3.10 \
                 /root/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
  [ -n "$candidate" ] || continue
  if path=$(command -v "$candidate" 2>/dev/null) && "$path" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "$path"; exit 0
  fi
done
echo "Python 3.10 not found: install it with 'pyenv install 3.10' (or your OS package python3.10), or set PYTHON310=/path/to/python3.10." >&2
exit 1
