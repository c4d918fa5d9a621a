using Apo.Engine.Rollouts;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using Apo.Model.Text;
using Apo.Tasks.Evaluation;
using Apo.Tasks.Verifiers;

namespace Apo.Engine.Evaluation;

/// <summary>
/// Measures a policy on held-out prompts: greedy accuracy, avg@k and unbiased pass@k, response
/// lengths and truncation, and — given the reference — KL(π‖π_ref) on temperature-1 samples from π.
/// Synchronous tensor work: call it on the device's thread.
/// </summary>
public static class PolicyEvaluator
{
    public static EvaluationReport Evaluate(Qwen2ForCausalLM policy, TextTokenizer tokenizer, Qwen2ForCausalLM? reference,
        IReadOnlyList<ScoredPrompt> prompts, string task, EvaluationSettings settings, string? checkpoint = null)
    {
        settings.Validate();
        if (prompts.Count == 0) throw new ArgumentException("no prompts to evaluate", nameof(prompts));
        var stats = new VerifierStats();
        var sampler = new RolloutSampler(policy, tokenizer, VerifierFactory.ForTask(task, stats), new SamplerSettings { Slots = settings.BatchSize });

        var greedy = sampler.Sample(prompts, 1, new SamplingOptions { Greedy = true, MaxNewTokens = settings.MaxNewTokens },
            settings.Seed, "eval-greedy");
        var sampling = new SamplingOptions
        {
            Temperature = settings.Temperature, TopP = settings.TopP, MaxNewTokens = settings.MaxNewTokens,
        };
        var sampled = sampler.Sample(prompts, settings.K, sampling, settings.Seed, "eval-sample");
        var perPrompt = sampled.GroupBy(s => s.PromptId).Select(g => (IReadOnlyList<double>)g.Select(s => s.Reward).ToList()).ToList();

        KlEstimate? kl = null;
        if (reference is not null)
        {
            // KL is an expectation under π itself, so it needs unfiltered temperature-1 samples; at that
            // setting the sampling log-probs are exactly π's own teacher-forced log-probs.
            bool samplesArePolicy = settings.Temperature == 1.0 && settings.TopP == 1.0;
            var klSamples = samplesArePolicy ? sampled
                : sampler.Sample(prompts, 1, new SamplingOptions { MaxNewTokens = settings.MaxNewTokens }, settings.Seed, "eval-kl");
            var promptIds = prompts.ToDictionary(p => p.Id, p => p.PromptIds);
            var referenceScores = Scorer.Score(reference, klSamples.Select(s => promptIds[s.PromptId]).ToList(),
                klSamples.Select(s => s.ResponseIds).ToList(), settings.MaxTokensPerMicroBatch);
            kl = KlEstimate.FromLogProbs(klSamples.Select(s => s.SamplingLogProbs).ToList(), referenceScores.Select(s => s.TokenLogProbs).ToList());
        }

        var lengths = sampled.Select(s => s.ResponseIds.Length).ToList();
        return new EvaluationReport
        {
            Task = task,
            Checkpoint = checkpoint,
            Prompts = prompts.Count,
            GreedyAccuracy = EvaluationMetrics.Accuracy(greedy.Select(s => s.Reward).ToList()),
            SamplesPerPrompt = settings.K,
            Temperature = settings.Temperature,
            TopP = settings.TopP,
            AverageAtK = EvaluationMetrics.AverageAtK(perPrompt),
            PassAtK = PassAtKLevels(settings.K).ToDictionary(k => k, k => EvaluationMetrics.PassAtK(perPrompt, k)),
            Kl = kl,
            ResponseLength = LengthStatistics.Of(lengths),
            TruncationRate = LengthStatistics.TruncationRate(lengths, sampled.Select(s => s.Finished).ToList(), settings.MaxNewTokens),
            Verifier = stats.Snapshot(),
        };
    }

    /// <summary>1, 2, 4, … up to k, and k itself.</summary>
    static IEnumerable<int> PassAtKLevels(int k)
    {
        var levels = new SortedSet<int> { k };
        for (int level = 1; level < k; level *= 2) levels.Add(level);
        return levels;
    }
}
