#!/usr/bin/env bash
# Installs the pinned SARIF Multitool (package-lock.json) into node_modules,
# once per lockfile change. Install scripts stay off (npm ci --ignore-scripts):
# the only one chmods the binary, which lint.sh does. The package also ships
# the SARIF 2.1.0 JSON schema that internal/report's schema test reads.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
stamp="$here/node_modules/.natsaudit-installed"
if [ ! -f "$stamp" ] || [ "$here/package-lock.json" -nt "$stamp" ]; then
	(cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
	touch "$stamp"
fi
