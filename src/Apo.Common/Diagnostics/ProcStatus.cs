namespace Apo.Common.Diagnostics;

/// <summary>Linux's per-process memory accounting in /proc/&lt;pid&gt;/status.</summary>
public static class ProcStatus
{
    /// <summary>
    /// VmHWM, the kernel's peak resident set size, in bytes, of this process (<paramref name="pid"/> null)
    /// or another one; null off Linux or once the process is gone.
    /// </summary>
    public static long? PeakResidentBytes(int? pid = null)
    {
        string path = pid is { } id ? $"/proc/{id}/status" : "/proc/self/status";
        try
        {
            foreach (var line in File.ReadLines(path))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }
}
