#!/usr/bin/env bash
# Installs what the emulator and host tests need, once: moto (and awscli, for the benchmark's
# baseline) in a project-local venv, and OpenSSH's server and client from Debian.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION="5.2.5"
AWSCLI_VERSION="1.46.3"

if [ ! -x .venv/bin/moto_server ] || [ ! -x .venv/bin/aws ]; then
    echo "setup: creating .venv with moto[server]==${MOTO_VERSION} and awscli==${AWSCLI_VERSION}"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==${MOTO_VERSION}" "awscli==${AWSCLI_VERSION}"
fi

if [ ! -x /usr/sbin/sshd ] || ! command -v ssh >/dev/null; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "setup: installing openssh-server and openssh-client"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client >/dev/null
    else
        echo "setup: the host tests need OpenSSH (sshd and ssh): install openssh-server and openssh-client" >&2
        exit 1
    fi
fi

# The verify bundle must run on Node 18: extract the distribution's Node 18 (not installed, so the
# system's node is untouched) with only the dependencies the system lacks, into .tools/node18.
if [ ! -x .tools/node18/usr/bin/node ] && command -v apt-get >/dev/null; then
    version=$(apt-cache madison nodejs 2>/dev/null | awk '$3 ~ /^18\./ {print $3; exit}')
    if [ -z "$version" ] && [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq
        version=$(apt-cache madison nodejs 2>/dev/null | awk '$3 ~ /^18\./ {print $3; exit}')
    fi
    if [ -n "$version" ]; then
        echo "setup: extracting Node ${version} into .tools/node18"
        # apt-get download fetches as the _apt user (sandboxed), which must be able to write here.
        work=$(mktemp -d)
        if id _apt >/dev/null 2>&1; then chown _apt "$work"; else chmod 1777 "$work"; fi
        missing=""
        for pkg in $(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
            --no-breaks --no-replaces --no-enhances "nodejs=${version}" | grep -E '^[a-z0-9]' | sort -u); do
            [ "$pkg" = nodejs ] && continue
            dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
        done
        (cd "$work" && apt-get download -qq "nodejs=${version}" $missing >/dev/null)
        mkdir -p .tools/node18
        for deb in "$work"/*.deb; do dpkg -x "$deb" .tools/node18; done
        rm -rf "$work"
    else
        echo "setup: no Node 18 package in this distribution; the Node 18 compatibility test will fail" >&2
    fi
fi
