using Apo.Abstractions.Training;
using Apo.Algorithm.Optimization;
using Apo.Engine.StageTwo;
using Apo.Grains.Runtime;
using Apo.Model;
using Apo.Model.Qwen2;
using Apo.Model.Text;

namespace Apo.Grains.Training;

/// <summary>
/// The tensor side of a trainer: its own trainable policy, the shared frozen reference and the
/// A*-PO updater with its optimizer. Every member does tensor work: use it only on the device
/// executor's thread.
/// </summary>
public sealed class TrainerSession : IDisposable
{
    readonly AStarPoUpdater updater;

    TrainerSession(Qwen2ForCausalLM policy, TextTokenizer tokenizer, AStarPoUpdater updater)
    {
        Policy = policy;
        Tokenizer = tokenizer;
        this.updater = updater;
    }

    public Qwen2ForCausalLM Policy { get; }
    public TextTokenizer Tokenizer { get; }
    public long OptimizerSteps => updater.OptimizerSteps;

    /// <summary>
    /// Opens the session: the policy starts as a copy of the reference, or of the checkpoint at
    /// <paramref name="checkpoint"/> together with its optimizer state.
    /// </summary>
    public static TrainerSession Open(TensorRuntime runtime, StageTwoPlan plan, string? checkpoint)
    {
        runtime.EnsureOnDeviceThread();
        var reference = runtime.Shared(plan.Reference.Location);
        var policy = ModelDirectory.LoadModel(checkpoint ?? plan.Reference.Location, runtime.Executor.Device, reference.Model.DType);
        try
        {
            if (policy.Config.ToJson().ToJsonString() != reference.Config.ToJson().ToJsonString() && checkpoint is not null)
                throw new InvalidDataException($"{checkpoint}: the checkpoint's config.json differs from the reference model's ({plan.Reference.Location})");
            var s = plan.Settings;
            var settings = new AStarPoSettings
            {
                Beta2 = s.Beta2,
                Optimizer = new OptimizerSettings(s.LearningRate, s.WeightDecay, s.GradientClipNorm,
                    MiniBatches: s.MiniBatchesPerBatch, EntropyCoefficient: s.EntropyCoefficient),
            };
            var updater = new AStarPoUpdater(policy, reference.Model, settings);
            if (checkpoint is not null) updater.LoadOptimizerState(Path.Combine(checkpoint, CheckpointStore.OptimizerFileName));
            return new TrainerSession(policy, reference.Tokenizer, updater);
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }

    /// <summary>One A*-PO update on a complete batch, in the batch's order.</summary>
    public UpdateMetrics Update(IReadOnlyList<Rollout> batch) =>
        updater.Update(batch.Select(r => new TrainingRollout(r.PromptId, r.PromptTokenIds.ToArray(), r.ResponseTokenIds.ToArray(), r.Reward, r.VStar)).ToList());

    /// <summary>Writes the policy (a Hugging Face model directory) and the optimizer state into <paramref name="directory"/>.</summary>
    public void SaveTo(string directory)
    {
        ModelDirectory.Save(directory, Policy, Tokenizer);
        updater.SaveOptimizerState(Path.Combine(directory, CheckpointStore.OptimizerFileName));
    }

    public void Dispose()
    {
        updater.Dispose();
        Policy.Dispose();
    }
}
