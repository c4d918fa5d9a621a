using Apo.Algorithm;
using Apo.Algorithm.Baselines.Grpo;
using Apo.Algorithm.Baselines.Ppo;
using Apo.Algorithm.Optimization;
using Apo.Engine.StageTwo;
using Apo.Model.Inference;
using Apo.Model.Qwen2;

namespace Apo.Engine.Tests.StageTwo;

/// <summary>Fixed tiny batches and settings for the stage-2 learner tests.</summary>
static class LearnerFixtures
{
    /// <summary>Two fixed responses per prompt; which of them is rewarded alternates from prompt to prompt.</summary>
    public static (int[] Rewarded, int[] Unrewarded) Responses(int prompt) => prompt % 2 == 0
        ? ([5 + prompt % 3, 9, 11, TinyModels.Eos], [20 + prompt % 3, 30, TinyModels.Eos])
        : ([21 + prompt % 3, 31, TinyModels.Eos], [6 + prompt % 3, 10, 12, TinyModels.Eos]);

    /// <summary>
    /// <paramref name="prompts"/> prompts × <paramref name="perPrompt"/> rollouts, adjacent per prompt. With 2 per prompt
    /// each group holds one rewarded (1) and one unrewarded (0) response, the rewarded one first on even prompts and
    /// second on odd ones; with 1 per prompt, prompt i gets its rewarded response when i % 4 &lt; 2, else its unrewarded one.
    /// V̂* is NaN: the baselines have no stage 1.
    /// </summary>
    public static List<TrainingRollout> Batch(int prompts, int perPrompt, int seed = 5)
    {
        var ids = TinyModels.Prompts(prompts, seed: seed);
        var batch = new List<TrainingRollout>();
        for (int p = 0; p < prompts; p++)
        {
            var (good, bad) = Responses(p);
            if (perPrompt == 1)
            {
                bool rewarded = p % 4 < 2;
                batch.Add(new TrainingRollout($"p{p}", ids[p], rewarded ? good : bad, rewarded ? 1 : 0, double.NaN));
                continue;
            }
            var first = new TrainingRollout($"p{p}", ids[p], good, 1, double.NaN);
            var second = new TrainingRollout($"p{p}", ids[p], bad, 0, double.NaN);
            if (p % 2 == 0) batch.AddRange([first, second]);
            else batch.AddRange([second, first]);
        }
        return batch;
    }

    public static StageTwoLearnerSettings Settings(StageTwoAlgorithm algorithm, double lr = 1e-2, int miniBatches = 2,
        int maxTokens = 0, double weightDecay = 0.01, double entropy = 0) => new()
    {
        Algorithm = algorithm,
        Beta2 = 0.1,
        Optimizer = new OptimizerSettings(LearningRate: lr, WeightDecay: weightDecay, MiniBatches: miniBatches,
            EntropyCoefficient: algorithm == StageTwoAlgorithm.AStarPo ? entropy : 0),
        MaxTokensPerMicroBatch = maxTokens,
        Grpo = new GrpoSettings(EntropyCoefficient: entropy),
        Ppo = new PpoSettings(EntropyCoefficient: entropy),
    };

    /// <summary>
    /// Σ over rollouts of ±log π(y|x): + for rewarded, − for unrewarded responses (Scorer, independent of the learners).
    /// For the paired batches this is Σ_prompts [log π(rewarded) − log π(unrewarded)].
    /// </summary>
    public static double RewardedMargin(Qwen2ForCausalLM model, IReadOnlyList<TrainingRollout> batch)
    {
        var scores = Scorer.Score(model, batch.Select(r => r.PromptIds).ToList(), batch.Select(r => r.ResponseIds).ToList(), 16);
        return batch.Select((r, i) => (r.Reward > 0.5 ? 1 : -1) * scores[i].Sum).Sum();
    }

    /// <summary>Every batch flipped: rewarded becomes unrewarded (a second, different batch for resume tests).</summary>
    public static List<TrainingRollout> Flipped(IEnumerable<TrainingRollout> batch) => batch.Select(r => r with { Reward = 1 - r.Reward }).ToList();

    /// <summary>The V̂* A*-PO needs (the baselines ignore it).</summary>
    public static List<TrainingRollout> WithVStar(IEnumerable<TrainingRollout> batch) => batch.Select(r => r with { VStar = 0.5 }).ToList();
}
