using System.Diagnostics;
using Apo.Algorithm;
using Apo.Algorithm.Optimization;
using Apo.Common.Diagnostics;
using Apo.Engine.StageTwo;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Engine.Diagnostics;

/// <summary>What <see cref="TrainStepBenchmark.Run"/> measures: one model shape, dtype, algorithm and response length.</summary>
public sealed record TrainStepBenchmarkOptions
{
    public required Qwen2Config Config { get; init; }
    public ScalarType DType { get; init; } = ScalarType.BFloat16;
    public StageTwoAlgorithm Algorithm { get; init; } = StageTwoAlgorithm.AStarPo;
    public int Prompts { get; init; } = 1;
    public int PromptTokens { get; init; } = 128;
    public int ResponseTokens { get; init; } = 2048;
    public bool ActivationCheckpointing { get; init; } = true;
    /// <summary>Logit elements per chunk of the log-prob kernel; <see cref="long.MaxValue"/> = one chunk (the [N, vocab] tensor exists).</summary>
    public long ChunkElements { get; init; } = ChunkedLogProbs.DefaultChunkElements;
    public int MaxTokensPerMicroBatch { get; init; } = StageTwoLearnerSettings.DefaultMaxTokensPerMicroBatch;
    public int Steps { get; init; } = 1;
    public int Seed { get; init; }
}

/// <summary>One configuration's figures; times in seconds, memory in bytes, rates in FLOP/s.</summary>
public sealed record TrainStepBenchmarkResult(
    TrainStepBenchmarkOptions Options,
    long Parameters,
    int Threads,
    int Sequences,
    double ModelBuildSeconds,
    IReadOnlyList<double> StepSeconds,
    double MedianStepSeconds,
    long ResidentBeforeStepBytes,
    long PeakStepResidentBytes,
    double ModelFlopsPerStep,
    double RecomputedFlopsPerStep,
    double AchievedModelFlopsPerSecond,
    double MatmulFlopsPerSecond)
{
    /// <summary>Model FLOP/s over this machine's measured matmul rate at the step's shapes (model-FLOPs utilisation of the CPU).</summary>
    public double FractionOfMatmulRate => AchievedModelFlopsPerSecond / MatmulFlopsPerSecond;
}

/// <summary>
/// One stage-2 learner step on given responses (random tokens of a fixed length, no sampling) of a random model:
/// reference log-probs → policy forward/backward → AdamW, as the trainer runs it. Peak resident memory is the
/// kernel's exact high-water mark over the step (reset when it starts); the matmul rate is measured in the same
/// process at the shape of the model's largest matmul (the MLP over the step's tokens), in the model dtype.
/// A diagnostic, not a test: run each configuration in its own process (apo bench-train does) so peaks do not mix.
/// </summary>
public static class TrainStepBenchmark
{
    public static TrainStepBenchmarkResult Run(TrainStepBenchmarkOptions o, Action<string>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        Apo.Common.Memory.NativeHeap.PrepareFor(o.Config.ParameterCount);
        manual_seed(o.Seed);
        using var policy = new Qwen2ForCausalLM(o.Config, CPU, o.DType);
        using var reference = Qwen2ForCausalLM.Uninitialised(o.Config, CPU, o.DType);
        using (no_grad())
        {
            var source = policy.ParametersByName();
            foreach (var (name, parameter) in reference.ParametersByName()) parameter.copy_(source[name]);
        }
        double buildSeconds = clock.Elapsed.TotalSeconds;
        progress?.Invoke($"built two {o.Config.ParameterCount:N0}-parameter models in {o.DType} in {buildSeconds:F1} s");

        var batch = Rollouts(o);
        var settings = new StageTwoLearnerSettings
        {
            Algorithm = o.Algorithm,
            Beta2 = Apo.Algorithm.AStarPo.AStarPoLoss.DefaultBeta2,
            Optimizer = OptimizerSettings.Paper with { MiniBatches = 1 },
            MaxTokensPerMicroBatch = o.MaxTokensPerMicroBatch,
            ActivationCheckpointing = o.ActivationCheckpointing,
        };
        double matmul = MatmulRate(o.Config, o.PromptTokens + o.ResponseTokens, o.DType);
        progress?.Invoke($"matmul rate at [{o.PromptTokens + o.ResponseTokens}×{o.Config.HiddenSize}]·[{o.Config.HiddenSize}×{o.Config.IntermediateSize}] {o.DType}: {matmul / 1e9:F0} GFLOP/s");

        var previousChunk = ChunkedLogProbs.ChunkElements;
        ChunkedLogProbs.ChunkElements = o.ChunkElements;
        try
        {
            using var learner = StageTwoLearners.Create(settings, policy, reference);
            long before = Environment.WorkingSet;
            var seconds = new List<double>();
            long peak = 0;
            for (int step = 0; step < o.Steps; step++)
            {
                using var window = PeakMemoryWindow.Start();
                var stepClock = Stopwatch.StartNew();
                learner.Update(batch);
                seconds.Add(stepClock.Elapsed.TotalSeconds);
                peak = Math.Max(peak, window.Stop().PeakResidentBytes);
                progress?.Invoke($"step {step + 1}/{o.Steps}: {seconds[^1]:F1} s, peak {peak / (1024.0 * 1024 * 1024):F2} GiB");
            }
            var (model, recomputed) = TrainStepFlops.Step(o.Config, o.Algorithm, batch.Count, o.PromptTokens, o.ResponseTokens, o.ActivationCheckpointing);
            double median = seconds.Order().ElementAt(seconds.Count / 2);
            return new TrainStepBenchmarkResult(o, o.Config.ParameterCount, get_num_threads(), batch.Count, buildSeconds, seconds, median,
                before, peak, model, recomputed, model / median, matmul);
        }
        finally
        {
            ChunkedLogProbs.ChunkElements = previousChunk;
        }
    }

    /// <summary>Prompts of random ids and responses of exactly the asked length (no end token), rewards alternating 1, 0, V̂* 0.5.</summary>
    static List<TrainingRollout> Rollouts(TrainStepBenchmarkOptions o)
    {
        var random = new Random(o.Seed);
        int perPrompt = o.Algorithm.ResponsesPerPrompt();
        var batch = new List<TrainingRollout>();
        for (int p = 0; p < o.Prompts; p++)
        {
            var prompt = Enumerable.Range(0, o.PromptTokens).Select(_ => random.Next(o.Config.VocabSize)).ToArray();
            for (int s = 0; s < perPrompt; s++)
            {
                var response = Enumerable.Range(0, o.ResponseTokens).Select(_ => random.Next(o.Config.VocabSize)).ToArray();
                batch.Add(new TrainingRollout($"p{p}", prompt, response, (p + s) % 2, 0.5));
            }
        }
        return batch;
    }

    /// <summary>Median FLOP/s of [tokens × hidden]·[hidden × intermediate] in <paramref name="dtype"/> over 5 timed runs after a warm-up.</summary>
    public static double MatmulRate(Qwen2Config c, int tokens, ScalarType dtype) => Apo.Model.Diagnostics.MachineRates.Matmul(tokens, c.HiddenSize, c.IntermediateSize, dtype, "NN");
}
