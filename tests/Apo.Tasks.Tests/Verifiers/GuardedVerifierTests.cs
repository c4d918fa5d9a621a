using System.Diagnostics;
using Apo.Tasks.Verifiers;

namespace Apo.Tasks.Tests.Verifiers;

public class GuardedVerifierTests
{
    private const int TenMegabytes = 10 * 1024 * 1024;

    /// <summary>Generous slack over a budget: the machine is shared, and the first call JITs.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(750);

    private sealed class FakeVerifier(Func<string, string, VerificationBudget, VerifyResult?> body) : IVerifier
    {
        public string Name => "fake";
        public VerifyResult Verify(string response, string groundTruth) => Verify(response, groundTruth, VerificationBudget.Unlimited);
        public VerifyResult Verify(string response, string groundTruth, VerificationBudget budget) => body(response, groundTruth, budget)!;
    }

    /// <summary>Adversarial responses every task verifier must survive.</summary>
    public static TheoryData<string, string> AdversarialInputs()
    {
        var data = new TheoryData<string, string>();
        string[] tasks = ["gsm8k", "gsm8k-flexible", "math"];
        foreach (var task in tasks)
        {
            data.Add(task, "");
            data.Add(task, "null");
            data.Add(task, new string('{', 100_000));
            data.Add(task, new string('}', 100_000));
            data.Add(task, string.Concat(Enumerable.Repeat(@"\boxed{", 10_000)));
            data.Add(task, string.Concat(Enumerable.Repeat(@"\boxed{", 10_000)) + "5" + new string('}', 10_000));
            data.Add(task, string.Concat(Enumerable.Repeat("#### ", 20_000)));
            data.Add(task, string.Concat(Enumerable.Repeat("1,", 50_000)));
            data.Add(task, string.Concat(Enumerable.Repeat(@"\frac\sqrt", 10_000)));
            data.Add(task, "😀答え\u0000\uffff" + new string('\u2212', 1000));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AdversarialInputs))]
    public void Adversarial_inputs_give_a_result_within_the_budget(string task, string response)
    {
        var limits = new VerifierLimits { TimeLimit = TimeSpan.FromMilliseconds(200) };
        var verifier = VerifierFactory.ForTask(task, limits: limits);
        var watch = Stopwatch.StartNew();
        var result = verifier.Verify(response, task == "math" ? "5" : "18");
        Assert.True(watch.Elapsed < limits.TimeLimit + Slack, $"took {watch.Elapsed}");
        Assert.InRange(result.Score, 0.0, 1.0);
        Assert.True(result.IsJudged || result.Failure is { Length: > 0 }, "a failure must say why");
        Assert.Equal(1, verifier.Stats.Snapshot().Scored);
    }

    [Theory]
    [InlineData("gsm8k")]
    [InlineData("gsm8k-flexible")]
    [InlineData("math")]
    public void Ten_megabyte_responses_are_rejected_by_the_size_cap_at_once(string task)
    {
        var verifier = VerifierFactory.ForTask(task);
        string huge = new string('9', TenMegabytes) + " #### 18 \\boxed{18}";
        var watch = Stopwatch.StartNew();
        var result = verifier.Verify(huge, "18");
        Assert.True(watch.Elapsed < Slack, $"took {watch.Elapsed}");
        Assert.Equal(VerifyFailureKind.TooLarge, result.Kind);
        Assert.Contains("over the cap", result.Failure);
        Assert.Equal(1, verifier.Stats.Snapshot().TooLarge);
    }

    [Theory]
    [InlineData("gsm8k")]
    [InlineData("gsm8k-flexible")]
    [InlineData("math")]
    public void Unguarded_verifiers_are_linear_on_ten_megabytes(string task)
    {
        // Without caps, the bare verifiers still finish a 10 MB text: they scan, never backtrack.
        var verifier = VerifierFactory.CreateUnguarded(task);
        var filler = new System.Text.StringBuilder(TenMegabytes + 64);
        while (filler.Length < TenMegabytes) filler.Append(@"1,2 {\frac\sqrt #### x \boxed y} ");
        filler.Append(@" #### 18 \boxed{18}");
        var watch = Stopwatch.StartNew();
        var result = verifier.Verify(filler.ToString(), "18");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(1.0, result.Score);
    }

    [Fact]
    public void Ten_megabyte_inputs_under_a_raised_cap_time_out_or_finish_within_budget()
    {
        var limits = new VerifierLimits { MaxResponseChars = int.MaxValue, TimeLimit = TimeSpan.FromMilliseconds(100) };
        foreach (var task in VerifierFactory.TaskNames)
        {
            var verifier = VerifierFactory.ForTask(task, limits: limits);
            string huge = @"\boxed{" + new string('{', TenMegabytes);
            var watch = Stopwatch.StartNew();
            var result = verifier.Verify(huge, "18");
            Assert.True(watch.Elapsed < limits.TimeLimit + Slack, $"{task} took {watch.Elapsed}");
            Assert.Equal(0.0, result.Score);
            Assert.NotNull(result.Failure);
        }
    }

    [Fact]
    public void A_verifier_that_never_ends_is_cut_off_by_its_budget()
    {
        var spinning = new FakeVerifier((_, _, budget) => { while (true) budget.Tick(); });
        var guard = new GuardedVerifier(spinning, new VerifierLimits { TimeLimit = TimeSpan.FromMilliseconds(50) });
        var watch = Stopwatch.StartNew();
        var result = guard.Verify("anything", "5");
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(50) + Slack, $"took {watch.Elapsed}");
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(50), "must not stop before the budget");
        Assert.Equal(VerifyFailureKind.TimedOut, result.Kind);
        Assert.Equal(0.0, result.Score);
        Assert.Contains("budget", result.Failure);
        Assert.Equal(1, guard.Stats.Snapshot().TimedOut);
    }

    [Fact]
    public void A_regex_timeout_becomes_a_timed_out_result()
    {
        var regexVerifier = new FakeVerifier((response, _, _) =>
        {
            // Catastrophic backtracking, bounded by a match timeout.
            var regex = new System.Text.RegularExpressions.Regex("^(a+)+$",
                System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromMilliseconds(20));
            return VerifyResult.Judged(regex.IsMatch(response), response);
        });
        var guard = new GuardedVerifier(regexVerifier);
        var result = guard.Verify(new string('a', 40) + "!", "x");
        Assert.Equal(VerifyFailureKind.TimedOut, result.Kind);
        Assert.Contains("regular expression", result.Failure);
    }

    [Fact]
    public void Exceptions_become_crashed_results_with_the_reason()
    {
        var throwing = new FakeVerifier((_, _, _) => throw new InvalidOperationException("parser state corrupt"));
        var guard = new GuardedVerifier(throwing);
        var result = guard.Verify("x", "y");
        Assert.Equal(VerifyFailureKind.Crashed, result.Kind);
        Assert.Equal(0.0, result.Score);
        Assert.Contains("InvalidOperationException", result.Failure);
        Assert.Contains("parser state corrupt", result.Failure);
        Assert.Equal(1, guard.Stats.Snapshot().Crashed);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    public void Out_of_range_scores_are_crashes(double score)
    {
        var guard = new GuardedVerifier(new FakeVerifier((_, _, _) => new VerifyResult(score, "x", null)));
        var result = guard.Verify("x", "y");
        Assert.Equal(VerifyFailureKind.Crashed, result.Kind);
        Assert.Equal(0.0, result.Score);
    }

    [Fact]
    public void A_null_result_is_a_crash() =>
        Assert.Equal(VerifyFailureKind.Crashed, new GuardedVerifier(new FakeVerifier((_, _, _) => null)).Verify("x", "y").Kind);

    [Fact]
    public void A_failure_is_never_rewarded()
    {
        var cheating = new FakeVerifier((_, _, _) => new VerifyResult(1.0, null, "could not parse"));
        var result = new GuardedVerifier(cheating).Verify("x", "y");
        Assert.Equal(0.0, result.Score);
        Assert.Equal("could not parse", result.Failure);
    }

    [Fact]
    public void Null_inputs_are_failures_not_exceptions()
    {
        var guard = VerifierFactory.ForTask("math");
        Assert.Equal(VerifyFailureKind.Unparseable, guard.Verify(null!, "5").Kind);
        Assert.Equal(VerifyFailureKind.InvalidGroundTruth, guard.Verify(@"\boxed{5}", null!).Kind);
        Assert.Equal(2, guard.Stats.Snapshot().Failed);
    }

    [Fact]
    public void Stats_count_every_outcome_once_across_threads()
    {
        var stats = new VerifierStats();
        var guard = VerifierFactory.ForTask("gsm8k", stats);
        // Per block of 4 items: one correct, one wrong, one unparseable, one invalid ground truth.
        (string Response, string Truth)[] block = [("#### 18", "18"), ("#### 17", "18"), ("no answer", "18"), ("#### 18", "eighteen")];
        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var (response, truth) = block[i % 4];
            guard.Verify(response, truth);
        });
        var snap = stats.Snapshot();
        Assert.Equal(new VerifierStatsSnapshot(4000, 1000, 1000, 1000, 1000, 0, 0, 0), snap);
        Assert.Equal(0.25, snap.CorrectRate);
        Assert.Equal(0.5, snap.FailureRate);
        Assert.Equal(1000.0, snap.ToMetrics()["verifier/unparseable"]);
        Assert.Equal(4000.0, snap.ToMetrics("eval/")["eval/scored"]);
    }

    [Fact]
    public void Stats_from_another_silo_can_be_added()
    {
        var a = new VerifierStats();
        a.Record(VerifyResult.Judged(true, "1"));
        var b = new VerifierStats();
        b.Record(VerifyResult.Failed(VerifyFailureKind.TimedOut, "slow"));
        a.Add(b.Snapshot());
        Assert.Equal(new VerifierStatsSnapshot(2, 1, 0, 0, 0, 0, 1, 0), a.Snapshot());
    }

    [Fact]
    public void A_failure_text_without_a_kind_counts_as_unparseable()
    {
        var result = new VerifyResult(0, null, "nothing found");
        Assert.Equal(VerifyFailureKind.Unparseable, result.Kind);
        Assert.False(result.IsJudged);
        Assert.Throws<ArgumentException>(() => VerifyResult.Failed(VerifyFailureKind.None, "x"));
    }

    [Theory]
    [InlineData("gsm8k", "gsm8k", typeof(Gsm8kVerifier))]
    [InlineData("GSM8K", "gsm8k", typeof(Gsm8kVerifier))]
    [InlineData("gsm8k-flexible", "gsm8k-flexible", typeof(Gsm8kVerifier))]
    [InlineData(" math ", "math", typeof(MathVerifier))]
    public void Factory_builds_guarded_verifiers_by_task_name(string task, string name, Type innerType)
    {
        var verifier = VerifierFactory.ForTask(task);
        Assert.Equal(name, verifier.Name);
        Assert.IsType(innerType, verifier.Inner);
    }

    [Theory]
    [InlineData("gsm9k")]
    [InlineData("")]
    [InlineData(null)]
    public void Factory_rejects_unknown_tasks_listing_the_known_ones(string? task)
    {
        var error = Assert.Throws<InvalidDataException>(() => VerifierFactory.ForTask(task!));
        Assert.Contains("unknown verifier task", error.Message);
        Assert.Contains("gsm8k, gsm8k-flexible, math", error.Message);
    }

    [Fact]
    public void Budget_rejects_non_positive_limits()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VerificationBudget.Start(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new GuardedVerifier(new MathVerifier(), new VerifierLimits { TimeLimit = TimeSpan.FromSeconds(-1) }));
    }
}
