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

# npm_pin PACKAGE VERSION DIR [BIN]: the npm package at exactly VERSION
# in DIR (its own package.json, npm's cache inside the repository),
# left alone when it is there already (and BIN, when given, runs).
npm_pin() {
	local pkg=$1 version=$2 dir=$3 bin=${4:-} have=""
	if [ -f "$dir/node_modules/$pkg/package.json" ]; then
		have=$(node -p 'require(process.argv[1]).version' "$dir/node_modules/$pkg/package.json" 2>/dev/null || true)
	fi
	if [ "$have" = "$version" ] && { [ -z "$bin" ] || [ -x "$bin" ]; }; then
		echo "$pkg $version: already installed in $dir"
		return
	fi
	command -v npm >/dev/null || { echo "install-test-servers: npm not found (apt-get install nodejs npm)" >&2; exit 1; }
	echo "$pkg $version: installing into $dir (had: ${have:-none}) ..."
	mkdir -p "$dir"
	[ -f "$dir/package.json" ] || echo '{"private": true}' >"$dir/package.json"
	npm_config_cache="$repo/.cache/npm" npm install --prefix "$dir" --no-audit --no-fund \
		--loglevel=error --save-exact "$pkg@$version"
	echo "$pkg $version: installed in $dir"
}

npm_pin azurite "$AZURITE_VERSION" "$repo/.cache/azurite" "$repo/.cache/azurite/node_modules/.bin/azurite-blob"
npm_pin @duckdb/node-api "$DUCKDB_NODE_VERSION" "$repo/.cache/duckdb"
