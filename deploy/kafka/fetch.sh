#!/usr/bin/env bash
# Resolve the Apache Kafka broker and its runtime closure from Maven Central into a directory.
#   deploy/kafka/fetch.sh [LIBS_DIR]     (default: $KAFKA_LIBS_DIR or deploy/kafka/.libs)
# Idempotent: does nothing when the jars of this pom.xml are already there. Quiet unless it fails.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
libs="${1:-${KAFKA_LIBS_DIR:-$here/.libs}}"
stamp="$libs/.fetched"
pom_sum="$(sha256sum "$here/pom.xml" | cut -d' ' -f1)"

fetched() { [[ -f "$stamp" && "$(cat "$stamp")" == "$pom_sum" ]]; }
fetched && exit 0
mkdir -p "$(dirname "$libs")"
exec 9>"${libs%/}.lock"  # parallel test sessions: one fetches, the others wait for it
flock 9
fetched && exit 0
command -v mvn >/dev/null || { echo "fetch.sh: Maven (mvn) is required" >&2; exit 1; }

tmp="$(mktemp -d "${libs%/}.tmp.XXXXXX")"
log="$tmp.log"
trap 'rm -rf "$tmp"; rm -f "$log"' EXIT
if ! mvn -B -q --no-transfer-progress -f "$here/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" >"$log" 2>&1; then
  cat "$log" >&2
  echo "fetch.sh: could not resolve the Kafka jars (see above)" >&2
  exit 1
fi
echo "$pom_sum" >"$tmp/.fetched"
chmod 755 "$tmp"  # mktemp makes it private
rm -rf "$libs"
mv "$tmp" "$libs"
