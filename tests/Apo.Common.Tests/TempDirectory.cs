namespace Apo.Common.Tests;

/// <summary>A fresh folder under the system temp directory, deleted when disposed.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "apo-common-tests", Guid.NewGuid().ToString("N"));

    public TempDirectory() => Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string contents)
    {
        System.IO.File.WriteAllText(File(name), contents);
        return File(name);
    }

    /// <summary>Every entry of the folder but <paramref name="expected"/>: what a write left behind.</summary>
    public string[] Leftovers(params string[] expected) =>
        Directory.EnumerateFileSystemEntries(Path).Select(System.IO.Path.GetFileName).Except(expected).ToArray()!;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
