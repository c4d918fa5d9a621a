using System.Globalization;

namespace Apo.Cli.Runs;

/// <summary>
/// One phase's progress as plain lines on stderr, for when no terminal shows progress bars (CI logs, <c>nohup</c>,
/// a pod's log): a line when the phase starts, each time the work crosses another 5 %, at least every 10 s even
/// if nothing moved (a timer, so a slow step still shows the phase is alive), and when it ends. Each line gives
/// done/total, the rate and the time left, as training logs of verl and TRL do.
/// </summary>
public sealed class PlainProgress : IDisposable
{
    /// <summary>The longest silence between two lines.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    /// <summary>How often the heartbeat timer looks: a silent phase prints between interval − this and interval after its last line.</summary>
    public static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(1);

    /// <summary>A line at every 1/20 (5 %) of the work.</summary>
    public const int Steps = 20;

    readonly string phase, unit;
    readonly TextWriter output;
    readonly TimeSpan interval, slack;
    readonly Func<TimeSpan> clock;
    readonly Timer? timer;
    readonly object gate = new();
    long total, done, nextStep;
    TimeSpan lastLine;
    bool finished;

    /// <param name="total">Units of work in the phase; 0 when unknown (lines then give the elapsed time only).</param>
    /// <param name="clock">Elapsed time since the start (tests pass their own); null: a stopwatch.</param>
    /// <param name="heartbeat">Start the timer that prints when the phase is silent for <paramref name="interval"/>.</param>
    public PlainProgress(string phase, long total, string unit, TextWriter? output = null, TimeSpan? interval = null,
        Func<TimeSpan>? clock = null, bool heartbeat = true)
    {
        this.phase = phase;
        this.unit = unit;
        this.total = Math.Max(0, total);
        this.output = output ?? Console.Error;
        this.interval = interval ?? DefaultInterval;
        if (clock is null)
        {
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            clock = () => stopwatch.Elapsed;
        }
        this.clock = clock;
        nextStep = NextStep(0);
        Write(clock());
        if (!heartbeat) return;
        // The timer looks every second, so no silence lasts longer than the interval (a timer of the interval's own
        // period could just miss a line and wait almost two intervals).
        slack = TickPeriod < this.interval ? TickPeriod : TimeSpan.Zero;
        timer = new Timer(_ => Tick(), null, TickPeriod, TickPeriod);
    }

    /// <summary>The work done so far (and, when it changed, the new total); prints when a 5 % step is crossed.</summary>
    public void Report(long doneSoFar, long? newTotal = null)
    {
        lock (gate)
        {
            if (finished) return;
            if (newTotal is { } t && t != total)
            {
                total = Math.Max(0, t);
                nextStep = NextStep(done);
            }
            done = Math.Max(done, doneSoFar);
            if (total > 0 && done >= nextStep && done < total)
            {
                nextStep = NextStep(done);
                Write(clock());
            }
        }
    }

    /// <summary>Prints the current state if nothing was printed for the interval (the timer calls this).</summary>
    public void Tick()
    {
        lock (gate)
        {
            var now = clock();
            if (!finished && now - lastLine >= interval - slack) Write(now);
        }
    }

    /// <summary>The phase ended: one last line with the total time (only the first call prints).</summary>
    public void Complete(long? doneAtEnd = null)
    {
        lock (gate)
        {
            if (finished) return;
            if (doneAtEnd is { } d) done = d;
            Write(clock(), ended: true);
            finished = true;
        }
        timer?.Dispose();
    }

    public void Dispose()
    {
        lock (gate) finished = true;
        timer?.Dispose();
    }

    /// <summary>The first count past the 5 % step that <paramref name="after"/> is in (integers: no float rounding at the boundaries).</summary>
    long NextStep(long after)
    {
        if (total <= 0) return long.MaxValue;
        long step = after * Steps / total;
        return Math.Max(after + 1, ((step + 1) * total + Steps - 1) / Steps);
    }

    void Write(TimeSpan now, bool ended = false)
    {
        lastLine = now;
        output.WriteLine(Line(phase, done, total, unit, now, ended));
    }

    /// <summary>One progress line, e.g. <c>stage 1: 96/512 prompts (19%), 7.95 prompts/s, elapsed 12 s, ETA 52 s</c>.</summary>
    public static string Line(string phase, long done, long total, string unit, TimeSpan elapsed, bool ended = false)
    {
        var c = CultureInfo.InvariantCulture;
        string time = Seconds(elapsed);
        if (total <= 0)
            return ended ? $"{phase}: done in {time}" : $"{phase}: running, elapsed {time}";
        double rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        string head = string.Format(c, "{0}: {1}/{2} {3} ({4:F0}%)", phase, done, total, unit, (double)done / total * 100);
        string speed = rate > 0 ? string.Format(c, ", {0:G3} {1}/s", rate, unit) : "";
        if (ended) return $"{head}{speed}, done in {time}";
        string eta = rate > 0 && done < total ? $", ETA {Seconds(TimeSpan.FromSeconds((total - done) / rate))}" : "";
        return $"{head}{speed}, elapsed {time}{eta}";
    }

    static string Seconds(TimeSpan t) =>
        t.TotalSeconds < 120 ? $"{t.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s"
        : t.TotalMinutes < 120 ? $"{(int)t.TotalMinutes} min {t.Seconds} s"
        : $"{(int)t.TotalHours} h {t.Minutes} min";
}
