#!/usr/bin/env bash
# Installs natsaudit for the GitHub Action (action.yml), without compiling
# when it can:
#
#   install.sh release DEST   on a release tag (ACTION_REF=v1.2.3): download
#                             the release archive for this runner and the
#                             release's checksums file, verify the archive
#                             with sha256sum, extract natsaudit into DEST.
#                             Prints installed=true|false for $GITHUB_OUTPUT;
#                             false (not a release ref, no archive for this
#                             platform, download failed) falls back to the
#                             cached build. A checksum mismatch is an error,
#                             never a fallback: a tampered archive must stop
#                             the job.
#   install.sh cache-key      the key of the cached build: runner OS/arch,
#                             the action's ref, go.sum and the source tree
#                             (a branch ref such as main moves).
#   install.sh verify ARCHIVE CHECKSUMS
#                             exit 0 only when CHECKSUMS has exactly one
#                             SHA-256 line for ARCHIVE's name and it matches.
#
# The names follow .goreleaser.yaml (TestActionInstallMatchesGoreleaser):
# archives natsaudit_<version>_<os>_<arch>.tar.gz, checksums in
# checksums.txt.
set -euo pipefail

readonly CHECKSUMS_NAME=checksums.txt
readonly REPO=${NATSAUDIT_RELEASE_REPO:-natsaudit/natsaudit}

die() {
  echo "natsaudit install: $*" >&2
  exit 1
}

# archive_name VERSION OS ARCH, as name_template in .goreleaser.yaml.
archive_name() { printf 'natsaudit_%s_%s_%s.tar.gz\n' "$1" "$2" "$3"; }

verify() {
  local archive=$1 sums=$2 name want n
  name=$(basename -- "$archive")
  [ -f "$archive" ] || die "$archive: no such file"
  [ -f "$sums" ] || die "$sums: no such file"
  # sha256sum lines: "<64 hex>  <name>" (or " *<name>" in binary mode).
  n=$(awk -v f="$name" '($2 == f || $2 == "*" f) && length($1) == 64 && $1 ~ /^[0-9a-f]+$/' "$sums" | wc -l)
  [ "$n" -eq 1 ] || die "$name: want one checksum line in $(basename -- "$sums"), found $n"
  want=$(awk -v f="$name" '($2 == f || $2 == "*" f) && length($1) == 64 && $1 ~ /^[0-9a-f]+$/ { print $1 }' "$sums")
  printf '%s  %s\n' "$want" "$archive" | sha256sum --check --status ||
    die "$name: SHA-256 does not match $(basename -- "$sums"): refusing to run it"
}

platform() {
  local os arch
  case "${RUNNER_OS:-$(uname -s)}" in
    Linux) os=linux ;;
    macOS | Darwin) os=darwin ;;
    *) return 1 ;; # Windows archives are zip files: use the cached build
  esac
  case "${RUNNER_ARCH:-$(uname -m)}" in
    X64 | x86_64 | amd64) arch=amd64 ;;
    ARM64 | arm64 | aarch64) arch=arm64 ;;
    *) return 1 ;;
  esac
  printf '%s %s\n' "$os" "$arch"
}

release() {
  local dest=$1 ref=${ACTION_REF:-} version os arch name tmp url
  if ! [[ "$ref" =~ ^v([0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?)$ ]]; then
    echo "natsaudit install: ref '${ref//[^0-9A-Za-z._\/-]/?}' is not a release tag: using the cached build" >&2
    echo installed=false
    return 0
  fi
  version=${BASH_REMATCH[1]}
  if ! read -r os arch < <(platform); then
    echo "natsaudit install: no release archive for this runner: using the cached build" >&2
    echo installed=false
    return 0
  fi
  name=$(archive_name "$version" "$os" "$arch")
  tmp=$(mktemp -d)
  url="https://github.com/$REPO/releases/download/$ref"
  if ! curl -fsSL --proto '=https' --retry 3 -o "$tmp/$name" "$url/$name" ||
    ! curl -fsSL --proto '=https' --retry 3 -o "$tmp/$CHECKSUMS_NAME" "$url/$CHECKSUMS_NAME"; then
    rm -rf "$tmp"
    echo "natsaudit install: could not download $name from the $ref release: using the cached build" >&2
    echo installed=false
    return 0
  fi
  verify "$tmp/$name" "$tmp/$CHECKSUMS_NAME"
  mkdir -p "$dest"
  tar -xzf "$tmp/$name" -C "$tmp" natsaudit
  install -m 0755 "$tmp/natsaudit" "$dest/natsaudit"
  rm -rf "$tmp"
  echo installed=true
}

cache_key() {
  local dir=${GITHUB_ACTION_PATH:-.} src
  # The source tree as files and their digests, in a fixed order.
  src=$(cd "$dir" && find cmd internal rules go.mod go.sum -type f ! -name '*_test.go' ! -path '*/testdata/*' -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
  printf 'natsaudit-bin-%s-%s-%s-%s-%s\n' "${RUNNER_OS:-$(uname -s)}" "${RUNNER_ARCH:-$(uname -m)}" \
    "${ACTION_REF:-none}" "$(sha256sum "$dir/go.sum" | cut -c1-16)" "$src"
}

case "${1:-}" in
  verify)
    [ "$#" -eq 3 ] || die "usage: install.sh verify ARCHIVE CHECKSUMS"
    verify "$2" "$3"
    ;;
  release)
    [ "$#" -eq 2 ] || die "usage: install.sh release DEST"
    release "$2"
    ;;
  cache-key) cache_key ;;
  *) die "usage: install.sh release DEST | cache-key | verify ARCHIVE CHECKSUMS" ;;
esac
