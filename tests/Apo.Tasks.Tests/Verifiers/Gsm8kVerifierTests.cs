using Apo.Tasks.Verifiers;

namespace Apo.Tasks.Tests.Verifiers;

public class Gsm8kVerifierTests
{
    private static readonly Gsm8kVerifier Strict = new(flexible: false);
    private static readonly Gsm8kVerifier Flexible = new(flexible: true);

    [Theory]
    [InlineData("She has 6 + 12 = 18 apples.\n#### 18", "18")]
    [InlineData("#### 18.00", "18")]
    [InlineData("#### 18.0", "18")]
    [InlineData("#### 18", "18.00")]
    [InlineData("#### $18", "18")]
    [InlineData(@"#### \$18", "18")]
    [InlineData("#### 1,000", "1000")]
    [InlineData("#### 1000", "1,000")]
    [InlineData("#### 1,234,567.50", "1234567.5")]
    [InlineData("#### -5", "-5")]
    [InlineData("#### -$5", "-5")]
    [InlineData("#### $-5", "-5")]
    [InlineData("#### \u22125", "-5")]               // Unicode minus sign
    [InlineData("#### 3.5", "3.50")]
    [InlineData("#### .5", "0.5")]
    [InlineData("#### 18.", "18")]                    // sentence full stop
    [InlineData("####18", "18")]
    [InlineData("#####  18", "18")]
    [InlineData("#### 18 dollars", "18")]
    [InlineData("#### 007", "7")]
    [InlineData("#### -0", "0")]
    [InlineData("#### 0.0", "0")]
    [InlineData("First guess #### 5\nWait, that is wrong.\n#### 18", "18")]   // last marker wins
    [InlineData("#### 18", "Natalia sold 48/2 = 24 clips in May.\n#### 18")]    // full GSM8K solution as truth
    [InlineData("#### 123456789012345678901234567890123", "123456789012345678901234567890123")] // beyond decimal range
    [InlineData("答案是 #### 42 😀", "42")]
    public void Strict_accepts_equal_numbers(string response, string truth)
    {
        var result = Strict.Verify(response, truth);
        Assert.Equal(1.0, result.Score);
        Assert.Null(result.Failure);
        Assert.True(result.IsCorrect);
    }

    [Theory]
    [InlineData("#### 17", "18", "17")]
    [InlineData("#### 5", "-5", "5")]
    [InlineData("#### 18.01", "18", "18.01")]
    [InlineData("#### 18\n... on reflection\n#### 19", "18", "19")]
    [InlineData("#### 123456789012345678901234567890124", "123456789012345678901234567890123", "123456789012345678901234567890124")]
    [InlineData("#### 1,2,3", "123", "1")]  // "1,2,3" is a list, not thousands
    public void Strict_rejects_different_numbers(string response, string truth, string extracted)
    {
        var result = Strict.Verify(response, truth);
        Assert.Equal(0.0, result.Score);
        Assert.Null(result.Failure);          // a wrong answer is judged, not a failure
        Assert.Equal(extracted, result.Extracted);
        Assert.Equal(VerifyFailureKind.None, result.Kind);
    }

    [Theory]
    [InlineData("The answer is 18.", "no \"####\"")]
    [InlineData("####", "no number after")]
    [InlineData("#### The answer is 18", "no number after")]     // strict checks the format
    [InlineData("#### 18\nthen again ####", "no number after")]  // the LAST marker has no number
    [InlineData("", "empty")]
    [InlineData("   \n ", "empty")]
    [InlineData("null", "no \"####\"")]
    public void Strict_reports_why_it_could_not_read_an_answer(string response, string reasonPart)
    {
        var result = Strict.Verify(response, "18");
        Assert.Equal(0.0, result.Score);
        Assert.Equal(VerifyFailureKind.Unparseable, result.Kind);
        Assert.Contains(reasonPart, result.Failure);
    }

    [Theory]
    [InlineData("So she has 18 apples.", "18")]
    [InlineData("The total is $1,234.50.", "1234.5")]
    [InlineData("Options 1, 2, 3", "3")]
    [InlineData("5-3 = 2", "2")]
    [InlineData("so x = -7", "-7")]
    [InlineData("18 + 2 = 20, minus 2 gives 18", "18")]
    [InlineData("#### 18", "18")]
    [InlineData("it is 0.75", ".75")]
    public void Flexible_takes_the_last_number(string response, string truth)
    {
        var result = Flexible.Verify(response, truth);
        Assert.Equal(1.0, result.Score);
    }

    [Fact]
    public void Flexible_mode_is_wrong_when_a_later_number_follows_the_answer()
    {
        var result = Flexible.Verify("The answer is 18. I used 2 steps.", "18");
        Assert.Equal(0.0, result.Score);
        Assert.Equal("2", result.Extracted);
    }

    [Fact]
    public void Flexible_mode_reports_a_response_without_numbers()
    {
        var result = Flexible.Verify("I don't know.", "18");
        Assert.Equal(VerifyFailureKind.Unparseable, result.Kind);
        Assert.Contains("no number", result.Failure);
    }

    [Fact]
    public void Only_the_response_is_scored_never_numbers_from_the_prompt()
    {
        // The prompt mentions 18; the response's own answer (20) is what counts.
        string prompt = "Janet has 18 ducks. How many legs? Let's think step by step";
        string response = "Each duck has 2 legs... #### 20";
        Assert.Equal(0.0, Strict.Verify(response, "18").Score);
        Assert.Equal("20", Strict.Verify(response, "18").Extracted);
        Assert.DoesNotContain("####", prompt); // the verifier never sees the prompt at all
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("18 apples")]
    [InlineData("solution without marker")]
    [InlineData("#### none")]
    public void An_unreadable_ground_truth_is_a_data_failure(string truth)
    {
        var result = Strict.Verify("#### 18", truth);
        Assert.Equal(0.0, result.Score);
        Assert.Equal(VerifyFailureKind.InvalidGroundTruth, result.Kind);
        Assert.Contains("ground truth", result.Failure);
    }

    [Theory]
    [InlineData("72", "72")]
    [InlineData(" 1,000 ", "1000")]
    [InlineData("$5.50", "5.5")]
    [InlineData("72.", "72")]
    [InlineData("-3", "-3")]
    [InlineData("He earns 10/hr.\n#### 600", "600")]
    public void Parses_ground_truth_forms(string truth, string canonical) =>
        Assert.Equal(canonical, Gsm8kAnswer.ParseGroundTruth(truth));

    [Fact]
    public void Names_follow_the_mode()
    {
        Assert.Equal("gsm8k", Strict.Name);
        Assert.Equal("gsm8k-flexible", Flexible.Name);
    }
}
