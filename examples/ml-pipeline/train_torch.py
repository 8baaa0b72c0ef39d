"""model/torch: train a small classifier (Adelie or not) on the pipeline's features, as a Rivers job.

Runs with whatever this machine has, best first:
  - PyTorch (on the GPU Rivers reserved, CUDA_VISIBLE_DEVICES; else the CPU),
  - NumPy on the CPU,
  - plain Python on the CPU (so the example runs on a fresh machine with nothing installed).
The model is a logistic regression (config hidden=0, the default) or a one-hidden-layer MLP
(hidden > 0), trained by full-batch gradient descent with L2. Everything goes through the job
protocol (rivers_job.py, on PYTHONPATH in every Rivers job): the features artifact comes in,
metrics, metadata (framework, device, the GPU it saw) and the model (JSON) go out.

Run by hand (outside Rivers) with: RIVERS_INPUTS='{"features": "features.json"}' python3 train_torch.py
"""

import json
import math
import os
import random
import subprocess
import time

import rivers_job as rj

cfg = {"epochs": 300, "learningRate": 0.5, "l2": 0.01, "hidden": 0, "seed": 42}
cfg.update(rj.config() or {})
features = rj.read_input_json("features")
train, test = features["train"], features["test"]
names = features["featureNames"]
n_in, hidden = len(names), int(cfg["hidden"])
random.seed(cfg["seed"])


def gpus_seen():
    """The GPUs this job was given, as nvidia-smi names them (empty without GPUs or nvidia-smi)."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES", "")
    if visible.strip() in ("", "-1"):
        return []
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=index,name,memory.total", "--format=csv,noheader,nounits", "-i", visible],
            capture_output=True, text=True, timeout=20, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return [{"index": i} for i in visible.split(",")]
    seen = []
    for line in out.strip().splitlines():
        index, name, memory = [c.strip() for c in line.split(",")]
        seen.append({"index": index, "name": name, "memory_mib": int(float(memory))})
    return seen


def init_params():
    scale = 1.0 / math.sqrt(n_in)
    if hidden == 0:
        return {"w": [[0.0] * n_in], "b": [0.0]}
    return {
        "w1": [[random.gauss(0, scale) for _ in range(n_in)] for _ in range(hidden)],
        "b1": [0.0] * hidden,
        "w2": [[random.gauss(0, 1.0 / math.sqrt(hidden)) for _ in range(hidden)]],
        "b2": [0.0],
    }


def train_torch(torch):
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(cfg["seed"])
    p = {k: torch.tensor(v, dtype=torch.float64, device=device, requires_grad=True) for k, v in init_params().items()}

    def forward(X):
        if hidden == 0:
            return X @ p["w"].T + p["b"]
        return torch.tanh(X @ p["w1"].T + p["b1"]) @ p["w2"].T + p["b2"]

    X = torch.tensor(train["X"], dtype=torch.float64, device=device)
    y = torch.tensor(train["y"], dtype=torch.float64, device=device).reshape(-1, 1)
    opt = torch.optim.SGD(list(p.values()), lr=cfg["learningRate"])
    for epoch in range(cfg["epochs"]):
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(forward(X), y)
        weights = [v for k, v in p.items() if k.startswith("w")]
        (loss + cfg["l2"] / 2 * sum((w * w).sum() for w in weights)).backward()
        opt.step()
        report_loss(epoch, loss.item())
    Xt = torch.tensor(test["X"], dtype=torch.float64, device=device)
    with torch.no_grad():
        probs = torch.sigmoid(forward(Xt)).reshape(-1).cpu().tolist()
    info = {"framework": "torch", "torch_version": torch.__version__, "device": str(device)}
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(0)
        info.update({"device_name": props.name, "device_memory_mib": props.total_memory // 2**20})
    return {k: v.detach().cpu().tolist() for k, v in p.items()}, probs, info


def train_numpy(np):
    p = {k: np.array(v, dtype=float) for k, v in init_params().items()}
    X, y = np.array(train["X"], dtype=float), np.array(train["y"], dtype=float).reshape(-1, 1)

    def forward(X):
        if hidden == 0:
            return X @ p["w"].T + p["b"], None
        h = np.tanh(X @ p["w1"].T + p["b1"])
        return h @ p["w2"].T + p["b2"], h

    for epoch in range(cfg["epochs"]):
        z, h = forward(X)
        prob = 1 / (1 + np.exp(-z))
        loss = float(np.mean(np.logaddexp(0, z) - y * z))
        g = (prob - y) / len(y)
        if hidden == 0:
            grads = {"w": g.T @ X + cfg["l2"] * p["w"], "b": g.sum(0)}
        else:
            gh = (g @ p["w2"]) * (1 - h * h)
            grads = {"w2": g.T @ h + cfg["l2"] * p["w2"], "b2": g.sum(0), "w1": gh.T @ X + cfg["l2"] * p["w1"], "b1": gh.sum(0)}
        for k in p:
            p[k] -= cfg["learningRate"] * grads[k]
        report_loss(epoch, loss)
    z, _ = forward(np.array(test["X"], dtype=float))
    probs = (1 / (1 + np.exp(-z))).reshape(-1).tolist()
    return {k: v.tolist() for k, v in p.items()}, probs, {"framework": "numpy", "numpy_version": np.__version__, "device": "cpu"}


def train_python():
    p = init_params()
    X, y = train["X"], train["y"]
    sig = lambda z: 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))

    def forward(x):
        if hidden == 0:
            return sum(w * v for w, v in zip(p["w"][0], x)) + p["b"][0], None
        h = [math.tanh(sum(w * v for w, v in zip(row, x)) + b) for row, b in zip(p["w1"], p["b1"])]
        return sum(w * v for w, v in zip(p["w2"][0], h)) + p["b2"][0], h

    for epoch in range(cfg["epochs"]):
        grads = {k: [[0.0] * len(r) for r in v] if isinstance(v[0], list) else [0.0] * len(v) for k, v in p.items()}
        loss = 0.0
        for x, t in zip(X, y):
            z, h = forward(x)
            loss += max(z, 0) + math.log1p(math.exp(-abs(z))) - t * z
            g = (sig(z) - t) / len(y)
            if hidden == 0:
                for j, v in enumerate(x):
                    grads["w"][0][j] += g * v
                grads["b"][0] += g
            else:
                for j, v in enumerate(h):
                    grads["w2"][0][j] += g * v
                grads["b2"][0] += g
                for j in range(hidden):
                    gh = g * p["w2"][0][j] * (1 - h[j] * h[j])
                    for i, v in enumerate(x):
                        grads["w1"][j][i] += gh * v
                    grads["b1"][j] += gh
        for k, v in p.items():
            if isinstance(v[0], list):
                for r, row in enumerate(v):
                    for c in range(len(row)):
                        row[c] -= cfg["learningRate"] * (grads[k][r][c] + cfg["l2"] * row[c])
            else:
                for c in range(len(v)):
                    v[c] -= cfg["learningRate"] * grads[k][c]
        report_loss(epoch, loss / len(y))
    probs = [sig(forward(x)[0]) for x in test["X"]]
    return p, probs, {"framework": "python", "device": "cpu"}


def report_loss(epoch, loss):
    if epoch % 50 == 0 or epoch == cfg["epochs"] - 1:
        rj.metric("train_loss", loss, step=epoch)


started = time.time()
try:
    import torch  # noqa: F401

    params, probs, info = train_torch(torch)
except ImportError:
    try:
        import numpy

        params, probs, info = train_numpy(numpy)
    except ImportError:
        params, probs, info = train_python()
seconds = time.time() - started

labels = test["y"]
predicted = [1 if q >= 0.5 else 0 for q in probs]
accuracy = sum(int(a == b) for a, b in zip(predicted, labels)) / len(labels)
eps = 1e-12
log_loss = -sum(t * math.log(max(q, eps)) + (1 - t) * math.log(max(1 - q, eps)) for q, t in zip(probs, labels)) / len(labels)
rj.metric("test_accuracy", accuracy)
rj.metric("test_log_loss", log_loss)
rj.metric("train_seconds", seconds)
info.update({"model": "logistic_regression" if hidden == 0 else "mlp", "hidden": hidden, "epochs": cfg["epochs"], "gpus_seen": gpus_seen(),
             "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES", "")})
rj.metadata(info)
rj.log("trained %s with %s on %s in %.2fs: test accuracy %.3f" % (info["model"], info["framework"], info["device"], seconds, accuracy))
rj.write_output_json({"kind": info["model"], "framework": info["framework"], "featureNames": names, "params": params, "config": cfg,
                      "metrics": {"accuracy": accuracy, "logLoss": log_loss}})
