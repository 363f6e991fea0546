"""h5py_floor.py — the I/O floor of `make bench` (issue 12): every series dataset of a dcsim
result read into memory (not timed), then written again by one thread with h5py, with the
same chunks (4096 rows) and gzip level 1 + shuffle (or no filter: level 0), and the seconds
that took printed. What dcsim's writer is measured against.
Usage: h5py_floor.py IN.h5 OUT.h5 [LEVEL (1; 0: uncompressed)]"""
import sys
import time

import h5py
import numpy as np


def main(argv):
    src, dst = argv[1], argv[2]
    level = int(argv[3]) if len(argv) > 3 else 1
    data = []
    with h5py.File(src, "r") as f:
        def take(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.ndim >= 1 and obj.dtype.kind == "f" \
                    and obj.shape[0] >= 4096:
                data.append((name, np.ascontiguousarray(obj[()])))
        f.visititems(take)
    t0 = time.perf_counter()
    with h5py.File(dst, "w") as g:
        for name, arr in data:
            chunks = (4096,) + arr.shape[1:]
            if level > 0:
                g.create_dataset(name, data=arr, chunks=chunks, compression="gzip",
                                 compression_opts=level, shuffle=True)
            else:
                g.create_dataset(name, data=arr, chunks=chunks)
    print("%.4f %d" % (time.perf_counter() - t0, len(data)))


if __name__ == "__main__":
    main(sys.argv)
