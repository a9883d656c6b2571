#!/usr/bin/env bash
# Validates SARIF logs with Microsoft's SARIF Multitool (pinned in
# package-lock.json) using GitHub code scanning's ingestion rules ("Gh") and
# the SARIF spec rules ("Sarif"), which include the SARIF 2.1.0 JSON schema.
# Fails on any error or warning. (Note-level advice such as "consider message
# ids" or "URL not reachable" is not run: it needs the network and is style.)
#
# Usage: tools/sarif-lint/lint.sh FILE.sarif...
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
	echo "usage: $0 FILE.sarif..." >&2
	exit 2
fi

"$here/install.sh"
bin=$(cd "$here" && node -p "require('@microsoft/sarif-multitool')")
chmod u+x "$bin"

# The validator is a self-contained .NET program; invariant globalization
# spares it the ICU libraries (it only reads JSON with ASCII keys).
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1

# The validator resolves the host names of URIs it meets ($schema,
# helpUri) even at these levels; without network (CI sandboxes, this
# machine) each lookup waits for the resolver to time out, about 11 s per
# file for 1.5 s of work. Run it without a network when the kernel lets us
# (a new network namespace has only a down loopback, so lookups fail at
# once); the result is the same, as no enabled rule needs the answer.
nonet=()
if command -v unshare >/dev/null 2>&1; then
	if unshare -n true 2>/dev/null; then
		nonet=(unshare -n)
	elif unshare -rn true 2>/dev/null; then
		nonet=(unshare -rn)
	fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
i=0
for f in "$@"; do
	i=$((i + 1))
	out="$tmp/$i.sarif"
	# The tool's exit code is 0 even when it reports errors: judge the log it
	# writes. Its default levels (error, warning) also keep the note-level
	# rules, some of which fetch URLs, from running.
	# The input comes first: list-valued options such as --log would take
	# a following file name as one more value.
	if ! "${nonet[@]}" "$bin" validate "$f" --rule-kind "Gh;Sarif" --output "$out" --log ForceOverwrite >"$tmp/console" 2>&1; then
		cat "$tmp/console" >&2
		echo "sarif-lint: validator failed to run on $f" >&2
		status=1
		continue
	fi
	node "$here/check.js" "$out" "$f" || status=1
done
exit $status
