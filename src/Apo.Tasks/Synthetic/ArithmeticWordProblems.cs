using System.Globalization;
using System.Text;
using Apo.Tasks.Data;

namespace Apo.Tasks.Synthetic;

/// <summary>The train and test problems of one generation.</summary>
public sealed record SyntheticSplits(IReadOnlyList<Gsm8kRow> Train, IReadOnlyList<Gsm8kRow> Test);

/// <summary>Where <see cref="ArithmeticWordProblems.WriteSplits"/> put the files.</summary>
public sealed record SyntheticFiles(string TrainPath, string TestPath);

/// <summary>
/// The embedded default's task: short GSM8K-format multi-step word problems, e.g.
/// "Mia has 7 pens. She buys 5 more pens. Then she gives 3 pens away. How many pens does Mia
/// have now?" with the solution "7 + 5 = 12. 12 - 3 = 9.\n#### 9".
/// </summary>
/// <remarks>
/// Deterministic: one <see cref="SplitMix64"/> stream per seed, no hashing of strings, no
/// dictionary-order dependence. Splits: every problem has a structure key (start amount plus
/// each step's operation and operand; names, items and wording are surface only). No key
/// occurs twice in the whole generation, so train and test are disjoint by structure, which
/// also makes them disjoint by question text, and neither split repeats itself. Test problems
/// are drawn first, so the test split does not change when only TrainCount changes.
/// </remarks>
public static class ArithmeticWordProblems
{
    /// <summary>The <c>data_source</c> recorded for synthetic prompts.</summary>
    public const string DataSource = "apo/synthetic-arithmetic";

    /// <summary>Reader options that load the written files as GSM8K rows from <see cref="DataSource"/>.</summary>
    public static DatasetReadOptions ReadOptions { get; } = new() { Format = DatasetFormat.Gsm8k, DataSource = DataSource };

    private sealed record Step(ArithmeticOperation Operation, int Operand, int Result);

    private static readonly (string Name, string Pronoun)[] People =
    [
        ("Mia", "she"), ("Leo", "he"), ("Ava", "she"), ("Sam", "he"), ("Zoe", "she"), ("Max", "he"),
        ("Lily", "she"), ("Ben", "he"), ("Emma", "she"), ("Noah", "he"), ("Ella", "she"), ("Jack", "he"),
    ];

    private static readonly (string One, string Many)[] Items =
    [
        ("pen", "pens"), ("apple", "apples"), ("book", "books"), ("sticker", "stickers"), ("marble", "marbles"),
        ("cookie", "cookies"), ("card", "cards"), ("shell", "shells"), ("coin", "coins"), ("stamp", "stamps"),
    ];

    private static readonly string[] AddPhrases = ["{0} buys {1} more {2}.", "{0} finds {1} more {2}.", "{0} gets {1} more {2}."];
    private static readonly string[] SubtractPhrases = ["{0} gives {1} {2} away.", "{0} loses {1} {2}.", "{0} sells {1} {2}."];
    private static readonly string[] MultiplyPhrases = ["{0} ends up with {1} times as many {2}.", "{0} gets {1} times as many {2} as before."];

    /// <summary>Generates the train and test problems for <paramref name="options"/>.</summary>
    public static SyntheticSplits Generate(SyntheticTaskOptions options)
    {
        options.Validate();
        var rng = new SplitMix64(options.Seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var attemptsLeft = 200L * (options.TrainCount + options.TestCount) + 10_000;
        var test = Draw(options.TestCount);
        var train = Draw(options.TrainCount);
        return new SyntheticSplits(train, test);

        List<Gsm8kRow> Draw(int count)
        {
            var rows = new List<Gsm8kRow>(count);
            while (rows.Count < count)
            {
                if (--attemptsLeft < 0)
                    throw new ArgumentException(
                        $"these settings allow too few distinct problems for {options.TrainCount} train + {options.TestCount} test " +
                        "(raise MaxOperand or MaxSteps, allow more operations, or ask for fewer problems)");
                var (start, steps) = DrawStructure(rng, options);
                if (steps is null || !seen.Add(StructureKey(start, steps))) continue;
                rows.Add(Render(rng, start, steps));
            }
            return rows;
        }
    }

    /// <summary>Generates and writes <c>train.jsonl</c> and <c>test.jsonl</c> (GSM8K format) into <paramref name="directory"/>.</summary>
    public static SyntheticFiles WriteSplits(string directory, SyntheticTaskOptions options)
    {
        var splits = Generate(options);
        var files = new SyntheticFiles(Path.Combine(directory, "train.jsonl"), Path.Combine(directory, "test.jsonl"));
        DatasetWriter.WriteGsm8kJsonl(files.TrainPath, splits.Train);
        DatasetWriter.WriteGsm8kJsonl(files.TestPath, splits.Test);
        return files;
    }

    /// <summary>A start amount and the steps, or null steps when no allowed operation fits the running amount.</summary>
    private static (int Start, List<Step>? Steps) DrawStructure(SplitMix64 rng, SyntheticTaskOptions o)
    {
        var count = rng.NextInt(o.MinSteps, o.MaxSteps);
        var start = rng.NextInt(1, o.MaxOperand);
        var current = start;
        var steps = new List<Step>(count);
        var feasible = new List<ArithmeticOperation>(3);
        for (var s = 0; s < count; s++)
        {
            feasible.Clear();
            foreach (var op in o.Operations)
                if (Fits(op, current, o) && !feasible.Contains(op)) feasible.Add(op);
            if (feasible.Count == 0) return (start, null);
            var operation = rng.Pick(feasible);
            var operand = operation switch
            {
                ArithmeticOperation.Add => rng.NextInt(1, Math.Min(o.MaxOperand, o.MaxResult - current)),
                ArithmeticOperation.Subtract => rng.NextInt(1, Math.Min(o.MaxOperand, current - 1)),
                _ => rng.NextInt(2, Math.Min(o.MaxMultiplier, o.MaxResult / current)),
            };
            current = operation switch
            {
                ArithmeticOperation.Add => current + operand,
                ArithmeticOperation.Subtract => current - operand,
                _ => current * operand,
            };
            steps.Add(new Step(operation, operand, current));
        }
        return (start, steps);
    }

    // Amounts stay within 1..MaxResult so every sentence makes sense ("gives 0 pens away" never happens).
    private static bool Fits(ArithmeticOperation op, int current, SyntheticTaskOptions o) => op switch
    {
        ArithmeticOperation.Add => current + 1 <= o.MaxResult,
        ArithmeticOperation.Subtract => current >= 2,
        _ => current * 2 <= o.MaxResult,
    };

    private static string StructureKey(int start, List<Step> steps)
    {
        var key = new StringBuilder().Append(start.ToString(CultureInfo.InvariantCulture));
        foreach (var s in steps) key.Append('|').Append((int)s.Operation).Append(':').Append(s.Operand.ToString(CultureInfo.InvariantCulture));
        return key.ToString();
    }

    private static Gsm8kRow Render(SplitMix64 rng, int start, List<Step> steps)
    {
        var (name, pronoun) = rng.Pick(People);
        var (one, many) = rng.Pick(Items);
        var question = new StringBuilder();
        question.Append(name).Append(" has ").Append(Count(start, one, many)).Append('.');
        var solution = new StringBuilder();
        var current = start;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var subject = i == 0 ? Capitalize(pronoun) : "Then " + pronoun;
            var phrases = step.Operation switch
            {
                ArithmeticOperation.Add => AddPhrases,
                ArithmeticOperation.Subtract => SubtractPhrases,
                _ => MultiplyPhrases,
            };
            var noun = step.Operation == ArithmeticOperation.Multiply || step.Operand != 1 ? many : one;
            question.Append(' ').AppendFormat(CultureInfo.InvariantCulture, rng.Pick(phrases), subject, step.Operand, noun);

            var symbol = step.Operation switch { ArithmeticOperation.Add => "+", ArithmeticOperation.Subtract => "-", _ => "*" };
            if (i > 0) solution.Append(' ');
            solution.Append(CultureInfo.InvariantCulture, $"{current} {symbol} {step.Operand} = {step.Result}.");
            current = step.Result;
        }
        question.Append(" How many ").Append(many).Append(" does ").Append(name).Append(" have now?");
        solution.Append("\n#### ").Append(current.ToString(CultureInfo.InvariantCulture));
        return new Gsm8kRow(question.ToString(), solution.ToString());
    }

    private static string Count(int n, string one, string many) => n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many);

    private static string Capitalize(string word) => char.ToUpperInvariant(word[0]) + word[1..];
}
