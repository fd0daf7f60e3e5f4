"""mlrecipe's Python worker: runs the Python user code of a recipe (``steps/*.py``) for the Node
process that started it. One worker lives for one ``recipe run``.

The protocol (docs/python-worker.md): one JSON object per line on stdin (requests) and on the
original stdout (responses). The worker moves its own fd 1 onto stderr first, so that ``print()``
in user code never corrupts the protocol. Tables cross as exchange directories (one ``.npy`` file
per column plus ``manifest.json``), never through the pipe.

Only the standard library is imported at start-up: ``hello`` reports which of numpy, pandas,
scikit-learn and cloudpickle import, so that Node can name the missing one and the interpreter.
"""

import importlib
import importlib.util
import inspect
import json
import os
import sys
import traceback

PROTOCOL_VERSION = 1

# fd 1 becomes stderr for everything else in this process (user prints, warnings, C libraries).
_proto_out = os.fdopen(os.dup(1), "wb")
os.dup2(2, 1)
sys.stdout = sys.stderr
_proto_in = sys.stdin.buffer

_objects = {}  # handle -> Python object (estimators, transformers, anything not data)
_handles = {}  # id(object) -> handle, so an object returned twice keeps one handle
_next_handle = [1]
_modules = {}  # absolute path -> (mtime_ns, size, module)


class WorkerError(Exception):
    """A request the worker refuses (bad arguments); reported without a traceback."""


# ----------------------------------------------------------------------------- exchange

_NUMERIC_KINDS = {"f", "i", "u", "b"}


def _np():
    import numpy

    return numpy


def _pd():
    import pandas

    return pandas


def _save_npy(path, array):
    np = _np()
    array = np.ascontiguousarray(array)
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    with open(path, "wb") as f:
        np.save(f, array, allow_pickle=False)


def _load_npy(path):
    return _np().load(path, allow_pickle=False)


def read_table(directory, per_column=False):
    """An exchange directory as a pandas DataFrame with the dtypes its manifest names.
    `per_column` forces the one-column-at-a-time path (bench/python-exchange's baseline)."""
    np = _np()
    pd = _pd()
    with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    n_rows = manifest["n_rows"]
    columns = manifest["columns"]
    if len(columns) == 0:
        return pd.DataFrame(index=pd.RangeIndex(n_rows))
    block_positions = [] if per_column else _block_columns(columns)
    if not block_positions:
        data = {}
        for col in columns:
            data[col["name"]] = _read_column(directory, col, n_rows, np, pd)
        return pd.DataFrame(data, index=pd.RangeIndex(n_rows))
    # The largest group of plain numeric columns of one dtype is read straight into one 2-D block
    # (each file's data lands in its row of the block: one copy from the page cache) that becomes
    # the DataFrame's own storage. np.load per column plus pandas' consolidation of the columns
    # into a block copied everything twice and cost about five times as much (bench/python-exchange).
    dtype = np.dtype(columns[block_positions[0]]["dtype"])
    block = np.empty((len(block_positions), n_rows), dtype=dtype)
    for row, pos in enumerate(block_positions):
        _read_npy_into(os.path.join(directory, columns[pos]["values"]), block[row], columns[pos]["name"], np)
    frame = pd.DataFrame(block.T, columns=[columns[pos]["name"] for pos in block_positions], copy=False)
    in_block = set(block_positions)
    # The other columns go in at their positions, in order, so the manifest's order is kept.
    for pos, col in enumerate(columns):
        if pos not in in_block:
            frame.insert(pos, col["name"], _read_column(directory, col, n_rows, np, pd))
    return frame


_BLOCK_DTYPES = {"float64", "float32", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8", "bool"}


def _block_columns(columns):
    """Positions of the largest same-dtype group of unmasked numeric columns (at least 2), or []."""
    groups = {}
    for pos, col in enumerate(columns):
        if col["kind"] in ("float", "int", "bool") and not col.get("mask") and col.get("dtype") in _BLOCK_DTYPES:
            groups.setdefault(col["dtype"], []).append(pos)
    best = max(groups.values(), key=len, default=[])
    return best if len(best) >= 2 else []


def _read_npy_into(path, target, name, np):
    """Reads a 1-D little-endian .npy file's data into `target` (an array of its dtype and length)."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        if shape != target.shape or fortran or dtype != target.dtype:
            raise WorkerError(f"column {name}: {path} holds {dtype} {shape}, expected {target.dtype} {target.shape}")
        view = memoryview(target).cast("B")
        filled = 0
        while filled < len(view):
            got = f.readinto(view[filled:])
            if not got:
                raise WorkerError(f"column {name}: {path} is truncated")
            filled += got


def _read_column(directory, col, n_rows, np, pd):
    kind = col["kind"]
    name = col["name"]

    def path(key):
        return os.path.join(directory, col[key])

    if kind in ("float", "int", "bool"):
        values = _load_npy(path("values"))
        if col.get("mask"):
            mask = _load_npy(path("mask")).astype(bool)
            if kind == "int":
                return pd.Series(pd.arrays.IntegerArray(values, mask), name=name)
            if kind == "bool":
                return pd.Series(pd.arrays.BooleanArray(values.astype(bool), mask), name=name)
            raise WorkerError(f"column {name}: a mask is only allowed on int and bool columns")
        return pd.Series(values, name=name)
    if kind == "string":
        with open(path("values"), encoding="utf-8") as f:
            values = json.load(f)
        if col.get("dtype") == "string":
            return pd.Series(pd.array(values, dtype="string"), name=name)
        series = pd.Series(np.empty(n_rows, dtype=object), name=name)
        series[:] = values
        return series
    if kind == "category":
        codes = _load_npy(path("values"))
        with open(path("categories"), encoding="utf-8") as f:
            categories = json.load(f)
        cat = pd.Categorical.from_codes(codes, categories=categories, ordered=bool(col.get("ordered")))
        return pd.Series(cat, name=name)
    if kind == "datetime":
        values = _load_npy(path("values")).astype("int64").view(f"datetime64[{col.get('unit', 'ns')}]")
        series = pd.Series(values, name=name)
        if col.get("tz"):
            series = series.dt.tz_localize("UTC").dt.tz_convert(col["tz"])
        return series
    raise WorkerError(f"column {name}: unknown kind {kind!r}")


def write_table(frame, directory):
    """Writes a DataFrame (or Series, as one column) into an exchange directory."""
    pd = _pd()
    if isinstance(frame, pd.Series):
        frame = frame.to_frame(name=frame.name if frame.name is not None else "value")
    os.makedirs(directory, exist_ok=True)
    columns = []
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        raise WorkerError(f"the DataFrame has duplicated column names: {names}")
    for i, name in enumerate(names):
        columns.append(_write_column(frame.iloc[:, i], name, i, directory))
    manifest = {"format": "mlrecipe-columns", "version": PROTOCOL_VERSION, "n_rows": len(frame), "columns": columns}
    tmp = os.path.join(directory, "manifest.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(manifest, f)
    os.replace(tmp, os.path.join(directory, "manifest.json"))
    return manifest


def _write_column(series, name, i, directory):
    np = _np()
    pd = _pd()
    dtype = series.dtype
    base = f"c{i}"
    col = {"name": name, "dtype": str(dtype)}
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        if categories.dtype.kind not in _NUMERIC_KINDS and pd.api.types.infer_dtype(categories) != "string":
            raise WorkerError(f"column {name}: categories must be strings or numbers")
        col.update(kind="category", values=base + ".npy", categories=base + ".categories.json", ordered=bool(dtype.ordered))
        _save_npy(os.path.join(directory, col["values"]), series.cat.codes.to_numpy().astype("int32"))
        with open(os.path.join(directory, col["categories"]), "w", encoding="utf-8") as f:
            json.dump(categories.tolist(), f)
        return col
    if isinstance(dtype, pd.DatetimeTZDtype) or (getattr(dtype, "kind", None) == "M"):
        tz = None
        values = series
        if isinstance(dtype, pd.DatetimeTZDtype):
            tz = str(dtype.tz)
            values = series.dt.tz_convert("UTC").dt.tz_localize(None)
        values = values.astype("datetime64[ns]").to_numpy().view("int64")
        col.update(kind="datetime", unit="ns", values=base + ".npy")
        if tz is not None:
            col["tz"] = tz
        _save_npy(os.path.join(directory, col["values"]), values)
        return col
    if isinstance(dtype, (pd.Int8Dtype, pd.Int16Dtype, pd.Int32Dtype, pd.Int64Dtype, pd.UInt8Dtype, pd.UInt16Dtype, pd.UInt32Dtype, pd.UInt64Dtype)):
        col.update(kind="int", values=base + ".npy", mask=base + ".mask.npy")
        _save_npy(os.path.join(directory, col["values"]), series.to_numpy(dtype=dtype.numpy_dtype, na_value=0))
        _save_npy(os.path.join(directory, col["mask"]), series.isna().to_numpy().astype("uint8"))
        return col
    if isinstance(dtype, pd.BooleanDtype):
        col.update(kind="bool", values=base + ".npy", mask=base + ".mask.npy")
        _save_npy(os.path.join(directory, col["values"]), series.to_numpy(dtype="bool", na_value=False))
        _save_npy(os.path.join(directory, col["mask"]), series.isna().to_numpy().astype("uint8"))
        return col
    if isinstance(dtype, pd.StringDtype):
        col.update(kind="string", values=base + ".json")
        _dump_strings(os.path.join(directory, col["values"]), [None if v is pd.NA else v for v in series.tolist()])
        return col
    if isinstance(dtype, np.dtype) and dtype.kind in _NUMERIC_KINDS:
        kind = {"f": "float", "i": "int", "u": "int", "b": "bool"}[dtype.kind]
        col.update(kind=kind, values=base + ".npy")
        _save_npy(os.path.join(directory, col["values"]), series.to_numpy())
        return col
    if dtype == object:
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        if inferred in ("string", "empty"):
            values = [None if (v is None or (isinstance(v, float) and v != v) or v is pd.NA) else v for v in series.tolist()]
            col.update(kind="string", dtype="object", values=base + ".json")
            _dump_strings(os.path.join(directory, col["values"]), values)
            return col
        raise WorkerError(
            f"column {name}: object column holding {inferred} values cannot cross to Node; "
            "convert it to strings (df[col].astype(str)) or numbers before returning it"
        )
    raise WorkerError(f"column {name}: dtype {dtype} cannot cross to Node")


def _dump_strings(path, values):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(values, f, ensure_ascii=False)


# ----------------------------------------------------------------------------- values


def _handle_of(obj):
    key = id(obj)
    handle = _handles.get(key)
    if handle is not None and _objects.get(handle) is obj:
        return handle
    handle = _next_handle[0]
    _next_handle[0] += 1
    _objects[handle] = obj
    _handles[key] = handle
    return handle


def decode_arg(arg):
    if "json" in arg:
        return arg["json"]
    if "table" in arg:
        return read_table(arg["table"])
    if "series" in arg:
        frame = read_table(arg["series"])
        if frame.shape[1] != 1:
            raise WorkerError("a series argument needs exactly one column")
        return frame.iloc[:, 0]
    if "object" in arg:
        handle = arg["object"]
        if handle not in _objects:
            raise WorkerError(f"no object with handle {handle} (released or from another worker)")
        return _objects[handle]
    if "none" in arg:
        return None
    raise WorkerError(f"cannot decode argument {arg!r}")


def encode_result(value, out_dir):
    """A result as the protocol returns it: JSON when it is plain data, a table for DataFrames,
    Series and 1-D arrays (written into out_dir), else a handle to the object kept here."""
    if value is None:
        return {"none": True}
    if isinstance(value, (bool, int, float, str)):
        if isinstance(value, float) and value != value:
            return {"json": None, "nan": True}
        return {"json": value}
    module = type(value).__module__ or ""
    if module.startswith("numpy") and hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return encode_result(value.item(), out_dir)
    if module.startswith("pandas"):
        pd = _pd()
        if isinstance(value, pd.DataFrame):
            if out_dir is None:
                raise WorkerError("the function returned a DataFrame, but the call gave no out directory")
            return {"table": write_table(value.reset_index(drop=True), out_dir), "dir": out_dir}
        if isinstance(value, pd.Series):
            if out_dir is None:
                raise WorkerError("the function returned a Series, but the call gave no out directory")
            return {"series": write_table(value.reset_index(drop=True), out_dir), "dir": out_dir}
    if module.startswith("numpy") and type(value).__name__ == "ndarray":
        pd = _pd()
        if value.ndim == 1:
            return encode_result(pd.Series(value, name="value"), out_dir)
        if value.ndim == 2:
            frame = pd.DataFrame(value, columns=[str(i) for i in range(value.shape[1])])
            return {"table": write_table(frame, out_dir), "dir": out_dir, "ndarray": True}
    if isinstance(value, (list, tuple, dict)):
        try:
            return {"json": json.loads(json.dumps(value, allow_nan=False))}
        except (TypeError, ValueError):
            pass
    return {"object": _handle_of(value), "type": f"{module}.{type(value).__qualname__}", "repr": _short_repr(value)}


def _short_repr(value):
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not fail the call
        text = object.__repr__(value)
    return text if len(text) <= 400 else text[:397] + "..."


# ----------------------------------------------------------------------------- user modules


def load_module(path, recipe_dir):
    path = os.path.abspath(path)
    st = os.stat(path)
    cached = _modules.get(path)
    if cached and cached[0] == st.st_mtime_ns and cached[1] == st.st_size:
        return cached[2]
    # MLflow Recipes imports `steps.<module>` with the recipe root on sys.path, so user modules
    # may import each other (`from steps.helpers import f`); we keep that working.
    if recipe_dir and recipe_dir not in sys.path:
        sys.path.insert(0, recipe_dir)
    stem = os.path.splitext(os.path.basename(path))[0]
    name = f"steps.{stem}" if os.path.basename(os.path.dirname(path)) == "steps" else stem
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    _modules[path] = (st.st_mtime_ns, st.st_size, module)
    return module


def call_with_arity(fn, args):
    """Calls fn with as many positional args as it accepts (MLflow's templates declare
    `load_file_as_dataframe(location)` while MLflow 2.x passes `(file_path, file_format)`)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return fn(*args)
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return fn(*args)
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return fn(*args[: len(positional)])


# ----------------------------------------------------------------------------- requests


def op_hello(req):
    packages = {}
    missing = {}
    # numpy and pandas serve every call, so they are imported now (a broken install shows here);
    # the others are only located, since importing scikit-learn costs a second that a recipe
    # with a Python split function alone should not pay.
    for name in ("numpy", "pandas"):
        try:
            mod = importlib.import_module(name)
            packages[name] = getattr(mod, "__version__", "unknown")
        except Exception as e:  # ImportError, or a broken install raising something else
            missing[name] = f"{type(e).__name__}: {e}"
    for name, dist in (("sklearn", "scikit-learn"), ("cloudpickle", "cloudpickle"), ("jinja2", "Jinja2")):
        if importlib.util.find_spec(name) is None:
            missing[name] = f"ModuleNotFoundError: No module named '{name}'"
            continue
        try:
            from importlib import metadata

            packages[name] = metadata.version(dist)
        except Exception:  # located but without metadata (a vendored copy): version unknown
            packages[name] = "unknown"
    return {
        "protocol": PROTOCOL_VERSION,
        "python": sys.executable,
        "version": ".".join(str(p) for p in sys.version_info[:3]),
        "packages": packages,
        "missing": missing,
        "pid": os.getpid(),
    }


def op_call(req):
    module = load_module(req["module"], req.get("recipe_dir"))
    name = req["function"]
    fn = getattr(module, name, None)
    if fn is None or not callable(fn):
        functions = sorted(k for k, v in vars(module).items() if inspect.isfunction(v) and v.__module__ == module.__name__)
        return {"missing_function": name, "functions": functions}
    args = [decode_arg(a) for a in req.get("args", [])]
    kwargs = {k: decode_arg(v) for k, v in req.get("kwargs", {}).items()}
    if req.get("fit_arity") and not kwargs:
        result = call_with_arity(fn, args)
    else:
        result = fn(*args, **kwargs)
    return {"result": encode_result(result, req.get("out"))}


def op_method(req):
    obj = decode_arg({"object": req["object"]})
    method = getattr(obj, req["method"], None)
    if method is None or not callable(method):
        raise WorkerError(f"{type(obj).__name__} has no method {req['method']}()")
    args = [decode_arg(a) for a in req.get("args", [])]
    kwargs = {k: decode_arg(v) for k, v in req.get("kwargs", {}).items()}
    return {"result": encode_result(method(*args, **kwargs), req.get("out"))}


def op_attribute(req):
    obj = decode_arg({"object": req["object"]})
    if not hasattr(obj, req["name"]):
        return {"result": {"none": True}, "absent": True}
    return {"result": encode_result(getattr(obj, req["name"]), req.get("out"))}


def op_save_pickle(req):
    obj = decode_arg({"object": req["object"]})
    fmt = req.get("format", "cloudpickle")
    if fmt == "cloudpickle":
        import cloudpickle as pickler
    elif fmt == "pickle":
        import pickle as pickler
    else:
        raise WorkerError(f"unknown serialization format {fmt!r} (cloudpickle or pickle)")
    path = req["path"]
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        pickler.dump(obj, f)
    os.replace(tmp, path)
    return {"format": fmt}


def op_load_pickle(req):
    # Unpickling runs code: models are trusted input here as in MLflow's own loader.
    fmt = req.get("format", "cloudpickle")
    if fmt not in ("cloudpickle", "pickle"):
        raise WorkerError(f"unknown serialization format {fmt!r} (cloudpickle or pickle)")
    import pickle

    if fmt == "cloudpickle":
        import cloudpickle  # noqa: F401  (registers its reducers for what it pickled)
    with open(req["path"], "rb") as f:
        obj = pickle.load(f)
    return {"result": encode_result(obj, None)}


def op_release(req):
    for handle in req.get("objects", []):
        obj = _objects.pop(handle, None)
        if obj is not None:
            _handles.pop(id(obj), None)
    return {}


def op_echo_table(req):
    """Reads a table and writes it back (the exchange's round-trip test and benchmark)."""
    import time

    started = time.perf_counter()
    frame = read_table(req["table"], per_column=bool(req.get("per_column")))
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    result = encode_result(frame, req["out"])
    return {"result": result, "read_s": read_s, "write_s": time.perf_counter() - started}


def op_render_jinja(req):
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return {"text": env.from_string(req["template"]).render(**req.get("values", {}))}


OPS = {
    "hello": op_hello,
    "call": op_call,
    "method": op_method,
    "attribute": op_attribute,
    "save_pickle": op_save_pickle,
    "load_pickle": op_load_pickle,
    "release": op_release,
    "echo_table": op_echo_table,
    "render_jinja": op_render_jinja,
}


def _frames(tb):
    return [
        {"file": os.path.abspath(f.filename), "line": f.lineno, "function": f.name, "text": f.line or ""}
        for f in traceback.extract_tb(tb)
    ]


def handle(req):
    op = OPS.get(req.get("op"))
    if op is None:
        return {"error": {"type": "WorkerError", "message": f"unknown op {req.get('op')!r}", "frames": []}}
    try:
        return {"ok": op(req)}
    except WorkerError as e:
        return {"error": {"type": "WorkerError", "message": str(e), "frames": []}}
    except BaseException as e:  # user code may raise anything, SystemExit included
        if isinstance(e, KeyboardInterrupt):
            raise
        return {
            "error": {
                "type": type(e).__name__,
                "message": str(e),
                "frames": _frames(e.__traceback__),
                "traceback": "".join(traceback.format_exception(type(e), e, e.__traceback__)),
            }
        }


def send(message):
    _proto_out.write(json.dumps(message, allow_nan=False, default=str).encode("utf-8") + b"\n")
    _proto_out.flush()


def main():
    for line in _proto_in:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
        except ValueError as e:
            send({"id": None, "error": {"type": "ProtocolError", "message": str(e), "frames": []}})
            continue
        if req.get("op") == "exit":
            send({"id": req.get("id"), "ok": {}})
            return
        response = handle(req)
        response["id"] = req.get("id")
        try:
            send(response)
        except (TypeError, ValueError) as e:
            send({"id": req.get("id"), "error": {"type": "ProtocolError", "message": f"cannot encode the response: {e}", "frames": []}})


if __name__ == "__main__":
    main()
