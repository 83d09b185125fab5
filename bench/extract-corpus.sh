#!/usr/bin/env bash
# Usage: bench/extract-corpus.sh <git-dir-or-clone> <out-dir> [rev]
# Writes the .go, go.mod and go.work files of a repository at rev (default HEAD) into
# out-dir, and the commit into out-dir/.commit: the corpus layout `npm run review` and
# the precision ledgers use. Blobs missing from a partial snapshot are skipped.
set -euo pipefail
src=$1; out=$2; rev=${3:-HEAD}
if [ -d "$src/.git" ]; then gd="$src/.git"; else gd="$src"; fi
rm -rf "$out"; mkdir -p "$out"
git --git-dir="$gd" rev-parse "$rev^{commit}" > "$out/.commit"
git --git-dir="$gd" ls-tree -r "$rev" | awk -F'\t' '$2 ~ /(\.go|(^|\/)go\.mod|(^|\/)go\.work)$/ { split($1, a, " "); print a[3] "\t" $2 }' |
  while IFS=$'\t' read -r sha path; do
    mkdir -p "$out/$(dirname "$path")"
    git --git-dir="$gd" cat-file blob "$sha" > "$out/$path" 2>/dev/null || rm -f "$out/$path"
  done
echo "$out: $(find "$out" -name '*.go' | wc -l) Go files at $(cut -c1-12 "$out/.commit")"
