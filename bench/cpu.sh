# CPU accounting shared by bench/run.sh and bench/cpu-per-gb.sh (sourced).
# cpu_ms PID... -> utime+stime of each process in ms (all threads), space-separated
cpu_ms() {
  local p; for p in "$@"; do awk -v hz="$(getconf CLK_TCK)" '{printf "%d ", ($14 + $15) * 1000 / hz}' "/proc/$p/stat" 2>/dev/null || printf '0 '; done
}
# jit_ms PID -> utime+stime in ms of a JVM's JIT compiler threads (0 for any other process): a fresh JVM compiles
# its hot paths for tens of seconds of CPU on a loaded machine (measured: 30-60% of dst-client's CPU in the first
# minute), which is warm-up, not the steady state of a long-running daemon. A compiler thread that exited took
# its time with it, so this can only undercount.
jit_ms() {
  local t s=0 v; for t in /proc/"$1"/task/*/stat; do
    v=$(sed -n 's/^[0-9]* (C[12] CompilerThre) . \(.*\)/\1/p' "$t" 2>/dev/null | awk '{print $11 + $12}')
    s=$((s + ${v:-0}))
  done; echo $((s * 1000 / $(getconf CLK_TCK)))
}
