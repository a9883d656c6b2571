#!/bin/sh
# run.sh [CORPUS_DIR] [realworld flags]
#
# Builds natsaudit from this tree and re-scans the real-world corpus (issue 12)
# against testdata/realworld/verdicts.json: true positives still found or
# lost, false positives still present or fixed, misses now found, new
# unjudged findings, aborts, findings whose line moves between runs, and
# precision. CORPUS_DIR defaults to $NATSAUDIT_CORPUS, else /work/corpus; it
# holds one owner+name directory per repository of testdata/realworld/manifest.json.
#
#   tools/realworld/run.sh                       # 5 runs per repository
#   tools/realworld/run.sh /data/corpus -runs 1 -repo absmach/magistrala
#   tools/realworld/run.sh -recreate             # rebuild the copies from /work/.mirror/<owner>+<name>/repo
#   tools/realworld/run.sh -skeleton             # unjudged findings as verdict entries, to judge
#
# It never fetches anything: -recreate only runs git archive on local mirrors.
set -eu
cd "$(dirname "$0")/../.."
corpus=${NATSAUDIT_CORPUS:-/work/corpus}
case "${1:-}" in
"" | -*) ;;
*)
	corpus=$1
	shift
	;;
esac
go build -o bin/natsaudit ./cmd/natsaudit
exec go run ./tools/realworld -corpus "$corpus" -bin bin/natsaudit "$@"
