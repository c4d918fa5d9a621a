namespace Apo.Model.Text;

/// <summary>Reads merges.txt: an optional "#version" line, then one merge "left right" per line.</summary>
internal static class MergesFile
{
    /// <summary>The merges in file order; a bad line throws an error naming the file and line number.</summary>
    public static List<(string, string)> Read(string path, IReadOnlyDictionary<string, int> vocabulary)
    {
        var merges = new List<(string, string)>();
        var seen = new HashSet<(string, string)>();
        int lineNumber = 0;
        foreach (string rawLine in File.ReadLines(path))
        {
            lineNumber++;
            string line = rawLine.TrimEnd('\r');
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal))) continue;
            string? problem = ParsePair(line) is { } merge
                ? TokenizerConsistency.CheckMerge(vocabulary, merge, seen)
                : $"\"{line}\" is not two symbols separated by one space";
            if (problem is not null) throw new InvalidDataException($"{path} line {lineNumber}: {problem}");
            merges.Add(ParsePair(line)!.Value);
        }
        return merges;
    }

    /// <summary>"left right" split at its single space, or null when it is not exactly two non-empty symbols.</summary>
    public static (string, string)? ParsePair(string text)
    {
        int space = text.IndexOf(' ');
        if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0) return null;
        return (text[..space], text[(space + 1)..]);
    }
}
