"""Per ingest run: wall, and CPU seconds of workerd's main thread and of vitest (see bench/ingest-cpu.sh)."""
import re
import sys

log = sys.argv[1]


def sec(t):
    h, m, s = t.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


samples = []
for line in open(log + ".samples"):
    m = re.match(r"(\S+) SAMPLE workerd_main=(\d+) vitest=(\d*)", line)
    if m:
        samples.append((sec(m.group(1)), int(m.group(2)), int(m.group(3) or 0)))


def at(t):
    return min(samples, key=lambda x: abs(x[0] - t))


for line in open(log):
    m = re.match(r'(\S+) .*ingest run (\d+): \{"ms":(\d+)', line)
    if m:
        end = sec(m.group(1))
        ms = int(m.group(3))
        a, b = at(end - ms / 1000), at(end)
        print(
            f"run {m.group(2)}: wall {ms / 1000:.1f} s, workerd main thread CPU {(b[1] - a[1]) / 100:.1f} s, "
            f"vitest (sandbox) CPU {(b[2] - a[2]) / 100:.1f} s"
        )
