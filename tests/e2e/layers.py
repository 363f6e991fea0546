"""The layering of sim/ (docs/architecture.md): a file includes headers of its own layer and
of the layers below it only. Prints each include that goes upward, and a layer folder that is
missing from the order or a source file outside any layer; exit 1 if any."""
import os
import re
import sys

ORDER = ["core", "input", "weather", "physics", "solver", "output", "workflows", "sweep",
         "commands"]


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "sim"
    bad = 0
    where = {}
    for entry in sorted(os.listdir(root)):
        path = os.path.join(root, entry)
        if not os.path.isdir(path):
            print(f"{path}: a file outside every layer folder")
            bad += 1
        elif entry not in ORDER:
            print(f"{path}: a layer folder not in the order of docs/architecture.md")
            bad += 1
        else:
            for f in os.listdir(path):
                if f in where:
                    print(f"{path}/{f}: the same name in {where[f]} (objects are flat)")
                    bad += 1
                where[f] = entry
    for f, layer in sorted(where.items()):
        with open(os.path.join(root, layer, f), encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                if m and m.group(1) in where:
                    target = where[m.group(1)]
                    if ORDER.index(target) > ORDER.index(layer):
                        print(f"{root}/{layer}/{f}:{n}: includes {target}/{m.group(1)}, "
                              f"a layer above {layer}")
                        bad += 1
    sys.exit(1 if bad else 0)


main()
