#!/usr/bin/env bash
# Refresh the front-end libraries committed under kenlabour/web/static/vendor/ from the
# npm registry, at the versions pinned in scripts/vendor.txt. Needs Node's npm; `make demo`
# does not (the files are committed). Run: make vendor
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/kenlabour/web/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# package@version  source-file-in-package  target-name
while read -r spec file target; do
  [[ -z "$spec" || "$spec" == \#* ]] && continue
  name=${spec%@*}
  dir="$dest/$(basename "$name")"
  mkdir -p "$dir" "$work/$(basename "$name")"
  (cd "$work/$(basename "$name")" && npm pack --silent "$spec" >/dev/null && tar -xzf ./*.tgz)
  pkg="$work/$(basename "$name")/package"
  rm -rf "${dir:?}/$target"
  cp -r "$pkg/$file" "$dir/$target"
  for licence in LICENSE LICENSE.md LICENSE.txt LICENCE MIT-LICENCE.txt; do
    [[ -f "$pkg/$licence" ]] && cp "$pkg/$licence" "$dir/LICENSE"
  done
  echo "$spec" > "$dir/VERSION"
  echo "refreshed $spec -> ${dir#"$root"/}/$target"
done < "$root/scripts/vendor.txt"
