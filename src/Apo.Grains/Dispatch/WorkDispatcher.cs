using Microsoft.Extensions.Logging;

namespace Apo.Grains.Dispatch;

/// <summary>
/// The one generator pool of stage 1 and stage 2: hands units of work to live generators, which pull the
/// next unit as soon as they have room (<see cref="DispatchOptions.InFlightPerGenerator"/>), so a fast
/// generator takes more and a slow one holds nobody back. Membership is read again on every pass, so a
/// silo that joins takes work within <see cref="DispatchOptions.MembershipPollInterval"/> and one that
/// leaves has its calls cancelled and its units handed on. A failed unit is retried with exponential
/// backoff, preferably on another generator, and the generator that failed is benched for as long; bad
/// input (<see cref="InvalidDataException"/>) fails at once, the same everywhere. Results come back in
/// the units' order, whoever ran them. Every call gets a token the dispatcher cancels when it supersedes
/// the call (timed out, its generator left, the run failed or stopped).
/// </summary>
/// <remarks>
/// All state is touched only by the loop of <see cref="RunAsync{TUnit,TResult}"/> between its awaits, so it
/// needs no lock, in a grain's single-threaded context or outside one.
/// </remarks>
public sealed class WorkDispatcher(IGeneratorDirectory directory, DispatchOptions options, ILogger logger)
{
    sealed record Call(int Unit, string Generator, CancellationTokenSource Cancel);

    /// <summary>
    /// Runs every unit once to success. <paramref name="completed"/> is awaited for each unit that succeeds,
    /// one at a time, in completion order (e.g. to record progress).
    /// </summary>
    public async Task<TResult[]> RunAsync<TUnit, TResult>(IReadOnlyList<TUnit> units, Func<string, TUnit, CancellationToken, Task<TResult>> call,
        Func<TUnit, string> describe, Func<int, TResult, Task>? completed = null, CancellationToken cancellation = default)
    {
        options.Validate();
        var results = new TResult[units.Count];
        var attempts = new int[units.Count];
        var lastFailedOn = new string?[units.Count];
        var ready = new LinkedList<int>(Enumerable.Range(0, units.Count));
        var backingOff = new List<(int Unit, DateTime Due)>();
        var running = new Dictionary<Task<TResult>, Call>();
        var benched = new Dictionary<string, (int Failures, DateTime Until)>(StringComparer.Ordinal);
        int remaining = units.Count;
        DateTime? alone = null; // since when no generator has been live
        Diagnostics.ApoMetrics.PendingWork.Add(remaining);

        try
        {
            while (remaining > 0)
            {
                cancellation.ThrowIfCancellationRequested();
                var now = DateTime.UtcNow;
                // Retries go first once their pause is over, so a unit is not starved behind fresh ones.
                foreach (var due in backingOff.Where(b => b.Due <= now).OrderByDescending(b => b.Unit).ToList())
                {
                    backingOff.Remove(due);
                    ready.AddFirst(due.Unit);
                }

                var live = directory.LiveGenerators();
                foreach (var c in running.Values.Where(c => !live.Contains(c.Generator) && !c.Cancel.IsCancellationRequested))
                {
                    logger.LogWarning("generator {Generator} left the pool; cancelling its call on {Unit}", c.Generator, describe(units[c.Unit]));
                    c.Cancel.Cancel();
                }
                Assign(live, now);

                if (live.Count == 0 && running.Count == 0)
                {
                    alone ??= now;
                    if (now - alone > options.NoGeneratorTimeout)
                        throw new TimeoutException($"no generator silo has been live for {options.NoGeneratorTimeout.TotalSeconds:F0} s with " +
                            $"{remaining} units of work left; start a silo whose role includes \"generator\"");
                }
                else alone = null;

                var wake = Task.Delay(options.MembershipPollInterval, cancellation);
                await Task.WhenAny(running.Keys.Append<Task>(wake));
                foreach (var (task, c) in running.Where(r => r.Key.IsCompleted).ToList())
                {
                    running.Remove(task);
                    c.Cancel.Dispose();
                    if (task.IsCompletedSuccessfully)
                    {
                        results[c.Unit] = task.Result;
                        remaining--;
                        Diagnostics.ApoMetrics.PendingWork.Add(-1);
                        benched.Remove(c.Generator);
                        if (completed is not null) await completed(c.Unit, task.Result);
                        continue;
                    }
                    var error = task.Exception?.GetBaseException() ?? new OperationCanceledException("the call was cancelled");
                    if (error is InvalidDataException) throw error;
                    cancellation.ThrowIfCancellationRequested();
                    Failed(c, error, DateTime.UtcNow);
                }
            }
            return results;
        }
        finally
        {
            foreach (var c in running.Values) c.Cancel.Cancel();
            Diagnostics.ApoMetrics.PendingWork.Add(-remaining);  // a run that stops or fails leaves no phantom queue
        }

        // Least-loaded generators first; each takes the first ready unit that did not just fail on it.
        void Assign(IReadOnlyList<string> live, DateTime now)
        {
            var usable = live.Where(g => !benched.TryGetValue(g, out var b) || b.Until <= now).ToList();
            while (ready.Count > 0)
            {
                var generator = usable
                    .Select(g => (Generator: g, Load: running.Values.Count(c => c.Generator == g)))
                    .Where(g => g.Load < options.InFlightPerGenerator)
                    .OrderBy(g => g.Load).ThenBy(g => g.Generator, StringComparer.Ordinal)
                    .Select(g => g.Generator)
                    .FirstOrDefault(g => Pick(g, usable.Count) is not null);
                if (generator is null) return;
                var node = Pick(generator, usable.Count)!;
                ready.Remove(node);
                Start(node.Value, generator);
            }
        }

        LinkedListNode<int>? Pick(string generator, int choices)
        {
            for (var node = ready.First; node is not null; node = node.Next)
                if (choices == 1 || lastFailedOn[node.Value] != generator) return node;
            return null;
        }

        void Start(int unit, string generator)
        {
            var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            cancel.CancelAfter(options.CallTimeout);
            attempts[unit]++;
            running[Invoke(generator, units[unit], cancel.Token)] = new Call(unit, generator, cancel);
        }

        async Task<TResult> Invoke(string generator, TUnit unit, CancellationToken token)
        {
            await Task.Yield(); // a call that throws synchronously still fails as a task, never inside the loop
            return await call(generator, unit, token);
        }

        void Failed(Call c, Exception error, DateTime now)
        {
            int failures = benched.TryGetValue(c.Generator, out var b) ? b.Failures + 1 : 1;
            benched[c.Generator] = (failures, now + options.RetryDelay(failures));
            lastFailedOn[c.Unit] = c.Generator;
            string what = describe(units[c.Unit]);
            if (attempts[c.Unit] >= options.MaxAttempts)
                throw new TimeoutException($"{what} failed {attempts[c.Unit]} times (the most allowed); the last attempt, on generator " +
                    $"{c.Generator}, failed with {error.GetType().Name}: {FirstLine(error.Message)}", error);
            var pause = options.RetryDelay(attempts[c.Unit]);
            logger.LogWarning("{Unit} failed on generator {Generator} (attempt {Attempt} of {Max}: {Error}); retrying in {Pause:F1} s, preferably on another generator",
                what, c.Generator, attempts[c.Unit], options.MaxAttempts, FirstLine(error.Message), pause.TotalSeconds);
            backingOff.Add((c.Unit, now + pause));
        }
    }

    static string FirstLine(string message) => message.Split('\n')[0];
}
