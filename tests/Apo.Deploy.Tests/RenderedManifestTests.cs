using Apo.Deploy.Tests.Checks;
using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests;

/// <summary>
/// The kustomizations as kustomize builds them (<c>kubectl kustomize</c>, default rules: what <c>kubectl apply -k</c>
/// applies), checked on the objects that would reach the API server: overlays applied, names hashed, namespace set.
/// </summary>
public class RenderedManifestTests
{
    public const string Namespace = "apo";

    public static TheoryData<string> Folders => new() { "base", "overlays/dev", "overlays/gpu" };

    /// <summary>Kinds that live in a namespace (everything here but the Namespace itself).</summary>
    private static readonly string[] ClusterScoped = ["Namespace"];

    [Theory]
    [MemberData(nameof(Folders))]
    public void Builds_with_kustomize_defaults(string folder)
    {
        var r = Kustomize.Render(folder);
        var kinds = r.Objects.Select(o => o.Kind).ToHashSet();
        foreach (var kind in new[] { "Namespace", "ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Service", "PersistentVolumeClaim", "StatefulSet", "Deployment", "PodDisruptionBudget" })
            Assert.True(kinds.Contains(kind), $"`kubectl kustomize k8s/{folder}` ({r.Kubectl}) printed no {kind}; kinds: {string.Join(", ", kinds)}");
        Assert.DoesNotContain("error", r.Warnings, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Every_object_is_in_the_apo_namespace_which_enforces_restricted(string folder)
    {
        var r = Kustomize.Render(folder);
        foreach (var o in r.Objects.Where(o => !ClusterScoped.Contains(o.Kind)))
            Assert.True(o.Root.Map("metadata").Str("namespace") == Namespace,
                $"{o.Where}: metadata.namespace is {o.Root.Map("metadata").Str("namespace") ?? "unset (the current namespace at apply time)"}, expected {Namespace}");
        var ns = Assert.Single(r.OfKind("Namespace"));
        Assert.Equal(Namespace, ns.Name);
        var problems = PodSecurityChecks.LabelsOf(ns).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        // The RoleBinding's subject must name the namespace the ServiceAccount really lands in.
        var binding = Assert.Single(r.OfKind("RoleBinding"));
        Assert.All(binding.Root.Maps("subjects"), s => Assert.Equal(Namespace, s.Str("namespace")));
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void The_configmap_holds_the_silo_config_files_and_the_pods_mount_it(string folder)
    {
        var r = Kustomize.Render(folder);
        var map = Assert.Single(r.OfKind("ConfigMap"), m => m.Name.StartsWith("apo-silo-config", StringComparison.Ordinal));
        Assert.Matches("^apo-silo-config-[a-z0-9]{10}$", map.Name); // hashed: a changed file rolls the pods
        var data = map.Root.Map("data").StrMap();
        Assert.Equal(["cluster-generator.json", "cluster-trainer.json"], data.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, text) in data)
        {
            var original = File.ReadAllText(Path.Combine(RepoPaths.Root, "silo-config", key));
            Assert.True(text == original, $"{map.Where}: key {key} differs from silo-config/{key}; copy the file to k8s/base/silo-config/{key}");
        }
        foreach (var w in r.Silos)
        {
            var config = r.ConfigText(w);
            Assert.True(config is not null, $"{w.Doc.Where}: --config {w.ConfigPath} is not a key of a ConfigMap the pod mounts (is the hashed name {map.Name} referenced?)");
            Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "silo-config", Path.GetFileName(w.ConfigPath!))), config.Value.Text);
        }
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Silo_pods_have_probes_grace_tls_cache_and_the_restricted_security_context(string folder)
    {
        var r = Kustomize.Render(folder);
        Assert.Equal(2, r.Silos.Count);
        var imageUser = PodSecurityChecks.DockerfileUser();
        var client = SiloPodChecks.ClientConfigText();
        var problems = r.Silos.SelectMany(w =>
        {
            var config = r.ConfigText(w);
            return LifecycleChecks.Probes(w, config)
                .Concat(LifecycleChecks.Shutdown(w, config))
                .Concat(LifecycleChecks.RolloutOf(w))
                .Concat(SiloPodChecks.TlsOf(w, config, client))
                .Concat(SiloPodChecks.WeightCacheOf(w))
                .Concat(PodSecurityChecks.RestrictedPod(w, imageUser));
        }).ToList();
        Assert.True(problems.Count == 0, $"k8s/{folder} as built:\n  " + string.Join("\n  ", problems));
        // The exact values the docs promise.
        foreach (var w in r.Silos)
        {
            Assert.Equal("180", w.PodSpec.Str("terminationGracePeriodSeconds"));
            Assert.Equal("8080", w.SiloContainer.Maps("ports").Single(p => p.Str("name") == LifecycleChecks.HealthPortName).Str("containerPort"));
            Assert.Equal("/cache/weights", Workload.Env(w.SiloContainer!, SiloPodChecks.CacheEnv).Str("value"));
            Assert.Equal("apo-tls", w.Volume(PodParts.MountAt(w.SiloContainer, SiloPodChecks.TlsMount)?.Str("name")).Map("secret").Str("secretName"));
            Assert.Null(w.SiloContainer.Map("lifecycle").Map("preStop")); // the silo handles SIGTERM itself
        }
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Generators_have_a_disruption_budget_and_the_trainer_none_that_blocks_drains(string folder)
    {
        var r = Kustomize.Render(folder);
        var problems = LifecycleChecks.Budgets(r.Objects, r.Silos).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        var pdb = Assert.Single(r.OfKind("PodDisruptionBudget"));
        Assert.Equal(Namespace, pdb.Root.Map("metadata").Str("namespace"));
    }

    [Fact]
    public void Base_asks_for_one_gpu_per_silo_and_runs_the_tagged_image()
    {
        var r = Kustomize.Render("base");
        foreach (var w in r.Silos)
        {
            Assert.Equal("1", PodParts.Resource(w.SiloContainer, "limits", "nvidia.com/gpu"));
            Assert.Equal("apo:cuda", w.SiloContainer.Str("image"));
        }
        Assert.Equal("2", r.Silo("generator").Doc.Root.Map("spec").Str("replicas"));
        Assert.Equal("50Gi", Assert.Single(r.OfKind("PersistentVolumeClaim")).Root.Map("spec").Map("resources").Map("requests").Str("storage"));
    }

    [Fact]
    public void Dev_overlay_runs_cpu_silos_one_generator_and_a_restricted_azurite_the_generated_secret_points_at()
    {
        var r = Kustomize.Render("overlays/dev");
        foreach (var w in r.Silos)
        {
            Assert.Equal("cpu", Workload.Env(w.SiloContainer!, "APO_Silo__Device").Str("value"));
            Assert.False(w.SiloContainer.Map("resources").Map("limits").Has("nvidia.com/gpu"), $"{w.Doc.Where}: still asks for a GPU");
            Assert.False(w.SiloContainer.Map("resources").Map("requests").Has("nvidia.com/gpu"), $"{w.Doc.Where}: still requests a GPU");
        }
        Assert.Equal("1", r.Silo("generator").Doc.Root.Map("spec").Str("replicas"));

        // The generated Secret gets a hash suffix; the pods must name that, in the same namespace.
        var secret = Assert.Single(r.OfKind("Secret"));
        Assert.Matches("^apo-storage-[a-z0-9]{10}$", secret.Name);
        Assert.Equal(Namespace, secret.Root.Map("metadata").Str("namespace"));
        foreach (var w in r.Silos)
            Assert.Equal(secret.Name, Workload.Env(w.SiloContainer!, "APO_STORAGE_CONNECTION").Map("valueFrom").Map("secretKeyRef").Str("name"));

        var azurite = Assert.Single(Workload.In(r.Objects), w => w.Doc.Name == "azurite");
        var problems = PodSecurityChecks.RestrictedPod(azurite, expectedUid: null).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal("1000", azurite.PodSpec.Map("securityContext").Str("runAsUser"));
        Assert.Contains(r.OfKind("Service"), s => s.Name == "azurite");
    }

    [Fact]
    public void Gpu_overlay_pins_the_image_by_digest_and_sizes_for_7b()
    {
        var r = Kustomize.Render("overlays/gpu");
        var digest = "registry.example.com/apo@sha256:" + new string('0', 64);
        foreach (var w in r.Silos)
            Assert.Equal(digest, w.SiloContainer.Str("image"));

        var trainer = r.Silo("trainer").SiloContainer;
        Assert.Equal("1", PodParts.Resource(trainer, "limits", "nvidia.com/gpu"));
        Assert.Equal("200Gi", PodParts.Resource(trainer, "requests", "memory"));
        Assert.Equal("200Gi", PodParts.Resource(trainer, "limits", "memory"));
        Assert.Equal("16", PodParts.Resource(trainer, "requests", "cpu"));

        var generatorPod = r.Silo("generator");
        var generator = generatorPod.SiloContainer;
        Assert.Equal("1", PodParts.Resource(generator, "limits", "nvidia.com/gpu"));
        Assert.Equal("64Gi", PodParts.Resource(generator, "requests", "memory"));
        Assert.Equal("64Gi", PodParts.Resource(generator, "limits", "memory"));

        // Two cached bf16 7B versions plus one downloading: 3 x 15.2 GB must fit the cache, which must fit ephemeral-storage.
        foreach (var w in r.Silos)
        {
            var cache = Quantity.Parse(w.Volume("weight-cache").Map("emptyDir").Str("sizeLimit"));
            Assert.True(cache >= 3 * 15.2e9m, $"{w.Doc.Where}: weight-cache sizeLimit {Quantity.Gi(cache ?? 0)} holds fewer than three bf16 7B versions");
            Assert.True(Quantity.Parse(PodParts.Resource(w.SiloContainer, "requests", "ephemeral-storage")) >= cache,
                $"{w.Doc.Where}: the ephemeral-storage request is below the weight cache's sizeLimit: the scheduler could place it on a node without that disk");
        }

        var claim = Assert.Single(r.OfKind("PersistentVolumeClaim"));
        var spec = claim.Root.Map("spec");
        Assert.False(string.IsNullOrWhiteSpace(spec.Str("storageClassName")), $"{claim.Where}: no storageClassName");
        Assert.Equal(["ReadWriteMany"], spec.Strs("accessModes"));
        Assert.Equal("1Ti", spec.Map("resources").Map("requests").Str("storage"));
    }

    [Fact]
    public void A_missing_kubectl_fails_and_says_to_run_test_sh()
    {
        var e = Assert.Throws<KubectlMissingException>(() => Kustomize.Run("/nonexistent/kubectl", "base"));
        Assert.Contains("run ./test.sh, which installs kubectl", e.Message);
        Assert.Contains("never skip", e.Message);
    }
}
