#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to the project's
# PublicAPI.Unshipped.txt, and drops entries reported as removed (RS0017). Review the diff before committing.
# Usage: eng/update-public-api.sh [project-dir ...]   (default: every project under src/)
set -euo pipefail
cd "$(dirname "$0")/.."
projects=("$@")
[ ${#projects[@]} -gt 0 ] || mapfile -t projects < <(find src -name '*.csproj' -printf '%h\n' | sort)
for dir in "${projects[@]}"; do
  for pass in 1 2 3; do
    log=$(dotnet build "$dir" -c Release --no-incremental -p:TreatWarningsAsErrors=false 2>&1 || true)
    added=$(grep -oP "RS0016: Symbol '\K.*(?=' is not part of the declared public API)" <<<"$log" | sort -u || true)
    removed=$(grep -oP "RS0017: Symbol '\K.*(?=' is part of the declared API, but is either not public or could not be found)" <<<"$log" | sort -u || true)
    [ -z "$added" ] && [ -z "$removed" ] && break
    file="$dir/PublicAPI.Unshipped.txt"
    { head -n1 "$file"; { tail -n +2 "$file"; [ -n "$added" ] && printf '%s\n' "$added"; } \
        | grep -vxF -f <(printf '%s\n' "$removed" | sed '/^$/d'; echo '#nullable enable') | sed '/^$/d' | sort -u; } > "$file.tmp"
    mv "$file.tmp" "$file"
    echo "$dir: +$(printf '%s' "$added" | grep -c . || true) -$(printf '%s' "$removed" | grep -c . || true)"
  done
done
