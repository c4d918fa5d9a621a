using Apo.Abstractions.Weights;
using Apo.Model.Qwen2;
using Apo.Model.Text;
using static TorchSharp.torch;

namespace Apo.Grains.Weights;

/// <summary>
/// A weight store for one process (the embedded run): each published version is an in-memory CPU
/// copy of the policy's parameters, no files. Only the latest <c>keep</c> versions per run are
/// kept (older snapshots are disposed), because generators only ever ask for the current one or
/// the one before it. Locations look like <c>memory://{runId}/v{version}</c>.
/// </summary>
public sealed class InProcessWeightStore : IWeightStore, IDisposable
{
    /// <summary>Prefix of every location this store hands out.</summary>
    public const string Scheme = "memory://";

    readonly int keep;
    readonly object gate = new();
    // run id → version → parameter snapshot (CPU tensors owned by this store)
    readonly Dictionary<string, SortedDictionary<long, Dictionary<string, Tensor>>> runs = new(StringComparer.Ordinal);

    /// <summary>Creates a store that keeps the latest <paramref name="keep"/> versions of each run (at least 1).</summary>
    public InProcessWeightStore(int keep = 3)
    {
        if (keep < 1) throw new ArgumentOutOfRangeException(nameof(keep), keep, "must keep at least one version");
        this.keep = keep;
    }

    /// <summary>The location of a version of a run in this store.</summary>
    public static string LocationOf(string runId, long version) => $"{Scheme}{runId}/v{version}";

    /// <inheritdoc />
    public WeightVersion Publish(string runId, long version, Qwen2ForCausalLM policy, TextTokenizer tokenizer, int retain = IWeightStore.DefaultRetain)
    {
        WeightPaths.CheckRunId(runId);
        if (version < 0) throw new ArgumentOutOfRangeException(nameof(version), version, "weight versions are ≥ 0");
        var snapshot = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using var noGrad = no_grad();
            foreach (var (name, parameter) in policy.ParametersByName())
            {
                using var scope = NewDisposeScope();
                snapshot[name] = parameter.detach().cpu().clone().MoveToOuterDisposeScope();
            }
        }
        catch
        {
            foreach (var t in snapshot.Values) t.Dispose();
            throw;
        }

        lock (gate)
        {
            if (!runs.TryGetValue(runId, out var versions)) runs[runId] = versions = new();
            if (versions.Remove(version, out var replaced)) DisposeAll(replaced);
            versions[version] = snapshot;
            while (versions.Count > Math.Max(keep, retain))
            {
                var oldest = versions.Keys.First();
                versions.Remove(oldest, out var evicted);
                DisposeAll(evicted!);
            }
        }
        return new WeightVersion(version, LocationOf(runId, version));
    }

    /// <inheritdoc />
    public void LoadInto(WeightVersion version, Qwen2ForCausalLM replica)
    {
        var (runId, number) = Parse(version);
        lock (gate)
        {
            if (!runs.TryGetValue(runId, out var versions) || !versions.TryGetValue(number, out var snapshot))
            {
                var held = runs.TryGetValue(runId, out var v) && v.Count > 0 ? string.Join(", ", v.Keys.Select(k => $"v{k}")) : "none";
                throw new InvalidDataException(
                    $"weight version {number} of run \"{runId}\" ({version.Location}) is not in this process's weight store " +
                    $"(held: {held}); the in-process store keeps only the latest {keep} versions and only within one process");
            }
            replica.LoadWeights(snapshot, version.Location);
        }
    }

    /// <summary>Versions currently held for a run, oldest first.</summary>
    public IReadOnlyList<long> HeldVersions(string runId)
    {
        lock (gate) return runs.TryGetValue(runId, out var v) ? v.Keys.ToList() : [];
    }

    static (string RunId, long Version) Parse(WeightVersion version)
    {
        var location = version.Location ?? "";
        int slash = location.LastIndexOf('/');
        if (!location.StartsWith(Scheme, StringComparison.Ordinal) || slash <= Scheme.Length
            || location[(slash + 1)..] != $"v{version.Version}")
            throw new InvalidDataException(
                $"weight location \"{location}\" is not a location of the in-process weight store for version {version.Version} " +
                $"(expected {Scheme}<run id>/v{version.Version})");
        return (location[Scheme.Length..slash], version.Version);
    }

    static void DisposeAll(Dictionary<string, Tensor> snapshot)
    {
        foreach (var t in snapshot.Values) t.Dispose();
    }

    /// <summary>Disposes every snapshot.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            foreach (var versions in runs.Values)
                foreach (var snapshot in versions.Values) DisposeAll(snapshot);
            runs.Clear();
        }
    }
}
