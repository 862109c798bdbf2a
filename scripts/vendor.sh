#!/usr/bin/env bash
# Refresh the vendored browser libraries from the npm registry.
# Versions are pinned in static/vendor/package.json (and its lock file); the files that pages
# use are copied to static/vendor/<name>@<version>/ and committed, so running the app needs no Node.
set -euo pipefail
cd "$(dirname "$0")/../static/vendor"
work=$(mktemp -d)
cp package.json "$work/"
[ -f package-lock.json ] && cp package-lock.json "$work/"
(cd "$work" && npm install --no-audit --no-fund --ignore-scripts --silent)
cp "$work/package-lock.json" package-lock.json

copy() { # copy <package> <file-in-package>...
	local pkg=$1; shift
	local version
	version=$(node -p "require('$work/node_modules/$pkg/package.json').version")
	local dest="$pkg@$version"
	rm -rf "$pkg"@*
	for f in "$@"; do
		mkdir -p "$dest/$(dirname "$f")"
		cp -r "$work/node_modules/$pkg/$f" "$dest/$f"
	done
	cp "$work/node_modules/$pkg/LICENSE"* "$dest/" 2>/dev/null || true
	echo "vendored $dest"
}
copy leaflet dist/leaflet.js dist/leaflet.css dist/images
copy leaflet-draw dist/leaflet.draw.js dist/leaflet.draw.css dist/images
copy htmx.org dist/htmx.min.js
copy chart.js dist/chart.umd.min.js
# Only for the browser tests (tests/browser/helpers.py assert_axe_clean): pages never load it.
copy axe-core axe.min.js
rm -rf "$work"
# Source maps are not vendored: drop the comments that point at them, or collectstatic's hashed
# storage refuses the missing files.
find . -name '*.js' -path '*@*' -exec sed -i '/^\/\/# sourceMappingURL=/d; s|//# sourceMappingURL=[^ ]*\.map||' {} +
