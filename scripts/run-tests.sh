#!/usr/bin/env bash
# Runs the NUnit suites with a filter and ends with one line "N passed, N failed, N skipped", where
# "skipped" counts every test that did not run to a verdict: ignored, inconclusive or not runnable.
# Under CI (the CI variable, which .ci/run sets) a test that cannot run because a tool is missing fails
# instead (tests/Common/Requires.cs), so "N skipped" is 0 on a machine where `make setup` has run.
set -uo pipefail
filter="${1:?usage: run-tests.sh <nunit filter>}"
cd "$(dirname "$0")/.."
results=$(mktemp -d)
status=0
for project in tests/Unit tests/Regression; do
  name=$(basename "$project")
  dotnet test "$project" -c "${CONFIG:-Release}" --no-build --filter "$filter" \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --logger "console;verbosity=normal" || status=1
done
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o "$1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  # The trx's notExecuted counter stays 0 for ignored tests: count everything that neither passed nor failed.
  p=$(get passed); f=$(( $(get failed) + $(get error) + $(get timeout) + $(get aborted) ))
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + $(get total) - p - f))
done
rm -rf "$results"
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "no tests ran" >&2; status=1
fi
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
