#!/usr/bin/env bash
# Install what mnist-claims needs; idempotent and safe to re-run (`make setup` calls it).
#
#   scripts/setup.sh [core|test|report|slurm|all]      (default: all)
#
#   core    apt: libtorch-dev libopenblas0-pthread python3-torch python3-sklearn cmake g++ make nodejs npm
#           (node/npm skipped when both are already on PATH); .NET SDK check; MNIST into .cache/mnist
#   test    core + npm dependencies of tools/duckdb (Parquet interop tests) + slurm (the Slurm integration test is in the fast tier)
#   report  core + tools/duckdb + chromium fonts-dejavu-core (HTML -> PDF/PNG reports)
#   slurm   core + apt: slurm-wlm munge (scripts/slurm/: sharded runs, the single-node test cluster)
#   all     everything
#
# Uses sudo only when not root and sudo exists. Runs `apt-get update` only when a package is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GROUP="${1:-all}"
case "$GROUP" in
  core | test | report | slurm | all) ;;
  -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
  *) echo "setup: error: unknown group '$GROUP'; expected one of: core, test, report, all" >&2; exit 2 ;;
esac

say() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }
want() { # want GROUP... : is the selected group one of these?
  local g
  for g in "$@"; do [[ "$GROUP" == "$g" || "$GROUP" == all ]] && return 0; done
  return 1
}

# ---------------------------------------------------------------- apt packages
packages=(libtorch-dev libopenblas0-pthread python3-torch python3-sklearn cmake g++ make)
if command -v node >/dev/null && command -v npm >/dev/null; then
  say "node and npm already on PATH ($(node --version), npm $(npm --version 2>/dev/null || echo '?')); skipping nodejs/npm packages"
else
  packages+=(nodejs npm)
fi
if want report; then packages+=(chromium fonts-dejavu-core); fi
if want slurm test; then packages+=(slurm-wlm munge); fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

to_install=()
for p in "${packages[@]}"; do
  if installed "$p"; then
    say "$p already installed"
  else
    say "$p missing; will install"
    to_install+=("$p")
  fi
done

if [[ ${#to_install[@]} -gt 0 ]]; then
  command -v apt-get >/dev/null || die "apt-get not found; install manually: ${to_install[*]}"
  SUDO=()
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null || die "not root and sudo is not available; as root run: apt-get install ${to_install[*]}"
    SUDO=(sudo)
  fi
  say "apt-get update"
  ${SUDO[@]+"${SUDO[@]}"} apt-get update -qq || die "apt-get update failed"
  say "apt-get install ${to_install[*]}"
  ${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${to_install[@]}" \
    || die "apt-get install failed for: ${to_install[*]}"
  for p in "${to_install[@]}"; do installed "$p" || die "$p still not installed after apt-get install"; done
  say "installed ${to_install[*]}"
fi

# ---------------------------------------------------------------- .NET SDK
if ! command -v dotnet >/dev/null; then
  die ".NET SDK not found: 'dotnet' is not on PATH. It cannot be installed from the package registries this script uses; install the .NET 10 SDK (https://dot.net) and re-run."
fi
sdks="$(dotnet --list-sdks 2>/dev/null || true)"
if ! grep -q '^10\.' <<<"$sdks"; then
  die ".NET 10 SDK not found (dotnet --list-sdks: ${sdks:-none}); install the .NET 10 SDK and re-run."
fi
say "dotnet SDK $(grep '^10\.' <<<"$sdks" | tail -n1 | cut -d' ' -f1) already installed"

# ---------------------------------------------------------------- tools/duckdb (npm)
if want test report; then
  DUCK="$ROOT/tools/duckdb"
  if [[ ! -f "$DUCK/package.json" ]]; then
    say "tools/duckdb/package.json not present; skipping duckdb tools"
  elif [[ -d "$DUCK/node_modules" ]]; then
    say "tools/duckdb node_modules already installed"
  else
    command -v npm >/dev/null || die "npm not found; needed for tools/duckdb"
    npm_log="$(mktemp)"
    [[ -f "$DUCK/package-lock.json" ]] || die "tools/duckdb/package-lock.json is missing: installs must be reproducible (npm ci)"
    # npm ci installs exactly the committed lockfile (every optional platform binding is listed in it), so every
    # machine gets the same DuckDB; a lockfile out of sync with package.json is an error, not a silent npm install.
    say "npm ci --prefix tools/duckdb"
    npm ci --prefix "$DUCK" --no-audit --no-fund >"$npm_log" 2>&1 \
      || { tail -n 20 "$npm_log" >&2; rm -f "$npm_log"; die "npm ci --prefix tools/duckdb failed (regenerate the lockfile with: cd tools/duckdb && npm install --package-lock-only)"; }
    rm -f "$npm_log"
    say "tools/duckdb dependencies installed"
  fi
fi

# ---------------------------------------------------------------- MNIST
say "MNIST: scripts/fetch-mnist.sh"
"$ROOT/scripts/fetch-mnist.sh" || die "fetching MNIST failed (see above)"

say "done ($GROUP)"
