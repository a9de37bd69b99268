#!/usr/bin/env python3
"""The canonical training procedure as a plain PyTorch script.

It is the reference the C# harness is held to: the differential test runs both on the
same configuration and asserts the per-step losses are bitwise identical (same libtorch,
same thread count), and `make bench` times both.

Usage:
  train_reference.py --config CONFIG.json --data-dir DIR [--out result.json] [--bench-steps N [--bench-starts S,S,..]]

CONFIG.json is the harness's canonical config JSON (snake_case keys, see TrainConfig.cs).
Runs with Debian's python3-torch (1.13) or any PyTorch install.
"""
import argparse, json, math, os, struct, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def normalize(raw_uint8, how):
    x = torch.from_numpy(raw_uint8.reshape(raw_uint8.shape[0], -1).copy()).float()
    if how == "none":
        return x
    x = x.div(255)                         # torchvision ToTensor
    if how == "scale":
        return x
    mean, std = {"mnist": (0.1307, 0.3081), "half": (0.5, 0.5)}[how]
    return x.sub_(torch.tensor(mean)).div_(torch.tensor(std))   # torchvision Normalize


ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
               "leaky_relu": lambda: nn.LeakyReLU(0.01), "elu": lambda: nn.ELU(1.0)}


def build_model(cfg):
    sizes = [int(s) for s in cfg["arch"].split("-")]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(ACTIVATIONS[cfg["activation"]]())
            if cfg["dropout"] > 0:
                layers.append(nn.Dropout(cfg["dropout"]))
    if cfg["head"] == "log_softmax":
        layers.append(nn.LogSoftmax(dim=1))
    return nn.Sequential(*layers)


def make_optimizer(cfg, params):
    if cfg["optimizer"] == "adam":
        return torch.optim.Adam(params, lr=cfg["lr"], betas=(cfg["beta1"], cfg["beta2"]),
                                eps=cfg["eps"], weight_decay=cfg["weight_decay"])
    return torch.optim.SGD(params, lr=cfg["lr"], momentum=cfg["momentum"], dampening=cfg["dampening"],
                           weight_decay=cfg["weight_decay"], nesterov=cfg["nesterov"])


LOSSES = {"cross-entropy": F.cross_entropy, "nll": F.nll_loss, "mse": F.mse_loss, "l1": F.l1_loss}


def evaluate(model, x, y, target, loss_fn, batch):
    model.eval()
    n = x.shape[0]
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for s in range(0, n, batch):
            out = model(x[s:s + batch])
            loss_sum += float(loss_fn(out, target[s:s + batch])) * out.shape[0]
            correct += int(out.argmax(1).eq(y[s:s + batch]).sum())
    model.train()
    return loss_sum / n, correct


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--out")
    ap.add_argument("--bench-steps", type=int, default=0,
                    help="only time this many training steps (after 20 warm-up steps) and print steps/s")
    ap.add_argument("--bench-starts", default="20",
                    help="with --bench-steps: time steps S+1..S+N of the same run for each S (comma-separated, "
                         "ascending); how far a run has trained matters (Adam's state fills with subnormals)")
    a = ap.parse_args()
    cfg = json.load(open(a.config))
    if cfg.get("threads", 0) > 0:
        torch.set_num_threads(cfg["threads"])

    d = a.data_dir
    train_x = normalize(read_idx(os.path.join(d, "train-images-idx3-ubyte")), cfg["normalize"])
    train_y = torch.from_numpy(read_idx(os.path.join(d, "train-labels-idx1-ubyte")).astype(np.int64))
    test_x = normalize(read_idx(os.path.join(d, "t10k-images-idx3-ubyte")), cfg["normalize"])
    test_y = torch.from_numpy(read_idx(os.path.join(d, "t10k-labels-idx1-ubyte")).astype(np.int64))
    dev = torch.device(cfg.get("device", "cpu"))
    if dev.type == "cuda":   # the harness's determinism switches, before any CUDA work
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    train_x, train_y, test_x, test_y = (t.to(dev) for t in (train_x, train_y, test_x, test_y))
    onehot = cfg["targets"] == "onehot"
    train_t = F.one_hot(train_y, 10).float() if onehot else train_y
    test_t = F.one_hot(test_y, 10).float() if onehot else test_y

    # 1. model from the global seed; 2. a separate generator for the data order
    torch.manual_seed(cfg["seed"])
    model = build_model(cfg).to(dev)      # weights drawn on the CPU generator, then moved
    g = torch.Generator().manual_seed(cfg["seed"])
    # 3. split: seeded (randperm on g) or scikit-learn's train_test_split(test_size=v, random_state=S), which
    # shuffles with numpy's legacy RandomState(S).permutation and takes the first ceil(v*n) as the test part
    split = cfg.get("split", "seeded")
    if cfg["val_fraction"] > 0 and split.startswith("sklearn:"):
        p = torch.from_numpy(np.random.RandomState(int(split[len("sklearn:"):])).permutation(60000).astype(np.int64))
        n_val = math.ceil(cfg["val_fraction"] * 60000)
        val_idx, train_idx = p[:n_val], p[n_val:]
    elif cfg["val_fraction"] > 0:
        p = torch.randperm(60000, generator=g)
        n_val = round(cfg["val_fraction"] * 60000)
        val_idx, train_idx = p[:n_val], p[n_val:]
    else:
        val_idx, train_idx = torch.empty(0, dtype=torch.int64), torch.arange(60000)
    if cfg["max_train_samples"] > 0:
        train_idx = train_idx[:cfg["max_train_samples"]]
    opt = make_optimizer(cfg, model.parameters())
    loss_fn = LOSSES[cfg["loss"]]
    B = cfg["batch_size"]
    max_steps = cfg["max_steps"] or (10 ** 18)

    def train_step(positions):
        """Step 5 of the procedure: zero_grad, forward, loss, backward, step. Returns (loss, correct)."""
        idx = train_idx[positions].to(dev)
        x, y, t = train_x[idx], train_y[idx], train_t[idx]
        opt.zero_grad()
        out = model(x)
        loss = loss_fn(out, t)
        loss.backward()
        opt.step()
        return float(loss.item()), int(out.argmax(1).eq(y).sum())

    if a.bench_steps:
        model.train()
        starts = sorted(int(x) for x in a.bench_starts.split(","))
        n = a.bench_steps
        if starts[0] < 0 or any(b < e + n for e, b in zip(starts, starts[1:])):
            sys.exit("--bench-starts: expected ascending starts at least --bench-steps apart")
        done, t0, rates = 0, None, []
        while done < starts[-1] + n:
            order = torch.randperm(len(train_idx), generator=g)
            for s in range(0, len(order), B):
                if done >= starts[-1] + n:
                    break
                if done in starts:
                    t0 = time.perf_counter()
                train_step(order[s:s + B])
                done += 1
                if done - n in starts:
                    if dev.type == "cuda":
                        torch.cuda.synchronize()
                    rates.append(n / (time.perf_counter() - t0))
        print(json.dumps({"steps": n, "starts": starts, "steps_per_s": rates[0], "windows_steps_per_s": rates}))
        return

    steps, epochs, step = [], [], 0
    for epoch in range(1, cfg["epochs"] + 1):
        if step >= max_steps:
            break
        model.train()
        order = torch.randperm(len(train_idx), generator=g)
        for s in range(0, len(order), B):
            if step >= max_steps:
                break
            loss, correct = train_step(order[s:s + B])
            step += 1
            steps.append({"epoch": epoch, "loss": loss.hex(), "correct": correct})
        rec = {"epoch": epoch}
        if len(val_idx):
            v = val_idx.to(dev)
            vl, vc = evaluate(model, train_x[v], train_y[v], train_t[v], loss_fn, cfg["eval_batch_size"])
            rec.update(val_loss=vl, val_correct=vc)
        tl, tc = evaluate(model, test_x, test_y, test_t, loss_fn, cfg["eval_batch_size"])
        rec.update(test_loss=tl, test_correct=tc)
        epochs.append(rec)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "steps": steps, "epochs": epochs}
    text = json.dumps(out)
    if a.out:
        tmp = a.out + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, a.out)
    else:
        print(text)


if __name__ == "__main__":
    main()
