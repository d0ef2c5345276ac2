# spectral-norm: the largest singular value of the infinite matrix
# A[i][j] = 1 / ((i + j)(i + j + 1) / 2 + i + 1), by power iteration on
# n x n; function calls and float arithmetic. bench(n) returns it to 9
# places.
# test: 20
# compare: 140
import sys


def a(i, j):
    ij = i + j
    return 1.0 / (ij * (ij + 1) // 2 + i + 1)


def times(v):
    n = len(v)
    return [sum([a(i, j) * v[j] for j in range(n)]) for i in range(n)]


def times_transposed(v):
    n = len(v)
    return [sum([a(j, i) * v[j] for j in range(n)]) for i in range(n)]


def times_ata(v):
    return times_transposed(times(v))


def bench(n):
    u = [1.0 for _ in range(n)]
    v = u
    for _ in range(10):
        v = times_ata(u)
        u = times_ata(v)
    vbv = sum([ue * ve for ue, ve in zip(u, v)])
    vv = sum([ve * ve for ve in v])
    return f"{(vbv / vv) ** 0.5:.9f}"


if __name__ == "__main__":
    print(bench(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
