#!/usr/bin/env bash
# Exit 0 when PostgreSQL answers on 127.0.0.1:5432, starting the local cluster if it is down.
set -u
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
command -v pg_isready >/dev/null 2>&1 || exit 1
ready && exit 0
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
  done
fi
for _ in $(seq 1 20); do ready && exit 0; sleep 0.5; done
exit 1
