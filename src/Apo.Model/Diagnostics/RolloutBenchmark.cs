using System.Diagnostics;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Model.Diagnostics;

/// <summary>Settings of <see cref="RolloutBenchmark"/>.</summary>
public sealed record RolloutBenchmarkOptions
{
    /// <summary>The measured model (random weights; speed does not depend on their values).</summary>
    public required Qwen2Config Config { get; init; }
    public ScalarType DType { get; init; } = ScalarType.Float32;
    /// <summary>Timed runs per measurement, interleaved (median reported).</summary>
    public int Repeats { get; init; } = 3;

    /// <summary>Stage-1-shaped workload: this many prompts × <see cref="SamplesPerPrompt"/> samples.</summary>
    public int Prompts { get; init; } = 8;
    public int SamplesPerPrompt { get; init; } = 8;
    public int PromptTokens { get; init; } = 64;
    /// <summary>Each sample's length is drawn from a geometric distribution with this mean, capped at <see cref="MaxLength"/>.</summary>
    public double MeanLength { get; init; } = 128;
    public int MaxLength { get; init; } = 1024;
    /// <summary>Sequences decoded together (the static sampler's batch, the engine's slots).</summary>
    public int Slots { get; init; } = 32;
    /// <summary>A KV budget for one more engine run (0 = no budgeted run).</summary>
    public long KvTokens { get; init; }
    public bool Workload { get; init; } = true;

    /// <summary>Batch sizes of the decode measurement (empty = none).</summary>
    public IReadOnlyList<int> DecodeBatches { get; init; } = [1, 8, 32];
    public int DecodeSteps { get; init; } = 16;
    public int DecodePromptTokens { get; init; } = 16;
}

/// <summary>One sampler configuration on the long-tailed workload.</summary>
public sealed record RolloutRate(string Name, double TokensPerSecond, long KvTokens);

/// <summary>Decode speed at one batch size against this machine's bound.</summary>
/// <param name="BoundTokensPerSecond">The lesser of batch × copy bandwidth ÷ weight bytes and matmul rate ÷ (2 × parameters).</param>
public sealed record DecodeRate(int Batch, bool ForInference, double TokensPerSecond, double MemoryBoundTokensPerSecond, double ComputeBoundTokensPerSecond)
{
    public double BoundTokensPerSecond => Math.Min(MemoryBoundTokensPerSecond, ComputeBoundTokensPerSecond);
    public double FractionOfBound => TokensPerSecond / BoundTokensPerSecond;
}

public sealed record RolloutBenchmarkResult(
    RolloutBenchmarkOptions Options,
    int Threads,
    long GeneratedTokens,
    double MeanDrawnLength,
    IReadOnlyList<RolloutRate> Rates,
    /// <summary>The engine's tokens against the static sampler's (same seeds); null without the workload.</summary>
    SampleAgreement? Agreement,
    double CopyBandwidth,
    double MatmulFlopsPerSecond,
    IReadOnlyList<DecodeRate> Decode);

/// <summary>
/// The rollout engine against the static sampler on a stage-1-shaped workload with long-tailed
/// lengths, and decode speed against the machine's bound, measured in one process so the ratios
/// share the machine's state. Lengths: no stop ids; each sample's token limit is a geometric draw
/// (seeded), which is what a response length distribution with a long tail looks like to a sampler.
/// A diagnostic, not a test.
/// </summary>
public static class RolloutBenchmark
{
    public static RolloutBenchmarkResult Run(RolloutBenchmarkOptions o, Action<string>? progress = null)
    {
        manual_seed(0);
        using var model = new Qwen2ForCausalLM(o.Config, CPU, o.DType, forInference: true);
        var random = new Random(0);
        var groups = Enumerable.Range(0, o.Prompts).Select(p => new PromptSamples(
            Enumerable.Range(0, o.PromptTokens).Select(_ => random.Next(o.Config.VocabSize)).ToArray(),
            Enumerable.Range(0, o.SamplesPerPrompt).Select(j => (long)(1000 * p + j)).ToArray(),
            Enumerable.Range(0, o.SamplesPerPrompt).Select(_ => GeometricLength(random, o.MeanLength, o.MaxLength)).ToArray())).ToList();
        var sampling = new SamplingOptions { MaxNewTokens = o.MaxLength, StopTokenIds = [] };
        long generated = groups.Sum(g => g.TokenLimits!.Sum(l => (long)l));

        var rates = new List<RolloutRate>();
        SampleAgreement? agreement = null;
        if (o.Workload)
        {
            int longest = o.PromptTokens + o.MaxLength - 1;
            int slots = Math.Min(o.Slots, o.Prompts * o.SamplesPerPrompt); // the engine never allocates more slots than sequences
            var flat = groups.SelectMany(g => g.Seeds.Select((seed, j) => (g.PromptIds, Seed: seed, Limit: g.TokenLimits![j]))).ToList();
            IReadOnlyList<GeneratedSequence>? staticResult = null, engineResult = null;
            var runs = new List<(string Name, long Kv, Action Run)>
            {
                ($"static batches of {o.Slots}", flat.Chunk(o.Slots).Max(c => (long)c.Length * (o.PromptTokens + c.Max(w => w.Limit))), () =>
                {
                    staticResult = flat.Chunk(o.Slots).SelectMany(chunk => StaticSampler.Generate(model, chunk.Select(w => w.PromptIds).ToList(), sampling,
                        chunk.Select(w => w.Seed).ToList(), tokenLimits: chunk.Select(w => w.Limit).ToList()).Sequences).ToList();
                }),
                ($"continuous, {o.Slots} slots, shared prefill", (long)slots * longest, () =>
                    engineResult = Sampler.Generate(model, groups, sampling, new SamplerSettings { Slots = o.Slots, KvTokens = 0 }).SelectMany(g => g).ToList()),
                ($"continuous, {o.Slots} slots, prefill per sample", (long)slots * longest, () =>
                    Sampler.Generate(model, groups, sampling, new SamplerSettings { Slots = o.Slots, KvTokens = 0, SharePrefill = false })),
            };
            if (o.KvTokens > 0)
                runs.Add(($"continuous, {o.Slots} slots, KV budget {o.KvTokens}", KvSlabPlan.For(slots, longest, o.PromptTokens, o.KvTokens).Tokens, () =>
                    Sampler.Generate(model, groups, sampling, new SamplerSettings { Slots = o.Slots, KvTokens = o.KvTokens })));
            // Untimed warm-up of every code path (JIT, first allocations) on two tokens of the first prompt.
            var warm = new SamplingOptions { MaxNewTokens = 2, StopTokenIds = [] };
            StaticSampler.Generate(model, [groups[0].PromptIds], warm, [0]);
            Sampler.Generate(model, [groups[0] with { TokenLimits = null }], warm, new SamplerSettings { Slots = o.Slots, KvTokens = 0 });
            Sampler.Generate(model, [groups[0] with { TokenLimits = null }], warm, new SamplerSettings { Slots = o.Slots, KvTokens = 0, SharePrefill = false });
            var seconds = runs.Select(_ => new List<double>()).ToArray();
            for (int round = 0; round < o.Repeats; round++)
                for (int i = 0; i < runs.Count; i++)
                {
                    var clock = Stopwatch.StartNew();
                    runs[i].Run();
                    seconds[i].Add(clock.Elapsed.TotalSeconds);
                    progress?.Invoke($"{runs[i].Name}: run {round + 1}/{o.Repeats}: {generated / seconds[i][^1]:F0} tokens/s");
                }
            for (int i = 0; i < runs.Count; i++) rates.Add(new RolloutRate(runs[i].Name, generated / Medians.Of(seconds[i]), runs[i].Kv));
            agreement = SampleAgreement.Between(staticResult!, engineResult!);
        }

        double bandwidth = MachineRates.CopyBandwidth();
        double matmul = MachineRates.Matmul(512, o.Config.HiddenSize, o.Config.IntermediateSize, o.DType, "NT");
        progress?.Invoke($"copy bandwidth {bandwidth / 1e9:F1} GB/s, matmul {matmul / 1e9:F0} GFLOP/s");
        var decode = new List<DecodeRate>();
        if (o.DecodeBatches.Count > 0)
        {
            // The training layout too, for the same-run ratio of the two storage layouts.
            manual_seed(0);
            using var rowMajor = new Qwen2ForCausalLM(o.Config, CPU, o.DType);
            foreach (int b in o.DecodeBatches)
            {
                decode.Add(DecodeAt(model, o, b, bandwidth, matmul, progress));
                decode.Add(DecodeAt(rowMajor, o, b, bandwidth, matmul, progress));
            }
        }
        return new RolloutBenchmarkResult(o, get_num_threads(), generated, groups.Average(g => g.TokenLimits!.Average()), rates,
            agreement, bandwidth, matmul, decode);
    }

    /// <summary>Lengths 1, 2, … with P(L = n) = (1 − 1/mean)^(n−1) / mean, capped.</summary>
    static int GeometricLength(Random random, double mean, int cap)
    {
        double u = random.NextDouble();
        int length = (int)Math.Ceiling(Math.Log(1 - u) / Math.Log(1 - 1 / mean));
        return Math.Clamp(length, 1, cap);
    }

    /// <summary>
    /// Decode tokens/s at batch <paramref name="batch"/>: the time of a run generating 1 + DecodeSteps tokens
    /// minus that of a run generating 1 (same prefill), over batch × DecodeSteps tokens.
    /// </summary>
    static DecodeRate DecodeAt(Qwen2ForCausalLM model, RolloutBenchmarkOptions o, int batch, double bandwidth, double matmul, Action<string>? progress)
    {
        var random = new Random(batch);
        var groups = Enumerable.Range(0, batch).Select(b => new PromptSamples(
            Enumerable.Range(0, o.DecodePromptTokens).Select(_ => random.Next(o.Config.VocabSize)).ToArray(), [(long)b])).ToList();
        var settings = new SamplerSettings { Slots = batch, KvTokens = 0 };
        double Time(int tokens)
        {
            var clock = Stopwatch.StartNew();
            Sampler.Generate(model, groups, new SamplingOptions { MaxNewTokens = tokens, StopTokenIds = [] }, settings);
            return clock.Elapsed.TotalSeconds;
        }
        Time(2); // warm-up
        var rates = new List<double>();
        for (int round = 0; round < o.Repeats; round++)
        {
            double decodeSeconds = Time(1 + o.DecodeSteps) - Time(1);
            rates.Add(batch * o.DecodeSteps / decodeSeconds);
        }
        long parameters = o.Config.ParameterCount;
        double weightBytes = parameters * (double)ElementSize(o.DType);
        var rate = new DecodeRate(batch, model.ForInference, Medians.Of(rates), batch * bandwidth / weightBytes, matmul / (2.0 * parameters));
        progress?.Invoke($"decode at batch {batch} ({(model.ForInference ? "inference" : "training")} layout): {rate.TokensPerSecond:F1} tokens/s, bound {rate.BoundTokensPerSecond:F1} ({rate.FractionOfBound:P0})");
        return rate;
    }

    static int ElementSize(ScalarType dtype) => dtype == ScalarType.Float32 ? 4 : 2;
}
