#!/usr/bin/env bash
# Publishes the gateway the way the image ships it: Native AOT for this machine's Linux architecture.
# Usage: deploy/publish-gateway.sh <output folder>
# Needs clang and zlib's headers (Debian: clang zlib1g-dev), as every Native AOT build on Linux does.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: deploy/publish-gateway.sh <output folder>}
case "$(uname -m)" in
  aarch64 | arm64) RID=linux-arm64 ;;
  *) RID=linux-x64 ;;
esac
dotnet publish src/ExpertRouter.Gateway/ExpertRouter.Gateway.csproj -c Release -r "$RID" -p:PublishAot=true -o "$OUT" -nologo -v quiet
