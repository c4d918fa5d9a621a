using Apo.Deploy.Tests.Checks;
using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests;

/// <summary>The manifests under k8s/ as committed pass every check.</summary>
public class ManifestTests
{
    private static readonly ManifestSet Real = ManifestSet.Load();

    public static TheoryData<string> CheckNames => new(AllChecks.ByName.Keys);

    [Theory]
    [MemberData(nameof(CheckNames))]
    public void Committed_manifests_pass(string check)
    {
        var problems = AllChecks.ByName[check](Real).ToList();
        Assert.True(problems.Count == 0, $"{check}:\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public void Every_yaml_file_under_k8s_is_parsed()
    {
        // Guards the checks against passing on nothing: the base and the overlay are really read.
        var files = Real.Docs.Select(d => d.RelativeFile).Distinct().ToList();
        Assert.Contains("base/kustomization.yaml", files);
        Assert.Contains("base/trainer.yaml", files);
        Assert.Contains("base/generator.yaml", files);
        Assert.Contains("base/rbac.yaml", files);
        Assert.Contains("overlays/dev/kustomization.yaml", files);
        Assert.Contains("overlays/dev/azurite.yaml", files);
        Assert.Contains("base/disruption-budgets.yaml", files);
        Assert.Contains("overlays/gpu/kustomization.yaml", files);
        Assert.Contains("overlays/gpu/gpu-trainer.yaml", files);
        Assert.Contains("overlays/gpu/gpu-generator.yaml", files);
        Assert.Contains("overlays/gpu/runs-volume.yaml", files);
        var yamlOnDisk = Directory.EnumerateFiles(RepoPaths.K8s, "*.yaml", SearchOption.AllDirectories).Count();
        Assert.Equal(yamlOnDisk, files.Count);
        Assert.Equal(2, SiloPodChecks.Silos(Real).Count);
        // Patches are not resources: the overlays' partial objects are never checked as whole ones.
        Assert.Equal(5, Real.PatchFiles.Count);
        Assert.Equal(3, Real.Kustomizations.Count());
    }

    [Fact]
    public void No_text_under_k8s_asks_for_the_load_restrictor_switch()
    {
        // The base builds with kustomize's defaults; the old workaround must not linger in comments or docs.
        foreach (var file in Directory.EnumerateFiles(RepoPaths.K8s, "*", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            Assert.False(text.Contains("load-restrictor", StringComparison.OrdinalIgnoreCase) || text.Contains("LoadRestrictionsNone", StringComparison.Ordinal),
                $"k8s/{Path.GetRelativePath(RepoPaths.K8s, file)} still mentions --load-restrictor LoadRestrictionsNone");
        }
    }

    [Fact]
    public void Rbac_yaml_holds_both_documents()
    {
        var rbac = Real.Docs.Where(d => d.RelativeFile == "base/rbac.yaml").Select(d => d.Kind).ToList();
        Assert.Equal(["Role", "RoleBinding"], rbac);
    }

    [Fact]
    public void Broken_yaml_is_reported_with_file_and_line()
    {
        var e = Assert.Throws<InvalidDataException>(() => ManifestSet.Load((file, text) =>
            file == "base/rbac.yaml" ? text.Replace("  name: apo-silo-pods\n  labels", "  name: apo-silo-pods: x\n  labels") : text));
        // The first "name: apo-silo-pods" is line 7 of the file (the Role's metadata).
        Assert.StartsWith("k8s/base/rbac.yaml line 7:", e.Message);
    }
}
