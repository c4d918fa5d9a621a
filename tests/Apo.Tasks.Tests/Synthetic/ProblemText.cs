using System.Text.RegularExpressions;

namespace Apo.Tasks.Tests.Synthetic;

/// <summary>
/// An independent parser of the synthetic problems' English and worked solutions, so tests
/// check what the text says rather than what the generator meant.
/// </summary>
internal static partial class ProblemText
{
    public sealed record Step(char Op, int Operand);

    public sealed record Question(string Name, int Start, IReadOnlyList<Step> Steps);

    public sealed record Calculation(int Left, char Op, int Right, int Result);

    public sealed record Solution(IReadOnlyList<Calculation> Calculations, int Final);

    public static Question ParseQuestion(string text)
    {
        var sentences = Regex.Split(text, @"(?<=[.?]) ");
        var opening = Opening().Match(sentences[0]);
        Assert.True(opening.Success, $"opening sentence: {sentences[0]}");
        var name = opening.Groups[1].Value;
        var closing = Closing().Match(sentences[^1]);
        Assert.True(closing.Success, $"closing sentence: {sentences[^1]}");
        Assert.Equal(name, closing.Groups[2].Value);

        var steps = new List<Step>();
        for (var i = 1; i < sentences.Length - 1; i++)
        {
            var s = sentences[i];
            Assert.Matches(i == 1 ? "^(She|He) " : "^Then (she|he) ", s);
            Match m;
            if ((m = AddStep().Match(s)).Success) steps.Add(new Step('+', int.Parse(m.Groups[1].Value)));
            else if ((m = SubtractStep().Match(s)).Success) steps.Add(new Step('-', int.Parse(m.Groups[1].Value + m.Groups[2].Value + m.Groups[3].Value)));
            else if ((m = MultiplyStep().Match(s)).Success) steps.Add(new Step('*', int.Parse(m.Groups[1].Value)));
            else Assert.Fail($"unrecognised step sentence: {s}");
        }
        return new Question(name, int.Parse(opening.Groups[2].Value), steps);
    }

    public static Solution ParseSolution(string answer)
    {
        var lines = answer.Split('\n');
        Assert.Equal(2, lines.Length);
        var final = FinalLine().Match(lines[1]);
        Assert.True(final.Success, $"final line: {lines[1]}");
        var calculations = Calculations().Matches(lines[0])
            .Select(m => new Calculation(int.Parse(m.Groups[1].Value), m.Groups[2].Value[0], int.Parse(m.Groups[3].Value), int.Parse(m.Groups[4].Value)))
            .ToList();
        // Nothing but the calculations on the first line.
        Assert.Equal(lines[0], string.Join(" ", calculations.Select(c => $"{c.Left} {c.Op} {c.Right} = {c.Result}.")));
        return new Solution(calculations, int.Parse(final.Groups[1].Value));
    }

    public static int WordCount(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    [GeneratedRegex(@"^([A-Z][a-z]+) has (\d+) [a-z]+\.$")] private static partial Regex Opening();
    [GeneratedRegex(@"^How many ([a-z]+) does ([A-Z][a-z]+) have now\?$")] private static partial Regex Closing();
    [GeneratedRegex(@"(?:buys|finds|gets) (\d+) more [a-z]+\.$")] private static partial Regex AddStep();
    [GeneratedRegex(@"(?:gives (\d+) [a-z]+ away|loses (\d+) [a-z]+|sells (\d+) [a-z]+)\.$")] private static partial Regex SubtractStep();
    [GeneratedRegex(@"(?:ends up with|gets) (\d+) times as many [a-z]+(?: as before)?\.$")] private static partial Regex MultiplyStep();
    [GeneratedRegex(@"^#### (\d+)$")] private static partial Regex FinalLine();
    [GeneratedRegex(@"(\d+) ([+\-*]) (\d+) = (\d+)\.")] private static partial Regex Calculations();
}
