#!/usr/bin/env bash
# Run every bench of hishatak against the reference tools on the same data, in the same
# run, and write one Markdown table (with the machine, the date and this command) for
# docs/performance.md.
#
#   scripts/compare.sh --quick              # smoke run, about a minute
#   scripts/compare.sh --scale 1            # 1x data: 1,000 small files, 10,000 search docs ...
#   scripts/compare.sh --scale 10           # 10x (the sizes the targets are stated for)
#   scripts/compare.sh --scale 100          # 100x (hours; needs tens of GB free)
#   scripts/compare.sh --growth             # merge the 1x/10x/100x results into one table
#
# Options: --only ingest,content,export,search   run only these benches
#          --runs N                              runs per ingest/verify step (median)
#          --no-install                          never install a missing reference tool
#          --out FILE                            where to write the table
#
# Reference tools are installed only when missing, and only from Debian (apt-get) and PyPI
# (pip): time, libvips-tools, sqlite3, bagit. When that is impossible (not root, offline)
# the reason is printed and the comparisons that need the tool say "skipped" in the table.
#
# Each bench prints one line per measurement, tab-separated (benches/common/mod.rs):
#   RESULT bench step size unit ours ours_mb ref_tool ref ref_mb ratio target verdict
# This script collects those lines; it computes nothing itself.

set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

command_line="scripts/compare.sh${*:+ $*}"
scale=""
only="ingest,content,export,search"
runs=""
install=1
out=""
growth=0

usage() {
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-2}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) scale=quick ;;
        --scale)
            [ $# -ge 2 ] || usage
            scale=$2
            shift
            ;;
        --scale=*) scale=${1#--scale=} ;;
        --only)
            [ $# -ge 2 ] || usage
            only=$2
            shift
            ;;
        --runs)
            [ $# -ge 2 ] || usage
            runs=$2
            shift
            ;;
        --no-install) install=0 ;;
        --out)
            [ $# -ge 2 ] || usage
            out=$2
            shift
            ;;
        --growth) growth=1 ;;
        -h | --help) usage 0 ;;
        *)
            echo "compare.sh: unknown option: $1" >&2
            usage
            ;;
    esac
    shift
done

outdir=$root/target/compare
mkdir -p "$outdir"

note() { printf '%s\n' "compare.sh: $*" >&2; }

# ---------------------------------------------------------------------------------------
# --growth: one table from the results of several scales.
# ---------------------------------------------------------------------------------------
if [ "$growth" = 1 ]; then
    files=()
    for s in 1 10 100; do
        [ -f "$outdir/results-$s.tsv" ] && files+=("$outdir/results-$s.tsv")
    done
    if [ ${#files[@]} -eq 0 ]; then
        note "no results yet: run --scale 1, --scale 10 and --scale 100 first"
        exit 1
    fi
    out=${out:-$outdir/growth.md}
    {
        echo "## Growth (1x, 10x, 100x data)"
        echo
        echo "Each cell: data size, hishatak's time, its peak memory, and ours/ref when there is"
        echo "a reference. Sources: ${files[*]#"$root"/}."
        echo
        echo "| bench | step | reference | 1x | 10x | 100x |"
        echo "|---|---|---|---|---|---|"
        awk -F'\t' '
            FNR == 1 { s = FILENAME; sub(/.*results-/, "", s); sub(/\.tsv$/, "", s) }
            $5 == "-" { next }
            {
                key = $1 FS $2 FS $7
                if (!(key in seen)) { seen[key] = 1; order[++n] = key }
                cell = $3 ": " sprintf("%.2f %s", $5, $4)
                if ($6 != "-") cell = cell ", " $6 " MB"
                if ($10 != "-") cell = cell ", ratio " sprintf("%.2f", $10)
                val[key, s] = cell
            }
            END {
                for (i = 1; i <= n; i++) {
                    split(order[i], k, FS)
                    ref = (k[3] == "-") ? "" : "`" k[3] "`"
                    printf "| %s | %s | %s | %s | %s | %s |\n", k[1], k[2], ref,
                        val[order[i], "1"], val[order[i], "10"], val[order[i], "100"]
                }
            }' "${files[@]}"
    } >"$out"
    cat "$out"
    note "written to ${out#"$root"/}"
    exit 0
fi

# ---------------------------------------------------------------------------------------
# Sizes.
# ---------------------------------------------------------------------------------------
case "$scale" in
    quick)
        large_mb=32 small_files=300 scans=4 bag_mb=32 zip_items=100 items=1000 queries=50
        default_runs=1
        ;;
    1 | 10 | 100)
        large_mb=$((100 * scale)) small_files=$((1000 * scale)) scans=$((20 * scale))
        bag_mb=$((100 * scale)) zip_items=$((1000 * scale)) items=$((10000 * scale))
        queries=300
        default_runs=3
        [ "$scale" = 100 ] && default_runs=1
        ;;
    "") usage ;;
    *)
        note "--scale takes 1, 10 or 100 (or use --quick), not: $scale"
        exit 2
        ;;
esac
runs=${runs:-$default_runs}
label="${scale}x"
[ "$scale" = quick ] && label="smoke-run (--quick)"
out=${out:-$outdir/results-$scale.md}
tsv=${out%.md}.tsv
logdir=$outdir/logs-$scale
datadir=$outdir/data
rm -rf "$logdir"
mkdir -p "$logdir"

declare -A bench_env=(
    [ingest]="BENCH_LARGE_MB=$large_mb BENCH_SMALL_FILES=$small_files BENCH_SMALL_KB=64 BENCH_RUNS=$runs"
    [content]="BENCH_SCANS=$scans"
    [export]="BENCH_BAG_MB=$bag_mb BENCH_BAG_FILES=20 BENCH_ZIP_ITEMS=$zip_items"
    [search]="BENCH_ITEMS=$items BENCH_QUERIES=$queries"
)
# Disk each bench needs at its peak, MB (data, the archive, the reference tool's copy).
declare -A bench_disk=(
    # small files: the data, then a copy and an archive per run (kept until the end)
    [ingest]=$((large_mb * 22 / 10 + small_files * 64 / 1024 * (1 + 2 * runs) * 11 / 10 + 100))
    [content]=$((scans * 12 + 200))
    [export]=$((bag_mb * 4 + zip_items * 200 / 1000 + 100))
    [search]=$((items * 16 / 1000 + 100))
)

skipped=() # "what: why", for the report

# ---------------------------------------------------------------------------------------
# Reference tools: install only what is missing, only from Debian and PyPI.
# ---------------------------------------------------------------------------------------
have() { command -v "$1" >/dev/null 2>&1; }

apt_missing=()
apt_why="not installed (--no-install)"
pip_why="not installed (--no-install)"
if [ "$install" = 1 ]; then
    apt_why="could not be installed (log: ${logdir#"$root"/}/apt.log)"
    pip_why="could not be installed (log: ${logdir#"$root"/}/pip.log)"
fi
[ -x /usr/bin/time ] || apt_missing+=(time)
have vipsthumbnail || apt_missing+=(libvips-tools)
have sqlite3 || apt_missing+=(sqlite3)
have sha256sum || apt_missing+=(coreutils)

if [ ${#apt_missing[@]} -gt 0 ]; then
    if [ "$install" = 0 ]; then
        :
    elif [ "$(id -u)" != 0 ]; then
        apt_why="not root, so not installed (run: sudo apt-get install -y ${apt_missing[*]})"
    else
        note "installing from Debian: ${apt_missing[*]}"
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "${apt_missing[@]}"; } >"$logdir/apt.log" 2>&1; then
            apt_why="apt-get install failed (offline?): $(tail -n 1 "$logdir/apt.log")"
        fi
    fi
fi

# bagit installed into a venv by an earlier run (see below).
if ! have bagit.py && [ -x "$outdir/venv/bin/bagit.py" ]; then
    PATH=$outdir/venv/bin:$PATH
fi
if ! have bagit.py && [ "$install" = 1 ]; then
    if ! have python3; then
        pip_why="no python3 to install it with"
    else
        note "installing bagit from PyPI"
        user_flag=()
        [ "$(id -u)" = 0 ] || user_flag=(--user)
        if ! python3 -m pip install --quiet "${user_flag[@]}" bagit >"$logdir/pip.log" 2>&1; then
            # A system Python may refuse pip (PEP 668): use a venv under target/ instead.
            if python3 -m venv "$outdir/venv" >>"$logdir/pip.log" 2>&1 &&
                "$outdir/venv/bin/pip" install --quiet bagit >>"$logdir/pip.log" 2>&1; then
                PATH=$outdir/venv/bin:$PATH
            else
                pip_why="pip install bagit failed (offline?): $(tail -n 1 "$logdir/pip.log")"
            fi
        fi
        [ "$(id -u)" = 0 ] || PATH=$HOME/.local/bin:$PATH
        export PATH
    fi
fi

if [ ! -x /usr/bin/time ]; then
    note "GNU time (/usr/bin/time, Debian package 'time') is missing: every bench needs it"
    exit 1
fi
have vipsthumbnail || skipped+=("vipsthumbnail (libvips-tools) missing, $apt_why: derivatives are measured without a reference")
have bagit.py || skipped+=("bagit.py missing, $pip_why: BagIt export is measured without a reference, and our bag is not validated")
have tesseract || skipped+=("tesseract missing (this script does not install it; apt-get install tesseract-ocr): no OCR figure")
have sqlite3 || skipped+=("sqlite3 missing, $apt_why: the content bench cannot count OCR and PDF pages")
for s in "${skipped[@]}"; do note "$s"; done

# ---------------------------------------------------------------------------------------
# Build once, then run each bench with its sizes; its data is removed after it.
# ---------------------------------------------------------------------------------------
note "building the benches (release)"
if ! cargo bench --no-run >"$logdir/build.log" 2>&1; then
    tail -n 30 "$logdir/build.log" >&2
    note "the benches do not build (log: ${logdir#"$root"/}/build.log)"
    exit 1
fi

free_mb() { df -Pm "$1" | awk 'NR == 2 { print $4 }'; }

failed=()
: >"$tsv"
IFS=',' read -r -a benches <<<"$only"
for b in "${benches[@]}"; do
    if [ -z "${bench_env[$b]+x}" ]; then
        note "no such bench: $b (ingest, content, export, search)"
        exit 2
    fi
    need=${bench_disk[$b]}
    avail=$(free_mb "$outdir")
    if [ "$avail" -lt "$need" ]; then
        skipped+=("bench $b: needs about $need MB of disk, $avail MB free under target/")
        note "skipping $b: needs about $need MB of disk, $avail MB free"
        continue
    fi
    rm -rf "$datadir"
    mkdir -p "$datadir"
    note "bench $b: ${bench_env[$b]}"
    start=$(date +%s)
    # shellcheck disable=SC2086 # the sizes are NAME=value words
    if env ${bench_env[$b]} BENCH_DIR="$datadir/$b" cargo bench --bench "$b" \
        >"$logdir/$b.log" 2>&1; then
        note "bench $b done in $(($(date +%s) - start)) s"
    else
        failed+=("$b")
        note "bench $b FAILED after $(($(date +%s) - start)) s (log: ${logdir#"$root"/}/$b.log)"
        tail -n 15 "$logdir/$b.log" >&2
    fi
    grep -P '^RESULT\t' "$logdir/$b.log" | cut -f 2- >>"$tsv" || true
    chmod -R u+w "$datadir" 2>/dev/null || true
    rm -rf "$datadir"
done

# Comparisons a bench itself reported as skipped.
while IFS=$'\t' read -r bench step size _unit _o _om tool _rest; do
    case "$tool" in
        skipped:*) skipped+=("$bench / $step ($size): ${tool#skipped: }") ;;
    esac
done <"$tsv"

# ---------------------------------------------------------------------------------------
# The report.
# ---------------------------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
mem=$(free -g | awk '/^Mem:/ { print $2 " GiB" }')
fs=$(df -PT "$outdir" | awk 'NR == 2 { print $2 }')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit (with uncommitted changes)"

sizes=""
for b in "${benches[@]}"; do sizes+="${sizes:+; }$b: \`${bench_env[$b]}\`"; done

{
    echo "## Comparison at $label data ($(date -u +%Y-%m-%d))"
    echo
    echo "- Command: \`$command_line\`"
    echo "- Machine: $(nproc) cores${cpu:+ ($cpu)}, $mem memory, $(uname -srm), target/ on ${fs:-?}"
    echo "- Commit: $commit; $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- Sizes: $sizes"
    echo "- Ingest and verify steps: median of $runs run(s); the others: one run."
    echo
    echo "Ratio = hishatak / reference (time or latency: lower is better for us). Peak MB is"
    echo "the peak resident memory from GNU time; FTS5 runs inside the bench's process."
    echo
    echo "| bench | step | data | hishatak | peak MB | reference | ref. | ref. peak MB | ratio | target | verdict |"
    echo "|---|---|---|---:|---:|---|---:|---:|---:|---|---|"
    awk -F'\t' '
        function fmt(v, u) {
            if (v == "-") return ""
            return (u == "MB") ? sprintf("%.1f MB", v) : sprintf("%.2f %s", v, u)
        }
        {
            tool = $7
            if (tool == "-") tool = ""
            else if (tool !~ /^skipped:/) tool = "`" tool "`"
            verdict = $12
            if (verdict == "missed") verdict = "**missed**"
            if (verdict == "-") verdict = ""
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                $1, $2, $3, fmt($5, $4), ($6 == "-" ? "" : $6), tool, fmt($8, $4),
                ($9 == "-" ? "" : $9), ($10 == "-" ? "" : sprintf("%.2f", $10)),
                ($11 == "-" ? "" : $11), verdict
        }' "$tsv"
    echo
    if [ ${#skipped[@]} -gt 0 ]; then
        echo "Skipped, and why:"
        echo
        for s in "${skipped[@]}"; do echo "- $s"; done
        echo
    fi
    if [ ${#failed[@]} -gt 0 ]; then
        echo "**Failed benches:** ${failed[*]} (logs in \`target/compare/logs-$scale/\`)."
        echo
    fi
} >"$out"

cat "$out"
note "table written to ${out#"$root"/} (raw lines: ${tsv#"$root"/}; logs: ${logdir#"$root"/}/)"
[ ${#failed[@]} -eq 0 ]
