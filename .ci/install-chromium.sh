#!/usr/bin/env bash
# Installs headless Chromium (Debian package "chromium") for the test that
# renders the HTML hits report (cmd/retrohunt/report_html_test.go).
# Idempotent: does nothing when /usr/bin/chromium is already there.
# Needs root (CI and the developer machines run as root).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
	echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null || echo unknown version))"
	exit 0
fi
command -v apt-get >/dev/null || { echo "install-chromium: apt-get not found; install chromium by hand" >&2; exit 1; }
sudo=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "install-chromium: need root to apt-get install chromium" >&2; exit 1; }
	sudo=sudo
fi
echo "chromium: installing the Debian package ..."
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "chromium: installed ($(/usr/bin/chromium --version 2>/dev/null || echo unknown version))"
