#!/bin/bash
# make lint-layers: the layers of docs/design.md, checked by the includes.
#   - lib/ never includes from src/;
#   - a daemon's folder under src/ includes from no other daemon's folder, only from src/common/
#     (shared pieces) and lib/; src/common/ includes from lib/ alone; src/cli/, on top, may include
#     any of them;
#   - no two headers under lib/ and src/ share a name.
# Prints each violation with its file and line; exits 1 if there is any.
set -u
cd "$(dirname "$0")/../.."
bad=0
say() { echo "lint-layers: $*"; bad=1; }

while IFS= read -r hit; do
	say "lib/ includes from src/: $hit"
done < <(grep -rnE '#include *"[^"]*(\.\./)+src/|#include *"\.\./\.\./' lib --include='*.[ch]' || true)

for dir in src/*/; do
	d=$(basename "$dir")
	[ "$d" = cli ] && continue
	while IFS= read -r hit; do
		inc=$(sed -E 's/.*#include *"([^"]*)".*/\1/' <<<"$hit")
		case $inc in
		../common/*) [ "$d" = common ] && say "src/common/ includes from src/: $hit" ;;
		../*) say "src/$d/ includes from another part of src/: $hit" ;;
		*)
			# a path through -Isrc (fuzz and test builds add it) names another folder too
			top=${inc%%/*}
			# lib/ comes first on the include path: lib/dns64/x.h is the library's, not src/dns64's
			[ -e "lib/$inc" ] && continue
			if [ "$inc" != "$top" ] && [ -d "src/$top" ] && [ "$top" != "$d" ] && [ "$top" != common ]; then
				say "src/$d/ includes from src/$top/: $hit"
			fi
			;;
		esac
	done < <(grep -HnE '#include *"' "$dir"*.[ch] 2>/dev/null || true)
done

dups=$(find lib src -name '*.h' -printf '%f\n' | sort | uniq -d)
for h in $dups; do
	say "two headers named $h: $(find lib src -name "$h" | tr '\n' ' ')"
done

[ "$bad" -eq 0 ] && echo "lint-layers: ok"
exit "$bad"
