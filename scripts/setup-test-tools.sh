#!/usr/bin/env bash
# Installs what a test layer needs, once, and only that:
#   moto    the AWS emulator in a project-local .venv (python3 with venv; no root)
#           emulator and reliability layers, npm run demo
#   awscli  the AWS CLI in the same .venv: the host's profile sync agent in the emulator and host
#           layers (it stands in for the CLI Amazon Linux 2023 ships), and npm run bench
#   sshd    OpenSSH's server and client (root and apt to install; root to run): the host layer
#   node22  Node 22, the host's line, from the npm registry into .tools/node-22: the host layer
#   cloudinit  Debian's cloud-init package extracted into .tools/cloud-init (root and apt), for its
#           write-ssh-key-fingerprints script: the host layer's host-key pin tests
#   sshpin  test/host/sshpin (pulumi-command's SSH client set-up) built into .tools/sshpin with Go:
#           the host layer's host-key pin tests
#   engine  the engine layer's Go modules (Pulumi's engine, pkg/v3 and sdk/v3 v3.274.1) downloaded
#           into Go's module cache: test/engine
#   codegen test/package/codegen (Pulumi's SDK generators, pkg/v3) built into .tools/rolepair-codegen
#           with Go: the package layer's generated-SDK tests
#   pysdk   the Pulumi Python SDK and mypy in a project-local .venv-pysdk (python3 with venv): the
#           package layer's Python example
#   nft     nftables (root and apt): the agent layer loads dist/imds-lock.nft in a network namespace
#   agentgo test/agent/goclient (an aws-sdk-go-v2 client with no credential code) built into
#           .tools/agent-goclient with Go: the agent layer
#   all     every one of them (the default)
# Unit and policy tests need none. When a tool cannot be installed here, this says exactly what to
# install and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION="5.2.5"
# The Python SDK that generated SDKs (>=3.269) run on, and the type checker for the example.
PULUMI_PY_VERSION="3.272.0"
MYPY_VERSION="2.4.1"
# Builds the generated SDK into a site directory with --no-build-isolation (no download per run).
WHEEL_VERSION="0.45.1"
AWSCLI_VERSION="1.46.3"
# pip: no cache, no version check, no .pyc compilation at install (python compiles what moto
# imports on first start; compiling all of botocore up front costs more than it saves).
PIP_OPTIONS=(--quiet --disable-pip-version-check --no-input --no-cache-dir --no-compile)

fail() {
    echo "setup: $*" >&2
    exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

venv() {
    [ -x .venv/bin/pip ] && return
    python3 -m venv .venv 2>/dev/null || {
        rm -rf .venv
        fail "python3 with venv is needed for moto: install python3 and python3-venv (Debian/Ubuntu: apt-get install python3-venv)"
    }
}

setup_moto() {
    [ -x .venv/bin/moto_server ] && return
    venv
    # The tests use IAM, STS, S3 and SSM Parameter Store; the server needs flask and flask-cors
    # (what moto[server] adds beyond them is docker, cfn-lint, graphql, xray ... for other services).
    echo "setup: installing moto[iam,s3,sts,ssm]==${MOTO_VERSION} with flask into .venv"
    .venv/bin/pip install "${PIP_OPTIONS[@]}" "moto[iam,s3,sts,ssm]==${MOTO_VERSION}" \
        "flask!=2.2.0,!=2.2.1" flask-cors
}

setup_awscli() {
    [ -x .venv/bin/aws ] && return
    venv
    echo "setup: installing awscli==${AWSCLI_VERSION} into .venv"
    .venv/bin/pip install "${PIP_OPTIONS[@]}" "awscli==${AWSCLI_VERSION}"
}

setup_sshd() {
    local missing=()
    # sudo: the agent's SSH host logs in ec2-user, whose sync step is `sudo -n bash -s` as on EC2.
    for tool in /usr/sbin/sshd ssh scp ssh-keygen unshare mount nsenter sudo; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        if is_root && command -v apt-get >/dev/null; then
            echo "setup: installing openssh-server, openssh-client and sudo"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client util-linux mount sudo >/dev/null
        else
            fail "the host layer needs ${missing[*]}: as root, apt-get install openssh-server openssh-client util-linux sudo (or your distribution's equivalents)"
        fi
    fi
    # sshd runs in a private mount namespace (unshare --mount) so /home/ec2-user can exist.
    is_root || fail "the host layer runs sshd in a private mount namespace, which needs root: run it as root (sudo npm run test:host), or run the other layers alone (npm run test:unit, test:policy, test:emulator, test:reliability)"
}

setup_nft() {
    local missing=()
    for tool in nft ip setpriv useradd; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        if is_root && command -v apt-get >/dev/null; then
            echo "setup: installing nftables iproute2 util-linux passwd"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nftables iproute2 util-linux passwd >/dev/null
        else
            fail "the agent layer needs ${missing[*]}: as root, apt-get install nftables iproute2 util-linux passwd (or your distribution's equivalents)"
        fi
    fi
    is_root || fail "the agent layer makes network namespaces, nftables tables and a system user, which needs root: run it as root (sudo npm run test:agent)"
}

setup_agentgo() {
    go_tool test/agent/goclient .tools/agent-goclient "the agent layer: aws-sdk-go-v2 through the credential agent" ""
}

# Downloads packages (name=version ...) with apt and unpacks them into DEST, without installing.
apt_extract() {
    local dest=$1
    shift
    local work
    work=$(mktemp -d)
    # apt-get download fetches as the _apt user (sandboxed), which must be able to write here.
    if id _apt >/dev/null 2>&1; then chown _apt "$work"; else chmod 1777 "$work"; fi
    (cd "$work" && apt-get download -qq "$@" >/dev/null) || {
        rm -rf "$work"
        fail "apt-get download $* failed (above)"
    }
    mkdir -p "$dest"
    for deb in "$work"/*.deb; do dpkg -x "$deb" "$dest"; done
    rm -rf "$work"
}

setup_node22() {
    # The host's Node line (AL2023's nodejs22), from the npm registry's `node` package.
    bash -c '. scripts/node-runtime.sh 22' >/dev/null
}

# cloud-init's keys_to_console runs this script on an instance's first boot; the tests run the
# distribution's own copy of it (the package is extracted, not installed).
setup_cloudinit() {
    local script=.tools/cloud-init/usr/lib/cloud-init/write-ssh-key-fingerprints
    local missing=()
    for tool in logger ssh-keygen unshare mount; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    [ ${#missing[@]} -eq 0 ] || fail "cloud-init's write-ssh-key-fingerprints needs ${missing[*]}: as root, apt-get install bsdutils openssh-client util-linux mount (or your distribution's equivalents)"
    is_root || fail "the host-key tests run cloud-init's script in a private mount namespace (so /etc/ssh holds the test's host keys), which needs root: run it as root (sudo npm run test:host)"
    [ -x "$script" ] && return
    command -v apt-get >/dev/null || fail "the host-key tests extract Debian's cloud-init package with apt: on a system without apt, put cloud-init's write-ssh-key-fingerprints at $script"
    local version
    version=$(apt-cache policy cloud-init 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" {print $2}')
    if [ -z "$version" ]; then
        apt-get update -qq
        version=$(apt-cache policy cloud-init 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" {print $2}')
    fi
    [ -n "$version" ] || fail "no cloud-init package in this distribution's apt sources (Debian and Ubuntu have one): add one, or put cloud-init's write-ssh-key-fingerprints at $script"
    echo "setup: extracting cloud-init ${version} into .tools/cloud-init"
    # Only this package: the script is plain sh, and what it runs (logger, ssh-keygen) is checked above.
    apt_extract .tools/cloud-init "cloud-init=${version}"
    [ -x "$script" ] || fail "cloud-init ${version} has no $script: put cloud-init's write-ssh-key-fingerprints there"
}

# A stand-in for pulumi-command's SSH client (which is Go and cannot be installed), built with
# -trimpath as it always was (the reason codegen does without it below does not apply: it is small).
setup_sshpin() {
    go_tool test/host/sshpin .tools/sshpin "the host-key tests: pulumi-command's SSH client set-up" "" -trimpath
}

# The engine layer runs Pulumi's own engine (github.com/pulumi/pulumi/pkg/v3) from Go's module
# cache; a first download is large (the engine's module graph), later runs find it cached.
setup_engine() {
    local source=test/engine required
    required=$(awk '$1 == "go" {print $2; exit}' "$source/go.mod")
    command -v go >/dev/null || fail "the engine layer runs Pulumi's engine from Go: install Go ${required} or newer (https://go.dev/dl/)"
    go -C "$source" mod download ||
        fail "downloading $source's modules failed (above): it needs the Go module proxy (or GOPROXY) for github.com/pulumi/pulumi/pkg/v3 v3.274.1"
}

# Builds Go program $1 into $2 when a source file is newer than the binary; $3 names who needs it,
# $4 is said about the build, the rest are `go build` flags. Go's caches stay where Go puts them
# (under $HOME).
go_tool() {
    local source=$1 binary=$2 why=$3 note=$4
    shift 4
    if [ -x "$binary" ] && [ -z "$(find "$source" -newer "$binary" -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) | head -1)" ]; then
        return
    fi
    local required
    required=$(awk '$1 == "go" {print $2; exit}' "$source/go.mod")
    command -v go >/dev/null || fail "$source (for $why) is built with Go: install Go ${required} or newer (https://go.dev/dl/; an older Go 1.21+ downloads it by itself unless GOTOOLCHAIN=local)"
    echo "setup: building $source into $binary$note"
    mkdir -p .tools
    # -buildvcs=false: no git stamping (as root in a checkout owned by another user, git refuses).
    go -C "$source" build -buildvcs=false -mod=readonly "$@" -o "$(pwd)/$binary" . ||
        fail "building $source failed (above): it needs Go ${required} or newer (https://go.dev/dl/) and the Go module proxy (or GOPROXY) for the modules in $source/go.mod"
}

# No -trimpath: pkg/v3 takes many minutes to compile, and its compiled packages in Go's build cache
# are shared with every other build of them on this machine only under the same flags.
setup_codegen() {
    go_tool test/package/codegen .tools/rolepair-codegen "the package layer (generated SDKs)" \
        " (the first build compiles Pulumi's pkg/v3: minutes)"
}

setup_pysdk() {
    if [ -x .venv-pysdk/bin/mypy ] && [ "$(.venv-pysdk/bin/python -c 'import importlib.metadata as m; print(m.version("pulumi"), m.version("mypy"), m.version("wheel"))' 2>/dev/null)" = "${PULUMI_PY_VERSION} ${MYPY_VERSION} ${WHEEL_VERSION}" ]; then
        return
    fi
    [ -x .venv-pysdk/bin/pip ] || python3 -m venv .venv-pysdk 2>/dev/null || {
        rm -rf .venv-pysdk
        fail "python3 with venv is needed for the Python example: install python3 and python3-venv (Debian/Ubuntu: apt-get install python3-venv)"
    }
    echo "setup: installing pulumi==${PULUMI_PY_VERSION}, mypy==${MYPY_VERSION} and wheel==${WHEEL_VERSION} into .venv-pysdk"
    .venv-pysdk/bin/pip install "${PIP_OPTIONS[@]}" "pulumi==${PULUMI_PY_VERSION}" "mypy==${MYPY_VERSION}" "wheel==${WHEEL_VERSION}" ||
        fail "pip could not install pulumi==${PULUMI_PY_VERSION} and mypy==${MYPY_VERSION} (above): the package layer needs PyPI"
}

[ $# -gt 0 ] || set -- all
for layer in "$@"; do
    case "$layer" in
        moto) setup_moto ;;
        awscli) setup_awscli ;;
        sshd) setup_sshd ;;
        node22) setup_node22 ;;
        cloudinit) setup_cloudinit ;;
        sshpin) setup_sshpin ;;
        engine) setup_engine ;;
        codegen) setup_codegen ;;
        pysdk) setup_pysdk ;;
        nft) setup_nft ;;
        agentgo) setup_agentgo ;;
        all) setup_moto && setup_awscli && setup_sshd && setup_node22 && setup_cloudinit && setup_sshpin && setup_engine && setup_codegen && setup_pysdk && setup_nft && setup_agentgo ;;
        *) fail "unknown tool \"$layer\"; expected moto, awscli, sshd, node22, cloudinit, sshpin, engine, codegen, pysdk, nft, agentgo or all" ;;
    esac
done
