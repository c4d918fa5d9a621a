using System.Collections.Immutable;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.Runs;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Training;
using Apo.Grains.Tests.Generation;

namespace Apo.Grains.Tests.Runs;

[Collection(GeneratorClusterCollection.Name)]
public sealed class RunGrainTests(GeneratorClusterFixture fixture)
{
    static readonly SamplingSettings Short = new(1.0, 1.0, 0, 6);

    RunSpec Spec(string runId, ImmutableArray<PromptSpec> prompts, long seed = 21, int iterations = 0, string algorithm = "astar-po") => new(
        runId,
        fixture.Model.Reference,
        prompts.Select(p => p.PromptId).ToImmutableArray(),
        [],
        new StageOneSettings(Samples: 3, Beta1: 0.5, Sampling: Short, Seed: seed, DropAllZeroPrompts: false, PromptsPerWorkUnit: 2),
        new StageTwoSettings(algorithm, 1e-3, 1e-6, 0.01, 1.0, 4, 1, iterations, Short, 1, 0, seed),
        Path.Combine(fixture.Model.Root, runId));

    static string NewRunId() => "run-" + Guid.NewGuid().ToString("N")[..12];

    async Task<RunStatus> WaitUntilSettled(IRunGrain run)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = await run.GetStatus();
            if (status.Phase is RunPhase.Completed or RunPhase.Failed or RunPhase.Cancelled) return status;
            Assert.True(DateTime.UtcNow < deadline, $"run still in {status.Phase} after 60 s");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Stage_one_fills_every_prompt_over_work_units_and_a_stage_one_only_run_completes()
    {
        var prompts = fixture.Model.Prompts(5);
        await fixture.Initialize(prompts);
        string runId = NewRunId();
        var run = fixture.Grains.GetGrain<IRunGrain>(runId);

        var started = await run.Start(Spec(runId, prompts));
        var done = await WaitUntilSettled(run);

        Assert.Equal(RunPhase.StageOne, started.Phase);
        Assert.Equal(new RunStatus(runId, RunPhase.Completed, 5, 5, 0, null) { StageTwoIterations = 0 }, done);
        var provenance = Spec(runId, prompts).StageOne.ProvenanceFor(fixture.Model.Reference.Hash);
        foreach (var p in prompts)
            Assert.Equal(3, (await fixture.Grains.GetGrain<IPromptGrain>(p.PromptId).GetStageOne(provenance))!.Samples.Length);
    }

    [Fact]
    public async Task A_baseline_run_skips_stage_one_and_a_spec_with_an_unknown_algorithm_is_refused()
    {
        var prompts = fixture.Model.Prompts(2);
        await fixture.Initialize(prompts);
        string runId = NewRunId();
        var run = fixture.Grains.GetGrain<IRunGrain>(runId);

        var started = await run.Start(Spec(runId, prompts, algorithm: "grpo"));
        var done = await WaitUntilSettled(run);

        // Only A*-PO regresses onto V̂*: the run never entered stage 1 (with 0 iterations it may already
        // have completed when Start answered), no work unit ran and no prompt got a stage-1 record.
        Assert.NotEqual(RunPhase.StageOne, started.Phase);
        Assert.Equal(new RunStatus(runId, RunPhase.Completed, 0, 2, 0, null) { StageTwoIterations = 0 }, done);
        var provenance = Spec(runId, prompts).StageOne.ProvenanceFor(fixture.Model.Reference.Hash);
        foreach (var p in prompts)
            Assert.Null(await fixture.Grains.GetGrain<IPromptGrain>(p.PromptId).GetStageOne(provenance));

        string other = NewRunId();
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => fixture.Grains.GetGrain<IRunGrain>(other).Start(Spec(other, prompts, algorithm: "dpo")));
        Assert.Contains("dpo", error.Message);
        Assert.Contains("algorithm", error.Message);
    }

    [Fact]
    public async Task A_spec_or_plan_with_an_impossible_batch_shape_is_refused_naming_the_field()
    {
        var prompts = fixture.Model.Prompts(4); // a batch of 4 fits: only the batch shape is wrong
        string runId = NewRunId();
        var spec = Spec(runId, prompts) with { Engine = new Apo.Abstractions.Generation.GenerationEngine(0, 1024) };
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => fixture.Grains.GetGrain<IRunGrain>(runId).Start(spec));
        Assert.Equal($"run \"{runId}\": generation slots is 0; it must be ≥ 1", error.Message);

        var plan = new StageTwoPlan(runId, fixture.Model.Reference, spec.StageOne.ProvenanceFor(fixture.Model.Reference.Hash),
            spec.TrainPromptIds, spec.StageTwo with { Iterations = 1 }, spec.OutputDirectory) { Engine = new(4, -1) };
        error = await Assert.ThrowsAsync<InvalidDataException>(() => fixture.Grains.GetGrain<ITrainerGrain>(runId).Start(plan));
        Assert.Equal($"stage-2 plan of run '{runId}': generation KV budget is -1 tokens; it must be ≥ 0 (0 = none)", error.Message);
    }

    [Fact]
    public async Task Start_is_idempotent_for_an_equal_spec_and_refuses_a_different_one()
    {
        var prompts = fixture.Model.Prompts(2);
        await fixture.Initialize(prompts);
        string runId = NewRunId();
        var run = fixture.Grains.GetGrain<IRunGrain>(runId);
        await run.Start(Spec(runId, prompts));
        var done = await WaitUntilSettled(run);

        var again = await run.Start(Spec(runId, prompts)); // equal content, new arrays
        Assert.Equal(done, again);
        Assert.Equal(done, await run.GetStatus());

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => run.Start(Spec(runId, prompts, seed: 22)));
        Assert.Contains("stage-1 settings", error.Message);
        error = await Assert.ThrowsAsync<InvalidDataException>(() => run.Start(Spec("another-run", prompts)));
        Assert.Contains("grain key", error.Message);
    }

    [Fact]
    public async Task A_failed_run_resumes_when_started_again_keeping_the_records_already_made()
    {
        // 5 prompts in units of 2: the third unit holds the last prompt, which is not initialized yet.
        var prompts = fixture.Model.Prompts(5);
        await fixture.Initialize(prompts.Take(4));
        string runId = NewRunId();
        var run = fixture.Grains.GetGrain<IRunGrain>(runId);
        var provenance = Spec(runId, prompts).StageOne.ProvenanceFor(fixture.Model.Reference.Hash);

        await run.Start(Spec(runId, prompts));
        var failed = await WaitUntilSettled(run);

        // Bad input fails the run at once (units still in flight are cancelled), naming the prompt.
        Assert.Equal(RunPhase.Failed, failed.Phase);
        Assert.Contains(prompts[4].PromptId, failed.Error);
        Assert.InRange(failed.StageOneDone, 0, 4);
        var before = await Task.WhenAll(prompts.Take(4).Select(p => fixture.Grains.GetGrain<IPromptGrain>(p.PromptId).GetStageOne(provenance)));

        await fixture.Initialize(prompts.Skip(4));
        await run.Start(Spec(runId, prompts));
        var resumed = await WaitUntilSettled(run);

        // Every unit is confirmed again (the generator skips prompts already recorded): 5 of 5, and the records
        // made before the failure are the ones kept.
        Assert.Equal(new RunStatus(runId, RunPhase.Completed, 5, 5, 0, null) { StageTwoIterations = 0 }, resumed);
        for (int i = 0; i < 4; i++)
        {
            if (before[i] is null) continue;
            var after = await fixture.Grains.GetGrain<IPromptGrain>(prompts[i].PromptId).GetStageOne(provenance);
            Assert.Equal(before[i]!.VStar, after!.VStar);
            Assert.Equal(before[i]!.Samples.Select(x => x.ResponseText), after.Samples.Select(x => x.ResponseText));
        }
    }

    [Fact]
    public async Task A_run_whose_activation_ends_is_woken_by_its_reminder_and_finishes_with_no_client_calling()
    {
        var prompts = fixture.Model.Prompts(12);
        await fixture.Initialize(prompts);
        string runId = NewRunId();
        var run = fixture.Grains.GetGrain<IRunGrain>(runId);
        var spec = Spec(runId, prompts);
        var provenance = spec.StageOne.ProvenanceFor(fixture.Model.Reference.Hash);
        await run.Start(spec);
        while ((await run.GetStatus()).StageOneDone == 0) await Task.Delay(20);

        // The activation ends mid-stage-1 (as when its silo shuts down); from here on nobody calls the run.
        await run.Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        int recorded;
        do
        {
            await Task.Delay(200);
            var records = await Task.WhenAll(prompts.Select(p => fixture.Grains.GetGrain<IPromptGrain>(p.PromptId).GetVStar(provenance)));
            recorded = records.Count(r => r is not null);
        } while (recorded < prompts.Length && DateTime.UtcNow < deadline);

        // Units of 2 prompts and at most two in flight when it paused: the rest needed the reminder to resume the run.
        Assert.Equal(prompts.Length, recorded);
        var done = await WaitUntilSettled(run);
        Assert.Equal(new RunStatus(runId, RunPhase.Completed, 12, 12, 0, null) { StageTwoIterations = 0 }, done);
    }

    [Fact]
    public async Task A_full_run_goes_through_stage_one_and_the_trainers_stage_two_to_completion()
    {
        var prompts = fixture.Model.Prompts(4);
        await fixture.Initialize(prompts);
        string runId = NewRunId();
        var run = fixture.Grains.GetGrain<IRunGrain>(runId);

        await run.Start(Spec(runId, prompts, iterations: 2));
        var done = await WaitUntilSettled(run);

        Assert.Equal(new RunStatus(runId, RunPhase.Completed, 4, 4, 2, null) { StageTwoIterations = 2 }, done);
        var trainer = await fixture.Grains.GetGrain<ITrainerGrain>(runId).GetStatus();
        Assert.Equal(TrainerPhase.Finished, trainer.Phase);
        Assert.Equal(2, trainer.Iteration);
    }

    [Fact]
    public async Task With_the_all_zero_filter_a_run_whose_prompts_all_scored_zero_skips_the_trainer()
    {
        // A ground truth that no response can match: every stage-1 reward is 0, so the filter drops every prompt.
        var prompts = fixture.Model.Prompts(3).Select(p => p with { GroundTruth = "no number matches this" }).ToImmutableArray();
        await fixture.Initialize(prompts);
        string runId = NewRunId();
        var spec = Spec(runId, prompts, iterations: 1);
        spec = spec with { StageOne = spec.StageOne with { DropAllZeroPrompts = true } };
        var run = fixture.Grains.GetGrain<IRunGrain>(runId);

        await run.Start(spec);
        var done = await WaitUntilSettled(run);

        // Nothing kept, nothing to train: the run reports 0 stage-2 iterations.
        Assert.Equal(new RunStatus(runId, RunPhase.Completed, 3, 3, 0, null) { StageTwoIterations = 0 }, done);
        Assert.Equal(TrainerPhase.Idle, (await fixture.Grains.GetGrain<ITrainerGrain>(runId).GetStatus()).Phase);
    }
}
