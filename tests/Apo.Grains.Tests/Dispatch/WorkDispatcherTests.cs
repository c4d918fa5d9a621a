using System.Collections.Concurrent;
using Apo.Grains.Dispatch;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apo.Grains.Tests.Dispatch;

/// <summary>The generator pool's dispatch logic, with fake generators: no Orleans, milliseconds per test.</summary>
public sealed class WorkDispatcherTests
{
    sealed class Pool(params string[] generators) : IGeneratorDirectory
    {
        volatile string[] live = generators;
        public IReadOnlyList<string> LiveGenerators() => live;
        public void Set(params string[] generators) => live = generators;
    }

    static DispatchOptions Fast(int attempts = 4) => new()
    {
        InFlightPerGenerator = 2,
        MaxAttempts = attempts,
        FirstRetryDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        MembershipPollInterval = TimeSpan.FromMilliseconds(10),
        NoGeneratorTimeout = TimeSpan.FromSeconds(5),
    };

    static WorkDispatcher Dispatcher(IGeneratorDirectory pool, DispatchOptions? options = null) =>
        new(pool, options ?? Fast(), NullLogger.Instance);

    [Fact]
    public async Task Results_come_back_in_unit_order_and_a_fast_generator_takes_more_units()
    {
        var pool = new Pool("fast", "slow");
        var ranOn = new ConcurrentDictionary<int, string>();
        var results = await Dispatcher(pool).RunAsync(Enumerable.Range(0, 24).ToList(), async (g, unit, token) =>
        {
            ranOn[unit] = g;
            await Task.Delay(g == "fast" ? 5 : 60, token);
            return unit * 10;
        }, unit => $"unit {unit}");

        Assert.Equal(Enumerable.Range(0, 24).Select(u => u * 10), results);
        int fast = ranOn.Values.Count(g => g == "fast"), slow = ranOn.Values.Count(g => g == "slow");
        Assert.Equal(24, fast + slow);
        Assert.True(fast > 2 * slow, $"the fast generator ran {fast} units and the slow one {slow}");
    }

    [Fact]
    public async Task No_generator_holds_more_calls_than_its_in_flight_limit()
    {
        var pool = new Pool("a", "b");
        var inFlight = new ConcurrentDictionary<string, int>();
        int worst = 0;
        await Dispatcher(pool).RunAsync(Enumerable.Range(0, 20).ToList(), async (g, unit, token) =>
        {
            int now = inFlight.AddOrUpdate(g, 1, (_, n) => n + 1);
            InterlockedMax(ref worst, now);
            await Task.Delay(10, token);
            inFlight.AddOrUpdate(g, 0, (_, n) => n - 1);
            return unit;
        }, unit => $"unit {unit}");
        Assert.Equal(2, worst);
    }

    [Fact]
    public async Task A_failed_unit_is_retried_on_another_generator_after_a_pause()
    {
        var pool = new Pool("bad", "good");
        var attempts = new ConcurrentQueue<(int Unit, string Generator, DateTime At)>();
        var results = await Dispatcher(pool).RunAsync(Enumerable.Range(0, 6).ToList(), async (g, unit, token) =>
        {
            attempts.Enqueue((unit, g, DateTime.UtcNow));
            await Task.Yield();
            if (g == "bad") throw new TimeoutException("silo unreachable");
            return unit;
        }, unit => $"unit {unit}");

        Assert.Equal(Enumerable.Range(0, 6), results);
        var log = attempts.ToList();
        var failedOnBad = log.Where(a => a.Generator == "bad").ToList();
        Assert.NotEmpty(failedOnBad);
        foreach (var failure in failedOnBad)
        {
            // Each unit that failed on "bad" succeeded on "good", no sooner than the first retry delay after.
            var retry = log.First(a => a.Unit == failure.Unit && a.At >= failure.At && a.Generator == "good");
            Assert.True(retry.At - failure.At >= TimeSpan.FromMilliseconds(15), $"unit {failure.Unit} was retried after {(retry.At - failure.At).TotalMilliseconds} ms");
        }
        // The failing generator was benched: it did not receive every unit in turn.
        Assert.True(failedOnBad.Count < 6, $"the failing generator was given {failedOnBad.Count} units");
    }

    [Fact]
    public async Task Bad_input_fails_at_once_without_a_retry()
    {
        var pool = new Pool("a", "b");
        int calls = 0;
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Dispatcher(pool).RunAsync(new[] { 1 }, (g, unit, token) =>
        {
            Interlocked.Increment(ref calls);
            return Task.FromException<int>(new InvalidDataException("prompt 'p' is not initialized"));
        }, unit => $"unit {unit}"));
        Assert.Equal("prompt 'p' is not initialized", error.Message);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_unit_that_keeps_failing_ends_the_run_naming_it_and_the_attempts()
    {
        var pool = new Pool("a", "b");
        int calls = 0;
        var error = await Assert.ThrowsAsync<TimeoutException>(() => Dispatcher(pool, Fast(attempts: 3)).RunAsync(new[] { 7 }, (g, unit, token) =>
        {
            Interlocked.Increment(ref calls);
            return Task.FromException<int>(new IOException("connection reset"));
        }, unit => $"unit {unit}"));
        Assert.Equal(3, calls);
        Assert.StartsWith("unit 7 failed 3 times (the most allowed)", error.Message);
        Assert.Contains("IOException: connection reset", error.Message);
    }

    [Fact]
    public async Task A_generator_that_joins_mid_run_takes_work()
    {
        var pool = new Pool("first");
        var ranOn = new ConcurrentDictionary<int, string>();
        var run = Dispatcher(pool).RunAsync(Enumerable.Range(0, 40).ToList(), async (g, unit, token) =>
        {
            ranOn[unit] = g;
            await Task.Delay(20, token);
            return unit;
        }, unit => $"unit {unit}");
        await Task.Delay(100);
        pool.Set("first", "joined");
        await run;
        Assert.Contains("joined", ranOn.Values);
        Assert.Equal(40, ranOn.Count);
    }

    [Fact]
    public async Task A_generator_that_leaves_has_its_calls_cancelled_and_its_units_handed_on()
    {
        var pool = new Pool("leaving", "staying");
        var cancelled = new ConcurrentBag<int>();
        var leavingStarted = new TaskCompletionSource();
        var run = Dispatcher(pool).RunAsync(Enumerable.Range(0, 4).ToList(), async (g, unit, token) =>
        {
            if (g == "leaving")
            {
                leavingStarted.TrySetResult();
                try { await Task.Delay(Timeout.Infinite, token); }
                catch (OperationCanceledException) { cancelled.Add(unit); throw; }
            }
            await Task.Delay(5, token);
            return unit;
        }, unit => $"unit {unit}");
        await leavingStarted.Task;
        pool.Set("staying");
        Assert.Equal(Enumerable.Range(0, 4), await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.NotEmpty(cancelled);
    }

    [Fact]
    public async Task Cancelling_the_run_cancels_the_calls_in_flight()
    {
        var pool = new Pool("a");
        using var stop = new CancellationTokenSource();
        var observed = new TaskCompletionSource();
        var run = Dispatcher(pool).RunAsync(new[] { 1, 2 }, async (g, unit, token) =>
        {
            using var registration = token.Register(() => observed.TrySetResult());
            await Task.Delay(Timeout.Infinite, token);
            return unit;
        }, unit => $"unit {unit}", cancellation: stop.Token);
        await Task.Delay(50);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        await observed.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task With_no_generator_live_the_run_fails_after_the_timeout_naming_the_role()
    {
        var options = Fast();
        options.NoGeneratorTimeout = TimeSpan.FromMilliseconds(100);
        var error = await Assert.ThrowsAsync<TimeoutException>(() => Dispatcher(new Pool(), options)
            .RunAsync(new[] { 1 }, (g, unit, token) => Task.FromResult(unit), unit => $"unit {unit}"));
        Assert.Contains("no generator silo has been live", error.Message);
        Assert.Contains("\"generator\"", error.Message);
    }

    [Fact]
    public void The_retry_pause_doubles_and_is_capped()
    {
        var options = new DispatchOptions { FirstRetryDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(30) };
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], Enumerable.Range(1, 7).Select(f => options.RetryDelay(f).TotalSeconds));
    }

    static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}
