# fannkuch-redux: over every permutation of 1..n (generated in the
# benchmark game's order), count the flips of the first k items until 1
# comes first; return the checksum and the largest count. Lists, indexing
# and while loops.
# test: 7
# compare: 8
import sys


def bench(n):
    perm1 = list(range(n))
    count = [0 for _ in range(n)]
    max_flips = 0
    checksum = 0
    sign = 1
    r = n
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        perm = list(perm1)
        flips = 0
        k = perm[0]
        while k != 0:
            i = 0
            j = k
            while i < j:
                perm[i], perm[j] = perm[j], perm[i]
                i += 1
                j -= 1
            flips += 1
            k = perm[0]
        if flips > max_flips:
            max_flips = flips
        checksum += sign * flips
        sign = -sign
        while True:
            if r == n:
                return f"{checksum}\nPfannkuchen({n}) = {max_flips}"
            first = perm1[0]
            i = 0
            while i < r:
                perm1[i] = perm1[i + 1]
                i += 1
            perm1[r] = first
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1


if __name__ == "__main__":
    print(bench(int(sys.argv[1]) if len(sys.argv) > 1 else 9))
