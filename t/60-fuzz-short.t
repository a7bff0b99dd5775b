#!/bin/sh
# The fuzz harnesses of t/fuzz/, short: each is built with clang
# (-fsanitize=fuzzer,address,undefined), runs its seed corpus
# (t/fuzz/corpus/NAME), then fuzzes for PN_FUZZTIME seconds (default 10).
# A test fails only on a crash, a broken invariant, a sanitizer report
# (leaks included), an input that runs over 30 s (a hang) or over 2 GB.
# Longer runs: make fuzz (FUZZTIME=seconds per harness).
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${PN_ASAN:-}" ]
then
  skip "short fuzzing" "PN_ASAN=1: the harnesses already ran in the normal pass"
  done_testing
fi

if ! sh "$ROOT/scripts/fuzz" build >"$TMP/build.log" 2>&1
then
  if grep -q 'cannot link libFuzzer\|not found' "$TMP/build.log"
  then
    skip "short fuzzing" "$(sed -n 's/^scripts\/fuzz: fatal: //p' "$TMP/build.log" | head -1)"
    done_testing
  fi
  t_result 1 "the harnesses build"
  sed 's/^/#   /' "$TMP/build.log" | tail -30
  done_testing
fi
t_result 0 "the harnesses build"

for c in "$ROOT"/t/fuzz/fuzz_*.c
do
  n=$(basename "$c" .c)
  if [ ! -d "$ROOT/t/fuzz/corpus/$n" ]
  then
    t_result 1 "$n: has a seed corpus in t/fuzz/corpus/$n"
    continue
  fi
  if FUZZTIME=${PN_FUZZTIME:-10} timeout 900 sh "$ROOT/scripts/fuzz" check "$n" >"$TMP/$n.log" 2>&1
  then
    t_result 0 "$n: seed corpus and ${PN_FUZZTIME:-10} s of fuzzing, no crash ($(grep -o 'cov: [0-9]*' "$ROOT/build/fuzz/$n.log" | tail -1))"
  else
    t_result 1 "$n: seed corpus and ${PN_FUZZTIME:-10} s of fuzzing"
    grep -a -E 'invariant|ERROR|SUMMARY|Test unit written|runtime error' "$ROOT/build/fuzz/$n.log" 2>/dev/null | head -10 | sed 's/^/#   /'
  fi
done

done_testing
