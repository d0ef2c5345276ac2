# n-queens: count the ways to place n queens on an n x n board, by
# backtracking over rows with lists of taken columns and diagonals;
# recursion and list indexing. bench(n) returns the count and the first
# solution found.
# test: 6
# compare: 11
import sys


def solve(n, row, cols, diag1, diag2, placed, found):
    if row == n:
        if not found:
            found.append(list(placed))
        return 1
    total = 0
    for c in range(n):
        if not cols[c] and not diag1[row + c] and not diag2[row - c + n - 1]:
            cols[c] = diag1[row + c] = diag2[row - c + n - 1] = True
            placed.append(c)
            total += solve(n, row + 1, cols, diag1, diag2, placed, found)
            placed.pop()
            cols[c] = diag1[row + c] = diag2[row - c + n - 1] = False
    return total


def bench(n):
    found = []
    total = solve(n, 0, [False for _ in range(n)], [False for _ in range(2 * n)],
                  [False for _ in range(2 * n)], [], found)
    return f"{total} solutions, the first: {found[0]}"


if __name__ == "__main__":
    print(bench(int(sys.argv[1]) if len(sys.argv) > 1 else 12))
