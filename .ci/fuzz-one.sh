#!/usr/bin/env bash
# fuzz-one.sh PKG NAME FUZZTIME: run one Go fuzz target for FUZZTIME.
#
# Go 1.26's fuzz coordinator can fail a target with a bare "context
# deadline exceeded" when -fuzztime runs out while a worker is still on
# an input (golang/go#75804, fixed in Go 1.27). That is no failing input
# and Go writes none. Such a run is made once more, and the second run's
# result stands. Anything else fails at once: a failing input Go wrote
# under PKG/testdata/fuzz/NAME, a panic, a hang, or any other message.
set -uo pipefail
pkg=$1 name=$2 fuzztime=$3
go=${GO:-go}
corpus="$pkg/testdata/fuzz/$name"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

once() {
	"$go" test -run='^$' -fuzz="^$name\$" -fuzztime="$fuzztime" "$pkg" 2>&1 | tee "$out"
}

# deadlineOnly reports whether the run failed with the coordinator's
# message alone: no input written, no other failure line.
deadlineOnly() {
	[ "$(ls "$corpus" 2>/dev/null | sort)" = "$before" ] &&
		grep -qx '    context deadline exceeded' "$out" &&
		! grep -q -e 'panic:' -e 'Failing input written' -e 'fuzzing process hung' "$out" &&
		[ "$(grep -c -e '^--- FAIL' -e '^    --- FAIL' "$out")" -eq 1 ]
}

before=$(ls "$corpus" 2>/dev/null | sort)
if once; then
	exit 0
fi
if deadlineOnly; then
	echo "fuzz $name: Go's fuzz coordinator ended the run with \"context deadline exceeded\" and no failing input (golang/go#75804); running it once more"
	once
	exit $?
fi
exit 1
