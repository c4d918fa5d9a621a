using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests;

/// <summary>docs/CLUSTER.md gives the commands the manifests actually need.</summary>
public class ClusterDocTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "CLUSTER.md"));

    [Fact]
    public void Builds_kustomizations_with_the_load_restrictor_the_base_needs()
    {
        // The base's ConfigMap files are ../../silo-config: kustomize refuses them without this switch.
        Assert.Contains("--load-restrictor LoadRestrictionsNone", Doc);
        Assert.DoesNotContain("kubectl apply -k", Doc.Replace("`kubectl apply -k` refuses", ""));
    }

    [Fact]
    public void Creates_the_secret_the_pods_read()
    {
        Assert.Contains("kubectl -n apo create secret generic apo-storage", Doc);
        Assert.Contains("--from-file=connection-string=", Doc);
    }

    [Fact]
    public void Submits_a_run_with_the_cluster_client_config()
    {
        Assert.Contains("apo run --cluster silo-config/cluster-client.json", Doc);
    }
}
