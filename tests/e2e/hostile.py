#!/usr/bin/python3
"""hostile.py — hostile HDF5 result files for the e2e tests (issue 11).

  hostile.py DIR GOOD.h5   writes DIR/<name>.h5 for every hostile file below, each a copy of
                           nothing from GOOD.h5 but its /summary group where that matters

Every file is small; several claim far more rows than they hold, which once made the reader
allocate count * row_size (wrapped) and write past it.
"""
import os
import sys

import h5py
import numpy as np


def cases_type(extra=(), status=np.int32):
    fields = [("case", np.int64), ("status", status), ("message", "S160")]
    fields += [("it_energy_mwh", np.float64)]
    return np.dtype(fields + list(extra))


def main():
    out, good = sys.argv[1], sys.argv[2]
    # 1e7 rows declared, none written: a 1-2 KB file
    with h5py.File(os.path.join(out, "huge.h5"), "w") as f:
        f.create_dataset("cases", shape=(10_000_000,), dtype=cases_type(), chunks=(1024,))
    # rows far beyond any memory (size_t product would wrap), fill value only
    with h5py.File(os.path.join(out, "wrap.h5"), "w") as f:
        f.create_dataset("cases", shape=(2 ** 60,), maxshape=(None,),
                         dtype=cases_type(), chunks=(1,))
    # a /cases without a status column
    with h5py.File(os.path.join(out, "nostatus.h5"), "w") as f:
        f["cases"] = np.zeros(3, dtype=[("case", np.int64), ("x", np.float64)])
    # status as a string
    with h5py.File(os.path.join(out, "strstatus.h5"), "w") as f:
        f["cases"] = np.zeros(3, dtype=cases_type(status="S8"))
    # 2-D /cases
    with h5py.File(os.path.join(out, "twod.h5"), "w") as f:
        f["cases"] = np.zeros((2, 2), dtype=cases_type())
    # /cases a plain float array, and a group
    with h5py.File(os.path.join(out, "floats.h5"), "w") as f:
        f["cases"] = np.zeros(4)
    with h5py.File(os.path.join(out, "group.h5"), "w") as f:
        f.create_group("cases")
    # external links: /cases and /summary live in another file
    with h5py.File(os.path.join(out, "target.h5"), "w") as f:
        f["cases"] = np.zeros(3, dtype=cases_type())
        g = f.create_group("summary")
        g.attrs["it_energy_mwh"] = 1.0
    with h5py.File(os.path.join(out, "extcases.h5"), "w") as f:
        f["cases"] = h5py.ExternalLink("target.h5", "/cases")
    with h5py.File(os.path.join(out, "extsummary.h5"), "w") as f:
        f["summary"] = h5py.ExternalLink("target.h5", "/summary")
    with h5py.File(os.path.join(out, "softsummary.h5"), "w") as f:
        f.create_group("real")
        f["summary"] = h5py.SoftLink("/real")
    # a summary with an array attribute and a string one: skipped, no overflow
    with h5py.File(os.path.join(out, "arrays.h5"), "w") as f:
        g = f.create_group("summary")
        g.attrs["it_energy_mwh"] = np.arange(1000.0)
        g.attrs["pue"] = 1.25
    # a sweep table where only some metrics exist (older version): the rest print nothing
    with h5py.File(os.path.join(out, "partial.h5"), "w") as f:
        f["cases"] = np.array([(0, 0, b"", 5.0)], dtype=cases_type())
    del good


if __name__ == "__main__":
    main()
