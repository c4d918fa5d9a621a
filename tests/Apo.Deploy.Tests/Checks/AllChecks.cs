using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests.Checks;

/// <summary>Every manifest check by name, so one theory runs them all on the real manifests.</summary>
public static class AllChecks
{
    /// <summary>Check name to check.</summary>
    public static readonly IReadOnlyDictionary<string, Func<ManifestSet, IEnumerable<string>>> ByName =
        new Dictionary<string, Func<ManifestSet, IEnumerable<string>>>
        {
            [nameof(StructureChecks.Identity)] = StructureChecks.Identity,
            [nameof(StructureChecks.KustomizationFiles)] = StructureChecks.KustomizationFiles,
            [nameof(StructureChecks.LoadRestrictor)] = StructureChecks.LoadRestrictor,
            [nameof(StructureChecks.PortableKustomization)] = StructureChecks.PortableKustomization,
            [nameof(StructureChecks.Selectors)] = StructureChecks.Selectors,
            [nameof(StructureChecks.Services)] = StructureChecks.Services,
            [nameof(ConfigCopyChecks.InSync)] = set => ConfigCopyChecks.InSync(set),
            [nameof(SiloPodChecks.Roles)] = SiloPodChecks.Roles,
            [nameof(SiloPodChecks.OrleansLabels)] = SiloPodChecks.OrleansLabels,
            [nameof(SiloPodChecks.DownwardApi)] = SiloPodChecks.DownwardApi,
            [nameof(SiloPodChecks.Ports)] = SiloPodChecks.Ports,
            [nameof(SiloPodChecks.Gpu)] = SiloPodChecks.Gpu,
            [nameof(SiloPodChecks.ConfigFromConfigMap)] = SiloPodChecks.ConfigFromConfigMap,
            [nameof(SiloPodChecks.ClientConfigAgrees)] = SiloPodChecks.ClientConfigAgrees,
            [nameof(SiloPodChecks.KubernetesHostingAndBlobWeights)] = SiloPodChecks.KubernetesHostingAndBlobWeights,
            [nameof(SiloPodChecks.SharedRunVolume)] = SiloPodChecks.SharedRunVolume,
            [nameof(SiloPodChecks.WeightCache)] = SiloPodChecks.WeightCache,
            [nameof(SiloPodChecks.TlsMounted)] = SiloPodChecks.TlsMounted,
            [nameof(LifecycleChecks.HealthProbes)] = LifecycleChecks.HealthProbes,
            [nameof(LifecycleChecks.GracefulShutdown)] = LifecycleChecks.GracefulShutdown,
            [nameof(LifecycleChecks.Rollout)] = LifecycleChecks.Rollout,
            [nameof(LifecycleChecks.DisruptionBudgets)] = LifecycleChecks.DisruptionBudgets,
            [nameof(PodSecurityChecks.Restricted)] = PodSecurityChecks.Restricted,
            [nameof(PodSecurityChecks.NamespaceLabels)] = PodSecurityChecks.NamespaceLabels,
            [nameof(RbacChecks.SiloPermissions)] = RbacChecks.SiloPermissions,
            [nameof(SecretChecks.FromSecret)] = SecretChecks.FromSecret,
            [nameof(SecretChecks.NoLiterals)] = SecretChecks.NoLiterals,
            [nameof(OverlayChecks.BuildsOnBase)] = OverlayChecks.BuildsOnBase,
            [nameof(OverlayChecks.PatchesTargetBase)] = OverlayChecks.PatchesTargetBase,
            [nameof(OverlayChecks.GpuImageByDigest)] = OverlayChecks.GpuImageByDigest,
            [nameof(DevOverlayChecks.AzuriteInCluster)] = DevOverlayChecks.AzuriteInCluster,
            [nameof(DevOverlayChecks.SecretPointsAtAzurite)] = DevOverlayChecks.SecretPointsAtAzurite,
        };
}
