using Apo.Tasks.Verifiers;

namespace Apo.Tasks.Tests.Verifiers;

public class BoxedAnswerTests
{
    [Theory]
    [InlineData(@"The answer is $\boxed{5}$.", "5")]
    [InlineData(@"So $x = \boxed{\frac{1}{\sqrt{2}}}$", @"\frac{1}{\sqrt{2}}")]
    [InlineData(@"first \boxed{3}, then corrected: \boxed{4}", "4")]
    [InlineData(@"$\boxed 5$", "5")]
    [InlineData(@"hence \boxed 12 is the answer", "12")]
    [InlineData(@"\fbox{7}", "7")]
    [InlineData(@"\boxed{1} and finally \fbox{2}", "2")]
    [InlineData(@"\fbox{1} and finally \boxed{2}", "2")]
    [InlineData(@"\boxed {9}", "9")]
    [InlineData(@"\boxed{\{1, 2\}}", @"\{1, 2\}")]
    [InlineData(@"\boxed{\begin{pmatrix} 1 \\ 2 \end{pmatrix}}", @"\begin{pmatrix} 1 \\ 2 \end{pmatrix}")]
    [InlineData(@"\boxed{}", "")]
    [InlineData(@"\boxed{\boxed{5}}", "5")]
    [InlineData(@"\boxed{2} and \boxedin is not a box", "2")]
    [InlineData(@"\boxed{2} trailing \boxed", "2")]
    [InlineData(@"答案是 \boxed{四十二} 😀", "四十二")]
    public void Extracts_the_last_box(string text, string expected) =>
        Assert.Equal(expected, BoxedAnswer.ExtractLast(text));

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("no box here, the answer is 5")]
    [InlineData(@"\boxed{5")]                      // truncated: never closed
    [InlineData(@"\boxed{3} then \boxed{4")]       // the last box decides, and it is unclosed
    [InlineData(@"\boxed{a\}")]                    // escaped brace does not close
    [InlineData(@"\boxed")]
    [InlineData(@"\boxed $")]
    [InlineData("boxed{5}")]                       // no backslash: plain text
    public void Returns_null_when_there_is_no_complete_last_box(string? text) =>
        Assert.Null(BoxedAnswer.ExtractLast(text));

    [Fact]
    public void Ten_thousand_nested_boxes_give_the_innermost()
    {
        string text = string.Concat(Enumerable.Repeat(@"\boxed{", 10_000)) + "5" + new string('}', 10_000);
        Assert.Equal("5", BoxedAnswer.ExtractLast(text));
    }

    [Fact]
    public void Ten_thousand_unclosed_boxes_return_null()
    {
        string text = string.Concat(Enumerable.Repeat(@"\boxed{", 10_000));
        Assert.Null(BoxedAnswer.ExtractLast(text));
    }

    [Fact]
    public void Many_non_boxes_stay_linear()
    {
        // 500k "\boxedx" candidates: a quadratic rescan would take minutes.
        string text = @"\boxed{1}" + string.Concat(Enumerable.Repeat(@"\boxedx", 500_000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("1", BoxedAnswer.ExtractLast(text));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }
}
