# The seeds' sleeping threads: 99 threads each sleep S seconds. Sleeping
# happens in the runtime's release region, so the sleeps overlap under every
# strategy: the whole takes about S, not 99 * S.
#
#     refpy_gil lang/seeds/sleepers.py [S]       (S defaults to 1.0)
# test: 0.05

S = 1.0
if len(argv) > 1:
    S = float(argv[1])

def sleeper(i):
    sleep(S)
    return i

start = time()
threads = []
for i in range(99):
    threads.append(thread(sleeper, i))
total = 0
for t in threads:
    total += t.join()
print("joined", len(threads), "threads; sum of their results", total)
print("elapsed", strategy(), time() - start, "s for 99 sleeps of", S, "s")
