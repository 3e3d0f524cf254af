#!/usr/bin/env bash
# bench/run.sh ROWS — allot against DuckDB on the same generated month.
#
#   EXPORT=aws-cur2|azure-export
#                           the bill (default aws-cur2: CUR 2.0, billed cost;
#                           azure-export: an AmortizedCost export, effective cost)
#   FORMAT=parquet|csv.gz   file format (default parquet; azure-export: csv.gz,
#                           or csv)
#   NODICT=1                Parquet tag map written PLAIN (dictionaries overflowed)
#   REPEAT=5                rounds (3 above 20M lines); each measurement keeps its best
#   PERIOD=2026-10          the month
#
# It builds allot as it ships (scripts/build.sh: static, stripped, the
# build CI and the Dockerfile run) and the DuckDB runner (a separate Go
# module, bench/go.mod; the first build downloads DuckDB's static library,
# ~50 MB), generates the data under bench/data/ with `allot gen` (kept for
# the next run), and measures, in REPEAT rounds that take turns, the wall
# time of the whole `allot run` (reports, journals and a fresh SQLite
# ledger included) with GOMAXPROCS=1 and on all cores, and DuckDB's query
# time with SET threads=1 and all: the group-by a FinOps engineer would
# write, the billed cost summed by team and action class tag in
# DECIMAL(38,10). It checks that allot's exact per-team-and-class sums
# (pipeline.Gather, before allocation) equal DuckDB's, and prints a table,
# then key=value lines.
set -euo pipefail

ROWS=${1:-10000000}
EXPORT=${EXPORT:-aws-cur2}
if [ "$EXPORT" = azure-export ]; then FORMAT=${FORMAT:-csv.gz}; else FORMAT=${FORMAT:-parquet}; fi
# Short runs are measured more often: a 0.5 s run moves more with the
# machine's noise than a 10 s one.
if [ "$ROWS" -le 20000000 ]; then REPEAT=${REPEAT:-5}; else REPEAT=${REPEAT:-3}; fi
PERIOD=${PERIOD:-2026-10}
NODICT=${NODICT:-0}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cores=$(nproc)

case "$EXPORT/$FORMAT" in
aws-cur2/parquet) ext=parquet ;;
aws-cur2/csv.gz | azure-export/csv.gz) ext=csv.gz ;;
azure-export/csv) ext=csv ;;
*) echo "EXPORT=aws-cur2 takes FORMAT=parquet or csv.gz; EXPORT=azure-export takes FORMAT=csv.gz or csv" >&2; exit 2 ;;
esac

timer=/usr/bin/time
if ! [ -x "$timer" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "installing GNU time (apt-get install time) for peak memory" >&2
		apt-get install -y -qq time >/dev/null 2>&1 || true
	fi
fi
[ -x "$timer" ] || timer=""

echo "building allot and the DuckDB runner" >&2
mkdir -p "$here/bin"
# allot as it ships: the same build command as CI and the Dockerfile.
OUT="$here/bin/allot" VERSION=bench "$root/scripts/build.sh" 2>/dev/null
(cd "$here" && go build -o "$here/bin/duckrun" ./cmd/duckrun && go build -o "$here/bin/allotsums" ./cmd/allotsums)

name="cur2-$ext-$ROWS"
[ "$EXPORT" = azure-export ] && name="azure-$ext-$ROWS"
genflags=()
if [ "$NODICT" = 1 ]; then
	name="$name-nodict"
	genflags+=(--no-dict)
fi
data="$here/data/$name"
if ! [ -f "$data/.complete" ]; then
	rm -rf "$data"
	echo "generating $ROWS lines ($FORMAT) in $data" >&2
	"$here/bin/allot" --log-level warn gen --rows "$ROWS" --format "$EXPORT" --file "$FORMAT" \
		--period "$PERIOD" --seed 1 --out "$data" "${genflags[@]}" >&2
	touch "$data/.complete"
fi
glob="$data/data/aws/allot-bench/data/BILLING_PERIOD=$PERIOD/*.$ext"
[ "$EXPORT" = azure-export ] && glob="$data/data/azure/allot-bench/*/*/*/*.$ext"
cat $glob >/dev/null # both sides read from the page cache

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# calc EXPR [FORMAT]: floating-point arithmetic and comparisons (awk).
calc() { awk -v fmt="${2:-%.6f}" "BEGIN { v = ($1); if (v == int(v) && fmt == \"%.6f\") printf \"%d\", v; else printf fmt, v }"; }

# allot_once PROCS: the wall seconds and peak RSS (KB, 0 without GNU time)
# of one allot run.
allot_once() {
	local procs=$1 s r=0
	rm -rf "$data"/allot.db* "$work/out"
	if [ -n "$timer" ]; then
		# GNU time gives the peak memory; its %e has a resolution of
		# 10 ms (2% of a 0.5 s run), so the wall time is bash's clock.
		local t0=$EPOCHREALTIME
		GOMAXPROCS=$procs "$timer" -f "%e %M" -o "$work/time" "$here/bin/allot" --log-level warn \
			run --config "$data/allot.yaml" --period "$PERIOD" --out "$work/out" >"$work/stdout" 2>"$work/stderr"
		local t1=$EPOCHREALTIME
		read -r _ r <"$work/time"
		s=$(calc "$t1 - $t0")
	else
		local t0 t1
		t0=$(date +%s.%N)
		GOMAXPROCS=$procs "$here/bin/allot" --log-level warn run --config "$data/allot.yaml" \
			--period "$PERIOD" --out "$work/out" >"$work/stdout" 2>"$work/stderr"
		t1=$(date +%s.%N)
		s=$(calc "$t1 - $t0")
	fi
	echo "$s $r"
}

# duck_once THREADS: the query seconds of one DuckDB run.
duck_once() {
	"$here/bin/duckrun" -export "$EXPORT" -files "$glob" -format "$FORMAT" -threads "$1" | sed -n 's/^seconds=//p'
}

# min A B: the smaller of two seconds ("" is no value yet).
min() { if [ -z "$1" ] || [ "$(calc "$2 < $1")" = 1 ]; then echo "$2"; else echo "$1"; fi; }

# The four measurements take turns, REPEAT rounds, and each keeps its best:
# the machine's speed drifts over a script run (other guests of a shared
# host), and taking turns gives every measurement the same moments, so the
# ratios do not depend on which one happened to run in a slow minute.
a1="" aN="" d1="" dN="" rss1=0 rssN=0
for round in $(seq "$REPEAT"); do
	echo "round $round of $REPEAT: allot on 1 core and on $cores, DuckDB on 1 thread and on $cores" >&2
	read -r s r < <(allot_once 1)
	a1=$(min "$a1" "$s")
	if [ "$r" -gt "$rss1" ]; then rss1=$r; fi
	read -r s r < <(allot_once "$cores")
	aN=$(min "$aN" "$s")
	if [ "$r" -gt "$rssN" ]; then rssN=$r; fi
	d1=$(min "$d1" "$(duck_once 1)")
	dN=$(min "$dN" "$(duck_once "$cores")")
done

echo "cross-check: allot's exact sums per team and class against DuckDB's" >&2
"$here/bin/allotsums" --config "$data/allot.yaml" --period "$PERIOD" >"$work/allot.csv"
"$here/bin/duckrun" -export "$EXPORT" -files "$glob" -format "$FORMAT" -threads "$cores" -sums "$work/duck.csv" >/dev/null
if diff -q "$work/allot.csv" "$work/duck.csv" >/dev/null; then
	match=yes
else
	match=no
	diff "$work/allot.csv" "$work/duck.csv" | head -20 >&2
fi
groups=$(wc -l <"$work/allot.csv")

rate() { calc "$ROWS / $1" "%.0f"; }
ar1=$(rate "$a1") arN=$(rate "$aN") dr1=$(rate "$d1") drN=$(rate "$dN")
ratio1=$(calc "$ar1 / $dr1" "%.2f")
ratioN=$(calc "$arN / $drN" "%.2f")
scale=$(calc "$a1 / $aN" "%.2f")
peak=$((rss1 > rssN ? rss1 : rssN))
peakmb=$(calc "$peak / 1024" "%.0f")

printf '\n%s lines, %s %s%s, %s cores (%s)\n' "$ROWS" "$EXPORT" "$FORMAT" "$([ "$NODICT" = 1 ] && echo ', tag map PLAIN')" "$cores" "$(uname -m)"
printf '%-22s %10s %14s %16s %10s\n' "" "seconds" "rows/s" "rows/s per core" "peak RSS"
printf '%-22s %10.3f %14s %16s %7s MB\n' "allot, 1 core" "$a1" "$ar1" "$ar1" "$((rss1 / 1024))"
printf '%-22s %10.3f %14s %16s %7s MB\n' "allot, $cores cores" "$aN" "$arN" "$((arN / cores))" "$((rssN / 1024))"
printf '%-22s %10.3f %14s %16s\n' "DuckDB, 1 thread" "$d1" "$dr1" "$dr1"
printf '%-22s %10.3f %14s %16s\n' "DuckDB, $cores threads" "$dN" "$drN" "$((drN / cores))"
printf 'allot/DuckDB: %sx on 1 core, %sx on %s; allot %s cores/1 core: %sx\n' "$ratio1" "$ratioN" "$cores" "$cores" "$scale"
printf 'exact sums per team and class equal to DuckDB'"'"'s: %s (%s groups)\n\n' "$match" "$groups"

echo "export=$EXPORT"
echo "format=$FORMAT"
echo "rows=$ROWS"
echo "allot_rows_per_s_1core=$ar1"
echo "allot_rows_per_s_all=$arN"
echo "duckdb_rows_per_s_1core=$dr1"
echo "duckdb_rows_per_s_all=$drN"
echo "ratio_1core=$ratio1"
echo "allot_peak_rss_mb=$peakmb"
