using Apo.Algorithm.Optimization;
using Apo.Common.Batching;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Engine.Sft;

/// <summary>
/// Supervised fine-tuning by teacher-forced cross-entropy on the target tokens only (the prompt is
/// context, never a label), averaged over the target tokens of each mini-batch, AdamW through
/// <see cref="PolicyOptimizer"/>. This is how the embedded default makes its reference policy.
/// Deterministic for a seed. Synchronous tensor work: call it on the device's thread.
/// </summary>
public static class SupervisedTrainer
{
    /// <summary>Trains <paramref name="model"/> in place and returns the loss of every step (before its update).</summary>
    /// <param name="progress">Called after every step with the 1-based step number and that step's loss.</param>
    /// <exception cref="ArgumentException">No examples, or an example with an empty prompt or target.</exception>
    public static IReadOnlyList<double> Train(Qwen2ForCausalLM model, IReadOnlyList<SupervisedExample> examples, SupervisedSettings settings,
        Action<int, double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (examples.Count == 0) throw new ArgumentException("supervised training needs at least one example", nameof(examples));
        for (int i = 0; i < examples.Count; i++)
            if (examples[i].PromptIds.Length == 0 || examples[i].TargetIds.Length == 0)
                throw new ArgumentException($"example {i} has an empty prompt or target", nameof(examples));

        using var optimizer = new PolicyOptimizer(model.parameters(), new OptimizerSettings(settings.LearningRate,
            WeightDecay: settings.WeightDecay, ClipGradNorm: settings.ClipGradNorm, MiniBatches: 1));
        var order = new ExampleOrder(examples.Count, settings.Seed);
        var losses = new List<double>(settings.Steps);
        for (int step = 1; step <= settings.Steps; step++)
        {
            var batch = order.Next(Math.Min(settings.BatchSize, examples.Count)).Select(i => examples[i]).ToList();
            var result = optimizer.Step(MicroBatchLosses(model, batch, settings.MaxTokensPerMicroBatch));
            losses.Add(result.Loss);
            progress?.Invoke(step, result.Loss);
        }
        return losses;
    }

    /// <summary>Mean negative log-likelihood per target token of a batch (scalar, with gradient).</summary>
    public static Tensor TargetCrossEntropy(Qwen2ForCausalLM model, IReadOnlyList<SupervisedExample> batch) =>
        TargetCrossEntropy(model, batch, batch.Sum(e => (long)e.TargetIds.Length));

    /// <summary>
    /// The batch's loss as micro-batches of at most <paramref name="maxTokens"/> padded tokens (<see cref="TokenBudget.Pack"/>),
    /// each its summed NLL over the WHOLE batch's target tokens, so their gradients add up to the batch's token mean exactly.
    /// </summary>
    static IReadOnlyList<Func<Tensor>> MicroBatchLosses(Qwen2ForCausalLM model, IReadOnlyList<SupervisedExample> batch, int maxTokens)
    {
        long targets = batch.Sum(e => (long)e.TargetIds.Length);
        var lengths = batch.Select(e => e.PromptIds.Length + e.TargetIds.Length).ToArray();
        return TokenBudget.Pack(Enumerable.Range(0, batch.Count).ToArray(), lengths, maxTokens)
            .Select(part => (Func<Tensor>)(() => TargetCrossEntropy(model, part.Select(i => batch[i]).ToList(), targets)))
            .ToList();
    }

    /// <summary>Σ −log p over the examples' target tokens, divided by <paramref name="targetTokens"/>.</summary>
    static Tensor TargetCrossEntropy(Qwen2ForCausalLM model, IReadOnlyList<SupervisedExample> examples, long targetTokens)
    {
        using var scope = NewDisposeScope();
        using var output = TeacherForcing.Forward(model, examples.Select(e => e.PromptIds).ToList(), examples.Select(e => e.TargetIds).ToList());
        return (output.TokenLogProbs.sum().neg() / targetTokens).MoveToOuterDisposeScope();
    }

    /// <summary>Seeded epochs: each a fresh permutation of all examples, consumed in order.</summary>
    sealed class ExampleOrder(int count, long seed)
    {
        readonly Random random = new(unchecked((int)(seed ^ (seed >> 32))));
        int[] permutation = [];
        int position;

        public IEnumerable<int> Next(int size)
        {
            var taken = new List<int>(size);
            while (taken.Count < size)
            {
                if (position == permutation.Length)
                {
                    permutation = Enumerable.Range(0, count).ToArray();
                    random.Shuffle(permutation);
                    position = 0;
                }
                taken.Add(permutation[position++]);
            }
            return taken;
        }
    }
}
