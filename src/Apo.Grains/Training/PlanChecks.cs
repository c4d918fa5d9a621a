using Apo.Abstractions.Training;
using Apo.Algorithm;

namespace Apo.Grains.Training;

/// <summary>Rejects a stage-2 plan the trainer cannot run, with a message naming the field.</summary>
public static class PlanChecks
{
    /// <param name="confinement">The silo's runs root: the plan's output directory and reference must be inside it.</param>
    public static void Validate(string runId, StageTwoPlan plan, Runs.RunConfinement? confinement = null)
    {
        string where = $"stage-2 plan of run '{runId}'";
        void Fail(string problem) => throw new InvalidDataException($"{where}: {problem}");

        if (plan.RunId != runId) Fail($"run id is '{plan.RunId}' but the trainer is '{runId}'");
        var s = plan.Settings ?? throw new InvalidDataException($"{where}: settings are missing");
        if (plan.Reference is null || string.IsNullOrWhiteSpace(plan.Reference.Location)) Fail("reference model location is missing");
        if (plan.StageOne is null) Fail("stage-1 provenance is missing");
        if (string.IsNullOrWhiteSpace(plan.OutputDirectory)) Fail("output directory is missing");
        Runs.RunConfinement.CheckRunId(where, "run id", runId);
        confinement?.CheckPath(where, "output directory", plan.OutputDirectory);
        confinement?.CheckPath(where, "reference location", plan.Reference!.Location);
        if (plan.PromptIds.IsDefaultOrEmpty) Fail("there are no prompt ids");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in plan.PromptIds)
            if (!seen.Add(id)) Fail($"prompt id '{id}' appears twice");
        if (s.PromptsPerBatch < 1 || s.PromptsPerBatch > plan.PromptIds.Length)
            Fail($"prompts per batch is {s.PromptsPerBatch}; it must be in [1, {plan.PromptIds.Length}] (the number of prompts)");
        if (SettingsProblem(s) is { } problem) Fail(problem);
        if (plan.Engine?.Problem() is { } engine) Fail(engine);
    }

    /// <summary>The first stage-2 setting out of range, as a message naming it; null when all are fine.</summary>
    public static string? SettingsProblem(StageTwoSettings s)
    {
        if (!StageTwoAlgorithms.TryParse(s.Algorithm, out _))
            return $"algorithm is \"{s.Algorithm}\"; expected one of {string.Join(", ", StageTwoAlgorithms.Names)}";
        if (s.Iterations < 0) return $"iterations is {s.Iterations}; it must be ≥ 0";
        if (s.CheckpointEvery < 1) return $"checkpoint every is {s.CheckpointEvery}; it must be ≥ 1";
        if (s.MiniBatchesPerBatch < 1 || s.MiniBatchesPerBatch > s.PromptsPerBatch)
            return $"mini-batches per batch is {s.MiniBatchesPerBatch}; it must be in [1, prompts per batch]";
        if (!(s.Beta2 > 0) || !double.IsFinite(s.Beta2)) return $"beta2 is {s.Beta2}; it must be a positive finite number";
        if (!(s.LearningRate > 0) || !double.IsFinite(s.LearningRate)) return $"learning rate is {s.LearningRate}; it must be a positive finite number";
        if (!(s.WeightDecay >= 0) || !double.IsFinite(s.WeightDecay)) return $"weight decay is {s.WeightDecay}; it must be ≥ 0";
        if (!(s.GradientClipNorm > 0)) return $"gradient clip norm is {s.GradientClipNorm}; it must be > 0";
        if (!(s.EntropyCoefficient >= 0) || !double.IsFinite(s.EntropyCoefficient)) return $"entropy coefficient is {s.EntropyCoefficient}; it must be ≥ 0";
        if (!(s.KlCoefficient >= 0) || !double.IsFinite(s.KlCoefficient)) return $"KL coefficient is {s.KlCoefficient}; it must be ≥ 0";
        if (!(s.ClipEpsilon > 0) || !double.IsFinite(s.ClipEpsilon)) return $"clip epsilon is {s.ClipEpsilon}; it must be a positive finite number";
        if (!(s.RebelEta > 0) || !double.IsFinite(s.RebelEta)) return $"REBEL eta is {s.RebelEta}; it must be a positive finite number";
        if (!(s.CriticLearningRateMultiplier > 0) || !double.IsFinite(s.CriticLearningRateMultiplier))
            return $"critic learning-rate multiplier is {s.CriticLearningRateMultiplier}; it must be a positive finite number";
        if (s.MaxTokensPerMicroBatch < 0) return $"max tokens per micro-batch is {s.MaxTokensPerMicroBatch}; it must be ≥ 0 (0 = unlimited)";
        if (s.MaxStaleness < 0) return $"max staleness is {s.MaxStaleness}; it must be ≥ 0 (0 = synchronous stage 2)";
        if (s.MaxStaleness > 0 && !StageTwoAlgorithms.Parse(s.Algorithm).TrainsOnStaleSamples())
            return $"max staleness is {s.MaxStaleness}, but {StageTwoAlgorithms.Parse(s.Algorithm).Name()} trains only on samples of its current policy " +
                "(asynchronous stage 2 needs an importance-sampling correction, which only A*-PO does without: its target r − V̂* does not " +
                "depend on the policy that drew the sample); use max staleness 0 or the A*-PO algorithm";
        if (s.Sampling is null) return "sampling settings are missing";
        return s.Sampling.Problem();
    }
}
