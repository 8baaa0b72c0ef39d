"""Rivers job protocol client for Python: one file, standard library only.

A job (an asset with ``command``) learns what to compute from environment variables set by its
launcher, and reports back by appending JSON lines to a messages file::

    import rivers_job as rj

    features = rj.read_input_json("features")      # or rj.input_path("features")
    epochs = rj.config().get("epochs", 10)
    for epoch in range(epochs):
        rj.metric("train_loss", loss, step=epoch)
    rj.metadata({"device": "cuda:0"})
    rj.write_output_json({"weights": weights})      # the asset's value

Launchers put this folder on ``PYTHONPATH``, so ``import rivers_job`` works in every job. Outside
Rivers (no ``RIVERS_MESSAGES``), messages are printed to stderr and ``write_output_json`` writes
``./output.json``, so a script still runs by hand.

In a multi-node job (``srun`` starts one process per node), only rank 0 (``SLURM_PROCID``/``RANK``)
reports metrics, metadata, the data version and the output; every rank may log.
"""

import json
import math
import os
import sys
import time

__all__ = [
    "context", "config", "inputs", "input_path", "read_input_json", "read_input_bytes",
    "output_path", "write_output_json", "write_output_bytes", "output",
    "log", "metric", "metadata", "data_version", "attach", "is_main_process", "in_rivers",
]

_context_cache = None


def in_rivers():
    """Whether this process runs as a Rivers job."""
    return bool(os.environ.get("RIVERS_MESSAGES"))


def is_main_process():
    """Rank 0 of a multi-node job (always true for a single process)."""
    for name in ("SLURM_PROCID", "RANK", "OMPI_COMM_WORLD_RANK"):
        value = os.environ.get(name)
        if value is not None and value.strip() != "":
            try:
                return int(value) == 0
            except ValueError:
                return True
    return True


def context():
    """Everything about the job: run id, asset key, attempt, config, inputs, output, GPUs (dict)."""
    global _context_cache
    if _context_cache is None:
        path = os.environ.get("RIVERS_CONTEXT")
        if path:
            with open(path, encoding="utf-8") as f:
                _context_cache = json.load(f)
        else:
            _context_cache = {
                "runId": os.environ.get("RIVERS_RUN_ID", "local"),
                "assetKey": os.environ.get("RIVERS_ASSET_KEY", "local"),
                "attempt": 1,
                "config": json.loads(os.environ.get("RIVERS_CONFIG", "null")),
                "inputs": json.loads(os.environ.get("RIVERS_INPUTS", "{}")),
                "output": os.environ.get("RIVERS_OUTPUT", os.path.abspath("output.json")),
                "messages": os.environ.get("RIVERS_MESSAGES", ""),
                "gpus": [],
            }
    return _context_cache


def config():
    """The asset's run config (a dict; empty when the asset has none)."""
    value = json.loads(os.environ["RIVERS_CONFIG"]) if "RIVERS_CONFIG" in os.environ else context().get("config")
    return value if value is not None else {}


def inputs():
    """Input name -> absolute path of the input's artifact."""
    if "RIVERS_INPUTS" in os.environ:
        return json.loads(os.environ["RIVERS_INPUTS"])
    return dict(context().get("inputs") or {})


def input_path(name):
    """Path of one input's artifact (KeyError naming the known inputs when there is no such input)."""
    known = inputs()
    if name not in known:
        raise KeyError("no input named %r (inputs: %s)" % (name, ", ".join(sorted(known)) or "none"))
    return known[name]


def read_input_json(name):
    """An input stored as JSON, parsed."""
    with open(input_path(name), encoding="utf-8") as f:
        return json.load(f)


def read_input_bytes(name):
    """An input's bytes."""
    with open(input_path(name), "rb") as f:
        return f.read()


def output_path():
    """Where the job's default output goes (a ``.json`` file)."""
    return os.environ.get("RIVERS_OUTPUT") or context().get("output") or os.path.abspath("output.json")


def write_output_json(value):
    """Writes the asset's value as JSON to the output path (atomically). Rank 0 only."""
    if not is_main_process():
        return
    path = output_path()
    tmp = "%s.tmp-%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, allow_nan=False, separators=(",", ":"))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_output_bytes(data, path=None):
    """Writes bytes as the asset's value (to ``path``, default ``<output>.bin``) and reports it."""
    if not is_main_process():
        return
    target = path or os.path.splitext(output_path())[0] + ".bin"
    tmp = "%s.tmp-%d" % (target, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)
    output(target)


def output(path):
    """Reports a file the job wrote as its output (``.json`` is parsed; anything else is stored as bytes)."""
    if is_main_process():
        _send({"type": "output", "path": os.path.abspath(path)})


def log(message, level="info"):
    """A log line in the run log (levels: trace, debug, info, warn, error, fatal)."""
    if not is_main_process():
        message = "[rank %s] %s" % (os.environ.get("SLURM_PROCID", os.environ.get("RANK", "?")), message)
    _send({"type": "log", "level": "warn" if level == "warning" else level, "message": str(message)})


def metric(name, value, step=None):
    """A metric value, optionally at a step; lands in the materialization record. Rank 0 only."""
    if not is_main_process():
        return
    value = float(value)
    if math.isnan(value):
        value = None
    elif math.isinf(value):
        value = "Infinity" if value > 0 else "-Infinity"
    message = {"type": "metric", "name": str(name), "value": value}
    if step is not None:
        message["step"] = int(step)
    _send(message)


def metadata(data):
    """Metadata merged into the materialization record (a JSON-serializable dict). Rank 0 only."""
    if not isinstance(data, dict):
        raise TypeError("metadata takes a dict, got %s" % type(data).__name__)
    if is_main_process():
        _send({"type": "metadata", "data": data})


def data_version(value):
    """The output's own data version (instead of the content hash of its bytes). Rank 0 only."""
    if not value:
        raise ValueError("data_version needs a non-empty string")
    if is_main_process():
        _send({"type": "data_version", "value": str(value)})


def attach(path, name=None):
    """Keeps a copy of a file (a plot, a report) with the materialization record, as `name`
    (default: the file's name). The file must exist until the job ends. Rank 0 only."""
    full = os.path.abspath(path)
    if not os.path.isfile(full):
        raise FileNotFoundError("attach: %s is not a file" % full)
    if is_main_process():
        message = {"type": "artifact", "path": full}
        if name is not None:
            message["name"] = str(name)
        _send(message)


def _send(message):
    line = json.dumps(message, default=str, allow_nan=False, separators=(",", ":")) + "\n"
    path = os.environ.get("RIVERS_MESSAGES")
    if not path:
        sys.stderr.write("[rivers %s] %s" % (time.strftime("%H:%M:%S"), line))
        return
    # One write() of the whole line on an O_APPEND descriptor: lines of several processes never mix.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
