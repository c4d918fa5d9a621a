using System.Text.Json.Nodes;

namespace Apo.Tasks.Data;

/// <summary>
/// Stage-1 columns as the A*-PO authors' generation script writes them: <c>response_i</c>
/// (text sampled from the reference model) and <c>eval_i</c> (its reward), i = 0..N-1.
/// </summary>
public static class StageOneColumns
{
    /// <summary>Column holding sample <paramref name="i"/>'s text.</summary>
    public static string Response(int i) => $"response_{i}";

    /// <summary>Column holding sample <paramref name="i"/>'s reward.</summary>
    public static string Eval(int i) => $"eval_{i}";

    /// <summary>N: how many consecutive <c>response_i</c> columns a row has, starting at 0.</summary>
    internal static int CountIn(JsonObject row)
    {
        var n = 0;
        while (row.ContainsKey(Response(n))) n++;
        return n;
    }

    /// <summary>Reads the N samples of a row; responses and evals must pair up exactly.</summary>
    internal static IReadOnlyList<StageOneSample> Read(JsonObject row, int n)
    {
        if (row.ContainsKey(Eval(n))) throw new RowError($"field \"{Eval(n)}\" has no matching \"{Response(n)}\"");
        var samples = new StageOneSample[n];
        for (var i = 0; i < n; i++)
            samples[i] = new StageOneSample(RowFields.RequireString(row, Response(i)), RowFields.RequireNumber(row, Eval(i)));
        return samples;
    }
}
