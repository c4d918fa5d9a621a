using Apo.Abstractions.Training;
using Apo.Algorithm;
using Apo.Algorithm.Baselines.Grpo;
using Apo.Algorithm.Baselines.Ppo;
using Apo.Algorithm.Optimization;
using Apo.Engine.StageTwo;
using Apo.Grains.Runtime;
using Apo.Model;
using Apo.Model.Qwen2;
using Apo.Model.Text;

namespace Apo.Grains.Training;

/// <summary>
/// The tensor side of a trainer: its own trainable policy, the shared frozen reference and the
/// plan's stage-2 learner (A*-PO or a baseline) with its optimizer state. Every member does tensor
/// work: use it only on the device executor's thread.
/// </summary>
public sealed class TrainerSession : IDisposable
{
    readonly IStageTwoLearner learner;

    TrainerSession(Qwen2ForCausalLM policy, TextTokenizer tokenizer, IStageTwoLearner learner)
    {
        Policy = policy;
        Tokenizer = tokenizer;
        this.learner = learner;
    }

    /// <summary>The dtype the reference checkpoint stores (its config.json): what the trained policy is saved as,
    /// whatever dtype it computes in on this silo.</summary>
    public TorchSharp.torch.ScalarType CheckpointDtype => Policy.Config.ScalarType;

    public Qwen2ForCausalLM Policy { get; }
    public TextTokenizer Tokenizer { get; }
    public long OptimizerSteps => learner.OptimizerSteps;

    /// <summary>
    /// Opens the session: the policy starts as a copy of the reference, or of the checkpoint at
    /// <paramref name="checkpoint"/> together with the learner's state (optimizer, PPO's critic).
    /// </summary>
    public static TrainerSession Open(TensorLane lane, StageTwoPlan plan, string? checkpoint)
    {
        lane.EnsureOnDeviceThread();
        var reference = lane.Shared(plan.Reference.Location);
        var policy = ModelDirectory.LoadModel(checkpoint ?? plan.Reference.Location, lane.Executor.Device, reference.Model.DType);
        try
        {
            if (policy.Config.ToJson().ToJsonString() != reference.Config.ToJson().ToJsonString() && checkpoint is not null)
                throw new InvalidDataException($"{checkpoint}: the checkpoint's config.json differs from the reference model's ({plan.Reference.Location})");
            var learner = StageTwoLearners.Create(LearnerSettings(plan.Settings), policy, reference.Model);
            try
            {
                if (checkpoint is not null) learner.LoadState(checkpoint);
            }
            catch
            {
                learner.Dispose();
                throw;
            }
            return new TrainerSession(policy, reference.Tokenizer, learner);
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }

    /// <summary>The learner's settings from a plan's: the shared optimizer, A*-PO's β2, the baselines' coefficients.</summary>
    public static StageTwoLearnerSettings LearnerSettings(StageTwoSettings s)
    {
        var algorithm = StageTwoAlgorithms.Parse(s.Algorithm);
        return new StageTwoLearnerSettings
        {
            Algorithm = algorithm,
            Beta2 = s.Beta2,
            Optimizer = new OptimizerSettings(s.LearningRate, s.WeightDecay, s.GradientClipNorm,
                MiniBatches: s.MiniBatchesPerBatch, EntropyCoefficient: algorithm == StageTwoAlgorithm.AStarPo ? s.EntropyCoefficient : 0),
            Grpo = new GrpoSettings(ResponsesPerPrompt: algorithm.ResponsesPerPrompt(), ClipEpsilon: s.ClipEpsilon,
                KlCoefficient: s.KlCoefficient, EntropyCoefficient: s.EntropyCoefficient),
            RebelEta = s.RebelEta,
            MaxTokensPerMicroBatch = s.MaxTokensPerMicroBatch,
            ActivationCheckpointing = s.ActivationCheckpointing,
            Ppo = new PpoSettings(ClipEpsilon: s.ClipEpsilon, KlInRewardCoefficient: s.KlCoefficient, EntropyCoefficient: s.EntropyCoefficient,
                CriticLearningRateMultiplier: s.CriticLearningRateMultiplier),
        };
    }

    /// <summary>
    /// One update on a complete batch, in the batch's order (prompt, then sample index), given its reference scores
    /// (<see cref="ScoreReference"/>).
    /// </summary>
    public UpdateMetrics Update(IReadOnlyList<Rollout> batch, ReferenceScores reference) => learner.Update(ForLearner(batch), reference);

    /// <summary>
    /// The batch's reference log-probs, scored on <paramref name="lane"/> with that lane's copy of the plan's reference
    /// and the learner's token budget: the numbers the learner would compute itself, wherever they are computed.
    /// </summary>
    public static ReferenceScores ScoreReference(TensorLane lane, StageTwoPlan plan, IReadOnlyList<Rollout> batch)
    {
        lane.EnsureOnDeviceThread();
        return ReferenceScores.Of(lane.Shared(plan.Reference.Location).Model, ForLearner(batch), plan.Settings.MaxTokensPerMicroBatch);
    }

    static List<TrainingRollout> ForLearner(IReadOnlyList<Rollout> batch) =>
        batch.Select(r => new TrainingRollout(r.PromptId, r.PromptTokenIds.ToArray(), r.ResponseTokenIds.ToArray(), r.Reward, r.VStar)).ToList();

    /// <summary>Writes the policy (a Hugging Face model directory) and the learner's state into <paramref name="directory"/>.</summary>
    public void SaveTo(string directory)
    {
        ModelDirectory.Save(directory, Policy, Tokenizer, storeAs: CheckpointDtype);
        learner.SaveState(directory);
    }

    public void Dispose()
    {
        learner.Dispose();
        Policy.Dispose();
    }
}
