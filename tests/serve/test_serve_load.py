"""A bounded load test of `ganzoo serve`: several clients at once, every
request answered, every picture the one its seed draws alone, and the
server's memory steady (resident size after the load within a bound of
before, once warm)."""

import concurrent.futures
import time

import pytest
from serve_helpers import request

pytestmark = pytest.mark.slow

CLIENTS = 8
REQUESTS_PER_CLIENT = 30
#: Growth of the resident size allowed over the load, once warm: a leak of one
#: picture's buffers per request (200 KB x 240) would pass it several times over.
RSS_BOUND_MB = 40


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def test_many_clients_at_once_all_answered_memory_steady(server, capsys):
    paths = [f"/api/runs/dcgan/sample.png?seed={s}&n=16" for s in range(5)]
    expected = {path: request(server, path)[2] for path in paths}
    others = ["/api/runs", "/api/runs/dcgan", "/api/runs/dcgan/grids/1.png", "/", "/static/app.js"]

    def client(k):
        answers = []
        for i in range(REQUESTS_PER_CLIENT):
            path = paths[(k + i) % len(paths)] if i % 3 else others[(k + i) % len(others)]
            status, _, body = request(server, path)
            answers.append((path, status, body))
        return answers

    def load():
        with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
            return [a for answers in pool.map(client, range(CLIENTS)) for a in answers]

    load()                                    # warm: every thread's first use, allocator pools
    before = rss_mb()
    started = time.monotonic()
    answers = load()
    took = time.monotonic() - started
    after = rss_mb()
    assert len(answers) == CLIENTS * REQUESTS_PER_CLIENT
    assert [status for _, status, _ in answers] == [200] * len(answers)
    wrong = [path for path, _, body in answers if path in expected and body != expected[path]]
    assert wrong == []
    with capsys.disabled():
        print(f"\nload: {CLIENTS} clients x {REQUESTS_PER_CLIENT} requests ({sum(p in expected for p, _, _ in answers)} "
              f"pictures) in {took:.1f} s; RSS {before:.0f} MB -> {after:.0f} MB ({after - before:+.1f} MB)")
    assert after - before < RSS_BOUND_MB
