namespace Apo.Grains.Weights;

/// <summary>Checks shared by the weight stores.</summary>
public static class WeightPaths
{
    /// <summary>A run id becomes a folder name and part of a location: it must be one plain path segment.</summary>
    public static void CheckRunId(string runId)
    {
        if (string.IsNullOrWhiteSpace(runId) || runId is "." or ".." || runId.IndexOfAny(['/', '\\', ':']) >= 0
            || runId.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new InvalidDataException($"run id \"{runId}\" cannot name a weight folder: use letters, digits, '-', '_' or '.' only");
    }

    /// <summary>The folder name of a version.</summary>
    public static string VersionFolder(long version) => $"v{version}";
}
