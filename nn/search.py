"""Hyper-parameter and architecture search: the notes' "brute force / random / grid search".

The notes (003, "How to minimise a function?", 1.) search a discrete or small space by
trying settings and keeping the best. Here a *training function* maps one setting to
its results, and the search runs it over a space of settings::

    import nn
    from nn.search import grid_search, random_search, loguniform

    def train(lr, width):
        model = ...                      # built from the setting
        history = nn.train.fit(model, ..., val_loader=val_loader, progress=False)
        return {"val_loss": min(history["val_loss"]), "epochs": history.epochs}

    table = grid_search(train, {"lr": [0.01, 0.1], "width": [8, 32]})    # 4 runs
    table = random_search(train, {"lr": loguniform(1e-3, 1), "width": [8, 16, 32]},
                          n=10, seed=0)
    print(table.sort("val_loss"))        # one row per run, best first
    table.best("val_loss")               # {'lr': ..., 'width': ..., 'val_loss': ...}

A space is a dict ``{name: values}`` (or a list of such dicts, searched one after the
other: e.g. one dict per architecture family). For the grid, ``values`` is a list; every
combination runs, in order (the last name varies fastest). For random search, a list is
sampled uniformly, and ``uniform``, ``loguniform``, ``randint``, ``choice`` (Ray Tune's
names) or any object with scipy's ``rvs(random_state=...)`` draw continuous values; a
single value that is neither is kept fixed.

The training function returns a number (recorded as ``score``), a dict of numbers, or
the ``History`` of ``nn.train.fit``: its per-epoch values at the last epoch, or at
``best_epoch`` when fit tracked one (``restore_best``: the model it kept), and ``epochs``. Each row
also records the wall-clock ``time`` of the run.
"""
import html
import itertools
import math
import numbers
import time
from collections.abc import Mapping

import numpy as np

import autograd as ag

__all__ = ["grid_search", "random_search", "grid_points", "sample_points", "SearchResults",
           "uniform", "loguniform", "randint", "choice"]


class uniform:
    """Uniform on [low, high)."""

    def __init__(self, low, high):
        if not low < high:
            raise ValueError(f"uniform needs low < high, got {low}, {high}")
        self.low, self.high = float(low), float(high)

    def rvs(self, random_state):
        return float(random_state.uniform(self.low, self.high))

    def __repr__(self):
        return f"uniform({self.low:g}, {self.high:g})"


class loguniform(uniform):
    """log x uniform on [log low, log high): as many draws per decade, the usual
    prior for learning rates and regularisation strengths."""

    def __init__(self, low, high):
        if not 0 < low < high:
            raise ValueError(f"loguniform needs 0 < low < high, got {low}, {high}")
        super().__init__(low, high)

    def rvs(self, random_state):
        return float(math.exp(random_state.uniform(math.log(self.low), math.log(self.high))))

    def __repr__(self):
        return f"loguniform({self.low:g}, {self.high:g})"


class randint:
    """An integer uniform in [low, high) (``high`` excluded, like numpy and Ray Tune)."""

    def __init__(self, low, high):
        if not int(low) < int(high):
            raise ValueError(f"randint needs low < high, got {low}, {high}")
        self.low, self.high = int(low), int(high)

    def rvs(self, random_state):
        return int(random_state.integers(self.low, self.high))

    def __repr__(self):
        return f"randint({self.low}, {self.high})"


class choice:
    """One of ``values``, each with the same probability."""

    def __init__(self, values):
        self.values = list(values)
        if not self.values:
            raise ValueError("choice needs at least one value")

    def rvs(self, random_state):
        return self.values[int(random_state.integers(len(self.values)))]

    def __repr__(self):
        return f"choice({self.values})"


def _subspaces(space):
    spaces = [space] if isinstance(space, Mapping) else space
    spaces = list(spaces) if isinstance(spaces, (list, tuple)) else None
    if not spaces or not all(isinstance(s, Mapping) for s in spaces):
        raise TypeError("a search space is a dict {name: values} or a non-empty list of such "
                        f"dicts; got {type(space).__name__}")
    return spaces


def grid_points(space):
    """Every setting of a grid (a generator of dicts), the last name varying fastest."""
    for sub in _subspaces(space):
        names = list(sub)
        lists = []
        for name in names:
            v = sub[name]
            if hasattr(v, "rvs"):
                raise TypeError(f"grid_search: {name!r} is a distribution ({v!r}); a grid needs "
                                "a list of values (use random_search to sample it)")
            lists.append(list(v) if isinstance(v, (list, tuple, range, np.ndarray)) else [v])
        for combo in itertools.product(*lists):
            yield dict(zip(names, combo))


def _draw(value, rng):
    if hasattr(value, "rvs"):
        return value.rvs(random_state=rng)
    if isinstance(value, (list, tuple, range, np.ndarray)):
        return value[int(rng.integers(len(value)))]
    return value


def sample_points(space, n, seed=None):
    """``n`` random settings (a list of dicts). With a list of sub-spaces, each setting
    first picks a sub-space uniformly. ``seed=None`` draws from the library's generator
    (``ag.manual_seed``); an integer gives the same settings on every run."""
    if isinstance(n, bool) or not isinstance(n, (numbers.Integral, np.integer)) or n < 1:
        raise ValueError(f"random_search: n must be a positive integer, got {n!r}")
    rng = ag.random.generator() if seed is None else np.random.default_rng(int(seed))
    spaces = _subspaces(space)
    points = []
    for _ in range(int(n)):
        sub = spaces[int(rng.integers(len(spaces)))] if len(spaces) > 1 else spaces[0]
        points.append({name: _draw(v, rng) for name, v in sub.items()})
    return points


def _as_results(value):
    if isinstance(value, Mapping):
        return dict(value)
    if hasattr(value, "as_dict") and hasattr(value, "epochs"):  # nn.train.History
        best = getattr(value, "best_epoch", None)
        at = -1 if best is None else best - 1  # restore_best kept that epoch's model
        out = {k: v[at] for k, v in value.as_dict().items()
               if len(v) == value.epochs and k not in ("lr", "time")}
        out["epochs"] = value.epochs
        if best is not None:
            out["best_epoch"] = best
        return out
    if isinstance(value, (numbers.Number, np.generic)) or (isinstance(value, ag.Tensor) and value.size == 1):
        return {"score": float(value.item() if isinstance(value, ag.Tensor) else value)}
    raise TypeError("the training function must return a number, a dict of numbers or a "
                    f"History; it returned {type(value).__name__}")


def _run(train_fn, points, verbose):
    rows = []
    for i, params in enumerate(points, 1):
        t0 = time.perf_counter()
        results = _as_results(train_fn(**params))
        row = dict(params)
        for k, v in results.items():
            row[k if k not in params else f"result_{k}"] = v
        row["time"] = time.perf_counter() - t0
        rows.append(row)
        if verbose:
            print(f"[{i}/{len(points)}] " + ", ".join(f"{k}={_cell(v)}" for k, v in row.items()))
    return SearchResults(rows, params=list(dict.fromkeys(k for p in points for k in p)))


def grid_search(train_fn, space, verbose=False):
    """Run ``train_fn(**setting)`` for every setting of the grid ``space``; returns a
    :class:`SearchResults` (one row per run, in grid order)."""
    return _run(train_fn, list(grid_points(space)), verbose)


def random_search(train_fn, space, n, seed=None, verbose=False):
    """Run ``train_fn(**setting)`` for ``n`` settings drawn from ``space``; returns a
    :class:`SearchResults` (one row per run, in the order drawn)."""
    return _run(train_fn, sample_points(space, n, seed), verbose)


def _cell(v):
    if isinstance(v, (float, np.floating)):
        return f"{v:.4g}"
    return str(v)


def _sort_key(v, descending):
    # NOTE: missing and NaN values go last in both directions.
    if v is None or (isinstance(v, (float, np.floating)) and math.isnan(v)):
        return (1, 0)
    if isinstance(v, (numbers.Number, np.generic)):
        return (0, -v if descending else v)
    return (0, v)


class SearchResults:
    """The table a search returns: one row (a dict) per run.

    ``len(t)``; ``t[i]`` a row; ``t["lr"]`` a column (a list); ``for row in t``;
    ``t.sort("val_loss")`` (a new table; ``descending=True`` for accuracies);
    ``t.best("val_loss")``; ``print(t)`` an aligned text table (a notebook shows HTML).
    """

    def __init__(self, rows, params=()):
        self.rows = [dict(r) for r in rows]
        self.params = list(params)

    @property
    def columns(self):
        return list(dict.fromkeys(k for r in self.rows for k in r))

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, key):
        if isinstance(key, str):
            if key not in self.columns:
                raise KeyError(f"SearchResults has no column {key!r}; it has {self.columns}")
            return [r.get(key) for r in self.rows]
        return self.rows[key]

    def sort(self, by, descending=False):
        """A new table sorted by column ``by`` (NaN and missing values last)."""
        self[by]  # noqa: B018 - raises the KeyError naming the columns
        rows = sorted(self.rows, key=lambda r: _sort_key(r.get(by), descending))
        return SearchResults(rows, self.params)

    def best(self, by, mode="auto"):
        """The row with the smallest ``by`` (``mode="min"``) or the largest (``"max"``);
        ``"auto"`` maximises names containing ``acc``."""
        if mode == "auto":
            mode = "max" if "acc" in by else "min"
        if mode not in ("min", "max"):
            raise ValueError(f"best: mode must be 'min', 'max' or 'auto', got {mode!r}")
        if not self.rows:
            raise ValueError("best: the table is empty")
        return dict(self.sort(by, descending=(mode == "max")).rows[0])

    def __str__(self):
        cols = self.columns
        cells = [[_cell(r.get(c, "")) for c in cols] for r in self.rows]
        widths = [max([len(c)] + [len(row[j]) for row in cells]) for j, c in enumerate(cols)]
        lines = ["  ".join(c.rjust(w) for c, w in zip(cols, widths)),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(s.rjust(w) for s, w in zip(row, widths)) for row in cells]
        return "\n".join(lines)

    def __repr__(self):
        return f"SearchResults({len(self)} runs)\n{self}"

    def _repr_html_(self):
        cols = self.columns
        head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(r.get(c, '')))}</td>" for c in cols) + "</tr>"
                       for r in self.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
