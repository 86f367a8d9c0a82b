#!/bin/sh
# Writes publicsuffix.txt: the ICANN section of the Public Suffix List that
# Debian's publicsuffix package installs, without comments and blank lines.
# Run by go generate ./scan/rule/fn; leaves the file alone when the list is
# not installed (apt-get install publicsuffix).
set -eu
src=/usr/share/publicsuffix/public_suffix_list.dat
test -r "$src" || { echo "gen_publicsuffix.sh: $src not found (apt-get install publicsuffix)" >&2; exit 1; }
version=$(dpkg-query -W -f '${Version}' publicsuffix 2>/dev/null || echo unknown)
{
	echo "// The ICANN section of the Public Suffix List (https://publicsuffix.org/list/),"
	echo "// comments and blank lines removed, from Debian's publicsuffix package $version."
	echo "// Regenerate with go generate ./scan/rule/fn (gen_publicsuffix.sh)."
	echo "// This Source Code Form is subject to the terms of the Mozilla Public"
	echo "// License, v. 2.0. If a copy of the MPL was not distributed with this"
	echo "// file, You can obtain one at https://mozilla.org/MPL/2.0/."
	sed -n '/BEGIN ICANN/,/END ICANN/p' "$src" | grep -v '^//' | grep -v '^$'
} > publicsuffix.txt.tmp
mv publicsuffix.txt.tmp publicsuffix.txt
