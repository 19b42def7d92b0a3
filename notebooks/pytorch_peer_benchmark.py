"""The peer for `./distill4j benchmark`: the same teacher and student U-Nets in PyTorch, timed the same way.

Debian's PyTorch (`apt-get install python3-torch`, 1.13 on bookworm: oneDNN convolutions):

    python3 notebooks/pytorch_peer_benchmark.py --sizes 128 256 --threads 2 --out runs/pytorch-peer.json

`./distill4j benchmark --peer` runs it in the same invocation with the same sizes, steps, batch, protocol and thread
count, and merges its JSON (`--out`) into one side-by-side table.

Same protocol as distill4j's harness: synthetic batch of 8, float32, NCHW, Adam 1e-3, warm-up first (at least
`--warmup` iterations and `--min-warmup-seconds`), then the median of `--repetitions` repetitions of k iterations
(k so a repetition lasts >= `--min-repetition-seconds`). Images per second. Progress goes to stdout; the JSON
written to `--out` is what other programs read (`"schema": 1`):

    {"schema": 1, "torch": "1.13.0", "threads": 2, "cpu_capability": "AVX2", "batch": 8, ...,
     "rows": [{"model": "student", "size": 128, "step": "train", "images_per_second": 91.7,
               "repetition_seconds": [...]}, ...]}
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class UNet(nn.Module):
    """DigitalShreeni's multi_unet_model, as distill4j's UNetFactory builds it."""

    def __init__(self, filters, in_ch=3, classes=6, enc_drop=(0.1, 0.1, 0.2, 0.2, 0.3), dec_drop=(0.2, 0.2, 0.1, 0.1)):
        super().__init__()
        self.enc = nn.ModuleList()
        c = in_ch
        for f, p in zip(filters, enc_drop):
            self.enc.append(self.block(c, f, p))
            c = f
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for i, p in zip(range(len(filters) - 2, -1, -1), dec_drop):
            self.up.append(nn.ConvTranspose2d(c, filters[i], 2, stride=2))
            self.dec.append(self.block(2 * filters[i], filters[i], p))
            c = filters[i]
        self.logits = nn.Conv2d(c, classes, 1)

    @staticmethod
    def block(cin, cout, p):
        return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True), nn.Dropout(p),
                             nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU(inplace=True))

    def forward(self, x):
        skips = []
        for i, block in enumerate(self.enc):
            x = block(x)
            if i < len(self.enc) - 1:
                skips.append(x)
                x = F.max_pool2d(x, 2)
        for up, block in zip(self.up, self.dec):
            x = block(torch.cat([up(x), skips.pop()], 1))
        return self.logits(x)


def distill_loss(student, teacher_logits, labels, alpha=0.5, t=2.0):
    hard = F.cross_entropy(student, labels)
    soft = F.kl_div(F.log_softmax(student / t, 1), F.log_softmax(teacher_logits / t, 1), log_target=True,
                    reduction="none").sum(1).mean() * t * t
    return alpha * hard + (1 - alpha) * soft


STEPS = ("train", "distill", "distill_cached", "inference")


def timed(step, warmup=2, repetitions=5, min_seconds=0.4, min_warmup_seconds=0.0):
    start = time.perf_counter()
    n = 0
    while n < warmup or time.perf_counter() - start < min_warmup_seconds:
        step()
        n += 1
    per = (time.perf_counter() - start) / n
    k = max(1, int(-(-min_seconds // max(per, 1e-6))))
    reps = []
    for _ in range(repetitions):
        start = time.perf_counter()
        for _ in range(k):
            step()
        reps.append((time.perf_counter() - start) / k)
    return statistics.median(reps), reps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 256])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", nargs="+", default=["teacher", "student"], choices=["teacher", "student"])
    parser.add_argument("--steps", nargs="+", default=list(STEPS), choices=STEPS)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--min-warmup-seconds", type=float, default=3.0)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--min-repetition-seconds", type=float, default=0.4)
    parser.add_argument("--out", help="where the JSON goes")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    config = torch.__config__.show()
    capability = next((line.split(":", 1)[1].strip() for line in config.splitlines()
                       if "CPU capability usage" in line), "unknown")
    results = {"schema": 1, "torch": torch.__version__, "threads": torch.get_num_threads(),
               "mkldnn": torch.backends.mkldnn.is_available(), "cpu_capability": capability,
               "batch": args.batch, "repetitions": args.repetitions, "config": config, "rows": []}
    for size in args.sizes:
        teacher = UNet([16, 32, 64, 128, 256])
        student = UNet([4, 8, 16, 32, 64])
        x = torch.rand(args.batch, 3, size, size)
        y = torch.randint(0, 6, (args.batch, size, size))
        opt_t = torch.optim.Adam(teacher.parameters(), 1e-3)
        opt_s = torch.optim.Adam(student.parameters(), 1e-3)

        def train(net, opt):
            net.train()
            opt.zero_grad()
            F.cross_entropy(net(x), y).backward()
            opt.step()

        def infer(net):
            # class probabilities, as distill4j's inference (DL4J's output()) and the Keras model's softmax layer
            # return them; net(x) alone would be the logits, a step short of that
            net.eval()
            with torch.no_grad():
                F.softmax(net(x), 1)

        with torch.no_grad():
            teacher.eval()
            cached = teacher(x)

        def distill(recompute):
            if recompute:
                teacher.eval()
                with torch.no_grad():
                    z_t = teacher(x)
            else:
                z_t = cached
            student.train()
            opt_s.zero_grad()
            distill_loss(student(x), z_t, y).backward()
            opt_s.step()

        steps = [("teacher", "train", lambda: train(teacher, opt_t)), ("teacher", "inference", lambda: infer(teacher)),
                 ("student", "train", lambda: train(student, opt_s)), ("student", "distill", lambda: distill(True)),
                 ("student", "distill_cached", lambda: distill(False)), ("student", "inference", lambda: infer(student))]
        for model, step, fn in steps:
            if model not in args.models or step not in args.steps:
                continue
            median, reps = timed(fn, args.warmup, args.repetitions, args.min_repetition_seconds,
                                 args.min_warmup_seconds)
            row = {"model": model, "size": size, "step": step, "images_per_second": args.batch / median,
                   "repetition_seconds": reps}
            results["rows"].append(row)
            print(f"{model:8s} {size:4d} {step:15s} {args.batch / median:8.2f} img/s", flush=True)
            write(results, args.out)
    write(results, args.out)


def write(results, path):
    """The JSON so far (rewritten after every row, so a run cut short keeps what it measured)."""
    if path:
        with open(path + ".tmp", "w") as f:
            json.dump(results, f, indent=2)
        os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
