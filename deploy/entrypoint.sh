#!/bin/sh
# The container's entrypoint: `buurtbot run` starts only on an up-to-date schema; any other
# command (`buurtbot users add ...`, `buurtbot db current`, a shell) runs as it is.
set -eu
if [ "$#" -ge 2 ] && [ "$1" = buurtbot ] && [ "$2" = run ]; then
    buurtbot db upgrade
fi
exec "$@"
