using Apo.Abstractions.Training;

namespace Apo.Grains.Training;

/// <summary>Rejects a stage-2 plan the trainer cannot run, with a message naming the field.</summary>
public static class PlanChecks
{
    /// <summary>The algorithm this trainer runs (baselines have their own trainers).</summary>
    public const string AStarPo = "astar-po";

    public static void Validate(string runId, StageTwoPlan plan)
    {
        string where = $"stage-2 plan of run '{runId}'";
        void Fail(string problem) => throw new InvalidDataException($"{where}: {problem}");

        if (plan.RunId != runId) Fail($"run id is '{plan.RunId}' but the trainer is '{runId}'");
        var s = plan.Settings ?? throw new InvalidDataException($"{where}: settings are missing");
        if (!string.Equals(s.Algorithm, AStarPo, StringComparison.OrdinalIgnoreCase))
            Fail($"algorithm is \"{s.Algorithm}\"; this trainer runs only \"{AStarPo}\"");
        if (plan.Reference is null || string.IsNullOrWhiteSpace(plan.Reference.Location)) Fail("reference model location is missing");
        if (plan.StageOne is null) Fail("stage-1 provenance is missing");
        if (string.IsNullOrWhiteSpace(plan.OutputDirectory)) Fail("output directory is missing");
        if (plan.PromptIds.IsDefaultOrEmpty) Fail("there are no prompt ids");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in plan.PromptIds)
            if (!seen.Add(id)) Fail($"prompt id '{id}' appears twice");
        if (s.PromptsPerBatch < 1 || s.PromptsPerBatch > plan.PromptIds.Length)
            Fail($"prompts per batch is {s.PromptsPerBatch}; it must be in [1, {plan.PromptIds.Length}] (the number of prompts)");
        if (s.Iterations < 0) Fail($"iterations is {s.Iterations}; it must be ≥ 0");
        if (s.CheckpointEvery < 1) Fail($"checkpoint every is {s.CheckpointEvery}; it must be ≥ 1");
        if (s.MiniBatchesPerBatch < 1 || s.MiniBatchesPerBatch > s.PromptsPerBatch)
            Fail($"mini-batches per batch is {s.MiniBatchesPerBatch}; it must be in [1, prompts per batch]");
        if (!(s.Beta2 > 0) || !double.IsFinite(s.Beta2)) Fail($"beta2 is {s.Beta2}; it must be a positive finite number");
        if (!(s.LearningRate > 0) || !double.IsFinite(s.LearningRate)) Fail($"learning rate is {s.LearningRate}; it must be a positive finite number");
        if (!(s.WeightDecay >= 0) || !double.IsFinite(s.WeightDecay)) Fail($"weight decay is {s.WeightDecay}; it must be ≥ 0");
        if (!(s.GradientClipNorm > 0)) Fail($"gradient clip norm is {s.GradientClipNorm}; it must be > 0");
        if (!(s.EntropyCoefficient >= 0) || !double.IsFinite(s.EntropyCoefficient)) Fail($"entropy coefficient is {s.EntropyCoefficient}; it must be ≥ 0");
        if (s.Sampling is null) Fail("sampling settings are missing");
        else if (s.Sampling.Problem() is { } problem) Fail(problem);
    }
}
