#!/bin/sh
# Database roles (docs/ledger.md "Database roles"), run once by the postgres image when its volume
# is first initialised (/docker-entrypoint-initdb.d). The superuser (POSTGRES_USER) is used only
# here; `migrate` connects as tongbao_owner, web/worker/beat as tongbao_app, which owns nothing.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner_password="$DB_OWNER_PASSWORD" -v app_password="$DB_APP_PASSWORD" <<'SQL'
CREATE ROLE tongbao_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE tongbao_app LOGIN NOINHERIT PASSWORD :'app_password';
-- No application transaction lives long enough to commit a transfer after the sealer's window.
ALTER ROLE tongbao_app SET statement_timeout = '60s';
ALTER ROLE tongbao_app SET idle_in_transaction_session_timeout = '60s';
ALTER ROLE tongbao_app SET transaction_timeout = '5min';
ALTER DATABASE tongbao OWNER TO tongbao_owner;
REVOKE ALL ON DATABASE tongbao FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE tongbao TO tongbao_owner, tongbao_app;
SQL
