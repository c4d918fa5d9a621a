using System.Collections.Immutable;
using Apo.Abstractions.Generation;
using Apo.Abstractions.Runs;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Training;
using Apo.Grains.Runs;
using Apo.Grains.Tests.Generation;

namespace Apo.Grains.Tests.Runs;

/// <summary>
/// A caller that reaches the gateway cannot make a silo write or read outside its runs root: the run, trainer and
/// generator grains each refuse such a spec, plan or work unit, naming the field, before touching any file.
/// The fixture's silo is confined to its own folder, as a cluster silo is to Silo.RunsRoot.
/// </summary>
[Collection(GeneratorClusterCollection.Name)]
public sealed class RunConfinementTests(GeneratorClusterFixture fixture)
{
    static readonly SamplingSettings Short = new(1.0, 1.0, 0, 6);

    string Root => Path.TrimEndingDirectorySeparator(Path.GetFullPath(fixture.Model.Root)) + Path.DirectorySeparatorChar;

    RunSpec Spec(string runId) => new(
        runId, fixture.Model.Reference, fixture.Model.Prompts(2).Select(p => p.PromptId).ToImmutableArray(), [],
        new StageOneSettings(Samples: 2, Beta1: 0.5, Sampling: Short, Seed: 3, DropAllZeroPrompts: false, PromptsPerWorkUnit: 2),
        new StageTwoSettings("astar-po", 1e-3, 1e-6, 0.01, 1.0, 2, 1, 1, Short, 1, 0, 3),
        Path.Combine(fixture.Model.Root, runId));

    static string NewRunId() => "confined-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_run_whose_output_directory_escapes_the_runs_root_is_refused_and_nothing_is_written()
    {
        string runId = NewRunId();
        string outside = Path.Combine(Path.GetTempPath(), "apo-escape-" + runId);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            fixture.Grains.GetGrain<IRunGrain>(runId).Start(Spec(runId) with { OutputDirectory = outside }));
        Assert.Equal($"run \"{runId}\": field \"output directory\" = \"{outside}\" resolves to {outside}, outside the silo's runs root {Root} (Silo.RunsRoot); refusing it",
            error.Message);

        // ".." is resolved before the check.
        string sneaky = Path.Combine(fixture.Model.Root, "..", "apo-escape-" + runId);
        error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            fixture.Grains.GetGrain<IRunGrain>(runId).Start(Spec(runId) with { OutputDirectory = sneaky }));
        Assert.Contains($"resolves to {Path.GetFullPath(sneaky)}, outside the silo's runs root", error.Message);

        // A relative path is refused too: it would resolve against the silo's working directory.
        error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            fixture.Grains.GetGrain<IRunGrain>(runId).Start(Spec(runId) with { OutputDirectory = "runs/x" }));
        Assert.Equal($"run \"{runId}\": field \"output directory\" = \"runs/x\" must be an absolute path inside the silo's runs root {Root}", error.Message);

        Assert.False(Directory.Exists(outside));
        Assert.False(Directory.Exists(sneaky));
        Assert.Equal(RunPhase.NotStarted, (await fixture.Grains.GetGrain<IRunGrain>(runId).GetStatus()).Phase);
    }

    [Fact]
    public async Task A_reference_outside_the_runs_root_is_refused_by_the_run_the_trainer_and_the_generator()
    {
        string runId = NewRunId();
        var foreign = fixture.Model.Reference with { Location = "/etc" };
        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            fixture.Grains.GetGrain<IRunGrain>(runId).Start(Spec(runId) with { Reference = foreign }));
        Assert.Equal($"run \"{runId}\": field \"reference location\" = \"/etc\" resolves to /etc, outside the silo's runs root {Root} (Silo.RunsRoot); refusing it",
            error.Message);

        var spec = Spec(runId);
        var plan = new StageTwoPlan(runId, foreign, spec.StageOne.ProvenanceFor(foreign.Hash), spec.TrainPromptIds, spec.StageTwo, spec.OutputDirectory);
        error = await Assert.ThrowsAsync<InvalidDataException>(() => fixture.Grains.GetGrain<ITrainerGrain>(runId).Start(plan));
        Assert.Equal($"stage-2 plan of run '{runId}': field \"reference location\" = \"/etc\" resolves to /etc, outside the silo's runs root {Root} (Silo.RunsRoot); refusing it",
            error.Message);

        var unit = new StageOneWorkUnit(runId, "u0", foreign, spec.StageOne.ProvenanceFor(foreign.Hash), spec.TrainPromptIds);
        error = await Assert.ThrowsAsync<InvalidDataException>(() => fixture.Grains.GetGrain<IGeneratorGrain>("0").RunStageOne(unit));
        Assert.Equal($"stage-1 work unit \"u0\" of run \"{runId}\": field \"reference location\" = \"/etc\" resolves to /etc, outside the silo's runs root {Root} (Silo.RunsRoot); refusing it",
            error.Message);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("has space")]
    public async Task A_run_id_that_is_not_one_plain_name_is_refused(string runId)
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            fixture.Grains.GetGrain<IRunGrain>(runId).Start(Spec(runId) with { OutputDirectory = Path.Combine(fixture.Model.Root, "ok") }));
        Assert.Equal($"run \"{runId}\": field \"run id\" = \"{runId}\" must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit " +
            "(it names folders and blobs)", error.Message);
    }

    [Fact]
    public void Without_a_root_only_names_are_checked_and_the_root_itself_and_its_children_are_inside()
    {
        RunConfinement.None.CheckPath("w", "f", "/anywhere/at/all");
        var confined = new RunConfinement("/runs/");
        Assert.Equal("/runs/", confined.Root);
        confined.CheckPath("w", "f", "/runs");
        confined.CheckPath("w", "f", "/runs/a/../b");
        // A sibling that shares the prefix is outside.
        var error = Assert.Throws<InvalidDataException>(() => confined.CheckPath("w", "f", "/runs-other/x"));
        Assert.Equal("w: field \"f\" = \"/runs-other/x\" resolves to /runs-other/x, outside the silo's runs root /runs/ (Silo.RunsRoot); refusing it", error.Message);
    }
}
