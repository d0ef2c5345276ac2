# The seeds' CPU-bound program: count to N twice in a row, then in two
# threads at once. Under a global lock (//:gil) the threads take turns, so
# both ways take about as long; with no global lock (//:nogil,
# //:finegrained) two cores count at once and the threads take about half.
#
#     refpy_gil lang/seeds/count.py [N]          (N defaults to 10,000,000)
#
# Lines starting with "elapsed" carry the timings; the rest is checked by
# //lang:seeds_test.
# test: 100000

N = 10000000
if len(argv) > 1:
    N = int(argv[1])

def count(n):
    i = 0
    while i < n:
        i = i + 1
    return i

start = time()
a = count(N)
b = count(N)
sequential = time() - start
print("twice in a row:", a + b)

start = time()
t1 = thread(count, N)
t2 = thread(count, N)
total = t1.join() + t2.join()
threaded = time() - start
print("two threads:", total)

print("elapsed", strategy(), "sequential", sequential, "s; two threads", threaded,
      "s; ratio", threaded / sequential)
