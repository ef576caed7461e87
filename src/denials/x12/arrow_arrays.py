"""Arrow arrays straight from numpy buffers and Python strings.

`pyarrow.array` imports pandas on first use (0.4 s), which would be most of the time to load a small
file; building arrays from buffers needs neither pandas nor a copy.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def integers(values: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values),
                                 [_validity(null)[0], pa.py_buffer(values)], null_count=_null_count(null))


def booleans(values: np.ndarray) -> pa.Array:
    bits = np.packbits(np.ascontiguousarray(values, dtype=bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)], null_count=0)


def strings(values: list[str | None]) -> pa.Array:
    encoded = [value.encode() if value is not None else b"" for value in values]
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    return utf8_from_buffers(data, np.array([len(value) for value in encoded], dtype=np.int64),
                             np.array([value is not None for value in values], dtype=bool))


def utf8_from_buffers(data: np.ndarray, lengths: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Strings laid end to end in `data` with the given byte lengths."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    null = None if valid is None else ~valid
    return pa.StringArray.from_buffers(len(lengths), pa.py_buffer(offsets), pa.py_buffer(data),
                                       _validity(null)[0], _null_count(null))


def dictionary(indices: np.ndarray, values: list[str], null: np.ndarray | None = None) -> pa.Array:
    return pa.DictionaryArray.from_arrays(integers(indices, null), strings(values))


def column_array(values: list) -> pa.Array | None:
    """Text, integers or booleans (with None as null) as an Arrow array; None for any other type."""
    present = [value for value in values if value is not None]
    null = np.array([value is None for value in values], dtype=bool)
    if not present:
        return pa.nulls(len(values), pa.string())
    if all(isinstance(value, bool) for value in present):
        return booleans(np.array([bool(value) for value in values])) if not null.any() else None
    if all(isinstance(value, int) for value in present):
        return integers(np.array([value or 0 for value in values], dtype=np.int64), null)
    if all(isinstance(value, str) for value in present):
        return strings(values)
    return None


def _validity(null: np.ndarray | None) -> list[pa.Buffer | None]:
    if null is None or not null.any():
        return [None]
    return [pa.py_buffer(np.packbits(~null, bitorder="little"))]


def _null_count(null: np.ndarray | None) -> int:
    return 0 if null is None else int(np.count_nonzero(null))
