# The seeds' I/O-bound threads: each of W workers makes R requests, and each
# request waits L seconds for the (simulated) network before its answer is
# recorded in a shared dict under a Lock. The waits overlap, so W workers
# take about as long as one: threads help I/O-bound work even under a global
# lock.
#
#     refpy_gil lang/seeds/io_bound.py [W R L]   (defaults 8 10 0.02)
# test: 4 5 0.005

W = 8
R = 10
L = 0.02
if len(argv) > 3:
    W = int(argv[1])
    R = int(argv[2])
    L = float(argv[3])

results = {}
lock = Lock()

def fetch(worker):
    for r in range(R):
        sleep(L)  # the network
        key = "w" + str(worker) + "-r" + str(r)
        answer = len(key) * 10 + r
        lock.acquire()
        results[key] = answer
        lock.release()
    return R

def run(workers):
    threads = []
    for w in range(workers):
        threads.append(thread(fetch, w))
    done = 0
    for t in threads:
        done += t.join()
    return done

start = time()
fetch(W)
one = time() - start
start = time()
done = run(W)
many = time() - start

total = 0
for key in results:
    total += results[key]
print(W, "workers made", done, "requests;", len(results), "distinct answers, sum", total)
print("elapsed", strategy(), "one worker", one, "s;", W, "workers", many, "s")
