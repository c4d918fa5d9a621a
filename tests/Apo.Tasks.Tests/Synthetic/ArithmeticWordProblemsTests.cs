using Apo.Tasks.Data;
using Apo.Tasks.Synthetic;
using Apo.Tasks.Tests.Data;

namespace Apo.Tasks.Tests.Synthetic;

public class ArithmeticWordProblemsTests
{
    private static readonly SyntheticTaskOptions Small = SyntheticTaskOptions.Default with { TrainCount = 400, TestCount = 100, Seed = 7 };

    [Fact]
    public void SameSeedGivesIdenticalBytes_DifferentSeedDiffers()
    {
        using var dir = new TempFolder();
        var a = ArithmeticWordProblems.WriteSplits(Path.Combine(dir.Path, "a"), Small);
        var b = ArithmeticWordProblems.WriteSplits(Path.Combine(dir.Path, "b"), Small);
        var c = ArithmeticWordProblems.WriteSplits(Path.Combine(dir.Path, "c"), Small with { Seed = 8 });

        Assert.Equal(File.ReadAllBytes(a.TrainPath), File.ReadAllBytes(b.TrainPath));
        Assert.Equal(File.ReadAllBytes(a.TestPath), File.ReadAllBytes(b.TestPath));
        Assert.NotEqual(File.ReadAllBytes(a.TrainPath), File.ReadAllBytes(c.TrainPath));
        Assert.NotEqual(File.ReadAllBytes(a.TestPath), File.ReadAllBytes(c.TestPath));
    }

    [Theory]
    [InlineData("tiny")]
    [InlineData("default")]
    public void EverySolutionIsCorrectAndMatchesItsQuestion(string preset)
    {
        var options = preset == "tiny" ? SyntheticTaskOptions.Tiny : SyntheticTaskOptions.Default;
        var splits = ArithmeticWordProblems.Generate(options);
        Assert.Equal(options.TrainCount, splits.Train.Count);
        Assert.Equal(options.TestCount, splits.Test.Count);

        foreach (var row in splits.Train.Concat(splits.Test))
        {
            var question = ProblemText.ParseQuestion(row.Question);
            var solution = ProblemText.ParseSolution(row.Answer);
            Assert.Equal(question.Steps.Count, solution.Calculations.Count);
            var current = question.Start;
            for (var i = 0; i < question.Steps.Count; i++)
            {
                var step = question.Steps[i];
                var calc = solution.Calculations[i];
                Assert.Equal((current, step.Op, step.Operand), (calc.Left, calc.Op, calc.Right));
                current = step.Op switch { '+' => current + step.Operand, '-' => current - step.Operand, _ => current * step.Operand };
                Assert.Equal(current, calc.Result);
                Assert.InRange(current, 1, options.MaxResult);
            }
            Assert.Equal(current, solution.Final);
            Assert.Equal(current.ToString(), Gsm8kReference.FinalAnswer(row.Answer));
            Assert.InRange(question.Steps.Count, options.MinSteps, options.MaxSteps);
            Assert.All(question.Steps, s => Assert.Contains(s.Op switch
            {
                '+' => ArithmeticOperation.Add, '-' => ArithmeticOperation.Subtract, _ => ArithmeticOperation.Multiply,
            }, options.Operations));
        }
    }

    [Fact]
    public void SplitsAreDisjointByTextAndByStructure()
    {
        var splits = ArithmeticWordProblems.Generate(SyntheticTaskOptions.Tiny);
        static string Structure(Gsm8kRow r)
        {
            var q = ProblemText.ParseQuestion(r.Question);
            return q.Start + string.Concat(q.Steps.Select(s => $"{s.Op}{s.Operand}"));
        }

        var trainText = splits.Train.Select(r => r.Question).ToHashSet();
        var trainStructure = splits.Train.Select(Structure).ToHashSet();
        Assert.Equal(splits.Train.Count, trainText.Count);
        Assert.Equal(splits.Train.Count, trainStructure.Count);
        Assert.DoesNotContain(splits.Test, r => trainText.Contains(r.Question));
        Assert.DoesNotContain(splits.Test, r => trainStructure.Contains(Structure(r)));
        Assert.Equal(splits.Test.Count, splits.Test.Select(Structure).Distinct().Count());
    }

    [Fact]
    public void TestSplitDoesNotDependOnTrainCount()
    {
        var a = ArithmeticWordProblems.Generate(Small);
        var b = ArithmeticWordProblems.Generate(Small with { TrainCount = 50 });
        Assert.Equal(a.Test, b.Test);
        Assert.Equal(a.Train.Take(50), b.Train);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void StepSettingsControlStepCounts(int steps)
    {
        var splits = ArithmeticWordProblems.Generate(Small with { MinSteps = steps, MaxSteps = steps });
        Assert.All(splits.Train.Concat(splits.Test), r => Assert.Equal(steps, ProblemText.ParseQuestion(r.Question).Steps.Count));
    }

    [Fact]
    public void StepRangeIsUsedFully_AndOperationsAndOperandsAreRespected()
    {
        var mixed = ArithmeticWordProblems.Generate(Small with { MinSteps = 2, MaxSteps = 4 });
        var counts = mixed.Train.Select(r => ProblemText.ParseQuestion(r.Question).Steps.Count).ToHashSet();
        Assert.Equal([2, 3, 4], counts.Order());

        var onlyTimes = ArithmeticWordProblems.Generate(Small with { Operations = [ArithmeticOperation.Multiply], MaxMultiplier = 3, MaxSteps = 3, TrainCount = 150, TestCount = 30 });
        var steps = onlyTimes.Train.SelectMany(r => ProblemText.ParseQuestion(r.Question).Steps).ToList();
        Assert.All(steps, s => Assert.Equal('*', s.Op));
        Assert.All(steps, s => Assert.InRange(s.Operand, 2, 3));

        var smallNumbers = ArithmeticWordProblems.Generate(SyntheticTaskOptions.Tiny with { MaxOperand = 12, TrainCount = 300, TestCount = 30 });
        Assert.All(smallNumbers.Train, r =>
        {
            var q = ProblemText.ParseQuestion(r.Question);
            Assert.InRange(q.Start, 1, 12);
            Assert.All(q.Steps, s => Assert.InRange(s.Operand, 1, 12));
        });
    }

    [Fact]
    public void ProblemsAreShort()
    {
        var splits = ArithmeticWordProblems.Generate(SyntheticTaskOptions.Default);
        var words = splits.Train.Select(r => ProblemText.WordCount(r.Question)).ToList();
        Assert.True(words.Count(w => w < 40) >= 0.9 * words.Count, $"only {words.Count(w => w < 40)} of {words.Count} under 40 words");
        Assert.All(ArithmeticWordProblems.Generate(SyntheticTaskOptions.Tiny).Train, r => Assert.InRange(ProblemText.WordCount(r.Question), 1, 30));
    }

    [Fact]
    public void WrittenFilesReadBackThroughTheGsm8kPath()
    {
        using var dir = new TempFolder();
        var files = ArithmeticWordProblems.WriteSplits(dir.Path, Small);
        var splits = ArithmeticWordProblems.Generate(Small);

        var train = DatasetReader.Read(files.TrainPath, ArithmeticWordProblems.ReadOptions);
        var autodetected = DatasetReader.Read(files.TestPath);

        Assert.Equal(Small.TrainCount, train.Examples.Count);
        Assert.Equal(DatasetFormat.Gsm8k, autodetected.Format);
        Assert.All(train.Examples, e => Assert.Equal(ArithmeticWordProblems.DataSource, e.DataSource));
        Assert.Equal(splits.Train.Select(r => r.Question), train.Examples.Select(e => e.Question));
        Assert.Equal(splits.Train.Select(r => Gsm8kReference.FinalAnswer(r.Answer)), train.Examples.Select(e => e.GroundTruth));
        Assert.Equal(PromptTemplates.Gsm8k(splits.Test[0].Question), autodetected.Examples[0].Prompt);
    }

    [Fact]
    public void ImpossibleSettingsFailClearly()
    {
        var tooFew = Small with { MaxOperand = 2, MinSteps = 1, MaxSteps = 1, Operations = [ArithmeticOperation.Add] };
        var error = Assert.Throws<ArgumentException>(() => ArithmeticWordProblems.Generate(tooFew));
        Assert.Contains("too few distinct problems", error.Message);
        Assert.Throws<ArgumentException>(() => ArithmeticWordProblems.Generate(Small with { MaxSteps = 5 }));
        Assert.Throws<ArgumentException>(() => ArithmeticWordProblems.Generate(Small with { Operations = [] }));
    }
}
