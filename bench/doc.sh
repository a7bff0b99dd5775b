# bench/doc.sh: sourced by bench/run once every figure is in; write_doc
# prints doc/performance.md.  The figures come from the run; the prose
# that explains a missed target comes from bench/analysis.md, one section
# per target, included when that target is missed; the sections whose key
# starts with "all-" are always included.

# section KEY: the text after "<!-- section: KEY -->" in bench/analysis.md,
# up to the next such line
section()
{
  awk -v k="<!-- section: $1 -->" '
    /^<!-- section: / { on = ($0 == k); next }
    on { print }' "$ROOT/bench/analysis.md"
}

# over X TARGET: how far X is above TARGET, in percent
over()
{
  calc %.0f "($1 / $2 - 1) * 100"
}

# short X TARGET: how far X is below TARGET, in percent
short()
{
  calc %.0f "(1 - $1 / $2) * 100"
}

machine()
{
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
  mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
  os=$( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null || echo unknown)
  fs=$(df -PT "$W" 2>/dev/null | awk 'NR == 2 { print $2 " on " $1 }')
  ccv=$($CC --version 2>/dev/null | sed 1q)
  libc=$(ldd --version 2>/dev/null | sed 1q)
  sk=$(dpkg-query -W -f='${Version}' skalibs-dev 2>/dev/null || echo unknown)
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  # the file being written does not count
  if ! git -C "$ROOT" diff-index --quiet HEAD -- . ':!doc/performance.md' 2>/dev/null; then commit="$commit, with uncommitted changes"; fi
  echo "| | |"
  echo "| --- | --- |"
  echo "| CPU | ${cpu:-unknown}, $NCPU online |"
  echo "| memory | ${mem:-unknown} |"
  echo "| system | $os, $(uname -srm) |"
  echo "| Maildir file system | ${fs:-unknown} |"
  echo "| compiler, C library | ${ccv:-unknown}; ${libc:-unknown} |"
  echo "| skalibs | $sk |"
  echo "| postern | commit $commit |"
  echo "| one fork, exec and exit of a program that does nothing | $SPAWN_DYN ms dynamically linked, $SPAWN_STATIC ms statically |"
  echo "| one crypt() | $CRYPT_MS ms yescrypt (libxcrypt's default cost), $FASTCRYPT_MS ms sha512crypt (pn-crypt: a loop in one process, in small pages; libxcrypt maps its memory afresh for each call) |"
  echo "| transparent huge pages | enabled: $(thpmode enabled), defrag: $(thpmode defrag) |"
  echo "| load average (1, 5, 15 min) | $LOAD0 at the start, $LOAD1 at the end |"
  echo "| run time of bench/run | $ELAPSED s |"
}

thpmode() # thpmode FILE: the bracketed word of /sys/kernel/mm/transparent_hugepage/FILE
{
  sed -n 's/.*\[\(.*\)\].*/\1/p' "/sys/kernel/mm/transparent_hugepage/$1" 2>/dev/null || echo unknown
}

# brkrows: the W2 breakdown, one row a program, postern then the floor
brkrows()
{
  for k in BW:postern BWI:"postern, initgroups: files" BF:floor
  do
    [ -s "$W/${k%%:*}.log" ] || continue
    brk "${k%%:*}" | while read -r e f sc c
    do
      echo "| ${k#*:} | $e | $f | $sc | $c |"
    done
  done
}

wrow() # wrow NAME DESCRIPTION
{
  [ -s "$W/$1.out" ] || return 0
  echo "| $1 | $2 | $(get "$1" ok) / $(get "$1" sessions) | $(get "$1" accepted) | $(eval "echo \${${1}_MD:--}") | $(get "$1" seconds) | $(get "$1" sess_per_s) | $(get "$1" msg_per_s) | $(get "$1" mb_per_s) | $(get "$1" sess_p50_ms) / $(get "$1" sess_p99_ms) | $(get "$1" eod_p50_ms) / $(get "$1" eod_p99_ms) |"
}

missed()
{
  n=0
  if [ "$W1_V" = MISSED ]
  then
    echo "### W1: $W1_FRATE of its floor's rate, against at least 0.9: $(short "$W1_FRATE" 0.9)% short"
    echo
    section W1
    n=1
  fi
  if [ "$W1_GV" = MISSED ]
  then
    echo "### W1 with huge pages: $W1_GAIN times W1 without, against at least 2: $(short "$W1_GAIN" 2)% short"
    echo
    section W1N
    n=1
  fi
  for w in W2 W4
  do
    eval "v=\$${w}_V r=\$${w}_RATIO fv=\$${w}_FV fr=\$${w}_FRATIO"
    if [ "$v" = MISSED ] || [ "$fv" = MISSED ]
    then
      if [ "$w" = W2 ]; then ft=0.80; else ft=0.70; fi
      echo "### $w: $r of the disk floor (against at least 0.70), $fr of the session and disk floor (against at least $ft)"
      echo
      section "$w"
      n=1
    fi
  done
  if [ "$W1P_V" = MISSED ]
  then
    echo "### W1P: $W1P_RATIO of W1X's sessions per second through postern-proxy, against at least 0.95: $(short "$W1P_RATIO" 0.95)% short"
    echo
    section W1P
    n=1
  fi
  if [ "$W1R_V" = MISSED ]
  then
    echo "### W1R: $W1R_RATIO of W1X's sessions per second with the state in Redis, against at least 0.95: $(short "$W1R_RATIO" 0.95)% short"
    echo
    section W1R
    n=1
  fi
  if [ "$RSS_SMTPD_V$RSS_CHECKPW_V$RSS_CHECKPWY_V$RSS_QUEUE_V" != metmetmetmet ]
  then
    echo "### Peak RSS of 1 MiB or more"
    echo
    for p in "postern-smtpd $RSS_SMTPD" "postern-checkpw with a sha512crypt hash $RSS_CHECKPW" \
      "postern-checkpw with a yescrypt hash $RSS_CHECKPWY" "postern-queue $RSS_QUEUE"
    do
      v=${p##* }
      if [ "$(calc %d "($v >= 1024) ? 1 : 0")" = 1 ]
      then
        echo "- ${p% *}: $v KiB, $(over "$v" 1024)% over 1024 KiB"
      fi
    done
    echo
    section RSS
    n=1
  fi
  if [ "$n" = 0 ]
  then
    echo "None: every target was met in this run."
    echo
  fi
  if [ "$W3_STALL" = 1 ]
  then
    echo "### W3 (no target): $(get W3 msg_per_s) messages/s, $(get W3N msg_per_s) with TCP_NODELAY"
    echo
    section W3
  fi
}

write_doc()
{
  cat <<EOF
# postern performance

This file is written by \`make bench\` (bench/run): its figures are
measured, never edited by hand; run \`make bench\` again to refresh them.
The workloads and floors are defined in bench/run, the load generator is
bench/pn-load.c, and the explanations of missed targets come from
bench/analysis.md.

Run of $(date -u '+%Y-%m-%d %H:%M UTC').

## Machine

$(machine)

The machine may be shared: builds and tests may have run at the same time
(see the load average). Ratios to a floor measured in the same run, and
instruction counts, are steadier than absolute times.

## Workloads

Each session is checked reply by reply (one unexpected reply fails it);
"Maildir" says whether the Maildir held exactly the messages accepted, with
nothing left in tmp/. Times are in seconds, latencies in milliseconds: the
whole session, from connect() to the server's EOF, and end of data, from
the last byte of the body written to the 250 read. MB are 10^6 bytes of
message as RFC 1870 counts them. W1 authenticates with a yescrypt hash
(libxcrypt's default method and cost); W2, W3, W4 and the L rows with a
sha512crypt hash, so that the hash, which W1 measures, does not drown what
they are about.

| | workload | sessions ok | messages accepted | Maildir | s | sessions/s | messages/s | MB/s | session p50 / p99 | end of data p50 / p99 |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
$(wrow W1 "AUTH PLAIN, one 2 KB message; $W1_C at a time")
$(wrow W1N "as W1, huge pages disabled (pn-nothp): as before postern asked for them")
$(wrow F1 "W1's floor: pn-floor, with huge pages")
$(wrow W2 "one 1 MB message; $W2_C at a time")
$(wrow W2I "as W2, with an initgroups: files line in nsswitch.conf")
$(wrow F2 "W2's session and disk floor: pn-floor -d")
$(wrow W3 "50 pipelined 2 KB messages; $W3_C at a time")
$(wrow W3N "as W3, tcpserver -D (TCP_NODELAY)")
$(wrow W4 "one 25 MB message; $W4_C at a time")
$(wrow F4 "W4's session and disk floor: pn-floor -d")
$(wrow LS "as W1, cheap hash; as built (postern-smtpd and postern-queue fully static)")
$(wrow LK "as W1, cheap hash; skalibs static, libc shared")
$(wrow LD "as W1, cheap hash; every library shared")
$(wrow W1X "as W1, half the sessions; in turns with W1P and W1R")
$(wrow W1P "as W1X, through postern-proxy (a PROXY v2 header first)")
$(wrow W1R "as W1X, the failure record and the sending limits in Redis (REDIS, MSGLIMIT, RCPTLIMIT)")
$(wrow LX "as LS; in turns with LP")
$(wrow LP "as LX, through postern-proxy")
$(wrow RN "as W1, cheap hash; in turns with RR")
$(wrow RR "as RN, the failure record and the sending limits in Redis (REDIS, MSGLIMIT, RCPTLIMIT)")

## Against the floors

| | postern | floor | ratio | target |
| --- | --- | --- | --- | --- |
| W1 | $(get W1 sess_per_s) sessions/s | $(get F1 sess_per_s) sessions/s | $W1_FRATE | at least 0.9: $W1_V |
| W1 against W1N (huge pages against none) | $(get W1 sess_per_s) sessions/s | $(getor W1N sess_per_s) sessions/s | $W1_GAIN | at least 2: $W1_GV |
| W2, disk floor | $(get W2 mb_per_s) MB/s | $(get D2 mb_per_s) MB/s | $W2_RATIO | at least 0.70: $W2_V |
| W2, session and disk floor | $(get W2 mb_per_s) MB/s | $(get F2 mb_per_s) MB/s | $W2_FRATIO | at least 0.80: $W2_FV |
| W2I (initgroups: files), session and disk floor | $(getor W2I mb_per_s) MB/s | $(get F2 mb_per_s) MB/s | $W2I_FRATIO | none |
| W3 | $(get W3 msg_per_s) messages/s | $(get D3 files_per_s) files/s | $W3_RATIO | none |
| W3N | $(get W3N msg_per_s) messages/s | $(get D3 files_per_s) files/s | $W3N_RATIO | none |
| W4, disk floor | $(get W4 mb_per_s) MB/s | $(get D4 mb_per_s) MB/s | $W4_RATIO | at least 0.70: $W4_V |
| W4, session and disk floor | $(get W4 mb_per_s) MB/s | $(get F4 mb_per_s) MB/s | $W4_FRATIO | at least 0.70: $W4_FV |
| W2, body path alone | $(get W2 data_mb_per_s) MB/s | $(get D2 file_mb_per_s) MB/s | $W2_SRATIO | none |
| W4, body path alone | $(get W4 data_mb_per_s) MB/s | $(get D4 file_mb_per_s) MB/s | $W4_SRATIO | none |
| LS | $LS_S s | $(get FL seconds) s | $LS_RATIO | none |
| LK | $LK_S s | $(get FL seconds) s | $LK_RATIO | none |
| LD | $LD_S s | $(get FL seconds) s | $LD_RATIO | none |
| W1P, against W1X | $(get W1P sess_per_s) sessions/s | $(get W1X sess_per_s) sessions/s | $W1P_RATIO | at least 0.95: $W1P_V |
| LP, against LX | $(get LP sess_per_s) sessions/s | $(get LX sess_per_s) sessions/s | $LP_RATIO | none |
| W1R, against W1X | $(getor W1R sess_per_s) sessions/s | $(get W1X sess_per_s) sessions/s | $W1R_RATIO | at least 0.95: $W1R_V |
| RR, against RN | $(getor RR sess_per_s) sessions/s | $(getor RN sess_per_s) sessions/s | $RR_RATIO | none |

- W1P and LP: the same sessions behind postern-proxy (doc/scaling.md),
  each connection starting with a PROXY v2 header, in turns with the
  plain chain (W1X, LX), a quarter at a time; the ratio is sessions per
  second with it over without it.
- W1R: W1X's sessions (yescrypt, as W1) with the state of doc/scaling.md
  kept in a redis-server of the run's own on 127.0.0.1, in turns with
  W1X and W1P: REDIS set (the failure record), and MSGLIMIT and RCPTLIMIT
  at 10000000/1d, never reached, so that postern-queue runs the limit
  script at MAIL and at RCPT as a site with limits does; afterwards Redis
  must hold exactly W1R's messages. The ratio is W1R's sessions per
  second over W1X's.
- RN and RR: LS's sessions (the cheap hash, so that Redis's share shows)
  without and with the state of doc/scaling.md kept in a redis-server of
  their own on 127.0.0.1, in turns, a quarter at a time. RR sets REDIS
  (the failure record: postern-smtpd reads the address's counter at
  connect and at AUTH) and MSGLIMIT and RCPTLIMIT at 10000000/1d, never
  reached, so that postern-queue runs the limit script at MAIL and at
  RCPT as a site with limits does; afterwards Redis must hold exactly
  RR's messages. The ratio is RR's sessions per second over RN's.
- W1 and the L rows: the floor is the process-spawn floor plus the crypt()
  of the account's hash, measured together: bench/pn-floor, one
  dynamically linked program that exchanges the same lines with canned
  replies and runs crypt_r() on the same hash at AUTH, with huge pages for
  the hash as postern-checkpw gets them, under the same tcpserver, for the
  same sessions at the same concurrency. It writes nothing to disk. W1,
  W1N (a quarter as many sessions) and the floor run in turns, a quarter
  at a time, so that a change in the machine's load weighs on all alike.
- W1N is the same build with transparent huge pages disabled for the
  server and every session (bench/pn-nothp: PR_SET_THP_DISABLE, which
  children inherit): postern-checkpw's advice then has no effect and the
  hash runs in small pages, as before postern asked for huge ones.
- W2, W3, W4: the disk floor, bench/pn-disk, writes as many files of the
  same size from memory, in 1 MiB writes, each with fsync, rename into new/
  and an fsync of new/, as many at a time as the workload has sessions.
  W2 and W4 run in turns with their disk floor (and with the session and
  disk floor below), so that the disk's changing rate weighs on both.
  W3 compares messages/s with files/s. These ratios include starting each
  session (a fork, three execs, AUTH): starting $W2_N sessions with a 2 KB
  message each (LS's rate) takes $W2_SESS% of W2's time.
- W2I is W2 with the server (and so every session) in a mount namespace
  of its own where /etc/nsswitch.conf has an \`initgroups: files\` line,
  in turns with W2: postern-checkpw's getgrouplist() then reads
  /etc/group only, instead of also loading the modules the "group" line
  names (libnss_systemd, with libcap and libm, on Debian). The difference
  between W2 and W2I is what those modules cost a session here.
- W2 and W4, session and disk floor: bench/pn-floor -d, the W1 floor
  program that also writes each body as it reads it into a Maildir, with
  fsync, rename and an fsync of new/, for the same sessions at the same
  concurrency, in turns with the workload (F2 and F4 above). It is one
  process doing what a Maildir delivery cannot avoid (a process per
  connection, the hash, the transfer, the durable write) and nothing of
  postern's: the ratio is the price of postern's chain and body path.
- "Body path alone" leaves the sessions' start out: the bytes of a message
  over the time from the 354 to the 250 (transfer, unstuffing, writing,
  fsync, link), against one pn-disk writer's bytes over its time in each
  file.

## Memory

Peak resident set of each program image, in KiB: VmHWM when it execs or
exits, traced by bench/pn-rss, so that the three programs sharing one
process are measured apart. The largest over sessions of the W1, W3 and
W4 kinds (sha512crypt account; the yescrypt one for its row). The last
rows are floors: what a program takes here before it does anything.

| program | as built | skalibs static, libc shared | every library shared | target |
| --- | --- | --- | --- | --- |
| postern-smtpd | $RSS_SMTPD | $RSSK_SMTPD | $RSSD_SMTPD | under 1024: $RSS_SMTPD_V |
| postern-checkpw, sha512crypt hash | $RSS_CHECKPW | $RSSK_CHECKPW | $RSSD_CHECKPW | under 1024: $RSS_CHECKPW_V |
| postern-checkpw, yescrypt hash | $RSS_CHECKPWY | | | under 1024: $RSS_CHECKPWY_V |
| postern-queue | $RSS_QUEUE | $RSSK_QUEUE | $RSSD_QUEUE | under 1024: $RSS_QUEUE_V |
| pn-floor (W1's floor, with libcrypt) | $RSS_FLOOR | | | |
| pn-nop, a program that does nothing | $RSS_NOPS (static) | $RSS_NOP | | |

"As built" is what the GNUmakefile makes: postern-smtpd and postern-queue
linked fully statically (\`STATIC ?= -static-pie\`: glibc and skalibs
included, position-independent so that ASLR holds), postern-checkpw with
skalibs static and glibc shared, since glibc's getpwnam() needs its shared
NSS modules. Most of a static program's resident set is its own text,
mapped 64 KiB at a time by the kernel's fault-around and shared by every
session running it; what each session costs on its own is its private
(anonymous) memory: buffers, stack and data.

## Instructions

One W1 session (AUTH PLAIN with the yescrypt account, one 2 KB message,
QUIT), each program under its own \`valgrind --tool=callgrind\`; a
fork, a posix_spawn or an execve dumps the counts so far, so nothing is
counted twice. Unlike times, these counts hardly move on a busy machine.

| program | as built | every library shared |
| --- | --- | --- |
| postern-smtpd (the front, and its child until it execs the verifier) | $IR_SMTPD | $IRD_SMTPD |
| postern-checkpw | $IR_CHECKPW | $IRD_CHECKPW |
| of which crypt_rn (yescrypt) | $IR_CRYPT | $IRD_CRYPT |
| postern-queue | $IR_QUEUE | $IRD_QUEUE |
| total | $IR_TOTAL | $IRD_TOTAL |
| total without crypt_rn | $IR_NOCRYPT | $IRD_NOCRYPT |

The body path: postern-queue alone (RELAYCLIENT, no AUTH) takes $IR_Q1
instructions for a session with one $W3_S-byte message, $IR_Q2 with one of
$W2_S bytes: **$IR_BYTE instructions a byte** of body. The functions that
take the difference (their own instructions, second session less first):

| instructions | function |
| --- | --- |
$(awk '{ print "| " $1 " | " $2 " |" }' "$W/irtop.txt")

## Static or dynamic linking

The same sessions as W1 with the sha512crypt account, so that the
processes, not the hash, show ($L_N of them): $LS_S s as built
(postern-smtpd and postern-queue fully static), $LK_S s with skalibs
static and a shared libc, $LD_S s with every library shared. **The
fastest in this run: $FASTEST**; the instruction counts above do not
depend on the load. The GNUmakefile links skalibs statically
(\`SKARNET ?= -l:libskarnet.a\`) and postern-smtpd and postern-queue
fully (\`STATIC ?= -static-pie\`); \`make STATIC=\` links them with a
shared libc.

## Huge pages for the hash

$(section all-hugepages)

## W2: where a session's time goes

W2 sessions ($BW_N of them, two at a time), every program image traced by
bench/pn-rss: per session, its page faults (minor and major), the system
calls it entered and its time on a CPU. A process that execs is counted
as one image up to the execve and the next one after it, so
postern-smtpd appears twice (the front, and its child until it execs the
verifier) and tcpserver's child until it execs postern-smtpd. Tracing
stops each system call twice, so CPU times are inflated, more for the
images that make more calls; the counts are exact. "initgroups: files"
is the same with that line in nsswitch.conf, as W2I. The floor is
pn-floor -d (F2).

| | program | page faults | system calls | CPU ms (traced) |
| --- | --- | --- | --- | --- |
$(brkrows)

Instructions of one W2 session (callgrind, as under "Instructions"):
postern-smtpd $IR2_SMTPD, postern-checkpw $IR2_CHECKPW (of which the
sha512crypt hash $IR2_CRYPT), postern-queue $IR2_QUEUE.

$(section all-w2)

$(section all-bodypath)

## Targets missed

$(missed)
EOF
}
