#!/usr/bin/env bash
# Install and start what the tests need from Debian packages: PostgreSQL with PostGIS (started, with a test role),
# GDAL's command-line tools (ogrinfo reads the QGIS layers in the tests), Chromium (for Playwright, used through
# /usr/bin/chromium), fonts for reports, Node.js/npm for web assets.
# Idempotent. Prints `export BASTION_TEST_PG_URL=...` on its last line for scripts/test.sh.
set -euo pipefail
SUDO=""
AS_PG="runuser -u postgres --"
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; AS_PG="sudo -u postgres"; fi
need=()
for pkg in chromium postgresql fonts-noto-cjk poppler-utils gdal-bin; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
[ "${1:-}" = node ] && exit 0
# PostGIS for the installed PostgreSQL major version (ADR 0004)
pg_major=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! dpkg -s "postgresql-$pg_major-postgis-3" >/dev/null 2>&1; then
  echo "installing Debian package: postgresql-$pg_major-postgis-3" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends "postgresql-$pg_major-postgis-3" >&2
fi
# PostgreSQL: start the packaged cluster and make the test role. It is a superuser: each test database is new and
# its migration creates the PostGIS extension (not a trusted extension), and the QGIS tests create and drop roles.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h 2>/dev/null | grep -q .; then $SUDO pg_createcluster "$ver" main >&2; fi
  $SUDO pg_ctlcluster "$ver" main start >&2 || $SUDO service postgresql start >&2
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
$AS_PG psql -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bastion') THEN
    CREATE ROLE bastion LOGIN PASSWORD 'bastion' CREATEDB;
  END IF;
END $$;
ALTER ROLE bastion SUPERUSER;
SQL
$AS_PG psql -q -tc "SELECT 1 FROM pg_database WHERE datname = 'bastion'" | grep -q 1 \
  || $AS_PG createdb -O bastion bastion
echo "export BASTION_TEST_PG_URL=postgresql+psycopg://bastion:bastion@127.0.0.1:5432/bastion"
