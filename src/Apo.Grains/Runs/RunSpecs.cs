using Apo.Abstractions.Runs;

namespace Apo.Grains.Runs;

/// <summary>Validation and comparison of run specs (records compare arrays by reference, so this compares them by content).</summary>
internal static class RunSpecs
{
    public static void Check(string grainKey, RunSpec? spec, RunConfinement confinement)
    {
        if (spec is null) throw new InvalidDataException($"run \"{grainKey}\": the run spec is missing");
        string where = $"run \"{spec.RunId}\"";
        if (spec.RunId != grainKey)
            throw new InvalidDataException($"{where}: the spec was sent to the RunGrain of \"{grainKey}\"; run id and grain key must match");
        RunConfinement.CheckRunId(where, "run id", spec.RunId);
        if (spec.Reference is null || string.IsNullOrWhiteSpace(spec.Reference.Location) || string.IsNullOrWhiteSpace(spec.Reference.Hash))
            throw new InvalidDataException($"{where}: field \"reference\" needs a location and a content hash");
        if (string.IsNullOrWhiteSpace(spec.OutputDirectory)) throw new InvalidDataException($"{where}: field \"output directory\" is empty");
        confinement.CheckPath(where, "output directory", spec.OutputDirectory);
        confinement.CheckPath(where, "reference location", spec.Reference.Location);
        if (spec.TrainPromptIds.IsDefaultOrEmpty) throw new InvalidDataException($"{where}: field \"train prompt ids\" is empty");
        if (spec.TrainPromptIds.Any(string.IsNullOrWhiteSpace)) throw new InvalidDataException($"{where}: a train prompt id is empty");
        if (spec.StageOne is null) throw new InvalidDataException($"{where}: stage-1 settings are missing");
        if (spec.StageOne.PromptsPerWorkUnit < 1)
            throw new InvalidDataException($"{where}: stage-1 prompts per work unit is {spec.StageOne.PromptsPerWorkUnit}; it must be ≥ 1");
        if (spec.StageOne.ProvenanceFor(spec.Reference.Hash).Problem() is { } problem)
            throw new InvalidDataException($"{where}: {problem}");
        if (spec.Engine?.Problem() is { } engine) throw new InvalidDataException($"{where}: {engine}");
        if (spec.StageTwo is null) throw new InvalidDataException($"{where}: stage-2 settings are missing");
        if (!Apo.Algorithm.StageTwoAlgorithms.TryParse(spec.StageTwo.Algorithm, out _))
            throw new InvalidDataException($"{where}: stage-2 algorithm is \"{spec.StageTwo.Algorithm}\"; expected one of " +
                string.Join(", ", Apo.Algorithm.StageTwoAlgorithms.Names));
    }

    /// <summary>Null when equal, else the name of the first field that differs.</summary>
    public static string? Difference(RunSpec a, RunSpec b) =>
        a.RunId != b.RunId ? "run id"
        : !Equals(a.Reference, b.Reference) ? "reference"
        : !a.TrainPromptIds.AsSpan().SequenceEqual(b.TrainPromptIds.AsSpan()) ? "train prompt ids"
        : !(a.EvalPromptIds.IsDefault ? b.EvalPromptIds.IsDefaultOrEmpty
            : a.EvalPromptIds.AsSpan().SequenceEqual(b.EvalPromptIds.IsDefault ? [] : b.EvalPromptIds.AsSpan())) ? "eval prompt ids"
        : !Equals(a.StageOne, b.StageOne) ? "stage-1 settings"
        : !Equals(a.StageTwo, b.StageTwo) ? "stage-2 settings"
        : a.OutputDirectory != b.OutputDirectory ? "output directory"
        : null;
}
