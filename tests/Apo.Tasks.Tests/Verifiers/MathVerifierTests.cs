using Apo.Tasks.Verifiers;

namespace Apo.Tasks.Tests.Verifiers;

public class MathVerifierTests
{
    private static readonly MathVerifier Verifier = new();

    private static string Answer(string boxed) => $"Let's compute step by step.\nTherefore the answer is $\\boxed{{{boxed}}}$.";

    [Theory]
    [InlineData(@"\dfrac{1}{2}", @"\frac{1}{2}")]
    [InlineData(@"\tfrac{1}{2}", @"\frac{1}{2}")]
    [InlineData(@"\frac12", @"\frac{1}{2}")]
    [InlineData(@"\frac1{72}", @"\frac{1}{72}")]
    [InlineData(@"\frac\pi2", @"\frac{\pi}{2}")]
    [InlineData("0.5", @"\frac{1}{2}")]
    [InlineData(".5", @"\frac12")]
    [InlineData("1/2", @"\frac{1}{2}")]
    [InlineData("3/4", @"\dfrac{3}{4}")]
    [InlineData(@"90^\circ", "90")]
    [InlineData(@"90^{\circ}", "90")]
    [InlineData(@"5\text{ cm}", "5")]
    [InlineData(@"12\text{ square units}", "12")]
    [InlineData("x = 3", "3")]
    [InlineData("k=3", "3")]
    [InlineData(@"\$18.90", "18.90")]
    [InlineData(@"50\%", "50")]
    [InlineData("50%", "50")]
    [InlineData(@"\sqrt2", @"\sqrt{2}")]
    [InlineData(@"\sqrt 2", @"\sqrt{2}")]
    [InlineData(@"2\sqrt3", @"2\sqrt{3}")]
    [InlineData(@"\left( 1, 2 \right)", "(1,2)")]
    [InlineData(@"(-\infty, 3]", @"(-\infty,3]")]
    [InlineData(@"10,\!000", "10,000")]
    [InlineData(@"\frac{1}{\sqrt{2}}", @"\dfrac{1}{\sqrt{2}}")]
    [InlineData(@"\sqrt[3]{2}", @"\sqrt[3]{2}")]
    [InlineData(@"\begin{pmatrix} 1 \\ 2 \end{pmatrix}", @"\begin{pmatrix}1\\2\end{pmatrix}")]
    [InlineData("{.25}", "{0.25}")]
    [InlineData(@"\frac{.5}{2}", @"\frac{0.5}{2}")]
    public void Equivalent_forms_score_one(string boxed, string truth)
    {
        var result = Verifier.Verify(Answer(boxed), truth);
        Assert.True(result.Score == 1.0, $"{boxed} vs {truth}: {MathAnswerNormalizer.Normalize(boxed)} vs {MathAnswerNormalizer.Normalize(truth)}");
        Assert.Equal(boxed, result.Extracted);
    }

    [Theory]
    [InlineData(@"\frac{1}{3}", @"\frac{1}{2}")]
    [InlineData("3", "4")]
    [InlineData("xyz = 3", "3")]          // only one- or two-character prefixes are dropped
    [InlineData(@"\sqrt{3}", @"\sqrt{2}")]
    [InlineData("2/4", @"\frac{1}{2}")]   // no arithmetic: only spelling is normalised
    [InlineData("(1,2)", "[1,2]")]
    [InlineData("01/2", @"\frac{1}{2}")]  // not a canonically written integer fraction
    public void Different_answers_score_zero(string boxed, string truth)
    {
        var result = Verifier.Verify(Answer(boxed), truth);
        Assert.Equal(0.0, result.Score);
        Assert.Null(result.Failure);
        Assert.Equal(boxed, result.Extracted);
    }

    [Fact]
    public void Nested_box_content_is_compared_whole() =>
        Assert.Equal(1.0, Verifier.Verify(@"so $\boxed{\frac{1}{\sqrt{2}}}$", @"\frac{1}{\sqrt{2}}").Score);

    [Fact]
    public void Space_form_box_is_read() =>
        Assert.Equal(1.0, Verifier.Verify(@"The answer is $\boxed 5$.", "5").Score);

    [Fact]
    public void Fbox_is_read() => Assert.Equal(1.0, Verifier.Verify(@"\fbox{7}", "7").Score);

    [Fact]
    public void The_last_of_several_boxes_wins()
    {
        string response = @"Maybe \boxed{3}? No: recomputing gives \boxed{4}.";
        Assert.Equal(1.0, Verifier.Verify(response, "4").Score);
        Assert.Equal(0.0, Verifier.Verify(response, "3").Score);
    }

    [Fact]
    public void A_full_reference_solution_is_reduced_to_its_box()
    {
        string solution = @"We have $\frac{6}{8} = \frac{3}{4}$, so the answer is $\boxed{\frac{3}{4}}$.";
        Assert.Equal(1.0, Verifier.Verify(@"\boxed{\dfrac34}", solution).Score);
    }

    [Theory]
    [InlineData("The answer is 5.", "no \\boxed{} answer")]
    [InlineData(@"\boxed{3} and then \boxed{4", "never closed")]
    [InlineData(@"\boxed{}", "empty")]
    [InlineData(@"\boxed{   }", "empty")]
    [InlineData("", "empty")]
    public void Reports_why_no_answer_could_be_read(string response, string reasonPart)
    {
        var result = Verifier.Verify(response, "5");
        Assert.Equal(0.0, result.Score);
        Assert.Equal(VerifyFailureKind.Unparseable, result.Kind);
        Assert.Contains(reasonPart, result.Failure);
    }

    [Theory]
    [InlineData("")]
    [InlineData(@"solution with an unclosed \boxed{5")]
    [InlineData(@"\boxed{}")]
    public void An_unreadable_reference_is_a_data_failure(string truth)
    {
        var result = Verifier.Verify(@"\boxed{5}", truth);
        Assert.Equal(VerifyFailureKind.InvalidGroundTruth, result.Kind);
        Assert.Equal(0.0, result.Score);
    }

    [Theory]
    [InlineData(@"\frac")]
    [InlineData(@"\frac1")]
    [InlineData(@"\sqrt")]
    [InlineData(@"x=")]
    [InlineData("=")]
    [InlineData("/")]
    [InlineData(@"\frac😀😀")]
    [InlineData(@"\text{ }")]
    [InlineData(@"\text{ a}\text{ b}")]
    public void Malformed_answers_normalise_without_throwing(string answer)
    {
        var normalized = MathAnswerNormalizer.Normalize(answer);
        Assert.NotNull(normalized);
        Assert.True(MathAnswerNormalizer.AreEquivalent(answer, answer));
    }

    [Fact]
    public void Lone_surrogates_do_not_throw()
    {
        string lone = new(['\\', 'f', 'r', 'a', 'c', '\ud800', '\udc00', '\ud800']);
        Assert.NotNull(MathAnswerNormalizer.Normalize(lone));
        Assert.Equal(0.0, Verifier.Verify("\\boxed{" + lone + "}", "1").Score);
    }

    [Fact]
    public void Unicode_answers_compare_exactly()
    {
        Assert.Equal(1.0, Verifier.Verify(@"\boxed{π/2 😀}", "π/2😀").Score);
        Assert.Equal(@"\frac{😀}{😀}", MathAnswerNormalizer.Normalize(@"\frac😀😀"));
    }

    [Fact]
    public void Normalises_step_by_step_like_the_math_paper()
    {
        // Hand-worked: "\left(" and "\right)" dropped, "\dfrac"→"\frac", spaces removed, "\frac12" braced.
        Assert.Equal(@"(\frac{1}{2},3)", MathAnswerNormalizer.Normalize(@"\left( \dfrac12, 3 \right)"));
        Assert.Equal("0.3", MathAnswerNormalizer.Normalize(".3"));
        Assert.Equal(@"\frac{-1}{2}", MathAnswerNormalizer.Normalize("-1/2"));
    }
}
