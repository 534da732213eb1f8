#!/usr/bin/env python3
"""Crash reports, measured: the time from a crash to its report on disk (p50/p99 over N crashes
through the kernel, core_pattern pointed at the published collector and restored after), and gdb's
CPU seconds per report for a small core and a large one (the silo's reaped children's CPU time,
/proc/<silo>/stat cutime+cstime, read around each report). Changes kernel.core_pattern while it runs.
    bench/crash-reports.py <silo.dll> <core-collector> [crashes=20] [large_mib=1024]
"""
import json, os, shutil, socket, statistics, subprocess, sys, tempfile, time

silo_dll, collector = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
crashes = int(sys.argv[3]) if len(sys.argv) > 3 else 20
large_mib = int(sys.argv[4]) if len(sys.argv) > 4 else 1024
ticks = os.sysconf("SC_CLK_TCK")
work = tempfile.mkdtemp(prefix="cfp-crash-bench.")
cores = os.path.join(work, "cores")
os.makedirs(cores)

SOURCE = r"""
#include <stdlib.h>
#include <string.h>
__attribute__((noinline)) void crash_here(int *where) { *where = 1; }
int main(int argc, char **argv) {
    size_t mib = argc > 1 ? strtoull(argv[1], NULL, 10) : 0;
    if (mib) { char *memory = malloc(mib << 20); for (size_t i = 0; i < (mib << 20); i += 4096) memory[i] = (char)i; }
    crash_here(0);
    return 0;
}
"""
with open(os.path.join(work, "crasher.c"), "w") as f:
    f.write(SOURCE)
subprocess.run(["gcc", "-g", "-O0", "-o", "crasher", "crasher.c"], cwd=work, check=True)
shutil.copy(collector, os.path.join(work, "core-collector"))
with open(os.path.join(work, "core-collector.json"), "w") as f:
    json.dump({"coreRoot": cores, "minFreeBytes": 1 << 20}, f)

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def children_cpu(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / ticks  # cutime, cstime

def reports():
    return {os.path.join(d, n) for d, _, names in os.walk(cores) for n in names if n.endswith(".report.json")}

def crash(mib=0):
    """Crashes the program; returns (seconds from its start to its report, the report's path)."""
    before = reports()
    start = time.monotonic()
    subprocess.run(["sh", "-c", f"ulimit -c unlimited; exec {work}/crasher {mib}"], cwd=work)
    while True:
        new = reports() - before
        if new:
            return time.monotonic() - start, new.pop()
        if time.monotonic() - start > 120:
            raise TimeoutError("no report within 120 s")
        time.sleep(0.005)

port = free_port()
silo = subprocess.Popen(["dotnet", silo_dll, f"--Urls=http://127.0.0.1:{port}", "--Profiler:NodeName=bench",
                         f"--Profiler:CoreRoot={cores}", f"--Cluster:SiloPort={free_port()}", "--Cluster:ForwardingPort=0"],
                        cwd=os.path.dirname(silo_dll), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                        env={**os.environ, "ASPNETCORE_ENVIRONMENT": "Production"})
subprocess.run([os.path.join(work, "core-collector"), "install"], check=True, stdout=subprocess.DEVNULL)
try:
    for _ in range(600):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    time.sleep(3)  # the sandbox probe and the catch-up
    latencies, cpu = [], []
    for _ in range(crashes):
        used = children_cpu(silo.pid)
        seconds, report = crash()
        time.sleep(0.2)  # gdb reaped after the report is written
        latencies.append(seconds)
        cpu.append(children_cpu(silo.pid) - used)
        assert json.load(open(report))["summary"].startswith("SIGSEGV in crash_here"), open(report).read()
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(round(0.99 * (len(latencies) - 1))))]
    print(f"crash to report over {crashes} crashes: p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")
    print(f"gdb CPU per report, small core: {statistics.mean(cpu):.2f} s (min {min(cpu):.2f}, max {max(cpu):.2f})")
    used = children_cpu(silo.pid)
    seconds, report = crash(large_mib)
    time.sleep(0.5)
    size = max((os.path.getsize(os.path.join(d, n)) for d, _, names in os.walk(cores) for n in names if not n.endswith(".json")), default=0)
    print(f"{size >> 20} MiB core: report {seconds:.1f} s after the crash (the kernel's dump and the collector included), gdb CPU {children_cpu(silo.pid) - used:.2f} s; {json.load(open(report))['summary']}")
finally:
    subprocess.run([os.path.join(work, "core-collector"), "uninstall"], stdout=subprocess.DEVNULL)
    silo.terminate()
    silo.wait()
    shutil.rmtree(work, ignore_errors=True)
