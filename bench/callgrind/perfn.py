# perfn.py <which>: instructions per call by function (self cost), from the ir.sh runs.
import os, re, subprocess, sys
OUT = os.environ.get("OUT", "/tmp/orcjit-callgrind")
def load(f):
    out = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100", f], capture_output=True, text=True).stdout
    d = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+(.*)", line)
        if m and "PROGRAM TOTALS" not in line:
            d[m.group(2)] = d.get(m.group(2), 0) + int(m.group(1).replace(",", ""))
    return d
if __name__ == "__main__":
    w = sys.argv[1]
    a = load(f"{OUT}/{w}.200000.out"); b = load(f"{OUT}/{w}.500000.out")
    rows = sorted(((b.get(k, 0) - a.get(k, 0)) / 300000, k) for k in set(a) | set(b))
    tot = 0
    for v, k in reversed(rows):
        if abs(v) >= 2: print(f"{v:8.1f}  {k[:150]}")
        tot += v
    print(f"{tot:8.1f}  total")
