#!/usr/bin/env bash
# The benchmark: our silo and collector side by side with what people would use instead
# (nginx for downloads, websocketd running gdb for terminals, cat for the collector, a bare
# Kestrel answering the same JSON for the processor call), each pair interleaved on this
# machine, written to bench/RESULTS.md. Two silos on one redis-server: the second node's
# gateway serves the first's sessions, against the first's own.
#   bench/run.sh           full run (about 5 minutes; needs ~4 GB free under $TMPDIR)
#   bench/run.sh --quick   smoke run with small sizes, written to artifacts/bench-quick.md
#   --downloads            the download rows alone (about a minute), written to artifacts/bench-downloads.md
#   --processor            the processor rows alone, written to artifacts/bench-processor.md
#   --no-build             use what is built already (test.sh runs the smoke after its build)
#   bench/run.sh --crash-reports   only crash reports: crash-to-report p50/p99 over 20 crashes and gdb CPU
#                          per report for a small and a 1 GiB core (bench/crash-reports.py; points
#                          kernel.core_pattern at the collector while it runs, restores it), printed
set -euo pipefail
cd "$(dirname "$0")/.."

quick=""
only=""
build=yes
crash_reports=""
for argument in "$@"; do
    case "$argument" in
        --quick) quick="--quick" ;;
        --downloads) only="--downloads-only" ;;
        --processor) only="--processor-only" ;;
        --no-build) build="" ;;
        --crash-reports) crash_reports=yes ;;
        *) echo "usage: bench/run.sh [--quick] [--downloads] [--processor] [--crash-reports] [--no-build]" >&2; exit 2 ;;
    esac
done

# --- anchors and tools, from Debian when missing ------------------------------------------
missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
command -v websocketd >/dev/null || missing+=(websocketd)
command -v wrk >/dev/null || missing+=(wrk)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v gdb >/dev/null || missing+=(gdb)
command -v setpriv >/dev/null || missing+=(util-linux)
command -v npm >/dev/null || missing+=(nodejs npm)
command -v clang >/dev/null || missing+=(clang)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
    echo "bench: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -n "$build" ]; then
    dotnet build Silo.sln -c Release --nologo -v quiet -clp:ErrorsOnly
    dotnet publish src/CoreFileProfiler.Collector -c Release --nologo -v quiet -clp:ErrorsOnly
fi
collector=src/CoreFileProfiler.Collector/bin/Release/net10.0/linux-x64/publish/core-collector
silo_dll=src/CoreFileProfiler.Silo/bin/Release/net10.0/CoreFileProfiler.Silo.dll
driver=bench/Driver/bin/Release/net10.0/bench-driver
if [ -n "$crash_reports" ]; then
    exec python3 bench/crash-reports.py "$silo_dll" "$collector" 20 1024
fi

# --- inputs -------------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/cfp-bench.XXXXXX")
pids=()
cleanup() {
    # Newest first, each gone before the next: a silo leaves the cluster through redis-server, started first.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill "${pids[i]}" 2>/dev/null || true
        wait "${pids[i]}" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

if [ -n "$quick" ] || [ "$only" = --processor-only ]; then big_mib=64; bulk_lines=20000; collector_mib=32; else big_mib=2048; bulk_lines=660000; collector_mib=1024; fi
cores="$work/cores"
mkdir -p "$cores/kubernetes/bench/big/app"
big="$cores/kubernetes/bench/big/app/1_20261127-000000"
head -c $((big_mib << 20)) /dev/urandom > "$big"
head -c $((collector_mib << 20)) "$big" > "$work/collector-input"
# A real core with notes that name its program: gcore of a sleeping process.
mkdir -p "$cores/kubernetes/bench/crash/app"
sleep 600 & sleeper=$!
crash_core="$cores/kubernetes/bench/crash/app/${sleeper}_20261127-000000"
gdb -q -nx -batch -ex "gcore $crash_core" -p $sleeper >/dev/null
kill $sleeper

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
silo_port=$(free_port); other_port=$(free_port); nginx_port=$(free_port); websocketd_port=$(free_port); kestrel_port=$(free_port)
redis_port=$(free_port); redis_password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
# A cluster on Redis seals what it keeps there with keys derived from the admin token, so it needs one.
admin_token=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')

# --- two silos on one redis-server, nginx, websocketd and a bare Kestrel ------------------------
redis-server --bind 127.0.0.1 --port "$redis_port" --requirepass "$redis_password" --save '' --appendonly no \
    > "$work/redis.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break; sleep 0.1; done
cluster=(--Cluster:Provider=Redis "--Cluster:Redis=127.0.0.1:$redis_port,password=$redis_password" --Cluster:AdvertisedAddress=127.0.0.1 "--Auth:AdminToken=$admin_token")

ASPNETCORE_ENVIRONMENT=Production dotnet "$silo_dll" --Urls=http://127.0.0.1:$silo_port \
    --Profiler:NodeName=bench --Profiler:CoreRoot="$cores" --Profiler:MaxSessions=1000000 \
    --Cluster:SiloPort="$(free_port)" --Cluster:ForwardingPort="$(free_port)" "${cluster[@]}" > "$work/silo.log" 2>&1 &
silo_pid=$!; pids+=($silo_pid)
mkdir -p "$work/cores-other"
ASPNETCORE_ENVIRONMENT=Production dotnet "$silo_dll" --Urls=http://127.0.0.1:$other_port \
    --Profiler:NodeName=bench-other --Profiler:CoreRoot="$work/cores-other" \
    --Cluster:SiloPort="$(free_port)" --Cluster:ForwardingPort="$(free_port)" "${cluster[@]}" > "$work/silo-other.log" 2>&1 & pids+=($!)

cat > "$work/nginx.conf" <<NGINX
daemon off;
user root;
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    sendfile on;
    tcp_nopush on;
    access_log off;
    default_type application/octet-stream;
    server { listen 127.0.0.1:$nginx_port; root $cores; }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work" & pids+=($!)

# The original profiler's transport: a process per connection, gdb over pipes, a line per message.
websocketd --address=127.0.0.1 --port="$websocketd_port" --loglevel=error gdb -q -nx /usr/bin/sleep "$crash_core" \
    > "$work/websocketd.log" 2>&1 & pids+=($!)

# The processor's anchor: Kestrel answering the same JSON with nothing behind it.
"$driver" bare-kestrel --url "http://127.0.0.1:$kestrel_port" > "$work/bare-kestrel.log" 2>&1 & pids+=($!)

for _ in $(seq 600); do curl -sf -o /dev/null "http://127.0.0.1:$silo_port/readyz" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$silo_port/readyz" || { echo "bench: the silo did not start"; tail -20 "$work/silo.log"; exit 1; }
# Until the other gateway sees both nodes up, it cannot reach the first's sessions.
for _ in $(seq 600); do [ "$(curl -sf -H "Authorization: Bearer $admin_token" "http://127.0.0.1:$other_port/api/nodes" | grep -o '"status":"up"' | wc -l)" -ge 2 ] && break; sleep 0.1; done
[ "$(curl -sf -H "Authorization: Bearer $admin_token" "http://127.0.0.1:$other_port/api/nodes" | grep -o '"status":"up"' | wc -l)" -ge 2 ] \
    || { echo "bench: the second silo did not join"; tail -20 "$work/silo-other.log"; exit 1; }
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$nginx_port/" && curl -s -o /dev/null "http://127.0.0.1:$websocketd_port/" \
    && curl -s -o /dev/null "http://127.0.0.1:$kestrel_port/" && break; sleep 0.1; done

machine="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr), .NET $(dotnet --version), nginx $(nginx -v 2>&1 | cut -d/ -f2), websocketd $(dpkg-query -W -f="\${Version}" websocketd 2>/dev/null || echo unknown), loopback"
out=bench/RESULTS.md
[ -n "$quick" ] && out=artifacts/bench-quick.md
[ "$only" = --downloads-only ] && out=artifacts/bench-downloads.md
[ "$only" = --processor-only ] && out=artifacts/bench-processor.md
mkdir -p "$(dirname "$out")"

"$driver" suite $quick $only --silo "http://127.0.0.1:$silo_port" --silo-pid "$silo_pid" --other-gateway "http://127.0.0.1:$other_port" \
    --nginx "http://127.0.0.1:$nginx_port" --websocketd "ws://127.0.0.1:$websocketd_port/" \
    --bare-kestrel "http://127.0.0.1:$kestrel_port" \
    --core-root "$cores" --big "$big" --crash-core "$crash_core" --bulk-lines "$bulk_lines" \
    --collector "$PWD/$collector" --collector-input "$work/collector-input" \
    --work "$work" --machine "$machine" --out "$out"
echo "bench: wrote $out"
