#!/usr/bin/env bash
# Brings a supported Node.js into this shell. Source it: `. scripts/node-runtime.sh [MAJOR]`.
# The project needs Node 22 or newer (package.json engines; Node 20 left support in April 2026).
# With a MAJOR (24, 22): that line, from the npm registry's `node` package, under .tools/node-MAJOR
# (installed once, reused after). Without one: the machine's Node when it is 22 or newer, else 24.
# Either way its bin directory goes first on PATH, and the line it chose is printed.
# Under sh or dash BASH_SOURCE is unset and the project folder would come out as /: refuse.
if [ -z "${BASH_VERSION:-}" ]; then
    echo "node-runtime: source it from bash (. scripts/node-runtime.sh), not from sh" >&2
    return 1 2>/dev/null || exit 1
fi
node_runtime() {
    local want="${1:-}" root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    if [ -z "$want" ]; then
        local have
        have=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
        if [ "$have" -ge 22 ]; then
            echo "node-runtime: the machine's Node $(node --version)"
            return 0
        fi
        want=24
    fi
    local dir="$root/.tools/node-$want"
    if [ ! -x "$dir/node_modules/.bin/node" ]; then
        echo "node-runtime: installing node@$want from the npm registry into .tools/node-$want"
        npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error "node@$want" >/dev/null
    fi
    export PATH="$dir/node_modules/.bin:$PATH"
    hash -r
    echo "node-runtime: Node $(node --version) from .tools/node-$want"
}
node_runtime "$@"
