#!/usr/bin/env bash
# Extract translatable strings into each app's locale/en/LC_MESSAGES/django.po, then compile them.
# Chinese is the source language; English translations are filled in the .po files (tests check they are complete).
# Needs GNU gettext (apt-get install gettext). Usage: scripts/messages.sh [app ...]
set -euo pipefail
cd "$(dirname "$0")/../src/gonghui"
G="$(cd ../.. && pwd)/.venv/bin/gonghui"
apps=("$@")
[ ${#apps[@]} -gt 0 ] || apps=($(for d in */apps.py; do dirname "$d"; done))
for app in "${apps[@]}"; do
  (cd "$app" && mkdir -p locale && "$G" makemessages -l en --no-obsolete --no-location -v 0 && "$G" compilemessages -l en -v 0)
done
# Project level: templates/ and top-level modules.
ignores=(); for d in */apps.py; do ignores+=(-i "$(dirname "$d")/*"); done
"$G" makemessages -l en --no-obsolete --no-location -v 0 -i 'static/*' "${ignores[@]}"
"$G" compilemessages -l en -v 0 -i '*/locale' 2>/dev/null || "$G" compilemessages -l en -v 0
