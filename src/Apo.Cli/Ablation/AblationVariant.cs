using System.Globalization;
using Apo.Engine.Presets;

namespace Apo.Cli.Ablation;

/// <summary>
/// One A*-PO setting of the ablation: N stage-1 samples, β1, and whether prompts with pass@N = 0 are dropped.
/// Its name is its directory; two knobs that reach the same setting share one run.
/// </summary>
public sealed record AblationVariant(int Samples, double Beta1, bool DropAllZeroPrompts)
{
    public string Name => FormattableString.Invariant($"n{Samples}-beta1-{Beta1.ToString("R", CultureInfo.InvariantCulture)}{(DropAllZeroPrompts ? "-drop" : "")}");

    public EmbeddedPreset Apply(EmbeddedPreset preset) => preset with
    {
        StageOne = preset.StageOne with { Samples = Samples, Beta1 = Beta1, DropAllZeroPrompts = DropAllZeroPrompts },
    };
}

/// <summary>A point of one knob's sweep: its label on the plot and the setting it runs.</summary>
public sealed record AblationPoint(string Label, AblationVariant Variant);

/// <summary>
/// The paper's three ablations (its Figures 3–5), each sweeping one knob of A*-PO from the preset's setting:
/// N ∈ {1, 2, 4, 8, 16}; β1 ∈ {0 (the mean), 0.1, 0.5, 1, 2}; filtering off and on at N ∈ {2, 8}.
/// </summary>
public static class AblationKnobs
{
    public static IReadOnlyList<string> Names { get; } = ["samples", "beta1", "filter"];

    public static IReadOnlyList<AblationPoint> Sweep(string knob, EmbeddedPreset preset)
    {
        var at = new AblationVariant(preset.StageOne.Samples, preset.StageOne.Beta1, preset.StageOne.DropAllZeroPrompts);
        return knob switch
        {
            "samples" => [.. new[] { 1, 2, 4, 8, 16 }.Select(n => new AblationPoint($"N={n}", at with { Samples = n }))],
            "beta1" => [.. new[] { 0, 0.1, 0.5, 1, 2 }.Select(b => new AblationPoint(b == 0 ? "β1=0 (mean)" : FormattableString.Invariant($"β1={b}"), at with { Beta1 = b }))],
            "filter" => [.. new[] { 2, 8 }.SelectMany(n => new[] { false, true }.Select(drop =>
                new AblationPoint($"N={n} {(drop ? "drop" : "keep")}", at with { Samples = n, DropAllZeroPrompts = drop })))],
            _ => throw new UsageException($"--knob: unknown knob \"{knob}\" (expected samples, beta1, filter or all)"),
        };
    }

    /// <summary>The knobs `--knob` names: one of them, or all three.</summary>
    public static IReadOnlyList<string> Parse(string text)
    {
        string knob = text.Trim().ToLowerInvariant();
        return knob == "all" ? Names
            : Names.Contains(knob) ? [knob]
            : throw new UsageException($"--knob: unknown knob \"{text}\" (expected samples, beta1, filter or all)");
    }
}
