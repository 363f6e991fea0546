#!/usr/bin/python3
"""readme_examples.py — runs the examples of README.md that are marked to run, so that the
README cannot drift from the program (t0020).

  readme_examples.py README.md WORKDIR [--all]

A fenced block runs when its info string says so (README "Building and testing"):

  ```sh run                every line is a shell command (bash, from WORKDIR); each must
                           exit 0
  ```console run           `$ CMD` lines are commands, the lines after each (up to the next
                           `$ `) its output as shown: every shown line must appear in what
                           the command prints (stdout and stderr), in that order, other lines
                           between them allowed; a `...` line stands for lines left out.
                           `status=N` after `run`: the exit status the commands must give
                           (default 0)
  ```python run            the block runs under /usr/bin/python3 from WORKDIR, after every
                           shell block (it reads the results those write)
  ```yaml file=PATH        the block is written to WORKDIR/PATH before the blocks after it
  ```... run-slow          as `run`, but only with --all (README_EXAMPLES=all): examples
                           that take more than a few seconds (a fit of 100 trials)

WORKDIR holds a copy of the repository's inputs and `dcsim` on PATH (and ./dcsim). Prints
one line per problem (and what it ran); exits 1 when there is any.
"""
import os
import re
import subprocess
import sys
import time

FENCE = re.compile(r"^```(\S*)\s*(.*)$")
TIMEOUT_S = 300


def blocks(path):
    """(first line number, language, attributes dict, lines) of each fenced block."""
    out = []
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang, rest = m.group(1), m.group(2).split()
        attrs = {}
        for w in rest:
            k, _, v = w.partition("=")
            attrs[k] = v if v else True
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        out.append((i + 1, lang, attrs, lines[i + 1:j]))
        i = j + 1
    return out


def shell(cmd, workdir):
    t0 = time.time()
    p = subprocess.run(["bash", "-c", cmd], cwd=workdir, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=TIMEOUT_S)
    return p.returncode, p.stdout.decode("utf-8", "replace"), time.time() - t0


def check_output(shown, got):
    """The shown lines (without `...`) that are not found, in order, among the lines got."""
    have = [g.rstrip() for g in got.split("\n")]
    missing, pos = [], 0
    for s in shown:
        s = s.rstrip()
        if s == "..." or s == "":
            continue
        try:
            pos = have.index(s, pos) + 1
        except ValueError:
            missing.append(s)
    return missing


def main(argv):
    if len(argv) not in (3, 4) or (len(argv) == 4 and argv[3] != "--all"):
        sys.stderr.write(__doc__)
        return 2
    readme, workdir, run_all = argv[1], argv[2], len(argv) == 4
    problems, ran, skipped, deferred = [], 0, 0, []
    where = os.path.basename(readme)

    def runs(attrs):
        return "run" in attrs or ("run-slow" in attrs and run_all)
    for line, lang, attrs, body in blocks(readme):
        if "file" in attrs:
            dest = os.path.join(workdir, attrs["file"])
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "w", encoding="utf-8") as fh:
                fh.write("\n".join(body) + "\n")
            continue
        if "run-slow" in attrs and not run_all:
            skipped += 1
            print("skipped (run-slow; README_EXAMPLES=all runs it): %s:%d" % (where, line))
            continue
        if not runs(attrs):
            continue
        if lang == "python":
            deferred.append((line, body))
            continue
        want = int(attrs.get("status", 0) or 0)
        if lang == "sh":
            for k, cmd in enumerate(body):
                if not cmd.strip() or cmd.lstrip().startswith("#"):
                    continue
                rc, out, secs = shell(cmd, workdir)
                ran += 1
                print("%5.1f s  %s:%d: %s" % (secs, where, line + 1 + k, cmd))
                if rc != want:
                    problems.append("%s:%d: '%s' exited %d, expected %d:\n    %s"
                                    % (where, line + 1 + k, cmd, rc, want,
                                       out.strip().replace("\n", "\n    ")[-2000:]))
        elif lang == "console":
            k = 0
            while k < len(body):
                if not body[k].startswith("$ "):
                    k += 1
                    continue
                cmd, start = body[k][2:], k
                k += 1
                shown = []
                while k < len(body) and not body[k].startswith("$ "):
                    shown.append(body[k])
                    k += 1
                rc, out, secs = shell(cmd, workdir)
                ran += 1
                print("%5.1f s  %s:%d: %s" % (secs, where, line + 1 + start, cmd))
                if rc != want:
                    problems.append("%s:%d: '%s' exited %d, expected %d" % (
                        where, line + 1 + start, cmd, rc, want))
                for m in check_output(shown, out):
                    problems.append("%s:%d: '%s' did not print the line shown:\n    %s\n  it "
                                    "printed:\n    %s" % (where, line + 1 + start, cmd, m,
                                                          out.strip().replace("\n", "\n    ")))
        else:
            problems.append("%s:%d: a '%s' block cannot run (sh, console or python)"
                            % (where, line, lang))
    for line, body in deferred:
        t0 = time.time()
        p = subprocess.run(["/usr/bin/python3", "-"], cwd=workdir, input="\n".join(body).encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT_S)
        ran += 1
        print("%5.1f s  %s:%d: python block" % (time.time() - t0, where, line))
        if p.returncode != 0:
            problems.append("%s:%d: the python block failed:\n    %s" % (
                where, line, p.stdout.decode("utf-8", "replace").strip().replace("\n", "\n    ")))
    print("%d examples run, %d blocks skipped" % (ran, skipped))
    if ran == 0:
        problems.append("%s: no example marked to run" % where)
    for p in problems:
        print("PROBLEM: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
