#!/usr/bin/env bash
# The whole suite (`make test`), arranged so that both cores work all the time.
#
# The browser tests start first, in the background: their app server's migrate and
# seed_demo and then Chromium run beside the checks (mypy uses one core) and the two
# database runs (SQLite, then PostgreSQL, each on both cores with pytest-xdist). One after
# the other the same work took the suite past 15 minutes on two cores; side by side no
# core waits. The first failure stops everything, and the background run is killed with
# it, so CI does not wait for tests whose answer no longer matters.
set -uo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
export DJANGO_SECRET_KEY=insecure-key-for-tests-only
mkdir -p var

browser_pid=""
cleanup() {
    if [ -n "$browser_pid" ] && kill -0 "$browser_pid" 2>/dev/null; then
        kill -- "-$browser_pid" 2>/dev/null || kill "$browser_pid" 2>/dev/null
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
        if [ -n "$browser_pid" ]; then
            echo "(the browser tests were stopped; their log so far is var/test-browser.log)"
        fi
        exit 1
    fi
    echo "== $name passed in $((SECONDS - start)) s"
}

rm -f var/test-browser.rc
# setsid: the browser run gets its own process group, so cleanup stops its app server too.
setsid bash -c "$BIN/pytest -q -p no:cacheprovider -m browser > var/test-browser.log 2>&1; echo \$? > var/test-browser.rc" &
browser_pid=$!
echo "== browser tests started in the background (log: var/test-browser.log)"

step "ruff" bash -c "$BIN/ruff check . && $BIN/ruff format --check ."
step "mypy" "$BIN/mypy" .
step "migrations" "$BIN/python" manage.py makemigrations --check --dry-run
step "translations" "$BIN/python" scripts/check_translations.py
step "pytest on SQLite" "$BIN/pytest" --durations=15 -q -p no:cacheprovider -n 2 --dist loadgroup -m "not browser"
# The PostgreSQL run repeats only the tests that can reach the database (conftest.py): the
# others cannot tell the two databases apart and have just passed on SQLite.
KRAVSPAR_TEST_DATABASE_ONLY=1 step "pytest on PostgreSQL" "$BIN/python" scripts/with_postgres.py "$BIN/pytest" --durations=15 -q -p no:cacheprovider -n 2 --dist loadgroup -m "not browser"

start=$SECONDS
echo "== waiting for the browser tests"
wait "$browser_pid"
browser_pid=""
echo "== browser tests (waited $((SECONDS - start)) s):"
cat var/test-browser.log
test "$(cat var/test-browser.rc 2>/dev/null)" = 0 || { echo "== browser tests FAILED"; exit 1; }
echo "== all passed in $SECONDS s"
