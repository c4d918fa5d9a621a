// The end-to-end tests here each start whole `apo` processes that keep a core busy for minutes
// (run, resume, cluster, bench). Run in parallel on a 2-core machine they slowed each other several-fold
// and made the timed ones (`apo bench --preset tiny` in ≤ 10 minutes) measure contention instead.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
