# A container-heavy program: build lists and dicts of records, index them,
# and fold them back, in T threads. Used to compare the strategies under an
# interpreter whose work is mostly container reads and writes.
#
#     refpy_gil lang/seeds/containers.py [N T]   (defaults 200000 2)
# test: 5000 2

N = 200000
T = 2
if len(argv) > 2:
    N = int(argv[1])
    T = int(argv[2])

def work(seed):
    by_key = {}
    rows = []
    for i in range(N):
        row = [i, seed, "k" + str(i % 1000)]
        rows.append(row)
        key = row[2]
        by_key[key] = by_key.get(key, 0) + i
    total = 0
    for key in by_key.keys():
        total += by_key[key]
    while len(rows) > 0:
        total -= rows.pop()[0]
    return total + len(by_key) * (seed + 1)

start = time()
threads = []
for t in range(T):
    threads.append(thread(work, t))
checks = []
for t in threads:
    checks.append(t.join())
print(T, "threads, checks", checks)
print("elapsed", strategy(), time() - start, "s")
