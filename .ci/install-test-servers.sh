#!/usr/bin/env bash
# Installs the object-store servers the sources tests run against:
#   versitygw v1.8.0 (S3 gateway) into the Go bin directory, and
#   Azurite 3.35.0 (Azure Storage emulator) into .cache/azurite/, and
#   DuckDB's Node API 1.5.6-r.1 into .cache/duckdb/ (a reader the output
#   tests run SELECT * with; prebuilt binaries come as npm packages).
# Idempotent: a server already at the pinned version is left alone.
# Writes nothing outside the repository except the Go bin directory (and
# Go's own module and build caches).
set -euo pipefail

VERSITYGW_VERSION=v1.8.0
AZURITE_VERSION=3.35.0
DUCKDB_NODE_VERSION=1.5.6-r.1

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

command -v go >/dev/null || { echo "install-test-servers: go not found on PATH" >&2; exit 1; }

gobin=$(go env GOBIN)
[ -n "$gobin" ] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
vgw="$gobin/versitygw"
have=""
if [ -x "$vgw" ]; then
	have=$(go version -m "$vgw" 2>/dev/null | awk '$1 == "mod" && $2 == "github.com/versity/versitygw" { print $3 }')
fi
if [ "$have" = "$VERSITYGW_VERSION" ]; then
	echo "versitygw $VERSITYGW_VERSION: already installed at $vgw"
else
	echo "versitygw $VERSITYGW_VERSION: installing into $gobin (had: ${have:-none}) ..."
	CGO_ENABLED=0 go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
	echo "versitygw $VERSITYGW_VERSION: installed at $vgw"
fi

azdir="$repo/.cache/azurite"
azbin="$azdir/node_modules/.bin/azurite-blob"
have=""
if [ -f "$azdir/node_modules/azurite/package.json" ]; then
	have=$(node -p 'require(process.argv[1]).version' "$azdir/node_modules/azurite/package.json" 2>/dev/null || true)
fi
if [ "$have" = "$AZURITE_VERSION" ] && [ -x "$azbin" ]; then
	echo "azurite $AZURITE_VERSION: already installed at $azbin"
else
	command -v npm >/dev/null || { echo "install-test-servers: npm not found (apt-get install nodejs npm)" >&2; exit 1; }
	echo "azurite $AZURITE_VERSION: installing into $azdir (had: ${have:-none}) ..."
	mkdir -p "$azdir"
	[ -f "$azdir/package.json" ] || echo '{"private": true}' >"$azdir/package.json"
	# Keep npm's download cache inside the repository too.
	npm_config_cache="$repo/.cache/npm" npm install --prefix "$azdir" --no-audit --no-fund \
		--loglevel=error --save-exact "azurite@$AZURITE_VERSION"
	echo "azurite $AZURITE_VERSION: installed at $azbin"
fi

ddir="$repo/.cache/duckdb"
have=""
if [ -f "$ddir/node_modules/@duckdb/node-api/package.json" ]; then
	have=$(node -p 'require(process.argv[1]).version' "$ddir/node_modules/@duckdb/node-api/package.json" 2>/dev/null || true)
fi
if [ "$have" = "$DUCKDB_NODE_VERSION" ]; then
	echo "@duckdb/node-api $DUCKDB_NODE_VERSION: already installed in $ddir"
else
	command -v npm >/dev/null || { echo "install-test-servers: npm not found (apt-get install nodejs npm)" >&2; exit 1; }
	echo "@duckdb/node-api $DUCKDB_NODE_VERSION: installing into $ddir (had: ${have:-none}) ..."
	mkdir -p "$ddir"
	[ -f "$ddir/package.json" ] || echo '{"private": true}' >"$ddir/package.json"
	npm_config_cache="$repo/.cache/npm" npm install --prefix "$ddir" --no-audit --no-fund \
		--loglevel=error --save-exact "@duckdb/node-api@$DUCKDB_NODE_VERSION"
	echo "@duckdb/node-api $DUCKDB_NODE_VERSION: installed in $ddir"
fi
