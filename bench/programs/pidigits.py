# pidigits: the first n digits of pi by Gibbons' unbounded spigot
# algorithm, in arbitrary-precision ints that grow to thousands of digits.
# bench(n) returns the digits, ten to a line, as the benchmark game prints
# them.
# test: 120
# compare: 2000
import sys


def digits(n):
    q, r, t, k, m, x = 1, 0, 1, 1, 3, 3
    out = []
    while len(out) < n:
        if 4 * q + r - t < m * t:
            out.append(m)
            q, r, m = 10 * q, 10 * (r - m * t), (10 * (3 * q + r)) // t - 10 * m
        else:
            q, r, t, k, m, x = (q * k, (2 * q + r) * x, t * x, k + 1,
                                (q * (7 * k + 2) + r * x) // (t * x), x + 2)
    return out


def bench(n):
    ds = digits(n)
    lines = []
    for i in range(0, n, 10):
        chunk = "".join([str(d) for d in ds[i:i + 10]])
        lines.append(f"{chunk:<10}\t:{min(i + 10, n)}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(bench(int(sys.argv[1]) if len(sys.argv) > 1 else 3000))
