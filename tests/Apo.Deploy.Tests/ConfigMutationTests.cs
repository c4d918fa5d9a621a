using System.Text;
using System.Text.Json.Nodes;
using Apo.Deploy.Tests.Checks;
using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests;

/// <summary>
/// The checks that read the silo-config files catch a config that no longer fits the pods: the committed
/// manifests with one field of one config file changed (parsed and rewritten as JSON, so the edit does not depend
/// on the file's layout), and the ConfigMap copies caught when they drift from silo-config/.
/// </summary>
public class ConfigMutationTests
{
    private static readonly ManifestSet Real = ManifestSet.Load();

    public static TheoryData<string, string, string?, string, string> Mutations => new()
    {
        // the silo pod (by config file), the field (":"-separated, under Silo; "client:" for cluster-client.json's Client), new value (null = removed), check, expected words
        { "cluster-trainer.json", "Health:Port", "8081", "Probes", "field \"Silo:Health:Port\" = 8081 but k8s/base/trainer.yaml document 1 (StatefulSet apo-trainer) declares port \"health\" 8080" },
        { "cluster-generator.json", "Health", null, "Probes", "field \"Silo:Health:Port\" = (unset: no health endpoint)" },
        { "cluster-generator.json", "ShutdownTimeoutSeconds", "175", "Shutdown", "ShutdownTimeoutSeconds = 175 s to leave the cluster: use at least 185" },
        { "cluster-trainer.json", "ShutdownTimeoutSeconds", null, "Shutdown", "field \"Silo:ShutdownTimeoutSeconds\" is unset" },
        { "cluster-trainer.json", "Tls:Enabled", "false", "Tls", "field \"Silo:Tls:Enabled\" must be true" },
        { "cluster-generator.json", "Tls:Directory", "\"/etc/ssl/apo\"", "Tls", "k8s/base/generator.yaml document 1 (Deployment apo-generator): /etc/ssl/apo (Tls:Directory) must be a mount of the Secret apo-tls (found no mount there)" },
        { "cluster-generator.json", "Tls:Directory", null, "Tls", "field \"Silo:Tls:Directory\" is unset" },
        { "cluster-trainer.json", "client:Tls:Directory", "\"/certs\"", "Tls", "k8s/base/trainer.yaml document 1 (StatefulSet apo-trainer): /certs (Tls:Directory) must be a mount of the Secret apo-tls" },
        { "cluster-trainer.json", "client:Tls", null, "Tls", "silo-config/cluster-client.json: field \"Client:Tls:Enabled\" must be true" },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public void A_config_that_no_longer_fits_the_pod_is_reported(string configFile, string field, string? value, string check, string expected)
    {
        var silo = SiloPodChecks.Silos(Real).Single(w => w.ConfigPath?.EndsWith("/" + configFile) == true);
        var config = SiloPodChecks.ConfigText(Real, silo) ?? throw new InvalidOperationException($"no config text for {silo.Doc.Where}");
        var client = SiloPodChecks.ClientConfigText() ?? throw new InvalidOperationException("silo-config/cluster-client.json is missing");
        if (field.StartsWith("client:", StringComparison.Ordinal))
            client = (Edit(client.Text, "Client", field["client:".Length..], value), client.Source);
        else
            config = (Edit(config.Text, "Silo", field, value), config.Source);

        var problems = (check switch
        {
            "Probes" => LifecycleChecks.Probes(silo, config),
            "Shutdown" => LifecycleChecks.Shutdown(silo, config),
            "Tls" => SiloPodChecks.TlsOf(silo, config, client),
            _ => throw new ArgumentOutOfRangeException(nameof(check), check, null),
        }).ToList();
        Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)),
            $"{check} did not report \"{expected}\" after setting {field} of {configFile} to {value ?? "(removed)"}; it reported:\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public void The_unchanged_configs_fit_the_pods()
    {
        // The other half of the theory above: the same calls on the committed files report nothing.
        foreach (var silo in SiloPodChecks.Silos(Real))
        {
            var config = SiloPodChecks.ConfigText(Real, silo);
            Assert.NotNull(config);
            var problems = LifecycleChecks.Probes(silo, config).Concat(LifecycleChecks.Shutdown(silo, config))
                .Concat(SiloPodChecks.TlsOf(silo, config, SiloPodChecks.ClientConfigText())).ToList();
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
    }

    [Theory]
    [InlineData("cluster-trainer.json")]
    [InlineData("cluster-generator.json")]
    public void A_configmap_copy_that_differs_from_silo_config_is_reported(string name)
    {
        var copy = Path.GetFullPath(Path.Combine(RepoPaths.K8s, "base", "silo-config", name));
        // The original gains a field the copy lacks, as when silo-config/ is edited and the copy is forgotten.
        byte[] Read(string path) => Path.GetFullPath(path) == Path.GetFullPath(Path.Combine(RepoPaths.Root, "silo-config", name))
            ? Encoding.UTF8.GetBytes(Edit(File.ReadAllText(path), "Silo", "TorchThreads", "4"))
            : File.ReadAllBytes(path);
        Assert.True(File.Exists(copy), $"k8s/base/silo-config/{name} is missing");

        var problems = ConfigCopyChecks.InSync(Real, Read).ToList();
        var expected = $"k8s/base/silo-config/{name} differs from silo-config/{name}";
        Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal) &&
                                      p.Contains($"Copy the file: cp silo-config/{name} k8s/base/silo-config/{name}", StringComparison.Ordinal)),
            $"InSync did not report \"{expected}\" with the fix; it reported:\n  " + string.Join("\n  ", problems));
        Assert.Single(problems);
    }

    [Fact]
    public void A_single_changed_byte_is_a_difference()
    {
        // Byte-identical, not "the same JSON": a trailing newline or a reordered field is reported too.
        var original = Path.GetFullPath(Path.Combine(RepoPaths.Root, "silo-config", "cluster-generator.json"));
        byte[] Read(string path) => Path.GetFullPath(path) == original ? [.. File.ReadAllBytes(path), (byte)'\n'] : File.ReadAllBytes(path);
        Assert.Contains(ConfigCopyChecks.InSync(Real, Read), p => p.StartsWith("k8s/base/silo-config/cluster-generator.json differs", StringComparison.Ordinal));
    }

    private static string Edit(string json, string section, string field, string? value)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        var node = root[section]!.AsObject();
        var parts = field.Split(':');
        foreach (var part in parts[..^1])
            node = node[part]!.AsObject();
        if (value is null)
            Assert.True(node.Remove(parts[^1]), $"{section}:{field} is not in the config to remove");
        else
            node[parts[^1]] = JsonNode.Parse(value);
        return root.ToJsonString();
    }
}
