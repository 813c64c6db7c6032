#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to the project's
# PublicAPI.Unshipped.txt, and drops entries reported as removed (RS0017): from Unshipped.txt when they are listed
# there, otherwise (a shipped symbol) by adding a `*REMOVED*` line to Unshipped.txt. Review the diff before committing.
# With --ship, first updates as above, then moves Unshipped.txt into Shipped.txt (applying its `*REMOVED*` lines), so
# that Shipped.txt holds the released API and Unshipped.txt only `#nullable enable` (do this when releasing).
# Usage: eng/update-public-api.sh [--ship] [project-dir ...]   (default: every project under src/)
set -eu  # no pipefail: a grep that filters out every line is not an error here
cd "$(dirname "$0")/.."
ship=false
if [ "${1:-}" = "--ship" ]; then ship=true; shift; fi
projects=("$@")
[ ${#projects[@]} -gt 0 ] || mapfile -t projects < <(find src -name '*.csproj' -printf '%h\n' | sort)
for dir in "${projects[@]}"; do
  shipped="$dir/PublicAPI.Shipped.txt"
  file="$dir/PublicAPI.Unshipped.txt"
  for pass in 1 2 3; do
    log=$(dotnet build "$dir" -c Release --no-incremental -p:TreatWarningsAsErrors=false 2>&1 || true)
    added=$(grep -oP "RS0016: Symbol '\K.*(?=' is not part of the declared public API)" <<<"$log" | sort -u || true)
    removed=$(grep -oP "RS0017: Symbol '\K.*(?=' is part of the declared API, but is either not public or could not be found)" <<<"$log" | sort -u || true)
    [ -z "$added" ] && [ -z "$removed" ] && break
    # A removed symbol that is shipped (and not also listed as unshipped) is declared removed in Unshipped.txt.
    gone=$(grep -xF -f <(printf '%s\n' "$removed" | sed '/^$/d'; echo '#nullable enable') "$shipped" | grep -vx '#nullable enable' \
        | grep -vxF -f <(tail -n +2 "$file"; echo '#nullable enable') | sed 's/^/*REMOVED*/' || true)
    { head -n1 "$file"; { tail -n +2 "$file"; [ -n "$added" ] && printf '%s\n' "$added"; [ -n "$gone" ] && printf '%s\n' "$gone"; } \
        | grep -vxF -f <(printf '%s\n' "$removed" | sed '/^$/d'; echo '#nullable enable') | sed '/^$/d' | sort -u; } > "$file.tmp"
    mv "$file.tmp" "$file"
    echo "$dir: +$(printf '%s' "$added" | grep -c . || true) -$(printf '%s' "$removed" | grep -c . || true)"
  done
  if $ship; then
    { head -n1 "$shipped"; { tail -n +2 "$shipped" | grep -vxF -f <(grep '^\*REMOVED\*' "$file" | sed 's/^\*REMOVED\*//'; echo '#nullable enable') || true
        tail -n +2 "$file" | grep -v '^\*REMOVED\*' || true; } | sed '/^$/d' | sort -u; } > "$shipped.tmp"
    mv "$shipped.tmp" "$shipped"
    head -n1 "$file" > "$file.tmp" && mv "$file.tmp" "$file"
    echo "$dir: shipped"
  fi
done
