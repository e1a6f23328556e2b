"""Rotations (transforms3d style) and cash-flow formulas (numpy-financial style)."""

import numpy as np
from numpy import cos, sin


def quat2mat(q):
    w, x, y, z = q
    Nq = w * w + x * x + y * y + z * z
    if Nq < np.finfo(np.float64).eps:
        return np.eye(3)
    s = 2.0 / Nq
    X, Y, Z = x * s, y * s, z * s
    wX, wY, wZ = w * X, w * Y, w * Z
    xX, xY, xZ = x * X, x * Y, x * Z
    yY, yZ, zZ = y * Y, y * Z, z * Z
    return np.array([[1.0 - (yY + zZ), xY - wZ, xZ + wY],
                     [xY + wZ, 1.0 - (xX + zZ), yZ - wX],
                     [xZ - wY, yZ + wX, 1.0 - (xX + yY)]])


def euler2mat(ai, aj, ak):
    si, sj, sk = sin(ai), sin(aj), sin(ak)
    ci, cj, ck = cos(ai), cos(aj), cos(ak)
    cc, cs = ci * ck, ci * sk
    sc, ss = si * ck, si * sk
    M = np.eye(3)
    M[0, 0] = cj * ck
    M[0, 1] = sj * sc - cs
    M[0, 2] = sj * cc + ss
    M[1, 0] = cj * sk
    M[1, 1] = sj * ss + cc
    M[1, 2] = sj * cs - sc
    M[2, 0] = -sj
    M[2, 1] = cj * si
    M[2, 2] = cj * ci
    return M


def rotate_points(points, angles):
    R = euler2mat(*angles)
    return points @ R.T


def npv(rate, values):
    values = np.atleast_2d(values)
    timestep_array = np.arange(0, values.shape[1])
    npv = (values / (1 + rate) ** timestep_array).sum(axis=1)
    return npv[0]


def pmt(rate, nper, pv, fv=0.0, when=0):
    temp = (1 + rate) ** nper
    mask = rate == 0
    masked_rate = np.where(mask, 1.0, rate)
    fact = np.where(mask, nper, (1 + masked_rate * when) * (temp - 1) / masked_rate)
    return -(fv + pv * temp) / fact


def irr_by_roots(values):
    res = np.roots(values[::-1])
    mask = (res.imag == 0) & (res.real > 0)
    rate = 1 / res[mask].real - 1
    return rate[np.argmin(np.abs(rate))]


def _rng(np_):
    return np_.random.default_rng(13)


CASES = [
    ("quat2mat", quat2mat, lambda np_: (np_.array([0.9, 0.1, -0.3, 0.2]),)),
    ("euler2mat", euler2mat, lambda np_: (0.3, -1.1, 2.0)),
    ("rotate_points", rotate_points, lambda np_: (_rng(np_).normal(size=(7, 3)), (0.1, 0.2, 0.3))),
    ("npv", npv, lambda np_: (0.05, np_.array([-100.0, 39.0, 59.0, 55.0, 20.0]))),
    ("pmt", pmt, lambda np_: (np_.array([0.0, 0.075 / 12]), 60, 15000.0)),
    ("irr_by_roots", irr_by_roots, lambda np_: (np_.array([-100.0, 39.0, 59.0, 55.0, 20.0]),)),
]
