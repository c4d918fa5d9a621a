using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests;

/// <summary>docs/CLUSTER.md gives the commands the manifests actually need, and the names they use.</summary>
public class ClusterDocTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "CLUSTER.md"));

    [Fact]
    public void Applies_every_kustomization_with_plain_kubectl_apply_k()
    {
        // The base's ConfigMap files are copies inside k8s/base now: no load-restrictor switch anywhere.
        Assert.Contains("kubectl apply -k k8s/base", Doc);
        Assert.Contains("kubectl apply -k k8s/overlays/dev", Doc);
        Assert.Contains("kubectl apply -k k8s/overlays/gpu", Doc);
        Assert.DoesNotContain("load-restrictor", Doc);
        Assert.DoesNotContain("LoadRestrictionsNone", Doc);
        Assert.Contains("k8s/base/silo-config/cluster-trainer.json", Doc);
    }

    [Fact]
    public void Creates_the_secrets_the_pods_read()
    {
        Assert.Contains("kubectl -n apo create secret generic apo-storage", Doc);
        Assert.Contains("--from-file=connection-string=", Doc);
        Assert.Contains("apo certs --out certs/", Doc);
        Assert.Contains("kubectl -n apo create secret generic apo-tls --from-file=certs/ca.crt --from-file=certs/tls.crt --from-file=certs/tls.key", Doc);
        Assert.Contains("cert-manager", Doc);
    }

    [Fact]
    public void Names_the_mounts_probes_and_timeouts_the_manifests_use()
    {
        // Each of these is asserted on the rendered manifests too (RenderedManifestTests); the doc must say the same.
        foreach (var text in new[]
                 {
                     TlsDirectory(), "/health/live", "/health/ready", "terminationGracePeriodSeconds: 180", "ShutdownTimeoutSeconds: 170",
                     "maxSurge: 1", "maxUnavailable: 0", "PodDisruptionBudget", "The trainer has no budget", "pod-security.kubernetes.io/enforce",
                     "APO_Silo__Weights__CacheDirectory=/cache/weights", "sizeLimit: 48Gi", "1Ti", "pod IP only",
                 })
            Assert.True(Doc.Contains(text, StringComparison.Ordinal), $"docs/CLUSTER.md does not mention {text}");
    }

    private static string TlsDirectory() =>
        SiloJson.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "silo-config", "cluster-trainer.json")), "silo-config/cluster-trainer.json")
            ?.Str("Tls:Directory") ?? "(silo-config/cluster-trainer.json has no Silo:Tls:Directory)";

    [Fact]
    public void Lists_what_a_first_real_deployment_should_check()
    {
        var start = Doc.IndexOf("## What a first real deployment should check", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/CLUSTER.md has no section \"What a first real deployment should check\"");
        var section = Doc[start..];
        foreach (var item in new[] { "digest", "GPU scheduling", "RWX storage class", "cold model load", "TLS Secret", "node drain", "Workload identity" })
            Assert.True(section.Contains(item, StringComparison.Ordinal), $"the first-deployment list does not cover {item}");
    }

    [Fact]
    public void Submits_a_run_with_the_cluster_client_config()
    {
        Assert.Contains("apo run --cluster silo-config/cluster-client.json", Doc);
    }
}
