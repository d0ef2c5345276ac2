# The seeds' I/O-bound threads as a reader of a GIL explanation would type
# them: W workers each make R requests that wait L seconds for the
# (simulated) network, then record the answer in a shared dict under a
# lock. Sleeping releases the GIL, so the waits overlap and W threads take
# about as long as one worker's requests, even under a global lock.
# CPython runs this file too.
#
#     refpy_gil lang/seeds/io_bound_verbatim.py [W R L]   (defaults 8 10 0.02)
# test: 4 5 0.005
import sys
import threading
import time

W, R, L = 8, 10, 0.02
if len(sys.argv) > 3:
    W, R, L = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])

lock = threading.Lock()


def fetch(worker, results):
    for r in range(R):
        time.sleep(L)  # waiting for the network
        key = f"w{worker}-r{r}"
        lock.acquire()
        results[key] = len(key) * 10 + r
        lock.release()


def main():
    answers = {}
    start = time.time()
    for w in range(W):
        fetch(w, answers)
    sequential = time.time() - start

    results = {}
    start = time.time()
    threads = [threading.Thread(target=fetch, args=(w, results)) for w in range(W)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    threaded = time.time() - start

    print(f"{len(results)} answers, total {sum(results.values())}")
    print(f"same answers: {sorted(results.items()) == sorted(answers.items())}")
    print(f"Sequential: {sequential:.2f} seconds")
    print(f"Threaded: {threaded:.2f} seconds")
    print(f"elapsed: {sequential / threaded:.1f}x faster with threads")


if __name__ == "__main__":
    main()
