#!/usr/bin/env bash
# The one test command: installs what the tests need on a fresh Debian machine, starts it,
# builds everything, runs every test project and ends with one line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
RESULTS="$ROOT/TestResults"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"

log() { echo "[test.sh] $*"; }

# --- System packages -------------------------------------------------------------------------
need_pkgs=()
command -v pg_ctlcluster >/dev/null || need_pkgs+=(postgresql)
command -v node >/dev/null || need_pkgs+=(nodejs npm)
[[ -x /usr/bin/turnserver ]] || need_pkgs+=(coturn)
[[ -x /usr/bin/chromium ]] || need_pkgs+=(chromium)   # the web client tests drive Debian's Chromium (Playwright never downloads one)
command -v ffmpeg >/dev/null || need_pkgs+=(ffmpeg)   # media tests make real videos and voice notes; the CLI probes them
if ((${#need_pkgs[@]})); then
  log "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get install -y -q "${need_pkgs[@]}" || { apt-get update -q && apt-get install -y -q "${need_pkgs[@]}"; }) >"$RESULTS/apt.log" 2>&1 \
    || { log "apt-get failed, see $RESULTS/apt.log"; tail -20 "$RESULTS/apt.log"; }
fi

# --- PostgreSQL: a throwaway cluster owned by this run -----------------------------------------
source "$ROOT/tests/scripts/postgres.sh"
start_postgres "$RESULTS/pg" || { log "PostgreSQL did not start"; }

# --- Node packages for the libsignal interop harness --------------------------------------------
if [[ -f tests/interop-harness/package-lock.json ]]; then
  log "installing interop harness npm packages"
  (cd tests/interop-harness && npm ci --no-audit --no-fund >"$RESULTS/npm.log" 2>&1) || { log "npm ci failed"; tail -20 "$RESULTS/npm.log"; }
fi

# --- Build and test ---------------------------------------------------------------------------
export PARLEY_SCREENSHOTS="$RESULTS/screenshots"   # the web client tests save screenshots of the main screens here
log "building"
if ! dotnet build Parley.slnx -c Release -nologo -v q >"$RESULTS/build.log" 2>&1; then
  tail -40 "$RESULTS/build.log"
  echo "0 passed, 1 failed"
  exit 1
fi

status=0
for proj in tests/*/*.csproj; do
  name=$(basename "$proj" .csproj)
  log "running $name"
  dotnet test "$proj" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS" \
    --blame-hang-timeout 10m 2>&1 | tee "$RESULTS/$name.log" | grep -E "^\s*(Failed|Passed!|Failed!|error)|\[FAIL\]"
  code=${PIPESTATUS[0]}   # read at once: any later command resets it
  if [[ $code -ne 0 ]]; then
    status=1
    # Why they failed, so a CI log alone is enough to start from (the full log is in TestResults).
    grep -E -A8 "^\s*Error Message:" "$RESULTS/$name.log" | head -60
  fi
done

stop_postgres

# --- Summary ----------------------------------------------------------------------------------
passed=0; failed=0; skipped=0; found=0
for trx in "$RESULTS"/*.trx; do
  [[ -f "$trx" ]] || continue
  found=1
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed))); failed=$((failed + $(get failed)))
  total=$(get total); executed=$(get executed)
  skipped=$((skipped + total - executed))
done
if [[ $found -eq 0 || ( $status -ne 0 && $failed -eq 0 ) ]]; then failed=$((failed + 1)); fi
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
