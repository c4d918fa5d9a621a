namespace Apo.Cli.Tests;

/// <summary>A fresh folder under the system temp directory, deleted when disposed.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "apo-cli-tests", Guid.NewGuid().ToString("N"));

    public TempDirectory() => Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string contents)
    {
        System.IO.File.WriteAllText(File(name), contents);
        return File(name);
    }

    /// <summary>Copies the folder <paramref name="from"/> and everything in it to <paramref name="to"/>.</summary>
    public static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from)) System.IO.File.Copy(file, System.IO.Path.Combine(to, System.IO.Path.GetFileName(file)));
        foreach (string sub in Directory.GetDirectories(from)) CopyTree(sub, System.IO.Path.Combine(to, System.IO.Path.GetFileName(sub)));
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
