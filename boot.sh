#!/bin/sh
# Web container start: wait for the database, migrate, import the bundled article,
# create the first admin if there is none, then hand the process over to gunicorn.
set -eu

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

# Both commands are idempotent: a re-import updates the article in place, and the
# admin bootstrap only prints a one-time password when it created the account.
flask --app app articles import --profile spinal_stenosis seed/stem-cell-spinal-stenosis.wp.json
if flask --app app users --help | grep -q bootstrap-admin; then
    flask --app app users bootstrap-admin
fi

# No access log: URLs carry questionnaire and unsubscribe tokens. gunicorn reads
# WEB_CONCURRENCY and FORWARDED_ALLOW_IPS from the environment by itself.
exec gunicorn --workers "${WEB_CONCURRENCY:-3}" --bind "0.0.0.0:${PORT:-8000}" 'app:create_app()'
