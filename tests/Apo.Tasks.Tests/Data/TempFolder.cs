namespace Apo.Tasks.Tests.Data;

/// <summary>A scratch folder deleted after the test.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("apo-data-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes lines exactly as given (JSONL by hand).</summary>
    public string WriteLines(string name, params string[] lines)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
