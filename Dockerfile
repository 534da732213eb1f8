# syntax=docker/dockerfile:1
# Core File Profiler: the silo and the NativeAOT core-collector in one image.
#   docker build --build-arg DOTNET_IMAGES=<registry serving the official .NET images> -t core-file-profiler .
# The .NET base images are named by registry so that a mirror can be used; pass the one you pull from.
ARG DOTNET_IMAGES
ARG DOTNET_VERSION=10.0

# --- build: the silo (with xterm.js from npm) and the collector (NativeAOT, needs clang) -----------
FROM ${DOTNET_IMAGES}/dotnet/sdk:${DOTNET_VERSION} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends clang zlib1g-dev nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/CoreFileProfiler.Silo -c Release -o /out/silo \
    && dotnet publish src/CoreFileProfiler.Collector -c Release -o /out/collector

# --- runtime: ASP.NET Core, gdb (with its debuginfod client), the silo and the collector ------------
FROM ${DOTNET_IMAGES}/dotnet/aspnet:${DOTNET_VERSION} AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends gdb libdebuginfod1 util-linux curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/silo/ /app/
COPY --from=build /out/collector/core-collector /app/core-collector
ENV ASPNETCORE_ENVIRONMENT=Production \
    Urls=http://0.0.0.0:8090
EXPOSE 8090 11111
# Root, and only because attaching gdb or gcore to another user's process needs it (ptrace, with
# the pod's SYS_PTRACE capability), as does reading other containers' files through /proc/<pid>/root.
USER root
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s CMD curl -fsS http://127.0.0.1:8090/healthz || exit 1
ENTRYPOINT ["dotnet", "/app/CoreFileProfiler.Silo.dll"]
