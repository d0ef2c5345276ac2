# The seeds' 99 sleeping threads, as a reader of a GIL explanation would
# type it: CPython runs this file too. Sleeping releases the GIL, so the
# threads sleep at the same time: the whole takes about S seconds.
#
#     refpy_gil lang/seeds/threads_verbatim.py [S]      (S defaults to 10)
# test: 0.05
# test-ignore: ^(len\(threading|threading\.enumerate|main_thread=|main_thread\.native_id|threading\.active_count\(\)=[0-9]+$)
import sys
import threading
import time

S = 10
if len(sys.argv) > 1:
    S = float(sys.argv[1])


def main():
    threads = [threading.Thread(target=lambda: time.sleep(S)) for _ in range(99)]
    start = time.time()
    for t in threads:
        t.start()
    main_thread = threading.main_thread()
    print(f"""{len(threading.enumerate())=}
{threading.enumerate()[:2]=}
{main_thread=}
{main_thread.name=}
{main_thread.native_id=}
{main_thread.is_alive()=}
{threading.active_count()=}""")
    for t in threads:
        t.join()
    print(f"{threading.active_count()=}, {threads[0].is_alive()=}")
    print(f"elapsed: {time.time() - start:.2f} seconds for 99 sleeps of {S} s")


if __name__ == "__main__":
    main()
