# compare.py <which>...: instructions per call spent on our side of a call, from the ir.sh runs
# ($OUT, default /tmp/orcjit-callgrind): the addon's own code (ours, koffi's or the baseline
# addon's), the N-API functions it calls and the V8 API functions those call. Left out: what
# every N-API addon pays alike (V8's entry into a callback: Builtins_CallApiCallback or
# Builtin_HandleApiCall, FunctionCallbackArguments, FunctionCallbackWrapper::Invoke) and the
# JS loop, whose tiering differs between runs. Comparable across addons; perfn.py shows rows.
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

def counted(k):
    if re.search(r"\.node\]|\.so\]", k):
        return True
    name = k.split(":", 1)[1].lstrip("?:") if ":" in k else k
    if re.match(r"v8::internal::(FunctionCallbackArguments|.*HandleApiCall|\(anonymous namespace\)::IterateObjectCache)|v8impl::.*FunctionCallbackWrapper::Invoke", name):
        return False
    return name.startswith(("napi_", "v8", "node::"))

for w in sys.argv[1:]:
    a = load(f"{OUT}/{w}.200000.out")
    b = load(f"{OUT}/{w}.500000.out")
    tot = sum((b.get(k, 0) - a.get(k, 0)) / 300000 for k in set(a) | set(b) if counted(k))
    print(f"{w:12s} {tot:7.1f}")
