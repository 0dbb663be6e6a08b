#!/usr/bin/env bash
# Re-vendor Swagger UI into static/vendor/swagger-ui/ from the npm registry.
#
#   scripts/vendor_swagger_ui.sh [VERSION_SPEC]     (default: 5, i.e. latest 5.x)
#
# Copies only what the API docs page needs: swagger-ui-bundle.js, swagger-ui.css,
# LICENSE, NOTICE and the bundle's third-party licence file. init.js is ours
# and is left alone. Needs npm; not run by setup.sh (the files are committed).
set -euo pipefail

spec=${1:-5}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$root/static/vendor/swagger-ui"

command -v npm >/dev/null || { echo "vendor_swagger_ui.sh: npm is required" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "swagger-ui-dist@$spec" >/dev/null)
tar -xzf "$work"/swagger-ui-dist-*.tgz -C "$work"
pkg="$work/package"
version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pkg/package.json" | head -n1)

mkdir -p "$dest"
for f in swagger-ui-bundle.js swagger-ui.css LICENSE; do
    install -m 0644 "$pkg/$f" "$dest/$f"
done
for f in NOTICE swagger-ui-bundle.js.LICENSE.txt; do
    if [[ -f $pkg/$f ]]; then install -m 0644 "$pkg/$f" "$dest/$f"; else rm -f "$dest/$f"; fi
done
echo "swagger-ui-dist@$version" > "$dest/VERSION"
echo "Vendored swagger-ui-dist@$version into ${dest#"$root"/}"
