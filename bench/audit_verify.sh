#!/usr/bin/env bash
# `custodian audit verify` over N events (default 1,000,000) on SQLite, side by side with
# `sha256sum` over the same canonical event bytes, timed by hyperfine in one run.
#
#   cargo build --release -p custodian-cli -p custodian-store --example audit_fill --bin custodian
#   bench/audit_verify.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export CUSTODIAN_DATA_DIR="$DIR"
target/release/examples/audit_fill "$DIR/a.db" "$N" "$DIR/canonical.bin"
ls -l "$DIR/canonical.bin" | awk '{print "canonical bytes:", $5}'
target/release/custodian --database-url "sqlite:$DIR/a.db" audit checkpoint >/dev/null
target/release/custodian --database-url "sqlite:$DIR/a.db" audit verify
hyperfine --warmup 1 --runs 5 \
  "target/release/custodian --database-url sqlite:$DIR/a.db audit verify" \
  "sha256sum $DIR/canonical.bin"
