#!/usr/bin/env bash
# The whole suite (`make test`), arranged so that both cores work all the time.
#
# Three runs go side by side: the browser tests and the PostgreSQL run start first, in the
# background, and the checks and the SQLite run follow in the foreground (each database run
# on both cores with pytest-xdist). One after the other, the cores waited: on the app servers,
# PostgreSQL clusters and processes the PostgreSQL run's process tests start and stop, on the
# one worker still busy at the end of each run, on Chromium. Side by side, the other runs fill
# those waits. The first failure stops everything, and the background runs are killed with
# it, so CI does not wait for tests whose answer no longer matters.
set -uo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
export DJANGO_SECRET_KEY=insecure-key-for-tests-only
# Python writes bytecode (__pycache__, ignored by git) even where the environment says not to:
# without it each of the five pytest processes compiles the project and rewrites the asserts
# of every test module again (about 12 s of CPU per process), and so does every app server
# and manage.py the tests start.
unset PYTHONDONTWRITEBYTECODE
mkdir -p var

browser_pid=""
postgres_pid=""
stop() {
    if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
        kill -- "-$1" 2>/dev/null || kill "$1" 2>/dev/null
    fi
}
cleanup() {
    stop "$browser_pid"
    stop "$postgres_pid"
    if [ -n "${KRAVSPAR_TEST_TEMPLATE_DIR:-}" ]; then
        rm -rf "$KRAVSPAR_TEST_TEMPLATE_DIR"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() {
    local name=$1
    shift
    local start=$SECONDS
    echo "== $name"
    if ! "$@"; then
        echo "== $name FAILED after $((SECONDS - start)) s"
        if [ -n "$browser_pid$postgres_pid" ]; then
            echo "(the background runs were stopped; their logs so far: var/test-browser.log, var/test-postgres.log)"
        fi
        exit 1
    fi
    echo "== $name passed in $((SECONDS - start)) s"
    background_failed
}

# A background run that already failed stops the suite at the next step.
background_failed() {
    local run
    for run in browser postgres; do
        if [ -s "var/test-$run.rc" ] && [ "$(cat "var/test-$run.rc")" != 0 ]; then
            echo "== $run tests FAILED:"
            cat "var/test-$run.log"
            exit 1
        fi
    done
}

# wait_for NAME PID: wait for a background run and print its log.
wait_for() {
    local start=$SECONDS
    echo "== waiting for the $1 tests"
    wait "$2"
    echo "== $1 tests (waited $((SECONDS - start)) s):"
    cat "var/test-$1.log"
    test "$(cat "var/test-$1.rc" 2>/dev/null)" = 0 || {
        echo "== $1 tests FAILED"
        exit 1
    }
}

rm -f var/test-browser.rc var/test-postgres.rc
# One folder for the migrated templates of this make test's runs (kravspar/testing/
# migrated_template.py): the browser tests' app server and the SQLite run share one SQLite
# migrate, whichever starts it first; removed at the end.
KRAVSPAR_TEST_TEMPLATE_DIR=$(mktemp -d "$PWD/var/test-templates.XXXXXX")
export KRAVSPAR_TEST_TEMPLATE_DIR
# setsid: each background run gets its own process group, so cleanup stops its servers too.
# Only tests/browser is collected (the root conftest.py refuses a browser test elsewhere):
# collecting the whole suite to keep 56 tests cost about 15 s of CPU.
setsid bash -c "$BIN/pytest -q -p no:cacheprovider -m browser tests/browser > var/test-browser.log 2>&1; echo \$? > var/test-browser.rc; echo \"(ended \$SECONDS s after the start)\" >> var/test-browser.log" &
browser_pid=$!
echo "== browser tests started in the background (log: var/test-browser.log)"
# The PostgreSQL run repeats only the tests that can reach the database (conftest.py): the
# others cannot tell the two databases apart and pass or fail on SQLite in this same make test.
setsid bash -c "KRAVSPAR_TEST_DATABASE_ONLY=1 $BIN/python scripts/with_postgres.py $BIN/pytest --durations=15 -q -p no:cacheprovider -n 2 --dist loadgroup -m 'not browser' > var/test-postgres.log 2>&1; echo \$? > var/test-postgres.rc; echo \"(ended \$SECONDS s after the start)\" >> var/test-postgres.log" &
postgres_pid=$!
echo "== pytest on PostgreSQL started in the background (log: var/test-postgres.log)"

step "ruff" bash -c "$BIN/ruff check . && $BIN/ruff format --check ."
step "mypy" "$BIN/mypy" .
step "migrations" "$BIN/python" manage.py makemigrations --check --dry-run
step "translations" "$BIN/python" scripts/check_translations.py
step "pytest on SQLite" "$BIN/pytest" --durations=15 -q -p no:cacheprovider -n 2 --dist loadgroup -m "not browser"

wait_for postgres "$postgres_pid"
postgres_pid=""
wait_for browser "$browser_pid"
browser_pid=""
echo "== all passed in $SECONDS s"
