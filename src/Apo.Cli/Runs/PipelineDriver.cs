using System.Collections.Immutable;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.Runs;
using Apo.Engine.Prompts;
using Apo.Model.Text;
using Apo.Tasks.Data;
using Spectre.Console;

namespace Apo.Cli.Runs;

/// <summary>
/// Puts a dataset into PromptGrains and drives a run through the coordinator grain, showing
/// progress. Prompt grain keys are "{runId}/{example id}", so each run owns its prompts' V̂*.
/// </summary>
public static class PipelineDriver
{
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public static string PromptKey(string runId, PromptExample example) => $"{runId}/{example.Id}";

    /// <summary>Initialises one PromptGrain per example (idempotent: a resumed run re-sends the same specs).</summary>
    public static async Task<ImmutableArray<string>> InitializePromptsAsync(IGrainFactory grains, string runId,
        IReadOnlyList<PromptExample> examples, TextTokenizer tokenizer, string source, int maxPromptTokens = 0, bool chatTemplate = false)
    {
        var keys = ImmutableArray.CreateBuilder<string>(examples.Count);
        foreach (var chunk in examples.Chunk(256))
        {
            var calls = chunk.Select(example =>
            {
                string key = PromptKey(runId, example);
                keys.Add(key);
                var encoded = PromptEncoder.Encode(example, tokenizer, chatTemplate, maxPromptTokens);
                var spec = new PromptSpec(key, example.Prompt, [.. encoded.PromptIds], example.GroundTruth, example.Task, source);
                return grains.GetGrain<IPromptGrain>(key).Initialize(spec);
            });
            await Task.WhenAll(calls);
        }
        return keys.ToImmutable();
    }

    /// <summary>Timings of the phases a run went through in this invocation.</summary>
    public sealed record PhaseTimes(double StageOne, double StageTwo);

    /// <summary>Starts (or resumes) the run and waits for it to finish, with a progress bar per phase.</summary>
    public static async Task<(RunStatus Status, PhaseTimes Times)> RunAsync(IGrainFactory grains, RunSpec spec)
    {
        var run = grains.GetGrain<IRunGrain>(spec.RunId);
        var status = await run.Start(spec);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        double stageOne = 0, stageTwo = 0;
        var phase = status.Phase;
        var phaseStart = TimeSpan.Zero;
        var unreachable = new StatusRetry();

        void Account(RunPhase ended)
        {
            double seconds = (stopwatch.Elapsed - phaseStart).TotalSeconds;
            if (ended == RunPhase.StageOne) stageOne += seconds;
            else if (ended == RunPhase.StageTwo) stageTwo += seconds;
            phaseStart = stopwatch.Elapsed;
        }

        async Task Poll(Action<RunStatus> show)
        {
            while (!IsFinal(status.Phase))
            {
                await Task.Delay(PollInterval);
                if (await unreachable.TryGetStatus(run) is not { } next) continue;
                status = next;
                if (status.Phase != phase)
                {
                    Account(phase);
                    phase = status.Phase;
                }
                show(status);
            }
            Account(phase);
        }

        if (AnsiConsole.Profile.Capabilities.Interactive)
        {
            await AnsiConsole.Progress().AutoClear(false).StartAsync(async context =>
            {
                var stage1 = context.AddTask("stage 1: reference samples, V̂*", maxValue: Math.Max(1, status.StageOneTotal));
                var stage2 = context.AddTask("stage 2: A*-PO updates", maxValue: Math.Max(1, spec.StageTwo.Iterations));
                await Poll(s =>
                {
                    stage1.MaxValue = Math.Max(1, s.StageOneTotal);
                    stage1.Value = s.StageOneDone;
                    if (s.StageTwoIterations is { } steps) stage2.MaxValue = Math.Max(1, steps);
                    stage2.Value = s.TrainerIteration;
                });
                stage1.Value = stage1.MaxValue;
                if (status.Phase == RunPhase.Completed) stage2.Value = stage2.MaxValue;
            });
        }
        else
        {
            // Plain lines (no terminal): one progress log per phase, every 5 % and at least every 10 s.
            PlainProgress? plain = null;
            RunPhase? shown = null;
            void Show(RunStatus s)
            {
                if (shown == RunPhase.StageOne) plain?.Report(s.StageOneDone, s.StageOneTotal);
                else if (shown == RunPhase.StageTwo) plain?.Report(s.TrainerIteration);
                if (s.Phase == shown) return;
                plain?.Complete();
                plain?.Dispose();
                plain = s.Phase switch
                {
                    RunPhase.StageOne => new PlainProgress("stage 1", s.StageOneTotal, "prompts"),
                    RunPhase.StageTwo => new PlainProgress("stage 2", s.StageTwoIterations ?? spec.StageTwo.Iterations, "iterations"),
                    _ => null,
                };
                shown = s.Phase;
                Show(s);
            }
            Show(status);
            await Poll(Show);
            plain?.Dispose();
            Console.Error.WriteLine($"run {spec.RunId}: {status.Phase}");
        }

        if (status.Phase == RunPhase.Failed) throw new RunFailedException($"run {spec.RunId} failed: {status.Error}");
        if (status.Phase == RunPhase.Cancelled) throw new OperationCanceledException($"run {spec.RunId} was cancelled");
        return (status, new PhaseTimes(stageOne, stageTwo));
    }

    /// <summary>
    /// Fetches the run's status, tolerating a while of unreachability: on a cluster, the silo holding the
    /// RunGrain may die; Orleans re-creates the grain on another silo once membership declares the death,
    /// and the next status call resumes the run there. Failures lasting past <see cref="Limit"/> are thrown.
    /// </summary>
    sealed class StatusRetry
    {
        static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
        DateTime? since;

        /// <summary>The status, or null after a failure (already waited a little before returning).</summary>
        public async Task<RunStatus?> TryGetStatus(IRunGrain run)
        {
            try
            {
                var status = await run.GetStatus();
                since = null;
                return status;
            }
            catch (Exception e) when (e is not InvalidDataException)
            {
                since ??= DateTime.UtcNow;
                if (DateTime.UtcNow - since > Limit) throw;
                Console.Error.WriteLine($"run status unavailable ({e.GetType().Name}: {e.Message.Split('\n')[0]}); retrying");
                await Task.Delay(TimeSpan.FromSeconds(2));
                return null;
            }
        }
    }

    static bool IsFinal(RunPhase phase) => phase is RunPhase.Completed or RunPhase.Failed or RunPhase.Cancelled;
}
