#!/usr/bin/env bash
# The test command: works on a fresh machine (runs setup first), stops at the first failing stage,
# and always ends with the counts of each test runner that ran.
set -euo pipefail
cd "$(dirname "$0")/.."

LOGS=$(mktemp -d)
CURRENT=
summary() {
  local status=$?
  printf '\n======== summary ========\n'
  local counts
  counts=$(
    # cargo prints one "test result:" line per test binary: add them up.
    for name in "native tests" "browser tests"; do
      [ -f "$LOGS/$name.log" ] && awk -v name="$name" '/^test result:/ {
          for (i = 2; i <= NF; i++) if ($i ~ /^(passed|failed|ignored)/) { k = $i; sub(/[;,]$/, "", k); n[k] += $(i - 1) } }
        END { printf "%-30s %d passed, %d failed, %d ignored\n", name ":", n["passed"], n["failed"], n["ignored"] }' "$LOGS/$name.log"
    done
    # node --test prints one "# pass N" block per run: one run per browser. (An `if`, not `[ -f ] &&`: a browser whose
    # stage never ran must not leave a failing status, which would end this function under set -e.)
    for browser in chromium firefox webkit; do
      name="end-to-end tests ($browser)"
      if [ -f "$LOGS/$name.log" ]; then awk -v name="$name" '/^# (pass|fail|skipped|cancelled|todo) / { n[$2] = $3 }
        END { printf "%-30s %d passed, %d failed, %d skipped, %d cancelled, %d todo\n", name ":", n["pass"], n["fail"], n["skipped"], n["cancelled"], n["todo"] }' "$LOGS/$name.log"; fi
    done
  )
  echo "$counts"
  if [ "$status" -eq 0 ]; then echo "ALL PASSED"; else echo "FAILED in stage: $CURRENT"; fi
  # The last line, in the plain form CI reads: every runner's counts added up.
  echo "$counts" | awk '{ for (i = 2; i <= NF; i++) { if ($i ~ /^passed/) p += $(i - 1); if ($i ~ /^failed/) f += $(i - 1) } }
    END { printf "total: %d passed, %d failed\n", p, f }'
  rm -rf "$LOGS"
}
trap summary EXIT

# Runs a stage under a header, keeping a copy of its output for the summary.
stage() {
  CURRENT=$1; shift
  printf '\n======== %s ========\n' "$CURRENT"
  "$@" 2>&1 | tee "$LOGS/$CURRENT.log"
}

stage setup scripts/setup.sh
source scripts/env.sh

# Habits first: formatting and lints (native and wasm32), warnings are errors.
lint() {
  cargo fmt --check
  cargo clippy --all-targets -- -D warnings
  if [ "$(wasm_std_route)" = rustup ] || cargo +deb clippy --version >/dev/null 2>&1; then
    wasm_cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
  else
    echo "lint: no clippy for the Debian wasm32 toolchain here: wasm32 lints skipped"
  fi
}
stage lint lint
stage "native tests" cargo test
# The runner drives Chromium through chromedriver; ./webdriver.json adds the headless flags.
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  stage "browser tests" wasm_cargo test --target wasm32-unknown-unknown --test web
stage build bash -c 'scripts/build.sh && webpack'
E2E_BROWSER=chromium stage "end-to-end tests (chromium)" node --test tests/support/*.test.mjs tests/e2e/*.test.mjs tests/examples/*.test.mjs
# The files with tests that run in every engine (tests/support/browsers/); their Chromium-only tests are left out there.
EVERY_ENGINE=(tests/e2e/upload.test.mjs tests/e2e/resume.test.mjs tests/e2e/faults.test.mjs tests/e2e/package.test.mjs
  tests/e2e/demo.test.mjs tests/e2e/engines.test.mjs)
for browser in firefox webkit; do
  E2E_BROWSER=$browser stage "end-to-end tests ($browser)" node --test "${EVERY_ENGINE[@]}"
done
