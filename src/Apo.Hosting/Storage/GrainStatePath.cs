using System.Security.Cryptography;
using System.Text;
using Orleans.Runtime;

namespace Apo.Hosting.Storage;

/// <summary>
/// Maps (grain type, grain key, state name) to a file path under a root folder. Keys may hold any
/// character, so every name is escaped into a portable, case-insensitive-safe alphabet:
/// <c>[a-z0-9_-]</c> and inner dots pass through, an upper-case letter becomes <c>^</c> + its lower-case
/// form, any other UTF-8 byte becomes <c>%xx</c>. The mapping is injective; over-long names keep a
/// readable prefix plus a SHA-256 of the full name.
/// </summary>
public static class GrainStatePath
{
    /// <summary>File name suffix of committed state files.</summary>
    public const string Extension = ".state";

    /// <summary>Suffix of in-flight temporary files; they are never read as state.</summary>
    public const string TempExtension = ".tmp";

    // Most file systems cap a name at 255 bytes; leave room for the state name, extension and temp suffix.
    private const int MaxSegmentLength = 96;

    /// <summary>
    /// <c>root/&lt;type&gt;/&lt;key&gt;~&lt;state&gt;.state</c>, with every part escaped.
    /// '~' never appears in an escaped part, so the split is unambiguous.
    /// </summary>
    public static string For(string rootDirectory, GrainId grainId, string stateName)
    {
        var type = Escape(grainId.Type.ToString() ?? "");
        var key = Escape(grainId.Key.ToString() ?? "");
        var state = Escape(stateName);
        return Path.Combine(rootDirectory, type, key + "~" + state + Extension);
    }

    /// <summary>Escapes one name into the portable alphabet described on the class.</summary>
    public static string Escape(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        var builder = new StringBuilder(bytes.Length + 8);
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            var c = (char)b;
            var isInnerDot = c == '.' && i > 0 && i < bytes.Length - 1;
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' || isInnerDot)
                builder.Append(c);
            else if (c is >= 'A' and <= 'Z')
                builder.Append('^').Append(char.ToLowerInvariant(c));
            else
                builder.Append('%').Append(b.ToString("x2"));
        }

        if (builder.Length == 0)
            return "%";  // empty name: '%' alone is never produced by a non-empty one
        if (builder.Length <= MaxSegmentLength)
            return builder.ToString();

        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return builder.ToString(0, MaxSegmentLength - 34) + "~h" + hash[..32];
    }
}
