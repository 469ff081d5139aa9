#!/bin/sh
# Installs dncert into a temporary prefix, moves the installed tree elsewhere (nothing may
# depend on the prefix), and uses it as another project would: checks the installed files and
# commands, compiles every installed header on its own with -std=c11 and no definitions,
# builds the two programs of this directory once with pkg-config and once with
# find_package(dncert) (CMakeLists.txt here), and compares their output with known values:
# the DNC value of K=2, n=5, L=3, lambda=1/250 (docs/math/dnc.md) and the verdicts of a
# committed certificate of the same problem.
# Usage: tests/install/check_install.sh [--shared]
#   (default)  static libraries: the Release build in build/ that scripts/test.sh makes,
#              brought up to date with scripts/build.sh
#   --shared   shared libraries: a build in build-shared/ with -DBUILD_SHARED_LIBS=ON and
#              no tests
set -eu
cd "$(dirname "$0")/../.."
case "${1:-}" in
    "") kind=static; dir=build; set -- -DBUILD_SHARED_LIBS=OFF ;;
    --shared) kind=shared; dir=build-shared; set -- -DBUILD_SHARED_LIBS=ON -DBUILD_TESTING=OFF ;;
    *) echo "usage: $0 [--shared]" >&2; exit 2 ;;
esac
fail() { echo "check_install: $*" >&2; exit 1; }
cc="${CC:-cc}"
version=$(sed -n 's/^project(dncert VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
cert=certificates/binary-dnc/grid-L3-n5-lambda1_250.json
want_dnc="libdncert $version ($version): DNC value 0.02385359312857894937879018...
double loss at the DNC point 0.023853593129, class means of rank 2"
want_verify="10 claims, 10 certified, 0 mismatches"

scripts/build.sh "$dir" "$@" >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/dncert-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --install "$dir" --prefix "$work/installed" >/dev/null
mv "$work/installed" "$work/prefix"
prefix="$work/prefix"

# ---- the installed files and commands ----
pc=$(find "$prefix" -name dncert.pc)
[ -n "$pc" ] || fail "no dncert.pc under the prefix"
libdir=$(dirname "$(dirname "$pc")")
incdir="$prefix/include"
got=$(cd "$incdir/dncert" && ls | sort)
[ "$got" = "$( (cd include/dncert && ls *.h; echo version.h) | sort)" ] ||
    fail "the installed headers are not include/dncert/*.h and version.h:" $got
if [ $kind = static ]; then libs="libdncert.a libdncert_verifier.a"; else libs="libdncert.so libdncert_verifier.so"; fi
for f in bin/dncert bin/dncert-verify; do [ -x "$prefix/$f" ] || fail "not installed: $f"; done
[ -s "$prefix/share/man/man1/dncert.1" ] || fail "not installed: share/man/man1/dncert.1"
for f in $libs pkgconfig/dncert-verify.pc cmake/dncert/dncertConfig.cmake cmake/dncert/dncertConfigVersion.cmake \
         cmake/dncert/dncertTargets.cmake cmake/dncert/dncertDependencies.cmake; do
    [ -e "$libdir/$f" ] || fail "not installed: $libdir/$f"
done
grep -rq "$work/installed" "$prefix" && fail "the installed tree names the prefix it was installed to"
out=$("$prefix/bin/dncert" --version | head -1)
[ "$out" = "dncert $version" ] || fail "installed dncert --version: $out"
"$prefix/bin/dncert-verify" --quiet "$cert" >/dev/null || fail "installed dncert-verify rejects $cert"
echo "check_install: $kind libraries, $(find "$prefix" -type f | wc -l) files installed and moved"

# ---- each public header compiles alone, without dncert's compile definitions ----
export PKG_CONFIG_PATH="$libdir/pkgconfig"
for h in "$incdir"/dncert/*.h; do
    printf '#include <dncert/%s>\n' "$(basename "$h")" |
        $cc -std=c11 -Wall -Wextra -Wstrict-prototypes -Werror $(pkg-config --cflags dncert) -x c -fsyntax-only - ||
        fail "dncert/$(basename "$h") does not compile on its own"
done

# ---- the two programs, with pkg-config and with find_package(dncert) ----
[ $kind = shared ] && export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
for m in dncert dncert-verify; do
    case "$(pkg-config --cflags --libs $m)" in
        *-D*) fail "pkg-config --cflags $m passes definitions: $(pkg-config --cflags $m)" ;;
    esac
done
pkg-config --libs dncert-verify | grep -Eq -- '-ldncert( |$)' && fail "dncert-verify.pc links libdncert"
mkdir "$work/pc"
$cc -std=c11 -Wall -Wextra -Werror tests/install/consumer_dnc.c $(pkg-config --cflags --libs dncert) \
    -o "$work/pc/consumer_dnc"
$cc -std=c11 -Wall -Wextra -Werror tests/install/consumer_verify.c $(pkg-config --cflags --libs dncert-verify) \
    -o "$work/pc/consumer_verify"
cmake -S tests/install -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
grep -q "^dncert_DIR:PATH=$libdir/cmake/dncert\$" "$work/cmake/CMakeCache.txt" ||
    fail "find_package(dncert) found another dncert: $(grep '^dncert_DIR' "$work/cmake/CMakeCache.txt")"
cmake --build "$work/cmake" >/dev/null

for how in pc cmake; do
    out=$("$work/$how/consumer_dnc") || fail "$how: consumer_dnc failed: $out"
    [ "$out" = "$want_dnc" ] || fail "$how: consumer_dnc printed
$out
instead of
$want_dnc"
    out=$("$work/$how/consumer_verify" "$cert") || fail "$how: consumer_verify failed: $out"
    [ "$out" = "$want_verify" ] || fail "$how: consumer_verify printed '$out', wanted '$want_verify'"
    echo "check_install: built with $how, consumer_dnc and consumer_verify print what they should"
done
printf '%s\n' "$want_dnc" "$want_verify" | sed 's/^/    /'
echo "check_install: OK ($kind)"
