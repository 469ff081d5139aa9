#!/bin/sh
# The checker shares no code with the producer (docs/verifier.md): its executable defines or
# uses no symbol of libdncert (prefix dnc_), needs no library beyond jansson, FLINT/Arb, GMP,
# MPFR and libc, its sources include nothing of the producer (system headers: libc's, the
# libraries', and the compiler's cpuid.h and immintrin.h for SHA-NI), and docs/verifier.md
# states its size truthfully (within 5%).
# Usage: verifier_isolation.sh DNCERT_VERIFY_BINARY SOURCE_DIR
set -eu
bin="$1"
src="$2"
fail() { echo "verifier_isolation: $*" >&2; exit 1; }

syms=$(nm "$bin" | awk '{print $NF}' | grep -E '^_*dnc_' || true)
[ -z "$syms" ] || fail "producer symbols in $bin: $(echo $syms | head -c 300)"
nm "$bin" | grep -q ' T dncv_verify_json$' || fail "$bin does not contain the checker"

libs=$(readelf -d "$bin" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p')
for l in $libs; do
    case "$l" in
        libjansson.so*|libflint.so*|libflint-arb.so*|libarb.so*|libgmp.so*|libmpfr.so*|libc.so*|libm.so*) ;;
        libasan.so*|libubsan.so*) ;;   # the sanitizer build's runtime (scripts/test.sh --sanitize)
        *) fail "$bin needs $l, outside the trusted base" ;;
    esac
done

bad=$(grep -hE '^[[:space:]]*#[[:space:]]*include' "$src"/src/verifier/*.c "$src"/src/verifier/*.h \
      "$src"/include/dncert/verify.h \
      | grep -vE '#[[:space:]]*include[[:space:]]*(<[a-z_/.]+\.h>|"verifier\.h"|"dncert/verify\.h")' || true)
[ -z "$bad" ] || fail "includes outside the trusted base: $bad"
bad=$(grep -hE '#[[:space:]]*include[[:space:]]*<' "$src"/src/verifier/*.c "$src"/src/verifier/*.h \
      "$src"/include/dncert/verify.h \
      | grep -vE '<(std[a-z]+|string|errno|fcntl|math|unistd|sys/stat|jansson|arb|arb_mat|arb_poly|flint/[a-z_]+|cpuid|immintrin)\.h>' || true)
[ -z "$bad" ] || fail "system includes outside the trusted base: $bad"

lines=$(cat "$src"/src/verifier/*.c "$src"/src/verifier/*.h "$src"/include/dncert/verify.h | wc -l)
doc=$(sed -n 's/.*\*\*Size:\*\* \([0-9][0-9]*\) lines.*/\1/p' "$src/docs/verifier.md" | head -1)
[ -n "$doc" ] || fail "docs/verifier.md states no size (a line '**Size:** N lines')"
diff=$(( lines > doc ? lines - doc : doc - lines ))
[ $(( diff * 20 )) -le "$lines" ] || fail "docs/verifier.md says $doc lines, the checker has $lines: update it"
echo "verifier_isolation: OK ($lines lines, libraries: $(echo $libs))"
