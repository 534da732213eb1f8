// Real silos, dockerd, gdb and Chromium share two cores: one test collection at a time keeps timings honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
