using System.Security.Cryptography;
using System.Text;

namespace Apo.Tasks.Data;

/// <summary>Content-derived prompt ids, used when a file carries no id of its own.</summary>
public static class ExampleIds
{
    /// <summary>
    /// <c>sha-</c> plus the first 16 hex digits of SHA-256 over task, prompt and ground truth
    /// (NUL-separated, UTF-8). Independent of file name, row order and format, so re-reading a
    /// dataset, or its stage-1 export, finds the same durable per-prompt state.
    /// </summary>
    public static string FromContent(string task, string prompt, string groundTruth)
    {
        var bytes = Encoding.UTF8.GetBytes(task + "\0" + prompt + "\0" + groundTruth);
        return "sha-" + Convert.ToHexStringLower(SHA256.HashData(bytes), 0, 8);
    }
}
