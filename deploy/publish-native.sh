#!/usr/bin/env bash
# Publishes the natively compiled gateway (Native AOT) for this machine's Linux architecture: the Dockerfile's
# 'gateway-native' target. A third less memory than the default JIT build, a quarter to a half more CPU per request
# (bench/README.md "Native AOT").
# Usage: deploy/publish-native.sh <output folder>
# Needs clang and zlib's headers (Debian: clang zlib1g-dev), as every Native AOT build on Linux does.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: deploy/publish-native.sh <output folder>}
case "$(uname -m)" in
  aarch64 | arm64) RID=linux-arm64 ;;
  *) RID=linux-x64 ;;
esac
dotnet publish src/ExpertRouter.Gateway/ExpertRouter.Gateway.csproj -c Release -r "$RID" -p:PublishAot=true -o "$OUT" -nologo -v quiet
