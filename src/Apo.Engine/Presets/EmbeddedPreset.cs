using Apo.Engine.Sft;
using Apo.Tasks.Synthetic;

namespace Apo.Engine.Presets;

/// <summary>
/// Every knob of the embedded default run (`apo run` with no model): the tiny reference model's
/// shape, the synthetic task, the supervised warm-up that makes the reference, stage 1, stage 2
/// and the evaluation. <see cref="Tiny"/> and <see cref="Default"/> are tuned on a 2-core CPU so that
/// stage 2 measurably improves on a reference that is only partly competent; a JSON file can
/// override any knob (<see cref="EmbeddedPresetJson"/>).
/// </summary>
public sealed record EmbeddedPreset
{
    public string Name { get; init; } = "custom";
    /// <summary>Seeds the model init, SFT order, sampling and evaluation.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>
    /// Intra-op threads for torch (0 = torch's default). The presets use 1: these models are so small
    /// that a second thread gains little, and on a busy machine a 2-thread OpenMP team waiting on a
    /// descheduled partner ran SFT 10–50× slower than one thread (measured on the 2-core reference box).
    /// </summary>
    public int TorchThreads { get; init; } = 2;
    /// <summary>Sequences per generation batch (stage 1, stage 2 sampling, evaluation).</summary>
    public int GenerationBatchSize { get; init; } = 64;
    public ModelShape Model { get; init; } = new();
    public SyntheticTaskOptions Task { get; init; } = SyntheticTaskOptions.Tiny;
    public SupervisedSettings Sft { get; init; } = new();
    public StageOnePreset StageOne { get; init; } = new();
    public StageTwoPreset StageTwo { get; init; } = new();
    public EvaluationPreset Evaluation { get; init; } = new();

    /// <summary>
    /// The task of both presets: 1–2 additions or subtractions of single-digit amounts. Small enough
    /// that a tiny model learns it in minutes, hard enough (carries, two steps) that it is still
    /// half-wrong when SFT stops — the room stage 2 is meant to close.
    /// </summary>
    static SyntheticTaskOptions SingleDigitTask(int trainCount, int testCount) => SyntheticTaskOptions.Tiny with
    {
        MinSteps = 1, MaxSteps = 2, MaxOperand = 9, MaxResult = 99, TrainCount = trainCount, TestCount = testCount,
    };

    /// <summary>
    /// About two minutes on 2 idle CPU cores: a 0.13M-parameter model, short SFT, 100 small stage-2
    /// iterations. lr 1e-3 collapsed the policy to empty responses whatever β2 (0.05–0.5). 3e-4 trained
    /// synchronously, but at the edge: with samples one version old (asynchronous stage 2) seed 2
    /// collapsed and seeds 1 and 3 ended at 2.3× and 8.8× the KL. 1e-4, the default preset's, learns about
    /// as much (seeds 1–3, 2026-12-01: avg@4 34.8 / 27.0 / 12.0% against 35.5 / 29.0 / 14.8% at 3e-4, from
    /// references at 24.8 / 24.0 / 10.8%) with half the KL (1.22 / 0.96 / 0.48 nats against 1.49 / 2.22 / 0.93),
    /// synchronous or not.
    /// </summary>
    public static EmbeddedPreset Tiny { get; } = new()
    {
        Name = "tiny",
        TorchThreads = 1,
        Model = new ModelShape { HiddenSize = 64, IntermediateSize = 192, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2 },
        Task = SingleDigitTask(1500, 200),
        Sft = new SupervisedSettings { Steps = 700, BatchSize = 32, LearningRate = 5e-3, Seed = 1 },
        StageOne = new StageOnePreset { Prompts = 512, MaxNewTokens = 40 },
        StageTwo = new StageTwoPreset { Beta2 = 0.05, LearningRate = 1e-4, PromptsPerBatch = 64, Iterations = 100, CheckpointEvery = 25, MaxNewTokens = 40 },
        Evaluation = new EvaluationPreset { HeldOutPrompts = 100, MaxNewTokens = 40 },
    };

    /// <summary>
    /// About five to six minutes on 2 CPU cores: a 0.85M-parameter model, 60 stage-2 iterations.
    /// Measured: reference greedy 37% / avg@4 32.5%, trained 49% / 44%, KL 1.3 nats per sequence.
    /// The larger model needs a smaller lr than the tiny one (3e-4 collapsed it); β2 0.1 beat 0.05.
    /// </summary>
    public static EmbeddedPreset Default { get; } = new()
    {
        Name = "default",
        TorchThreads = 1,
        Model = new ModelShape { HiddenSize = 128, IntermediateSize = 384, NumHiddenLayers = 4, NumAttentionHeads = 4, NumKeyValueHeads = 2 },
        Task = SingleDigitTask(1500, 200),
        Sft = new SupervisedSettings { Steps = 700, BatchSize = 32, LearningRate = 2e-3, Seed = 1 },
        StageOne = new StageOnePreset { Prompts = 512, MaxNewTokens = 40 },
        StageTwo = new StageTwoPreset { Beta2 = 0.1, RebelEta = 10, LearningRate = 1e-4, PromptsPerBatch = 64, Iterations = 60, CheckpointEvery = 10, MaxNewTokens = 40 },
        Evaluation = new EvaluationPreset { HeldOutPrompts = 200, MaxNewTokens = 40 },
    };

    /// <summary>The preset called <paramref name="name"/> ("tiny" or "default").</summary>
    public static EmbeddedPreset Named(string name) => name.ToLowerInvariant() switch
    {
        "tiny" => Tiny,
        "default" => Default,
        _ => throw new ArgumentException($"unknown preset \"{name}\" (expected \"tiny\" or \"default\")", nameof(name)),
    };

    /// <summary>Throws InvalidDataException naming the first knob out of range (<paramref name="source"/> names the file).</summary>
    public void Validate(string source = "preset")
    {
        void Require(bool ok, string knob, object? value, string rule)
        {
            if (!ok) throw new InvalidDataException($"{source}: \"{knob}\" is {value}; {rule}");
        }
        Require(TorchThreads >= 0, "torchThreads", TorchThreads, "must be ≥ 0 (0 = torch's default)");
        Require(GenerationBatchSize > 0, "generationBatchSize", GenerationBatchSize, "must be positive");
        Require(Model is not null && Task is not null && Sft is not null && StageOne is not null && StageTwo is not null && Evaluation is not null,
            "model/task/sft/stageOne/stageTwo/evaluation", "null", "every section must be present");
        try { Model!.ToConfig(0).Validate($"{source}: model"); }
        catch (InvalidDataException e) { throw new InvalidDataException(e.Message, e); }
        try { Task!.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: task: {e.Message}", e); }
        try { Sft!.Validate(); }
        catch (ArgumentOutOfRangeException e) { throw new InvalidDataException($"{source}: sft: {e.Message}", e); }
        try { StageTwo!.ToLearnerSettings().Validate(); }
        catch (ArgumentOutOfRangeException e) { throw new InvalidDataException($"{source}: stageTwo: {e.Message}", e); }

        Require(StageOne!.Prompts > 0 && StageOne.Prompts <= Task!.TrainCount, "stageOne.prompts", StageOne.Prompts, $"must be in 1..task.trainCount ({Task.TrainCount})");
        Require(StageOne.Samples > 0, "stageOne.samples", StageOne.Samples, "must be positive");
        Require(StageOne.Beta1 >= 0 && !double.IsNaN(StageOne.Beta1), "stageOne.beta1", StageOne.Beta1, "must be ≥ 0");
        Sampling("stageOne", StageOne.Temperature, StageOne.TopP, StageOne.MaxNewTokens);

        Require(StageTwo!.PromptsPerBatch > 0 && StageTwo.PromptsPerBatch <= StageOne.Prompts, "stageTwo.promptsPerBatch", StageTwo.PromptsPerBatch,
            $"must be in 1..stageOne.prompts ({StageOne.Prompts})");
        Require(StageTwo.MiniBatches <= StageTwo.PromptsPerBatch, "stageTwo.miniBatches", StageTwo.MiniBatches, "must not exceed stageTwo.promptsPerBatch");
        Require(Apo.Algorithm.StageTwoAlgorithms.TryParse(StageTwo.Algorithm, out _), "stageTwo.algorithm", StageTwo.Algorithm,
            "must be one of apo, astar-po, grpo, rebel, ppo");
        Require(StageTwo.MaxStaleness >= 0, "stageTwo.maxStaleness", StageTwo.MaxStaleness, "must be ≥ 0 (0 = synchronous stage 2)");
        Require(StageTwo.MaxStaleness == 0 || Apo.Algorithm.StageTwoAlgorithms.TrainsOnStaleSamples(Apo.Algorithm.StageTwoAlgorithms.Parse(StageTwo.Algorithm)),
            "stageTwo.maxStaleness", StageTwo.MaxStaleness,
            $"asynchronous stage 2 is for A*-PO only ({StageTwo.Algorithm} would need an importance-sampling correction, which is not implemented); use 0");
        Require(StageTwo.BaselineEntropyCoefficient >= 0 && double.IsFinite(StageTwo.BaselineEntropyCoefficient), "stageTwo.baselineEntropyCoefficient",
            StageTwo.BaselineEntropyCoefficient, "must be finite and ≥ 0");
        Require(StageTwo.KlCoefficient >= 0 && double.IsFinite(StageTwo.KlCoefficient), "stageTwo.klCoefficient", StageTwo.KlCoefficient, "must be finite and ≥ 0");
        Require(StageTwo.ClipEpsilon > 0 && double.IsFinite(StageTwo.ClipEpsilon), "stageTwo.clipEpsilon", StageTwo.ClipEpsilon, "must be finite and > 0");
        Require(StageTwo.RebelEta > 0 && double.IsFinite(StageTwo.RebelEta), "stageTwo.rebelEta", StageTwo.RebelEta, "must be finite and > 0");
        Require(StageTwo.CriticLearningRateMultiplier > 0 && double.IsFinite(StageTwo.CriticLearningRateMultiplier), "stageTwo.criticLearningRateMultiplier",
            StageTwo.CriticLearningRateMultiplier, "must be finite and > 0");
        Require(StageTwo.Iterations >= 0, "stageTwo.iterations", StageTwo.Iterations, "must be ≥ 0");
        Require(StageTwo.CheckpointEvery > 0, "stageTwo.checkpointEvery", StageTwo.CheckpointEvery, "must be positive");
        Sampling("stageTwo", StageTwo.Temperature, StageTwo.TopP, StageTwo.MaxNewTokens);

        Require(Evaluation!.HeldOutPrompts > 0 && Evaluation.HeldOutPrompts <= Task.TestCount, "evaluation.heldOutPrompts", Evaluation.HeldOutPrompts,
            $"must be in 1..task.testCount ({Task.TestCount})");
        Require(Evaluation.K > 0, "evaluation.k", Evaluation.K, "must be positive");
        Sampling("evaluation", Evaluation.Temperature, Evaluation.TopP, Evaluation.MaxNewTokens);

        void Sampling(string section, double temperature, double topP, int maxNewTokens)
        {
            Require(temperature >= 0 && double.IsFinite(temperature), section + ".temperature", temperature, "must be finite and ≥ 0");
            Require(topP > 0 && topP <= 1, section + ".topP", topP, "must be in (0, 1]");
            Require(maxNewTokens > 0, section + ".maxNewTokens", maxNewTokens, "must be positive");
            Require(maxNewTokens < Model!.MaxPositionEmbeddings, section + ".maxNewTokens", maxNewTokens, "must be below model.maxPositionEmbeddings");
        }
    }
}
