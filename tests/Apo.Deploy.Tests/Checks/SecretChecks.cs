using System.Text.RegularExpressions;
using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests.Checks;

/// <summary>The storage connection string reaches the silos from a Secret only, and no file holds one.</summary>
public static partial class SecretChecks
{
    /// <summary>The Secret and key the silos read <c>APO_STORAGE_CONNECTION</c> from.</summary>
    public const string SecretName = "apo-storage", SecretKey = "connection-string";

    /// <summary>Every silo container gets APO_STORAGE_CONNECTION from secretKeyRef apo-storage/connection-string, never a value.</summary>
    public static IEnumerable<string> FromSecret(ManifestSet set)
    {
        foreach (var w in SiloPodChecks.Silos(set))
        {
            var env = Workload.Env(w.SiloContainer!, "APO_STORAGE_CONNECTION");
            var secret = env.Map("valueFrom").Map("secretKeyRef");
            if (env is null || env.Has("value") || secret.Str("name") != SecretName || secret.Str("key") != SecretKey)
                yield return $"{w.Doc.Where}: env APO_STORAGE_CONNECTION must come from secretKeyRef {SecretName}/{SecretKey} " +
                             $"(found {(env is null ? "no such variable" : env.Has("value") ? "a literal value" : $"{secret.Str("name")}/{secret.Str("key")}")})";
        }
    }

    /// <summary>
    /// No YAML text (values or comments) holds a real connection string or key: no AccountKey=,
    /// SharedAccessSignature=, sig=, AccountName= or DefaultEndpointsProtocol=; no Secret object with data
    /// in the base. The only connection string allowed is the emulator's keyless
    /// <c>UseDevelopmentStorage=true</c> form (the dev overlay).
    /// </summary>
    public static IEnumerable<string> NoLiterals(ManifestSet set)
    {
        foreach (var (file, text) in set.Texts)
        {
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
                if (SecretPattern().Match(lines[i]) is { Success: true } m)
                    yield return $"k8s/{Path.GetRelativePath(RepoPaths.K8s, file)} line {i + 1}: \"{m.Value}\" looks like a storage credential; it belongs in a Secret created outside the repository";
        }
        foreach (var s in set.ResourcesUnder("base").Where(d => d.Kind == "Secret" && (d.Root.Has("data") || d.Root.Has("stringData"))))
            yield return $"{s.Where}: the base must not carry Secret data";
        foreach (var k in set.Kustomizations)
            foreach (var literal in k.Root.Maps("secretGenerator").SelectMany(g => g.Strs("literals")))
                if (!literal.Contains("UseDevelopmentStorage=true", StringComparison.Ordinal))
                    yield return $"{k.Where}: secretGenerator literal \"{literal.Split('=')[0]}=...\" is not the emulator's keyless connection string";
    }

    [GeneratedRegex(@"(AccountKey|SharedAccessSignature|AccountName|DefaultEndpointsProtocol|[?&;]sig)\s*=\s*\S+", RegexOptions.IgnoreCase)]
    private static partial Regex SecretPattern();
}
