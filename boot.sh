#!/bin/sh
# Container start.
#   boot.sh release  wait for the database, migrate, import the bundled article, create the
#                    first admin if there is none: once per release (compose's `migrate`).
#   boot.sh serve    gunicorn only, for any number of web replicas.
#   boot.sh          both, in that order (the image's CMD, for a single container).
set -eu

release() {
    tries=0
    until flask --app app db upgrade; do
        status=$?
        if [ "$status" -eq 4 ]; then
            # app.py's exit code for a missing or wrong setting: waiting cannot fix it.
            exit 4
        fi
        tries=$((tries + 1))
        if [ "$tries" -ge 30 ]; then
            echo "boot.sh: the database is still not reachable after $tries tries; giving up" >&2
            exit 1
        fi
        echo "boot.sh: database not ready, retrying in 2 s ($tries/30)" >&2
        sleep 2
    done

    # Both commands are idempotent: the bundled article is imported only when there is no
    # article yet (a restart keeps the clinic's own imports), and the admin bootstrap only
    # prints a one-time password when it created the account.
    flask --app app articles import --if-empty --profile spinal_stenosis seed/stem-cell-spinal-stenosis.wp.json
    if flask --app app users --help | grep -q bootstrap-admin; then
        flask --app app users bootstrap-admin
    fi
}

serve() {
    # Workers, bind address, timeouts and a redacted JSON access log: gunicorn.conf.py (tests
    # use it too). Metrics are added up across workers through this container's own files.
    export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/prometheus-multiproc}"
    exec gunicorn --config gunicorn.conf.py 'app:create_app()'
}

case "${1:-all}" in
    release) release ;;
    serve) serve ;;
    all) release && serve ;;
    *) echo "usage: boot.sh [release|serve]" >&2; exit 2 ;;
esac
