#!/usr/bin/env bash
# Re-vendor Leaflet and the Leaflet-Geoman editor (free edition) into static/vendor/
# from the npm registry, for the grid map (no CDN: a centre's intranet reaches none).
#
#   scripts/vendor_leaflet.sh [LEAFLET_SPEC] [GEOMAN_SPEC]    (default: 1.9 and 2)
#
# Copies the built files only (dist/), with LICENSE and a VERSION file naming the
# package, version and licence. Needs npm; not run by setup.sh (the files are committed).
set -euo pipefail

leaflet_spec=${1:-1.9}
geoman_spec=${2:-2}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command -v npm >/dev/null || { echo "vendor_leaflet.sh: npm is required" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# vendor PACKAGE@SPEC DEST FILE...  (FILE relative to the package's dist/)
vendor() {
    local spec=$1 dest=$2; shift 2
    local unpack="$work/$(basename "$dest")"
    mkdir -p "$unpack"
    (cd "$unpack" && npm pack --silent "$spec" >/dev/null && tar -xzf ./*.tgz)
    local pkg="$unpack/package" f
    local version licence
    version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pkg/package.json" | head -n1)
    licence=$(sed -n 's/^ *"license": *"\([^"]*\)".*/\1/p' "$pkg/package.json" | head -n1)
    rm -rf "$dest"
    mkdir -p "$dest"
    for f in "$@"; do
        mkdir -p "$dest/$(dirname "$f")"
        install -m 0644 "$pkg/dist/$f" "$dest/$f"
    done
    install -m 0644 "$pkg/LICENSE" "$dest/LICENSE"
    printf '%s %s (%s), from the npm registry\n' "${spec%@*}" "$version" "$licence" > "$dest/VERSION"
    echo "vendored ${spec%@*} $version ($licence) into ${dest#"$root"/}"
}

vendor "leaflet@$leaflet_spec" "$root/static/vendor/leaflet" \
    leaflet.js leaflet.css images/layers.png images/layers-2x.png \
    images/marker-icon.png images/marker-icon-2x.png images/marker-shadow.png
vendor "@geoman-io/leaflet-geoman-free@$geoman_spec" "$root/static/vendor/leaflet-geoman" \
    leaflet-geoman.min.js leaflet-geoman.css
