using System.Text;

namespace Apo.Hosting.Azure;

/// <summary>
/// Builds Azure container and queue names (3..63 characters of lowercase letters, digits and single
/// hyphens, starting and ending with a letter or digit) from ids that may hold anything.
/// </summary>
public static class AzureNames
{
    /// <summary>Joins <paramref name="parts"/> with hyphens into a valid container/queue name.</summary>
    public static string ContainerOrQueue(params string[] parts)
    {
        var text = new StringBuilder();
        foreach (var c in string.Join("-", parts).ToLowerInvariant())
        {
            var ok = c is >= 'a' and <= 'z' or >= '0' and <= '9';
            if (ok) text.Append(c);
            else if (text.Length > 0 && text[^1] != '-') text.Append('-');
        }
        var name = text.ToString().Trim('-');
        if (name.Length > 63) name = name[..63].TrimEnd('-');
        return name.Length >= 3 ? name : (name + "-apo").TrimStart('-');
    }
}
