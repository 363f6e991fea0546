#!/usr/bin/env python3
"""atan_fit.py — the coefficients of psychro_atan (sim/weather/psychro.c).

atan(u) = u + u z P(z) with z = u^2 for |u| <= tan(pi/8): P, of degree 10, interpolates
f(z) = (atan(sqrt z)/sqrt z - 1)/z at the 11 Chebyshev nodes of [0, tan^2(pi/8)], solved in
50-digit arithmetic (mpmath). Prints the coefficients (constant term first) and the largest
relative error of u + u z P(z) against atan(u) on a fine grid, before any rounding to double.
Usage: python3 tools/atan_fit.py [DEGREE]
"""
import sys

import mpmath as mp

mp.mp.dps = 50
DEGREE = int(sys.argv[1]) if len(sys.argv) > 1 else 10
ZMAX = (mp.sqrt(2) - 1) ** 2


def f(z):
    if z == 0:
        return mp.mpf(-1) / 3
    s = mp.sqrt(z)
    return (mp.atan(s) / s - 1) / z


n = DEGREE + 1
nodes = [ZMAX / 2 * (1 - mp.cos(mp.pi * (2 * k + 1) / (2 * n))) for k in range(n)]
coef = mp.lu_solve(mp.matrix([[x ** j for j in range(n)] for x in nodes]),
                   mp.matrix([f(x) for x in nodes]))
worst = 0
for i in range(1, 4001):
    z = ZMAX * i / 4000
    u = mp.sqrt(z)
    p = sum(coef[j] * z ** j for j in range(n))
    worst = max(worst, abs((u + u * z * p) - mp.atan(u)) / mp.atan(u))
print(",\n".join(mp.nstr(c, 21, strip_zeros=False) for c in coef))
print("largest relative error:", mp.nstr(worst, 3), file=sys.stderr)
