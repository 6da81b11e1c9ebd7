#!/usr/bin/env bash
# Renders an HTML report with headless Chromium: a PNG to look at and the
# DOM Chromium produced. Usage: scripts/browser/screenshot.sh report.html [out.png]
# Needs Debian's `chromium` (apt-get install -y chromium). Works offline.
set -euo pipefail
html="$(realpath "$1")"
png="${2:-${html%.html}.png}"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
       --disable-component-update --disable-sync --no-first-run --hide-scrollbars
       "--user-data-dir=$profile")
chromium "${flags[@]}" --window-size=1200,2400 "--screenshot=$png" "file://$html" 2>/dev/null
chromium "${flags[@]}" --virtual-time-budget=2000 --dump-dom "file://$html" 2>/dev/null \
  > "${png%.png}.dom.html"
echo "screenshot: $png"
echo "DOM:        ${png%.png}.dom.html"
