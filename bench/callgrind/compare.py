# compare.py <which>...: instructions per call spent on our side of a call, from the ir.sh runs
# ($OUT, default /tmp/orcjit-callgrind): the addon's own code (ours, koffi's or the baseline
# addon's), the N-API functions it calls and the V8 API functions those call. Left out: what
# every N-API addon pays alike (V8's entry into a callback: Builtins_CallApiCallback or
# Builtin_HandleApiCall, FunctionCallbackArguments, FunctionCallbackWrapper::Invoke) and the
# JS loop, whose tiering differs between runs. Comparable across addons; perfn.py shows rows.
import os, re, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from perfn import OUT, load  # noqa: E402  (the per-function table's reader)

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
