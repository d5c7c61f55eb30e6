#!/bin/sh
# build-deb.sh OUT_DIR: build the Debian package (packaging/debian) out of
# tree and leave boxoffice_*.deb in OUT_DIR. The sources are copied (git's
# tracked and untracked-but-not-ignored files, or the whole tree without
# build folders when this is not a git checkout) to a temporary folder, where
# packaging/debian becomes debian/ and `dpkg-buildpackage -us -uc -b` runs a
# Release build with -j${JOBS:-2}; the source tree is not written to.
set -eu
[ $# -eq 1 ] || {
	echo "usage: $0 OUT_DIR" >&2
	exit 2
}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/boxoffice-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/boxoffice"
cd "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 -I{} sh -c '[ -e "$1" ] && printf "%s\0" "$1" || true' _ {} |
		tar --null -T - -cf - | tar -C "$tmp/boxoffice" -xf -
else
	tar --exclude='./build*' --exclude=./var --exclude=./.git --exclude=node_modules \
		-cf - . | tar -C "$tmp/boxoffice" -xf -
fi
rm -rf "$tmp/boxoffice/debian"
cp -r packaging/debian "$tmp/boxoffice/debian"
cd "$tmp/boxoffice"
dpkg-buildpackage -us -uc -b -j"${JOBS:-2}"
cp "$tmp"/boxoffice_*.deb "$out/"
ls "$out"/boxoffice_*.deb
