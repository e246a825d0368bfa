#!/usr/bin/env bash
# Runs two third-party IAM checkers over every policy document the stacks generate:
# parliament (duo-labs) and cloudsplaining (salesforce), pinned, in their own venv. Prints every
# finding; docs/security.md says which are by design and why. Dev-only: `npm run security-scan`.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-security
if [ ! -x "$venv/bin/cloudsplaining" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "parliament==1.6.4" "cloudsplaining==0.9.1"
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
npx ts-node --transpile-only scripts/dump-policies.ts "$out"

for file in "$out"/*.json; do
    name=$(basename "$file" .json)
    # parliament reads identity policies; a trust policy has no Resource by definition.
    findings=$("$venv/bin/parliament" --string "$(cat "$file")" --include-community-auditors 2>&1 || true)
    [ -n "$findings" ] && printf 'parliament     %s: %s\n' "$name" "$findings"
    case "$name" in
    *identity*)
        findings=$("$venv/bin/cloudsplaining" scan-policy-file --input-file "$file" 2>&1 |
            sed 's/\x1b\[[0-9;]*m//g' | grep -v '^$' | grep -v 'no results' || true)
        [ -n "$findings" ] && printf 'cloudsplaining %s: %s\n' "$name" "$(echo "$findings" | tr '\n' ' ')"
        ;;
    esac
done
echo "security-scan: done ($(ls "$out" | wc -l) distinct documents)"
echo "By-design findings (the HIGH 'Malformed' trust-policy ones among them) are explained in docs/security.md"
