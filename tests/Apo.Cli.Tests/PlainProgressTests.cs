using Apo.Cli.Runs;

namespace Apo.Cli.Tests;

/// <summary>Plain progress lines for runs without a terminal: every 5 %, at least every interval, with rate and ETA.</summary>
public class PlainProgressTests
{
    sealed class FakeClock
    {
        public TimeSpan Now;
        public TimeSpan Read() => Now;
    }

    static (PlainProgress Progress, StringWriter Output, FakeClock Clock) Start(long total)
    {
        var clock = new FakeClock();
        var output = new StringWriter();
        return (new PlainProgress("stage 1", total, "prompts", output, TimeSpan.FromSeconds(10), clock.Read, heartbeat: false), output, clock);
    }

    static string[] Lines(StringWriter output) => output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Fact]
    public void A_line_at_the_start_at_every_5_percent_and_at_the_end()
    {
        var (progress, output, clock) = Start(total: 200);
        for (int done = 1; done <= 200; done++)
        {
            clock.Now = TimeSpan.FromSeconds(done * 0.01);  // fast work: no line is due to the interval
            progress.Report(done);
        }
        progress.Complete();
        var lines = Lines(output);
        // Start, 10, 20, …, 190 (19 steps of 5 %; 200 itself is the end line), end.
        Assert.Equal(1 + 19 + 1, lines.Length);
        Assert.Equal("stage 1: 0/200 prompts (0%), elapsed 0 s", lines[0]);
        Assert.Equal("stage 1: 10/200 prompts (5%), 100 prompts/s, elapsed 0 s, ETA 2 s", lines[1]);
        Assert.StartsWith("stage 1: 190/200 prompts (95%)", lines[^2]);
        Assert.Equal("stage 1: 200/200 prompts (100%), 100 prompts/s, done in 2 s", lines[^1]);
    }

    [Fact]
    public void A_silent_phase_still_prints_once_per_interval_and_a_jump_prints_once()
    {
        var (progress, output, clock) = Start(total: 1000);
        clock.Now = TimeSpan.FromSeconds(9);
        progress.Tick();                    // 9 s since the start line: not yet
        clock.Now = TimeSpan.FromSeconds(10);
        progress.Tick();                    // 10 s: a heartbeat with the same count
        clock.Now = TimeSpan.FromSeconds(12);
        progress.Report(400);               // 0 % → 40 %: one line, not eight
        clock.Now = TimeSpan.FromSeconds(21);
        progress.Tick();                    // 9 s after the last line: not yet
        var lines = Lines(output);
        Assert.Equal(3, lines.Length);
        Assert.Equal("stage 1: 0/1000 prompts (0%), elapsed 10 s", lines[1]);
        Assert.Equal("stage 1: 400/1000 prompts (40%), 33.3 prompts/s, elapsed 12 s, ETA 18 s", lines[2]);
        progress.Report(449);               // below the next step (45 %)
        Assert.Equal(3, Lines(output).Length);
        progress.Report(450);
        Assert.Equal(4, Lines(output).Length);
    }

    [Fact]
    public void With_the_heartbeat_timer_a_silent_phase_prints_within_the_interval_not_up_to_twice_it()
    {
        var clock = new FakeClock();
        var output = new StringWriter();
        // The timer looks every second, so it prints once a second short of the interval has passed in silence: a timer
        // of the interval's own period could look at 9.99 s, skip, and stay silent until 19.99 s.
        using var progress = new PlainProgress("sft", 100, "steps", output, TimeSpan.FromSeconds(10), clock.Read, heartbeat: true);
        clock.Now = TimeSpan.FromSeconds(8.5);
        progress.Tick();
        Assert.Single(Lines(output));
        clock.Now = TimeSpan.FromSeconds(9.2);
        progress.Tick();  // the timer may have printed first; either way exactly one heartbeat
        Assert.Equal(["sft: 0/100 steps (0%), elapsed 0 s", "sft: 0/100 steps (0%), elapsed 9 s"], Lines(output));
    }

    [Fact]
    public void Unknown_totals_give_elapsed_time_and_long_phases_read_in_minutes_and_hours()
    {
        Assert.Equal("evaluation: running, elapsed 30 s", PlainProgress.Line("evaluation", 0, 0, "prompts", TimeSpan.FromSeconds(30)));
        Assert.Equal("evaluation: done in 2 min 5 s", PlainProgress.Line("evaluation", 0, 0, "prompts", TimeSpan.FromSeconds(125), ended: true));
        Assert.Equal("stage 2: 1/100 iterations (1%), 0.000278 iterations/s, elapsed 60 min 0 s, ETA 99 h 0 min",
            PlainProgress.Line("stage 2", 1, 100, "iterations", TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Nothing_prints_after_the_end_and_the_end_prints_once()
    {
        var (progress, output, clock) = Start(total: 10);
        progress.Complete(10);
        progress.Complete(10);
        clock.Now = TimeSpan.FromMinutes(5);
        progress.Tick();
        progress.Report(10);
        Assert.Equal(2, Lines(output).Length);
    }
}
