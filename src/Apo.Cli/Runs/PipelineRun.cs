using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.Runs;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Training;
using Apo.Abstractions.Weights;
using Apo.Algorithm;
using Apo.Algorithm.OptimalValues;
using Apo.Common.Diagnostics;
using Apo.Common.IO;
using Apo.Engine.Evaluation;
using Apo.Engine.Presets;
using Apo.Engine.Prompts;
using Apo.Grains.Training;
using Apo.Model;
using Apo.Tasks.Data;
using Apo.Tasks.Evaluation;
using Apo.Tasks.Synthetic;
using Spectre.Console;

namespace Apo.Cli.Runs;

/// <summary>
/// `apo run` end to end, wherever its grains live. Every phase is resumable: the data is regenerated
/// deterministically, the reference is cached, stage 1 skips prompts whose V̂* exists, stage 2
/// continues from its last checkpoint, and evaluation uses fixed seeds — so a run killed at any
/// moment and rerun ends with the same summary as one that was never interrupted. The embedded
/// default hosts its own silo; a cluster run is a client of running silos. Data, reference and
/// evaluation are prepared and run locally in the run directory either way.
/// </summary>
public static class PipelineRun
{
    /// <summary>The run id (and prompt-key prefix) of the embedded default.</summary>
    public const string EmbeddedRunId = "embedded";

    /// <summary>The embedded default: one process hosts the silo configured by <paramref name="siloConfigPath"/>.</summary>
    public static Task<RunSummary> ExecuteEmbeddedAsync(RunLayout layout, EmbeddedPreset preset, string siloConfigPath) =>
        ExecuteAsync(layout, preset, EmbeddedRunId,
            async () => await EmbeddedSession.StartAsync(siloConfigPath, layout, preset.TorchThreads, preset.GenerationBatchSize,
                asynchronous: preset.StageTwo.MaxStaleness > 0), trainsHere: true);

    /// <summary>
    /// A client of a running cluster (<paramref name="clientConfigPath"/>): the run directory must be on
    /// storage every silo reads and writes (the silos load the reference from it and the trainer writes
    /// metrics, checkpoints and the policy into it).
    /// </summary>
    public static Task<RunSummary> ExecuteOnClusterAsync(RunLayout layout, EmbeddedPreset preset, string runId, string clientConfigPath) =>
        ExecuteAsync(layout, preset, runId,
            async () => await ClusterSession.ConnectAsync(clientConfigPath, preset.TorchThreads), trainsHere: false);

    /// <summary>
    /// The phases of a run; <paramref name="startSession"/> decides where the grains live. Prompt grain
    /// keys are "{runId}/{example id}", and sampling seeds derive from them: the same run id, seed and
    /// settings give the same stage-1 samples on any cluster. <paramref name="trainsHere"/>: the grains run
    /// in this process, so its peak memory during stages 1–2 is the training's and goes into the summary.
    /// </summary>
    public static async Task<RunSummary> ExecuteAsync(RunLayout layout, EmbeddedPreset preset, string runId, Func<Task<IRunSession>> startSession,
        bool trainsHere = false)
    {
        layout.Claim(EmbeddedPresetJson.Serialize(preset), "settings");
        var timings = PhaseTimings.Load(layout.Timings);
        TorchSharp.torch.set_num_threads(preset.TorchThreads > 0 ? preset.TorchThreads : Environment.ProcessorCount);

        var files = ArithmeticWordProblems.WriteSplits(layout.Data, preset.Task);
        var splits = ArithmeticWordProblems.Generate(preset.Task);
        var train = DatasetReader.Read(files.TrainPath, ArithmeticWordProblems.ReadOptions).Examples.Take(preset.StageOne.Prompts).ToList();
        var test = DatasetReader.Read(files.TestPath, ArithmeticWordProblems.ReadOptions).Examples.Take(preset.Evaluation.HeldOutPrompts).ToList();

        var sft = Stopwatch.StartNew();
        bool trained = Phase("supervised reference", preset.Sft.Steps, report =>
            ReferencePolicy.EnsureTrained(layout.Reference, preset, splits.Train, (step, _) => report(step)));
        if (trained) timings.Sft += sft.Elapsed.TotalSeconds;
        timings.Save(layout.Timings);

        await using var session = await startSession();
        var tokenizer = Apo.Model.Text.TextTokenizer.Load(layout.Reference);
        var trainKeys = await PipelineDriver.InitializePromptsAsync(session.Grains, runId, train, tokenizer, files.TrainPath);
        var evalKeys = await PipelineDriver.InitializePromptsAsync(session.Grains, runId, test, tokenizer, files.TestPath);
        var reference = new ReferenceModel(layout.Reference, ModelDirectory.ContentHash(layout.Reference));
        var spec = Spec(runId, layout, preset, reference, trainKeys, evalKeys);

        using var window = trainsHere ? PeakMemoryWindow.Start() : null;
        var (_, times) = await PipelineDriver.RunAsync(session.Grains, spec);
        if (window?.Stop() is { } peaks) timings.AddPeaks(peaks);
        timings.StageOne += times.StageOne;
        timings.StageTwo += times.StageTwo;
        timings.Save(layout.Timings);

        var stageOne = await StageOneSummaryAsync(session.Grains, train, trainKeys, spec.StageOne.ProvenanceFor(reference.Hash),
            Path.Combine(layout.Root, StageOneExportName), new StageOneFilter(spec.StageOne.DropAllZeroPrompts));
        var evalClock = Stopwatch.StartNew();
        (EvaluationReport Reference, EvaluationReport Trained) evaluated;
        // No per-prompt progress from the evaluator: without a terminal, a heartbeat line every 10 s and the time it took.
        using (var plain = AnsiConsole.Profile.Capabilities.Interactive ? null : new PlainProgress("evaluation of both policies", 0, "prompts"))
        {
            evaluated = await session.Executor.Run(() => Evaluate(layout, preset, test));
            plain?.Complete();
        }
        var (referenceReport, trainedReport) = evaluated;
        timings.Eval += evalClock.Elapsed.TotalSeconds;
        timings.Save(layout.Timings);

        var summary = new RunSummary(
            Scores(referenceReport), Scores(trainedReport),
            trainedReport.Kl?.PerSequence ?? double.NaN, trainedReport.Kl?.PerToken ?? double.NaN,
            stageOne, timings.ToSeconds())
        {
            Algorithm = spec.StageTwo.Algorithm,
            Memory = timings.PeakRssMegabytes is { } rss ? new TrainingMemory(rss, timings.PeakTensorMegabytes, timings.RssPeakIsExact) : null,
        };
        summary.Save(layout);
        referenceReport.Save(Path.Combine(layout.Root, "eval-reference.json"));
        trainedReport.Save(Path.Combine(layout.Root, "eval-trained.json"));
        var metrics = new MetricsLog(layout.Metrics).ReadMetrics();
        // Step 0 is the reference; the trainer measured the same greedy accuracy at every checkpoint.
        var heldOut = metrics.Where(m => m.HeldOutAccuracy is not null).Select(m => (m.Step, m.HeldOutAccuracy!.Value)).Prepend((0L, referenceReport.GreedyAccuracy ?? double.NaN)).ToList();
        MetricsPlots.Write(layout.Plots, metrics, heldOut);
        return summary;
    }

    static RunSpec Spec(string runId, RunLayout layout, EmbeddedPreset preset, ReferenceModel reference, ImmutableArray<string> trainKeys, ImmutableArray<string> evalKeys)
    {
        var one = preset.StageOne;
        var two = preset.StageTwo;
        return new RunSpec(
            runId, reference, trainKeys, evalKeys,
            new StageOneSettings(one.Samples, one.Beta1, new SamplingSettings(one.Temperature, one.TopP, 0, one.MaxNewTokens), preset.Seed,
                DropAllZeroPrompts: one.DropAllZeroPrompts, PromptsPerWorkUnit: preset.GenerationBatchSize / Math.Max(1, one.Samples) * 4),
            StageTwo(preset),
            layout.Root)
        {
            // The preset fixes the batch shape, so an embedded run and a cluster run sample the same tokens.
            Engine = new Apo.Abstractions.Generation.GenerationEngine(preset.GenerationBatchSize, Apo.Model.Inference.SamplerSettings.DefaultKvTokens),
        };
    }

    /// <summary>The preset's stage 2 as plan settings; the entropy weight is A*-PO's or the baselines' one.</summary>
    public static StageTwoSettings StageTwo(EmbeddedPreset preset)
    {
        var two = preset.StageTwo;
        var algorithm = StageTwoAlgorithms.Parse(two.Algorithm);
        return new StageTwoSettings(algorithm.Name(), two.Beta2, two.LearningRate, two.WeightDecay, two.ClipGradNorm, two.PromptsPerBatch,
            two.MiniBatches, two.Iterations, new SamplingSettings(two.Temperature, two.TopP, 0, two.MaxNewTokens), two.CheckpointEvery,
            algorithm == StageTwoAlgorithm.AStarPo ? two.EntropyCoefficient : two.BaselineEntropyCoefficient, preset.Seed)
        {
            KlCoefficient = two.KlCoefficient,
            ClipEpsilon = two.ClipEpsilon,
            RebelEta = two.RebelEta,
            CriticLearningRateMultiplier = two.CriticLearningRateMultiplier,
            MaxTokensPerMicroBatch = two.MaxTokensPerMicroBatch,
            ActivationCheckpointing = two.ActivationCheckpointing,
            MaxStaleness = two.MaxStaleness,
        };
    }

    /// <summary>Every training prompt's stage-1 samples and rewards, one JSON line per prompt (the format `apo train --data` imports).</summary>
    public const string StageOneExportName = "stage1.jsonl";

    /// <summary>The stage-1 summary; also writes every prompt's samples and rewards to <paramref name="export"/>.</summary>
    static async Task<StageOneSummary> StageOneSummaryAsync(IGrainFactory grains, IReadOnlyList<PromptExample> examples, ImmutableArray<string> keys,
        StageOneProvenance provenance, string export, StageOneFilter filter)
    {
        var records = await Task.WhenAll(keys.Select(k => grains.GetGrain<IPromptGrain>(k).GetStageOne(provenance)));
        // The baselines have no stage 1: nothing to export.
        if (records.Any(r => r is not null))
            DatasetWriter.WriteStageOneJsonl(export, examples.Zip(records).Where(p => p.Second is not null).Select(p => p.First with
            {
                StageOne = p.Second!.Samples.Select(s => new Apo.Tasks.Data.StageOneSample(s.ResponseText, s.Reward)).ToList(),
            }));
        var present = records.Where(r => r is not null).Select(r => r!.VStar).ToList();
        return new StageOneSummary(keys.Length, present.Count, present.Count > 0 ? present.Average() : double.NaN)
        {
            PromptsDropped = records.Count(r => r is not null && !filter.Keeps(r.Samples.Select(s => s.Reward).ToArray())),
        };
    }

    /// <summary>Held-out evaluation of both policies (tensor work: runs on the session's device thread).</summary>
    static (EvaluationReport Reference, EvaluationReport Trained) Evaluate(RunLayout layout, EmbeddedPreset preset, IReadOnlyList<PromptExample> test)
    {
        using var reference = ModelDirectory.Load(layout.Reference, forInference: true);
        using var trained = ModelDirectory.Load(layout.Policy, forInference: true);
        var prompts = test.Select(e => PromptEncoder.Encode(e, reference.Tokenizer)).ToList();
        var settings = preset.Evaluation.ToEvaluationSettings(preset.Seed, preset.GenerationBatchSize);
        var referenceReport = PolicyEvaluator.Evaluate(reference.Model, reference.Tokenizer, null, prompts, TaskKinds.Gsm8k, settings, layout.Reference);
        var trainedReport = PolicyEvaluator.Evaluate(trained.Model, trained.Tokenizer, reference.Model, prompts, TaskKinds.Gsm8k, settings, layout.Policy);
        return (referenceReport, trainedReport);
    }

    static PolicyScores Scores(EvaluationReport report) =>
        new(report.GreedyAccuracy ?? double.NaN, report.AverageAtK ?? double.NaN, report.SamplesPerPrompt ?? 0);

    /// <summary>Runs a synchronous phase under a progress bar (or plain lines when not on a terminal).</summary>
    static T Phase<T>(string name, int total, Func<Action<int>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            using var plain = new PlainProgress(name, total, "steps");
            var result0 = work(step => plain.Report(step));
            plain.Complete();
            return result0;
        }
        T result = default!;
        AnsiConsole.Progress().AutoClear(false).Start(context =>
        {
            var task = context.AddTask(name, maxValue: Math.Max(1, total));
            result = work(step => task.Value = step);
            task.Value = task.MaxValue;
        });
        return result;
    }
}
