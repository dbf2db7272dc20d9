#!/usr/bin/env bash
# Prints a Python 3.10 interpreter for the Rasa engine (Rasa 3.6 supports Python 3.8–3.10 only).
set -euo pipefail
is310() { "$@" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; }
for candidate in "${RASA_PYTHON:-}" python3.10; do
  if [ -n "$candidate" ] && command -v "$candidate" > /dev/null && is310 "$candidate"; then
    command -v "$candidate"; exit 0
  fi
done
if command -v pyenv > /dev/null; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10\.' | sort -rV); do
    if PYENV_VERSION="$v" is310 python3.10; then
      echo "$(PYENV_VERSION="$v" pyenv which python3.10)"; exit 0
    fi
  done
fi
echo "error: Rasa 3.6 needs Python 3.10, and none was found." >&2
echo "  Install it (e.g. 'apt-get install python3.10' or 'pyenv install 3.10.13')," >&2
echo "  or point RASA_PYTHON at a python3.10 interpreter." >&2
exit 1
