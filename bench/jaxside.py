"""JAX's side (CPU, float32, ``jax.jit``): the MLP and LeNet training steps and the
per-op chain, each one compiled function of the same computation as the other sides.

JAX is optional (``pip install gradtable[bench]``): :func:`import_jax` returns None
when it is missing and the workloads leave the column empty with a note. A step is
``params = step(params, x, y)`` (the SGD update inside the compiled function, as JAX
programs write it), timed until the result is ready (``block_until_ready``), so
asynchronous dispatch cannot hide work.

Threads: XLA's CPU client keeps its own thread pool and ignores OMP_NUM_THREADS and
torch's setting. When the JAX side runs in a process of its own (every full run), the
process is pinned to ``threads`` cores with ``sched_setaffinity`` before jax is
imported, which bounds every pool it starts; in a shared process (``--quick``,
``--one-process``) only ``--xla_cpu_multi_thread_eigen=false`` is set at 1 thread.
"""
import os
import sys

_STATE = {}


def import_jax(cfg):
    """jax (CPU, float32) limited to ``cfg.threads`` cores as described above, or None."""
    if "jax" in _STATE:
        return _STATE["jax"]
    pinned = None
    if "jax" not in sys.modules:
        os.environ.setdefault("JAX_PLATFORMS", "cpu")
        if cfg.threads == 1:
            flags = os.environ.get("XLA_FLAGS", "")
            if "xla_cpu_multi_thread_eigen" not in flags:
                os.environ["XLA_FLAGS"] = (flags + " --xla_cpu_multi_thread_eigen=false").strip()
        if tuple(cfg.sides) == ("jax",) and hasattr(os, "sched_setaffinity"):
            cpus = sorted(os.sched_getaffinity(0))
            if cfg.threads < len(cpus):
                os.sched_setaffinity(0, set(cpus[:cfg.threads]))
            pinned = len(os.sched_getaffinity(0))
    try:
        import jax
    except Exception:
        _STATE["jax"] = None
        return None
    _STATE["jax"] = jax
    _STATE["pinned"] = pinned
    return jax


def describe():
    """What ran on JAX's side: version, backend, cores and XLA flags (for the report)."""
    jax = _STATE.get("jax")
    if jax is None:
        return None
    pinned = _STATE.get("pinned")
    return {"version": jax.__version__, "backend": jax.default_backend(),
            "cores": (f"pinned to {pinned} core(s)" if pinned else
                      f"unpinned ({len(os.sched_getaffinity(0))} cores visible)"),
            "xla_flags": os.environ.get("XLA_FLAGS", "")}


NOTE_MISSING = "jax: not installed (pip install gradtable[bench])"


# ------------------------------------------------------------------ models
def _xent(jnp, jax, z, y):
    logp = jax.nn.log_softmax(z, axis=1)
    return -jnp.take_along_axis(logp, y[:, None], axis=1).mean()


def _sgd_step(jax, loss_fn, lr):
    """A compiled ``params -> params - lr * grad`` of ``loss_fn(params, x, y)``."""
    grad = jax.grad(loss_fn)

    def step(params, x, y):
        return jax.tree_util.tree_map(lambda p, g: p - lr * g, params, grad(params, x, y))
    return jax.jit(step)


def mlp_step(jax, weights, x, y, lr):
    """(step, state): one SGD step of the ReLU MLP with ``weights`` [(W, b), ...]."""
    jnp = jax.numpy

    def loss(params, x, y):
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w.T + b
            if i < len(params) - 1:
                h = jax.nn.relu(h)
        return _xent(jnp, jax, h, y)
    return _runner(jax, _sgd_step(jax, loss, lr), weights, x, y)


def lenet_step(jax, weights, x, y, lr):
    """(step, state): one SGD step of the LeNet of bench/workloads/cnn.py."""
    jnp, lax = jax.numpy, jax.lax

    def conv(h, w, b, pad):
        out = lax.conv_general_dilated(h, w, (1, 1), [(pad, pad), (pad, pad)],
                                       dimension_numbers=("NCHW", "OIHW", "NCHW"))
        return out + b[None, :, None, None]

    def pool(h):
        return lax.reduce_window(h, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")

    def loss(params, x, y):
        (w1, b1), (w2, b2), (w3, b3), (w4, b4), (w5, b5) = params
        h = pool(jax.nn.relu(conv(x, w1, b1, 2)))
        h = pool(jax.nn.relu(conv(h, w2, b2, 0)))
        h = h.reshape(h.shape[0], -1)
        h = jax.nn.relu(h @ w3.T + b3)
        h = jax.nn.relu(h @ w4.T + b4)
        return _xent(jnp, jax, h @ w5.T + b5, y)
    return _runner(jax, _sgd_step(jax, loss, lr), weights, x, y)


def _runner(jax, step, weights, x, y):
    jnp = jax.numpy
    state = {"params": [(jnp.asarray(w), jnp.asarray(b)) for w, b in weights]}
    xj, yj = jnp.asarray(x), jnp.asarray(y.astype("int32"))

    def run():
        state["params"] = step(state["params"], xj, yj)
        jax.block_until_ready(state["params"])
    run()  # compile outside the timing
    return run


def chain_fn(jax, x, y, n_ops):
    """The per-op chain (bench/workloads/perop.py) forward + gradient, compiled.

    NOTE: jit compiles the whole 200-op chain into a few fused loops, so this is the
    cost of the computation without any per-op dispatch, not a per-op overhead."""
    jnp = jax.numpy

    def loss(x, y):
        h = x
        for i in range(n_ops):
            k = i & 3
            h = h + y if k == 0 else h * y if k == 1 else jnp.tanh(h) if k == 2 else jnp.exp(h)
        return h.sum()
    f = jax.jit(jax.grad(loss, argnums=(0, 1)))
    xj, yj = jnp.asarray(x), jnp.asarray(y)

    def run():
        jax.block_until_ready(f(xj, yj))
    run()
    return run


def add_side(row, cfg, build, reps, warm, scale, note=""):
    """Time ``build(jax)()`` into ``row`` as the "jax" side, or note that jax is missing."""
    if "jax" not in cfg.sides:
        return
    from .common import measure

    jax = import_jax(cfg)
    extra = NOTE_MISSING if jax is None else note
    if extra:
        row.note = "; ".join(x for x in (row.note, extra) if x)
    if jax is not None:
        measure(row, "jax", build(jax), reps, warm, scale)
