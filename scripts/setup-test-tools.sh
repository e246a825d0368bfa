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
