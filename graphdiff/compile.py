"""Compiled evaluation: straight-line code generated from a graph and its derivative graph.

:func:`compile` turns a graph -- with its gradient, a JVP, a VJP or a Hessian-vector
product, built as a derivative graph (:func:`~graphdiff.reverse_graph`,
:func:`~graphdiff.forward_graph`) -- into one Python function of straight-line code: one
assignment per node, in topological order, each written from the op's ``code`` column of
the registry (:mod:`graphdiff.ops`).  The derivative graph already shares common
subexpressions (the builder hash-conses), drops ``x*1`` and ``x + 0`` and folds constants,
so the code does too; no node is interpreted and nothing recurses when it runs.

Two backends: ``"math"`` (Python floats and the ``math`` module: fastest for one point) and
``"numpy"`` (arrays: a batch of points per call).  ``backend="auto"`` (the default) takes
``math`` for numbers and ``numpy`` for arrays, per call.

>>> import graphdiff as gd
>>> f = gd.compile(gd.parse("x**2 + x*y + (x+y)**2"), grad=True)
>>> f(x=1.0, y=2.0)
(12.0, {'x': 10.0, 'y': 7.0})
>>> value, gradient = f([[1.0, 2.0], [0.0, 1.0]])      # a batch: one row per point
>>> value.tolist(), gradient.tolist()
([12.0, 1.0], [[10.0, 7.0], [3.0, 2.0]])

Outside an op's domain the compiled function raises :class:`~graphdiff.DomainError`
naming the node, as :meth:`Graph.evaluate <graphdiff.Graph.evaluate>` does: the code
raises (``math`` raises ``ValueError``, numpy runs under ``errstate(invalid="raise")``), and
only then is the point evaluated again by the interpreter, which names the node.  The
happy path pays nothing for it.

>>> gd.compile(gd.parse("log(x - y)"))(x=1.0, y=2.0)
Traceback (most recent call last):
...
graphdiff.errors.DomainError: log of a non-positive number at w4: w4 = log(w3) with w3 = -1
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from .codegen import python_function
from .derive import api
from .derive._sweep import input_id, output_id, seed_expr
from .derive.graphs import forward_graph, reverse_graph
from .errors import GraphdiffError
from .graph import Batch, Graph
from .native import Flagged, generate_llvm, llvm_functions
from .ops import _KINKS

#: The backends of :func:`compile`: floats with ``math``, numpy arrays, and native code
#: through LLVM (llvmlite, optional).
BACKENDS = ("math", "numpy", "llvm")
#: What :func:`compile` can be asked for (``kind`` of a :class:`Compiled`).
KINDS = ("value", "grad", "jvp", "vjp", "hvp")


class Compiled:
    """A graph compiled to straight-line code: call it with the inputs by name or as an array.

    ``f(x=1.0, y=2.0)`` takes numbers (the ``math`` code) or arrays (the numpy code,
    broadcasting); ``f(point)`` takes an array whose last axis has one entry per input,
    in the order of ``graph.inputs`` (one point, or a batch of rows).  What it returns
    follows ``kind``:

    ============  =======================================================================
    ``"value"``   the output (a tuple for several outputs)
    ``"grad"``    ``(value, gradient)``: a dict by input name, or an array for ``f(point)``
    ``"jvp"``     ``(value, tangent)``: the outputs and their tangents along the direction
    ``"vjp"``     ``(value, cotangent)``: the outputs and the inputs' cotangents
    ``"hvp"``     ``(value, gradient, hessian times the direction)``
    ============  =======================================================================

    Compiled with ``jvp=``, ``vjp=`` or ``hvp=`` as a list of names (or ``True``: all
    inputs, or all outputs for ``vjp``), the seeds are given at each call instead of
    compiled in: ``f(point, seeds)``, both by name or both as arrays (the seeds' last axis
    in the order of :attr:`seeds`).

    >>> import graphdiff as gd
    >>> f = gd.compile(gd.parse("x*y"), hvp={"x": 1.0, "y": 0.0})
    >>> f(x=2.0, y=3.0)
    (6.0, {'x': 3.0, 'y': 2.0}, {'x': 0.0, 'y': 1.0})
    >>> f.kind, f.inputs, f.backend
    ('hvp', ('x', 'y'), 'auto')
    >>> f = gd.compile(gd.parse("x*y"), jvp=True)
    >>> f.seeds, f({"x": 2.0, "y": 3.0}, {"x": 1.0, "y": 0.0}), f([2.0, 3.0], [0.0, 1.0])
    (('x', 'y'), (6.0, 3.0), (6.0, 2.0))
    """

    def __init__(self, graph: Graph, program: Graph, kind: str, backend: str,
                 parts: tuple[tuple[int, ...], ...], names: tuple[tuple[bool, ...], ...],
                 wrt: tuple[str, ...] | None = None, seeds: tuple[str, ...] = ()):
        self.graph = graph
        #: The graph the code is generated from (the derivative graph, with the values).
        self.program = program
        self.kind = kind
        self.backend = backend
        self.inputs: tuple[str, ...] = graph.inputs
        #: The inputs a gradient, cotangent or Hessian-vector product is given for.
        self.wrt: tuple[str, ...] = graph.inputs if wrt is None else wrt
        #: The inputs (jvp, hvp) or outputs (vjp) whose seeds each call gives; () when the
        #: seeds are compiled in.
        self.seeds = seeds
        #: What was asked, for the interpreter where the code meets a domain's edge.
        self.output: str | None = None
        self._seed_values: Mapping[str, Any] = {}
        self._names: tuple[str, ...] = program.inputs  # the code's: inputs, then seeds
        self._parts = parts          # per part of the result, the indices of its outputs
        self._by_name = names        # per part, whether it is keyed by the inputs' names
        self._functions: dict[str, Callable[..., tuple[Any, ...]]] = {}
        self._sources: dict[str, str | None] = {}

    def __repr__(self) -> str:
        lines = len(self.program) - len(self.program.input_ids)
        return (f"<Compiled {self.kind} of {self.graph!r}: {lines} lines, "
                f"backend {self.backend}>")

    # --- the generated code -----------------------------------------------------------

    def function(self, backend: str | None = None) -> Callable[..., tuple[Any, ...]]:
        """The generated function of ``backend`` (by default the compiled backend, ``math``
        for ``"auto"``): positional inputs (in the order of ``inputs``; a tensor graph's
        with a batch axis first), the program's outputs as a tuple; the fastest way to call
        it.

        >>> import graphdiff as gd
        >>> gd.compile(gd.parse("x*y"), grad=True).function()(2.0, 3.0)
        (6.0, 3.0, 2.0)
        """
        if backend is None:
            backend = "math" if self.backend == "auto" else self.backend
        function = self._functions.get(backend)
        if function is None:
            if backend == "llvm":  # (its IR is written again when asked for: at 10⁶ nodes
                function, one, batch, _ = llvm_functions(self.program)  # it is 300 MB)
                self._functions["llvm array"] = one
                self._functions["llvm batch"] = batch
                source = None
            else:
                function, source = python_function(self.program, backend)
            self._functions[backend], self._sources[backend] = function, source
        return function

    def source(self, backend: str | None = None) -> str:
        """The generated source of ``backend`` (by default the compiled backend's).

        >>> import graphdiff as gd
        >>> print(gd.compile(gd.parse("exp(x)*x"), grad=True).source())
        def _f(v0):
            v1 = math.exp(v0)
            v2 = (v1 * v0)
            v3 = (v1 + v2)
            return (v2, v3)
        """
        if backend is None:
            backend = "math" if self.backend == "auto" else self.backend
        self.function(backend)
        if self._sources[backend] is None:
            return generate_llvm(self.program)
        return self._sources[backend]

    # --- calling -----------------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # compile() gives each instance a class whose __call__ is generated code (the fast
        # paths for floats by name and for one point as an array; see _entry); this is the
        # general path, which handles every other call and every error.
        return self._slow(args, kwargs)

    def _slow(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self.seeds:
            return self._seeded(args, kwargs)
        if kwargs or not (args or self.inputs):  # (a graph without inputs: f())
            if args:
                raise GraphdiffError("give the inputs by name or as one array, not both")
            return self._by_names(kwargs)
        if len(args) != 1:
            raise GraphdiffError(f"give the inputs by name ({', '.join(self.inputs)}) or "
                                 f"as one array of {len(self.inputs)} entries per point")
        return self._by_array(args[0])

    def _seeded(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """``f(point, seeds)``: the seeds are the code's last inputs."""
        if kwargs or len(args) != 2:
            raise GraphdiffError(f"this {self.kind} takes its seeds at each call: f(point, "
                                 f"seeds), both by name or both as arrays (the seeds of "
                                 f"{', '.join(self.seeds)})")
        point, seeds = args
        if isinstance(point, Mapping) != isinstance(seeds, Mapping):
            raise GraphdiffError("give the point and the seeds both by name or both as arrays")
        if isinstance(point, Mapping):
            unknown = set(seeds) - set(self.seeds)
            missing = [name for name in self.seeds if name not in seeds]
            if unknown or missing:
                raise GraphdiffError(f"the seeds are of {', '.join(self.seeds)}"
                                     + (f"; missing {', '.join(missing)}" if missing else "")
                                     + (f"; no seed for {', '.join(map(str, unknown))}"
                                        if unknown else ""))
            named = dict(zip(self._names[len(self.inputs):],
                             (seeds[name] for name in self.seeds), strict=True))
            return self._by_names({**point, **named})
        point, seeds = np.asarray(point, dtype=float), np.asarray(seeds, dtype=float)
        if seeds.ndim == 0 or seeds.shape[-1] != len(self.seeds):
            raise GraphdiffError(f"the seeds' last axis has one entry per seed "
                                 f"({len(self.seeds)}: {', '.join(self.seeds)}), not shape "
                                 f"{seeds.shape}")
        if point.ndim == 0 or point.shape[-1] != len(self.inputs):
            return self._by_array(point)  # (its message)
        rows = np.broadcast_shapes(point.shape[:-1], seeds.shape[:-1])
        return self._by_array(np.concatenate(
            [np.broadcast_to(point, (*rows, point.shape[-1])),
             np.broadcast_to(seeds, (*rows, seeds.shape[-1]))], axis=-1))

    def _entry(self) -> Callable[..., Any]:
        """``__call__`` as generated code: floats by name and one float64 point go straight
        to the math function and back; anything else, and any error, to :meth:`_slow`."""
        n = len(self.inputs)
        native = self.backend == "llvm"
        namespace: dict[str, Any] = {
            "_fm": self.function("llvm" if self.backend == "llvm" else "math"),
            "_pa": self._functions.get("llvm array"),
            "_slow": Compiled._slow, "_nd": np.ndarray,
            "_f64": np.dtype(float), "_float": float, "_array": np.array,
            "_errors": (ArithmeticError, ValueError), "_wrt": self.wrt,
            "_shape": (n,)}
        names = [f"_n{j}" for j in range(n)]
        namespace.update(zip(names, self.inputs, strict=True))
        keys = [f"_g{j}" for j in range(len(self.wrt))]
        namespace.update(zip(keys, self.wrt, strict=True))
        values = ", ".join(f"a{j}" for j in range(n))
        floats = " and ".join(f"type(a{j}) is _float" for j in range(n)) or "True"
        lines = [
            "def __call__(self, *args, **kw):",
            "    if not args:",
            f"        if len(kw) != {n}: return _slow(self, args, kw)",
            "        try:",
            *(f"            a{j} = kw[{name}]" for j, name in enumerate(names)),
            *(["            pass"] if not names else []),
            "        except KeyError: return _slow(self, args, kw)",
            f"        if {floats}:",
            "            try:",
            f"                o = _fm({values})",
            "            except _errors: return _slow(self, args, kw)",
            f"            return {self._packing(keys, keyed=True)}",
            "    elif len(args) == 1 and not kw:",
            "        a = args[0]",
            "        if type(a) is _nd and a.shape == _shape and a.dtype == _f64:",
            "            try:",
            f"                o = {'_pa(a)' if native else '_fm(*a.tolist())'}",
            "            except _errors: return _slow(self, args, kw)",
            f"            return {self._packing(keys, keyed=False, native=native)}",
            "    return _slow(self, args, kw)",
        ]
        code = builtins.compile("\n".join(lines), "<graphdiff.compile entry>", "exec")
        exec(code, namespace)  # safe: generated here, from node ids and counts only
        return namespace["__call__"]

    def _packing(self, keys: list[str], keyed: bool, native: bool = False) -> str:
        """The expression that makes the result of the outputs ``o`` (a tuple; an array of
        the native code's when ``native``)."""
        parts = []
        for indices, by_name in zip(self._parts, self._by_name, strict=True):
            if not indices:  # no inputs: an empty gradient
                parts.append("{}" if keyed else "_array(())")
                continue
            start, stop = indices[0], indices[-1] + 1
            if not by_name and native:
                parts.append(f"o.item({start})" if len(indices) == 1
                             else f"tuple(o[{start}:{stop}].tolist())")
            elif not by_name:
                parts.append(f"o[{start}]" if len(indices) == 1 else f"o[{start}:{stop}]")
            elif not keyed:
                parts.append(f"o[{start}:{stop}]" if native else f"_array(o[{start}:{stop}])")
            elif len(keys) <= 16:
                parts.append("{" + ", ".join(f"{key}: o[{i}]" for key, i in
                                             zip(keys, indices, strict=True)) + "}")
            else:
                parts.append(f"dict(zip(_wrt, o[{start}:{stop}]))")
        return parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ")"

    def _tensors(self, given: Mapping[str, Any]) -> Any:
        """A tensor graph's call: inputs with a batch axis in, as the interpreter lays them
        out (:class:`~graphdiff.graph.Batch`), and the results as the user wrote them."""
        graph = self.program  # the graph's inputs, then the seeds given at each call
        point = graph._point(given, {})  # noqa: SLF001 - checks and converts the inputs
        batch = Batch.of(graph, point)
        values = [batch.canonical(v, graph.shape(i), graph.name(i))
                  for i, v in zip(graph.input_ids, point, strict=True)]
        function = self.function("numpy")
        try:
            with np.errstate(divide="raise", invalid="raise", over="ignore", under="ignore"):
                outs = list(function(*values))
        except (ArithmeticError, ValueError):
            self._interpret(point)
            outs = list(self._numpy_ignoring_errors(values))
        outs = [batch.public(np.asarray(o)) for o in outs]
        program = self.program
        for indices, by_name in zip(self._parts, self._by_name, strict=True):
            wrt = [graph.id(name) for name in self.wrt] if by_name else []
            for i, node in zip(indices, wrt, strict=False):
                # An input's cotangent has the input's shape, per point of the batch (as
                # reverse mode gives it), also where it does not depend on the point or is
                # a constant (a structural 0, a seed passed through).
                wanted = (*batch.shape, *graph.shape(node))
                if program.kind(program.output_ids[i]) == "constant":
                    outs[i] = np.full(wanted, float(np.ravel(outs[i])[0]))
                elif np.shape(outs[i]) != wanted:
                    outs[i] = np.array(np.broadcast_to(outs[i], wanted))
        outs = [float(o) if np.ndim(o) == 0 else o for o in outs]
        return self._result(tuple(outs), keyed=True)

    def _by_names(self, given: Mapping[str, Any]) -> Any:
        if self.program.is_tensor:
            return self._tensors(given)
        names = self._names
        try:
            values = [given[name] for name in names]
        except KeyError:
            values = None
        if values is None or len(given) != len(names):
            self.program._point(given, {})  # noqa: SLF001 - its message names what is wrong
            raise GraphdiffError("the inputs do not match the graph's")  # pragma: no cover
        backend = self.backend
        if backend == "auto":
            backend = "math"
            for value in values:
                if type(value) is not float and type(value) is not int and not isinstance(
                        value, np.floating | np.integer):
                    backend = "numpy"
                    break
        if self.backend == "llvm":
            backend = "llvm" if all(np.ndim(value) == 0 for value in values) else "llvm batch"
        if backend in ("math", "llvm"):
            try:
                values = [float(value) for value in values]
            except (TypeError, ValueError) as err:
                raise GraphdiffError(f"the math backend takes one number per input: {err}"
                                     ) from None
        outs = self._run(values, backend)
        return self._result(outs, keyed=True)

    def _by_array(self, point: Any) -> Any:
        if self.program.is_tensor:
            raise GraphdiffError("a graph with tensor inputs takes them by name")
        array = np.asarray(point, dtype=float)
        n = len(self._names)
        if array.ndim == 0 and n == 1:
            array = array.reshape(1)
        if array.ndim == 0 or array.shape[-1] != n:
            n = len(self.inputs)
            raise GraphdiffError(f"an array of points has one entry per input in its last "
                                 f"axis ({n}: {', '.join(self.inputs)}), not shape "
                                 f"{array.shape}")
        if array.ndim == 1 and self.backend != "numpy":
            outs = self._run(array.tolist(), "llvm" if self.backend == "llvm" else "math")
        elif self.backend == "llvm":  # rows in, rows out: the results are views of them
            self.function("llvm")
            rows = array.reshape(-1, n)
            try:
                out = self._functions["llvm batch"](rows)
            except Flagged:
                outs = self._native_batch(rows, array.shape[:-1])
            else:
                return self._rows_result(out, array.shape[:-1])
        else:  # one contiguous column per input: numpy's loops run at full speed
            outs = self._run(list(np.ascontiguousarray(np.moveaxis(array, -1, 0))), "numpy")
            if array.ndim == 1:  # one point forced through numpy: numbers, not 0-d arrays
                outs = tuple(float(o) for o in outs)
        return self._result(outs, keyed=False)

    def _rows_result(self, out: np.ndarray, shape: tuple[int, ...]) -> Any:
        """The result of the native batch's ``(points, outputs)`` array, as views of it."""
        flat = len(shape) == 1  # rows already in the batch's shape: no reshaping (a call
        result = []             # on 10⁴ rows takes some 20 µs: each µs here counts)
        for indices, by_name in zip(self._parts, self._by_name, strict=True):
            start, stop = (indices[0], indices[-1] + 1) if indices else (0, 0)
            if by_name:
                part = out[:, start:stop]
                result.append(part if flat else part.reshape((*shape, stop - start)))
            elif len(indices) == 1:
                result.append(out[:, start] if flat else out[:, start].reshape(shape))
            else:
                result.append(tuple(out[:, i] if flat else out[:, i].reshape(shape)
                                    for i in indices))
        return result[0] if len(result) == 1 else tuple(result)

    def _native_batch(self, rows: np.ndarray, shape: tuple[int, ...]) -> tuple[Any, ...]:
        """The native batch function on rows of points; outputs in the batch's shape."""
        self.function("llvm")
        try:
            out = self._functions["llvm batch"](rows)
        except Flagged:
            columns = list(np.ascontiguousarray(rows.T))
            self._interpret(columns)
            return tuple(_shaped(o, rows.shape[:1]).reshape(shape)
                         for o in self._numpy_ignoring_errors(columns))
        return tuple(out[:, k].reshape(shape) for k in range(out.shape[1]))

    def _run(self, values: list[Any], backend: str) -> tuple[Any, ...]:
        if backend == "llvm batch":
            arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))
            shape = arrays[0].shape
            return self._native_batch(np.stack(arrays, axis=-1).reshape(-1, len(arrays)),
                                      shape)
        function = self._functions.get(backend) or self.function(backend)
        if backend in ("math", "llvm"):
            try:
                return function(*values)
            except (ArithmeticError, ValueError):
                self._interpret(values)  # raises DomainError, naming the node
                outs = self._numpy_ignoring_errors([np.float64(v) for v in values])
                return tuple(float(o) for o in outs)
        arrays = [np.asarray(v, dtype=float) for v in values]
        try:
            with np.errstate(divide="raise", invalid="raise", over="ignore", under="ignore"):
                outs = function(*arrays)
        except (FloatingPointError, ArithmeticError, ValueError):
            self._interpret(arrays)
            outs = self._numpy_ignoring_errors(arrays)
        shape = arrays[0].shape if arrays else ()
        for array in arrays:
            if array.shape != shape:
                shape = np.broadcast_shapes(*(a.shape for a in arrays))
                break
        return tuple(_shaped(o, shape) for o in outs)

    def _numpy_ignoring_errors(self, arrays: list[Any]) -> tuple[Any, ...]:
        """The numpy code where the values are not a domain error of the graph's (an
        overflow, a pole of the derivative): inf and nan, as the interpreter gives them.

        Where the code's result is nan at a point of a scalar graph, the interpreter's
        sweeps decide that point: the code multiplies out what they leave out (a
        structural zero times an infinite adjoint, 0·ln 0 in the exponent of ``0**b``),
        so that the compiled function and the engines agree there too."""
        function = self.function("numpy")
        with np.errstate(all="ignore"):
            outs = function(*arrays)
        if self.program.is_tensor:
            return outs
        shape = np.broadcast_shapes(*(np.shape(a) for a in arrays)) if arrays else ()
        stacked = np.stack([np.broadcast_to(np.asarray(o, dtype=float), shape)
                            for o in outs]) if outs else np.zeros((0, *shape))
        bad = np.argwhere(np.isnan(stacked).any(axis=0)) if outs else []
        if not len(bad):
            return outs
        stacked = stacked.copy()
        columns = [np.broadcast_to(np.asarray(a, dtype=float), shape) for a in arrays]
        if shape and self.kind != "hvp":  # a batch: the engines on the batch, as gd.grad
            # takes it (their conventions at a domain's edge are per batch, not per point)
            rows = tuple(np.moveaxis(np.asarray(bad), -1, 0))
            engines = self._by_interpreter([c[rows] for c in columns])
            for k, value in enumerate(engines):
                stacked[k][rows] = np.broadcast_to(value, len(bad))
        else:
            for where in map(tuple, bad):
                stacked[(slice(None), *where)] = self._by_interpreter(
                    [float(c[where]) for c in columns])
        return tuple(stacked[k][()] if shape == () else stacked[k] for k in range(len(outs)))

    def _by_interpreter(self, values: list[Any]) -> list[Any]:
        """The program's outputs at one point (floats) or a batch (arrays, not for hvp), by
        the engines (reverse and forward mode on the graph itself) instead of the generated
        code; nan where a part is not asked."""
        n, graph, kind = len(self.inputs), self.graph, self.kind
        at = dict(zip(self.inputs, values[:n], strict=True))
        seeds = dict(zip(self.seeds, values[n:], strict=True)) if self.seeds else {
            name: float(seed) for name, seed in self._seed_values.items()}
        with np.errstate(all="ignore"):
            evaluated = graph.evaluate(at)
            outs = list(evaluated) if isinstance(evaluated, tuple) else [evaluated]
            if kind == "grad":
                gradient = api.grad(graph, at, output=self.output, wrt=list(self.wrt))
                outs += [gradient[x] for x in self.wrt]
            elif kind == "vjp":
                cotangent = api.vjp(graph, at, seeds)[1]
                outs += [cotangent[x] for x in self.wrt]
            elif kind == "jvp":
                tangent = api.jvp(graph, at, seeds)[1]
                outs += list(tangent) if isinstance(tangent, tuple) else [tangent]
            elif kind == "hvp":
                gradient = api.grad(graph, at, output=self.output)
                hessian = np.asarray(api.hessian(graph, at, output=self.output), dtype=float)
                direction = np.array([float(seeds.get(x, 0.0)) for x in self.inputs])
                outs += [gradient[x] for x in self.inputs]
                outs += [math.nan] * len(graph.output_ids) + list(hessian @ direction)
        if values and np.ndim(values[0]):
            return [np.asarray(o, dtype=float) for o in outs]
        return [float(o) for o in outs]

    def _interpret(self, values: list[Any]) -> None:
        """Evaluate the graph by the interpreter, which raises DomainError at the node."""
        self.graph.values(dict(zip(self.inputs, values, strict=False)))  # (not the seeds)

    def _result(self, outs: tuple[Any, ...], keyed: bool) -> Any:
        result = []
        for indices, by_name in zip(self._parts, self._by_name, strict=True):
            if by_name:
                if keyed:
                    result.append(dict(zip(self.wrt, [outs[i] for i in indices],
                                           strict=True)))
                else:
                    result.append(_stacked([outs[i] for i in indices]))
            else:
                result.append(outs[indices[0]] if len(indices) == 1
                              else tuple(outs[i] for i in indices))
        if not self.inputs and not keyed:  # pragma: no cover - no array call without inputs
            raise GraphdiffError("a graph without inputs is called without arguments")
        return result[0] if len(result) == 1 else tuple(result)


def _shaped(value: Any, shape: tuple[int, ...]) -> Any:
    """A numpy result with the batch's shape (a constant derivative is broadcast)."""
    if not shape:
        return float(value)
    if getattr(value, "shape", None) == shape:
        return value
    return np.array(np.broadcast_to(value, shape))


def _stacked(values: list[Any]) -> np.ndarray:
    """Per-input results as one array, the inputs in the last axis (filled one input at a
    time, each a contiguous block: a view with the inputs last, no strided copy)."""
    if not values:
        return np.zeros(0)
    stacked = np.empty((len(values), *np.shape(values[0])))
    for k, value in enumerate(values):
        stacked[k] = value
    return np.moveaxis(stacked, 0, -1)


#: Seeds of jvp, vjp, hvp: compiled in (``{name: seed}``) or given at each call (a list of
#: names, or True for all).
Seeds = Mapping[str, Any] | Sequence[str] | bool | None


def compile(graph: Graph, *, output: str | None = None, grad: bool = False,  # noqa: A001
            jvp: Seeds = None, vjp: Seeds = None, hvp: Seeds = None,
            wrt: Sequence[str] | None = None, backend: str = "auto") -> Compiled:
    """Compile ``graph`` (and, as asked, its derivative) to straight-line code.

    ``grad=True``: the value and the gradient of ``output`` (reverse mode, as code).
    ``jvp={input: tangent}``: the outputs and their tangents along that direction.
    ``vjp={output: cotangent}``: the outputs and the inputs' cotangents.
    ``hvp={input: direction}``: the value, the gradient and the Hessian times the direction.
    The seeds of ``jvp``, ``vjp`` and ``hvp`` as a list of names (or ``True``: every input,
    every output for ``vjp``) are given at each call instead: ``f(point, seeds)``.
    ``wrt``: the inputs the gradient or the cotangent is wanted for (grad, vjp); what
    leads only to the others (a network's data) is left out of the code.
    ``backend``: ``"auto"`` (``math`` for numbers, numpy for arrays), ``"math"``,
    ``"numpy"`` or ``"llvm"``.  The code is cached per graph and request: compiling again
    is free.

    >>> import graphdiff as gd
    >>> g = gd.parse("s = x + y\\np = x*y", outputs=["s", "p"])
    >>> gd.compile(g)(x=2.0, y=3.0)
    (5.0, 6.0)
    >>> gd.compile(g, jvp={"x": 1.0})(x=2.0, y=3.0)
    ((5.0, 6.0), (1.0, 3.0))
    >>> gd.compile(g, vjp={"s": 1.0, "p": 10.0})(x=2.0, y=3.0)
    ((5.0, 6.0), {'x': 31.0, 'y': 21.0})
    >>> gd.compile(g, grad=True, output="p")([2.0, 3.0])
    (6.0, array([3., 2.]))
    >>> gd.compile(g, grad=True, output="p") is gd.compile(g, grad=True, output="p")
    True
    >>> gd.compile(g, grad=True, output="p", wrt=["y"])(x=2.0, y=3.0)
    (6.0, {'y': 2.0})
    >>> gd.compile(g, vjp=["p"])({"x": 2.0, "y": 3.0}, {"p": 10.0})
    ((5.0, 6.0), {'x': 30.0, 'y': 20.0})
    """
    if backend not in (*BACKENDS, "auto"):
        raise GraphdiffError(f"backend must be 'auto', 'math', 'numpy' or 'llvm', not "
                             f"{backend!r}")
    jvp, vjp, hvp = (None if seeds is False else seeds for seeds in (jvp, vjp, hvp))
    asked = [name for name, wanted in (("grad", grad), ("jvp", jvp is not None),
                                       ("vjp", vjp is not None), ("hvp", hvp is not None))
             if wanted]
    if len(asked) > 1:
        raise GraphdiffError(f"compile one of grad, jvp, vjp and hvp at a time, not "
                             f"{' and '.join(asked)}")
    kind = asked[0] if asked else "value"
    seeds = jvp if jvp is not None else vjp if vjp is not None else hvp
    per_call: tuple[str, ...] = ()
    if seeds is not None and not isinstance(seeds, Mapping):
        per_call, seeds = _seed_names(graph, kind, seeds), None
    if seeds is not None:  # floats as the exact numbers they are: 1.0 is 1, and x*1 drops
        seeds = {name: _exact(value) for name, value in seeds.items()}
    # The convention at kinks is read when the derivative graph is built (graphdiff.ops):
    # code built under one is not the code of another.
    convention = _KINKS["convention"] if kind != "value" else None
    if wrt is not None:
        if kind not in ("grad", "vjp"):
            raise GraphdiffError("wrt= is for grad and vjp")
        wrt = tuple(graph.name(input_id(graph, name)) for name in wrt)
    key = (kind, output, backend, _seed_key(graph, seeds), per_call, convention, wrt)
    # The cache lives on the graph (a compiled function refers to its graph, so a table
    # keyed weakly by graphs would keep every graph alive): it goes when the graph goes.
    per_graph = graph.__dict__.setdefault("_compiled", {})
    compiled = per_graph.get(key)
    if compiled is None:
        compiled = _make(graph, kind, output, seeds or list(per_call), backend, wrt)
        compiled.output, compiled._seed_values = output, dict(seeds or {})
        if compiled.backend != "numpy" and not per_call:  # fast paths calling the math code
            compiled.__class__ = type("Compiled", (Compiled,), {"__call__": compiled._entry()})
        per_graph[key] = compiled
    return compiled


def _exact(value: Any) -> Any:
    if isinstance(value, int | float | np.integer | np.floating) and math.isfinite(value):
        return sympy.Rational(float(value)) if isinstance(value, float | np.floating) \
            else sympy.Integer(int(value))
    return value


def _seed_names(graph: Graph, kind: str, seeds: Sequence[str] | bool) -> tuple[str, ...]:
    """The inputs (jvp, hvp) or outputs (vjp) whose seeds each call gives, by display name."""
    if isinstance(seeds, str):
        seeds = [seeds]
    if kind == "vjp":
        names = graph.outputs if seeds is True else \
            [graph.name(output_id(graph, name)) for name in seeds]  # type: ignore[union-attr]
    else:
        names = graph.inputs if seeds is True else \
            [graph.name(input_id(graph, name)) for name in seeds]  # type: ignore[union-attr]
    if not names or len(set(names)) != len(names):
        raise GraphdiffError(f"the seeds of {kind} are given for distinct names, at least "
                             f"one, not {list(names)}")
    return tuple(names)


def _seed_key(graph: Graph, seeds: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    if seeds is None:
        return None
    return tuple(sorted((graph.name(graph.id(name)), str(seed_expr(name, value)))
                        for name, value in seeds.items()))


def _make(graph: Graph, kind: str, output: str | None,
          seeds: Mapping[str, Any] | list[str] | None, backend: str,
          wrt: tuple[str, ...] | None) -> Compiled:
    """The derivative program of ``kind``; seeds as a list of names are its inputs."""
    at_call = tuple(seeds) if isinstance(seeds, list) else ()
    if graph.is_tensor:
        if backend not in ("auto", "numpy"):
            raise GraphdiffError(f"a graph with tensor nodes compiles to numpy code, not "
                                 f"{backend}")
        backend = "numpy"
    k, n = len(graph.output_ids), len(graph.input_ids)
    outputs = tuple(range(k))
    if kind == "value":
        return Compiled(graph, graph, kind, backend, (outputs,), (False,))
    if kind in ("grad", "hvp"):
        out = output_id(graph, output)
        value = (graph.output_ids.index(out),)
        adjoint = reverse_graph(graph, output=graph.name(out), values=True, wrt=wrt)
        if kind == "grad":
            gradient = tuple(range(k, k + len(wrt or graph.inputs)))
            return Compiled(graph, adjoint, kind, backend, (value, gradient), (False, True),
                            wrt)
        gradient = tuple(range(k, k + n))
        program = forward_graph(adjoint, direction=_direction(graph, seeds), values=True)
        hv = tuple(range(2 * k + n, 2 * (k + n)))
        return Compiled(graph, program, kind, backend, (value, gradient, hv),
                        (False, True, True), seeds=at_call)
    if output is not None:
        raise GraphdiffError(f"{kind} takes its seeds by name; output= is for grad and hvp")
    if kind == "jvp":
        program = forward_graph(graph, direction=_direction(graph, seeds), values=True)
        return Compiled(graph, program, kind, backend, (outputs, tuple(range(k, 2 * k))),
                        (False, False), seeds=at_call)
    cotangent: Mapping[str, Any] | list[str] = list(at_call)
    if isinstance(seeds, Mapping):
        cotangent = {graph.name(output_id(graph, name)): v for name, v in seeds.items()}
    program = reverse_graph(graph, cotangent=cotangent, values=True, wrt=wrt)
    return Compiled(graph, program, kind, backend,
                    (outputs, tuple(range(k, k + len(wrt or graph.inputs)))), (False, True), wrt,
                    seeds=at_call)


def _direction(graph: Graph, seeds: Mapping[str, Any] | list[str] | None
               ) -> Mapping[str, Any] | list[str]:
    """A forward sweep's direction by display name: compiled in, or inputs of the code."""
    assert seeds is not None
    if isinstance(seeds, list):
        return seeds
    return {graph.name(input_id(graph, name)): v for name, v in seeds.items()}


__all__ = ["BACKENDS", "KINDS", "Compiled", "compile"]
