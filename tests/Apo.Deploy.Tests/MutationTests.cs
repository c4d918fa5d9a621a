using Apo.Deploy.Tests.Checks;
using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests;

/// <summary>
/// Each check catches the breakage it exists for: the committed manifests are loaded with one edit
/// (text replaced before parsing) and the named check must report it. Together with
/// <see cref="ManifestTests"/> (the committed files report nothing) this shows the checks are not vacuous.
/// </summary>
public class MutationTests
{
    public static TheoryData<string, string, string, string, string> Mutations => new()
    {
        // file, text to replace, replacement, check, expected words in a problem
        { "base/rbac.yaml", "\"delete\", \"patch\"]", "\"delete\"]", nameof(RbacChecks.SiloPermissions), "may not patch pods" },
        { "base/rbac.yaml", "verbs: [\"get\", \"watch\",", "verbs: [\"watch\",", nameof(RbacChecks.SiloPermissions), "may not get pods" },
        { "base/rbac.yaml", "    name: apo-silo\n", "    name: someone-else\n", nameof(RbacChecks.SiloPermissions), "no RoleBinding has the subject ServiceAccount apo-silo" },
        { "base/rbac.yaml", "  kind: Role\n  name: apo-silo-pods", "  kind: Role\n  name: apo-silo-pod", nameof(RbacChecks.SiloPermissions), "is not a Role of the base" },
        { "base/generator.yaml", "      serviceAccountName: apo-silo\n", "", nameof(RbacChecks.SiloPermissions), "the namespace's default account" },
        { "base/generator.yaml", "              memory: 16Gi\n              nvidia.com/gpu: 1", "              memory: 16Gi", nameof(SiloPodChecks.Gpu), "resources.limits[\"nvidia.com/gpu\"] must be at least 1" },
        { "base/generator.yaml", "              memory: 8Gi\n              nvidia.com/gpu: 1", "              memory: 8Gi\n              nvidia.com/gpu: 2", nameof(SiloPodChecks.Gpu), "differs from limit" },
        { "base/generator.yaml", "value: \"cuda:0\"", "value: \"cpu\"", nameof(SiloPodChecks.Gpu), "APO_Silo__Device must select the GPU" },
        { "base/generator.yaml", "orleans/clusterId: apo-cluster", "orleans/clusterId: apo-other", nameof(SiloPodChecks.OrleansLabels), "disagree on orleans/clusterId" },
        { "base/trainer.yaml", "        orleans/serviceId: apo\n", "", nameof(SiloPodChecks.OrleansLabels), "label orleans/serviceId is missing" },
        { "base/trainer.yaml", "fieldPath: status.podIP", "fieldPath: status.hostIP", nameof(SiloPodChecks.DownwardApi), "env POD_IP must come from fieldRef status.podIP" },
        { "base/generator.yaml", "            - name: POD_NAMESPACE\n", "            - name: POD_NS\n", nameof(SiloPodChecks.DownwardApi), "env POD_NAMESPACE" },
        { "base/trainer.yaml", "  replicas: 1\n", "  replicas: 2\n", nameof(SiloPodChecks.Roles), "one StatefulSet with replicas 1" },
        { "base/trainer.yaml", "/etc/apo/cluster-trainer.json\"]", "/etc/config/cluster-trainer.json\"]", nameof(SiloPodChecks.ConfigFromConfigMap), "is not a file of a generated ConfigMap mounted in the pod" },
        { "base/kustomization.yaml", "      - ../../silo-config/cluster-generator.json\n", "", nameof(SiloPodChecks.ConfigFromConfigMap), "--config /etc/apo/cluster-generator.json" },
        { "base/trainer.yaml", "              value: \"30000\"", "              value: \"30001\"", nameof(SiloPodChecks.Ports), "APO_Silo__GatewayPort=30001 but container port \"gateway\" is 30000" },
        { "base/trainer.yaml", "    matchLabels:\n      app.kubernetes.io/name: apo\n      app.kubernetes.io/component: trainer", "    matchLabels:\n      app.kubernetes.io/name: apo\n      app.kubernetes.io/component: trainers", nameof(StructureChecks.Selectors), "does not match the pod template label" },
        { "base/generator.yaml", "    matchLabels:\n      app.kubernetes.io/name: apo\n      app.kubernetes.io/component: generator\n", "    matchLabels:\n      app.kubernetes.io/name: apo\n", nameof(StructureChecks.Selectors), "also matches the pods of" },
        { "base/trainer-service.yaml", "    app.kubernetes.io/name: apo\n    app.kubernetes.io/component: trainer\n  ports", "    app.kubernetes.io/name: apo\n  ports", nameof(StructureChecks.Services), "matches 2 workloads" },
        { "base/trainer-service.yaml", "targetPort: gateway", "targetPort: gw", nameof(StructureChecks.Services), "targetPort gw is not a port" },
        { "base/kustomization.yaml", "  - generator.yaml\n", "", nameof(StructureChecks.KustomizationFiles), "generator.yaml is in its folder but not listed" },
        { "base/kustomization.yaml", "  - generator.yaml\n", "  - generator.yaml\n  - gone.yaml\n", nameof(StructureChecks.KustomizationFiles), "names \"gone.yaml\", which does not exist" },
        { "base/kustomization.yaml", "cluster-trainer.json", "cluster-trainr.json", nameof(StructureChecks.KustomizationFiles), "cluster-trainr.json\", which does not exist" },
        { "base/serviceaccount.yaml", "  name: apo-silo\n", "", nameof(StructureChecks.Identity), "metadata.name is missing" },
        { "base/trainer.yaml", "apiVersion: apps/v1\n", "", nameof(StructureChecks.Identity), "apiVersion is missing" },
        { "base/generator.yaml", "              valueFrom:\n                secretKeyRef:\n                  name: apo-storage\n                  key: connection-string", "              value: \"from-a-file\"", nameof(SecretChecks.FromSecret), "found a literal value" },
        { "base/trainer.yaml", "                  name: apo-storage\n", "                  name: apo-storage-x\n", nameof(SecretChecks.FromSecret), "apo-storage-x/connection-string" },
        { "overlays/dev/kustomization.yaml", "UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://azurite", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0", nameof(SecretChecks.NoLiterals), "looks like a storage credential" },
        { "base/trainer.yaml", "# Secrets never go in a file", "# AccountKey=c2VjcmV0 Secrets never go in a file", nameof(SecretChecks.NoLiterals), "base/trainer.yaml line" },
        { "overlays/dev/azurite.yaml", "            - --skipApiVersionCheck\n", "", nameof(DevOverlayChecks.AzuriteInCluster), "needs --skipApiVersionCheck" },
        { "overlays/dev/azurite.yaml", "            - --tableHost\n            - 0.0.0.0", "            - --tableHost\n            - 127.0.0.1", nameof(DevOverlayChecks.AzuriteInCluster), "--tableHost must be 0.0.0.0" },
        { "overlays/dev/azurite.yaml", "  type: ClusterIP", "  type: NodePort", nameof(DevOverlayChecks.AzuriteInCluster), "type NodePort exposes the emulator" },
        { "overlays/dev/azurite.yaml", "              containerPort: 10002\n", "              containerPort: 10002\n              hostPort: 10002\n", nameof(DevOverlayChecks.AzuriteInCluster), "has a hostPort" },
        { "overlays/dev/azurite.yaml", "      port: 10001\n", "      port: 11001\n", nameof(DevOverlayChecks.AzuriteInCluster), "port 10001 is missing" },
        { "overlays/dev/kustomization.yaml", "DevelopmentStorageProxyUri=http://azurite", "DevelopmentStorageProxyUri=http://127.0.0.1", nameof(DevOverlayChecks.SecretPointsAtAzurite), "is not the overlay's Azurite Service" },
        { "overlays/dev/kustomization.yaml", "  - name: apo-storage\n", "  - name: storage\n", nameof(DevOverlayChecks.SecretPointsAtAzurite), "secretGenerator apo-storage must set connection-string" },
        { "overlays/dev/kustomization.yaml", "  - ../../base\n", "", nameof(DevOverlayChecks.BuildsOnBase), "resources must include ../../base" },
        { "overlays/dev/kustomization.yaml", "resources:\n", "namespace: apo-dev\nresources:\n", nameof(DevOverlayChecks.BuildsOnBase), "namespace apo-dev differs from the base's apo" },
        { "overlays/dev/cpu-generator.yaml", "  name: apo-generator", "  name: apo-generators", nameof(DevOverlayChecks.PatchesTargetBase), "which the base does not have" },
        { "overlays/dev/cpu-trainer.yaml", "        - name: silo", "        - name: trainer", nameof(DevOverlayChecks.PatchesTargetBase), "container trainer is not in" },
        { "base/generator.yaml", "              value: \"true\"", "              value: \"false\"", nameof(SiloPodChecks.KubernetesHostingAndBlobWeights), "APO_Silo__Kubernetes must be \"true\"" },
        { "base/trainer.yaml", "/etc/apo/cluster-trainer.json\"]", "/etc/apo/cluster-trainer.json\", \"--weights\", \"/runs/weights\"]", nameof(SiloPodChecks.KubernetesHostingAndBlobWeights), "weight versions go through Azure Blob" },
        { "base/runs-volume.yaml", "[\"ReadWriteMany\"]", "[\"ReadWriteOnce\"]", nameof(SiloPodChecks.SharedRunVolume), "must be ReadWriteMany" },
        { "base/generator.yaml", "            - name: runs\n              mountPath: /runs\n", "", nameof(SiloPodChecks.SharedRunVolume), "/runs must be mounted" },
        { "overlays/dev/kustomization.yaml", "  - name: apo-generator\n    count: 1", "  - name: generator\n    count: 1", nameof(DevOverlayChecks.PatchesTargetBase), "replicas names generator" },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public void A_broken_manifest_is_reported(string file, string from, string to, string check, string expected)
    {
        var applied = 0;
        var broken = ManifestSet.Load((relative, text) =>
        {
            if (relative != file)
                return text;
            applied = text.Split(from).Length - 1;
            return text.Replace(from, to);
        });
        Assert.True(applied == 1, $"the mutation's text occurs {applied} times in k8s/{file}, expected once: \"{from}\"");

        var problems = AllChecks.ByName[check](broken).ToList();
        Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)),
            $"{check} did not report \"{expected}\" for the edit of k8s/{file}; it reported:\n  " + string.Join("\n  ", problems));
    }
}
