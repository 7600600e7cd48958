#!/usr/bin/env python3
"""bench/compare.sh's raw lines -> Markdown: medians, min-max, per-repetition ratios to
PyTorch, the GEMM peak of the same run and each workload's fraction of its bound.

usage: summarize.py RAW GEMM [STREAM]   (common.py of ../shared/bench on PYTHONPATH)

Each peer's peak memory is the median of its processes' peak resident sets (GNU time's
maxrss_kb on each raw line). The bound is the dense FLOPs at the GEMM peak of the run. For W6 (VGG16 at batch 1) the fully
connected layers are matrix-vector products, limited by reading their 124 million weights, not
by arithmetic: with STREAM (the memory bandwidth probe's lines of the same run) their part of
the bound is those bytes at the best measured bandwidth instead of their FLOPs at the peak.
RAW lines: impl=<cpp|torch|dezero> rep=<i> threads=<t> workload=<W> seconds=<s> metric=<m> ...
maxrss_kb=<k>
"""
import collections
import statistics
import sys

import common  # ../shared/bench/common.py: FLOP counts of the dense math

UNITS = {"W1": "10k iters", "W2": "300 epochs", "W3": "epoch + test", "W3b": "epoch + test",
         "W3loader": "epoch", "W4": "epoch (10k)", "W5": "100 epochs", "W6": "s/forward",
         "W7a": "100k ops", "W7b": "per 6th derivative"}
NAMES = {"cpp": "dezero-cpp", "torch": "PyTorch", "dezero": "DeZero (Python)"}


def parse(path):
    with open(path) as f:
        return [dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
                for line in f if "=" in line and not line.startswith("#")]


def fmt(xs):
    if not xs:
        return "-"
    return "%.4g (%.4g–%.4g)" % (statistics.median(xs), min(xs), max(xs))


def fc_layers(layers):
    return [(m, k, o) for name, m, k, o in layers if name.startswith("fc")]


def w6_bound(peak_gflops, bandwidth_gbps):
    """VGG16 forward at batch 1: the convolutions' FLOPs at the GEMM peak plus the fully
    connected weights (float32) at the memory bandwidth."""
    layers = common.vgg16_layers()
    fc = fc_layers(layers)
    fc_flops = sum(2 * m * k * o for m, k, o in fc)
    fc_bytes = sum(4 * (k * o + o) for m, k, o in fc)
    conv_flops = common.FLOPS["W6"] - fc_flops
    return conv_flops / (peak_gflops * 1e9) + fc_bytes / (bandwidth_gbps * 1e9)


def main(raw, gemm, stream=None):
    runs = [r for r in parse(raw) if "seconds" in r]
    seconds = collections.defaultdict(dict)   # (threads, W, impl) -> {rep: s}
    maxrss = collections.defaultdict(list)    # (threads, W, impl) -> [peak resident set, MB]
    metric = collections.defaultdict(str)
    impls = []
    for r in runs:
        key = (int(r["threads"]), r["workload"], r["impl"])
        seconds[key][r["rep"]] = float(r["seconds"])
        metric[key] = r["metric"]
        if r.get("maxrss_kb", "").isdigit():
            maxrss[key].append(int(r["maxrss_kb"]) / 1024)
        if r["impl"] not in impls:
            impls.append(r["impl"])
    peaks = collections.defaultdict(float)
    for g in parse(gemm):
        k = (g["dtype"], int(g["threads"]))
        peaks[k] = max(peaks[k], float(g["gflops_best"]))

    bandwidth = collections.defaultdict(float)  # threads -> best GB/s of any STREAM kernel
    if stream:
        for b in parse(stream):
            bandwidth[int(b["threads"])] = max(bandwidth[int(b["threads"])], float(b["gbps_best"]))

    for threads in sorted({k[0] for k in seconds}):
        print("### %d thread%s\n" % (threads, "" if threads == 1 else "s"))
        head = ["W", "unit"] + ["%s s" % NAMES[i] for i in impls]
        head += ["%s / PyTorch" % NAMES[i] for i in impls if i != "torch"]
        head += ["metric (%s)" % ", ".join(NAMES[i] for i in impls)]
        head += ["peak memory MB (%s)" % ", ".join(NAMES[i] for i in impls)]
        head += ["bound s", "cpp fraction of bound"]
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for w in common.WORKLOADS:
            if not any((threads, w, i) in seconds for i in impls):
                continue
            row = [w, UNITS.get(w, "s")]
            row += [fmt(list(seconds[(threads, w, i)].values())) for i in impls]
            torch = seconds.get((threads, w, "torch"), {})
            for i in impls:
                if i == "torch":
                    continue
                mine = seconds.get((threads, w, i), {})
                ratios = [mine[k] / torch[k] for k in mine if k in torch and torch[k] > 0]
                row.append(fmt(ratios) if ratios else "-")
            row.append(" / ".join(metric.get((threads, w, i), "-") for i in impls))
            row.append(" / ".join("%.0f" % statistics.median(maxrss[(threads, w, i)])
                                  if maxrss[(threads, w, i)] else "-" for i in impls))
            flops = common.FLOPS.get(w)
            dtype = "f64" if w in ("W1", "W5", "W7a", "W7b") else "f32"
            peak = peaks.get((dtype, threads), 0.0)
            cpp = seconds.get((threads, w, "cpp"), {})
            if flops and peak and cpp:
                bound = flops / (peak * 1e9)
                if w == "W6" and bandwidth.get(threads):
                    bound = w6_bound(peak, bandwidth[threads])
                row += ["%.3g" % bound, "%.2f" % (bound / statistics.median(cpp.values()))]
            else:
                row += ["-", "-"]
            print("| " + " | ".join(row) + " |")
        print()
    print("GEMM peak measured in this run (best of Eigen and OpenBLAS, GFLOP/s): " + ", ".join(
        "%s %d thread%s %.1f" % (k[0], k[1], "" if k[1] == 1 else "s", v)
        for k, v in sorted(peaks.items())))
    if bandwidth:
        print("\nMemory bandwidth measured in this run (best STREAM kernel, GB/s): " + ", ".join(
            "%d thread%s %.1f" % (t, "" if t == 1 else "s", v) for t, v in sorted(bandwidth.items()))
            + "; W6's bound counts its fully connected weights at that bandwidth.")


if __name__ == "__main__":
    main(*sys.argv[1:4])
