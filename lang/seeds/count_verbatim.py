# The seeds' CPU-bound comparison as a reader of a GIL explanation would
# type it: count to N twice in a row, then in two threads, then in two
# processes, each timed. CPython runs this file too. Under a global lock
# the threads take as long as counting twice; processes (and, without a
# global lock, threads) take about half.
#
#     refpy_gil lang/seeds/count_verbatim.py [N]      (N defaults to 10**7)
# test: 100000
import sys
import time
from threading import Thread
from multiprocessing import Process

N = 10000000
if len(sys.argv) > 1:
    N = int(sys.argv[1])


def count():
    total = 0
    for _ in range(N):
        total += 1


if __name__ == "__main__":
    start = time.time()
    count()
    count()
    t = time.time() - start
    print(f"Time without threads: {t:.2f} seconds")

    start = time.time()
    t1 = Thread(target=count)
    t2 = Thread(target=count)
    t1.start()
    t2.start()
    t1.join()
    t2.join()
    t = time.time() - start
    print(f"Time with threads: {t:.2f} seconds")

    start = time.time()
    p1 = Process(target=count)
    p2 = Process(target=count)
    p1.start()
    p2.start()
    p1.join()
    p2.join()
    t = time.time() - start
    print(f"Time with processes: {t:.2f} seconds")
    print(f"{p1.exitcode=}, {p2.exitcode=}")
