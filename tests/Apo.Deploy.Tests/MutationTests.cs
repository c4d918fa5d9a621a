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
        { "base/generator.yaml", "            limits:\n              memory: 16Gi\n              nvidia.com/gpu: 1", "            limits:\n              memory: 16Gi", nameof(SiloPodChecks.Gpu), "resources.limits[\"nvidia.com/gpu\"] must be at least 1" },
        { "base/generator.yaml", "              cpu: \"2\"\n              memory: 16Gi\n              nvidia.com/gpu: 1", "              cpu: \"2\"\n              memory: 16Gi\n              nvidia.com/gpu: 2", nameof(SiloPodChecks.Gpu), "differs from limit" },
        { "base/generator.yaml", "value: \"cuda:0\"", "value: \"cpu\"", nameof(SiloPodChecks.Gpu), "APO_Silo__Device must select the GPU" },
        { "base/generator.yaml", "orleans/clusterId: apo-cluster", "orleans/clusterId: apo-other", nameof(SiloPodChecks.OrleansLabels), "disagree on orleans/clusterId" },
        { "base/trainer.yaml", "        orleans/serviceId: apo\n", "", nameof(SiloPodChecks.OrleansLabels), "label orleans/serviceId is missing" },
        { "base/trainer.yaml", "fieldPath: status.podIP", "fieldPath: status.hostIP", nameof(SiloPodChecks.DownwardApi), "env POD_IP must come from fieldRef status.podIP" },
        { "base/generator.yaml", "            - name: POD_NAMESPACE\n", "            - name: POD_NS\n", nameof(SiloPodChecks.DownwardApi), "env POD_NAMESPACE" },
        { "base/trainer.yaml", "  replicas: 1\n", "  replicas: 2\n", nameof(SiloPodChecks.Roles), "one StatefulSet with replicas 1" },
        { "base/trainer.yaml", "/etc/apo/cluster-trainer.json\"]", "/etc/config/cluster-trainer.json\"]", nameof(SiloPodChecks.ConfigFromConfigMap), "is not a file of a generated ConfigMap mounted in the pod" },
        { "base/kustomization.yaml", "      - silo-config/cluster-generator.json\n", "", nameof(SiloPodChecks.ConfigFromConfigMap), "--config /etc/apo/cluster-generator.json" },
        { "base/trainer.yaml", "              value: \"30000\"", "              value: \"30001\"", nameof(SiloPodChecks.Ports), "APO_Silo__GatewayPort=30001 but container port \"gateway\" is 30000" },
        { "base/trainer.yaml", "    matchLabels:\n      app.kubernetes.io/name: apo\n      app.kubernetes.io/component: trainer", "    matchLabels:\n      app.kubernetes.io/name: apo\n      app.kubernetes.io/component: trainers", nameof(StructureChecks.Selectors), "does not match the pod template label" },
        { "base/generator.yaml", "    matchLabels:\n      app.kubernetes.io/name: apo\n      app.kubernetes.io/component: generator\n", "    matchLabels:\n      app.kubernetes.io/name: apo\n", nameof(StructureChecks.Selectors), "also matches the pods of" },
        { "base/trainer-service.yaml", "    app.kubernetes.io/name: apo\n    app.kubernetes.io/component: trainer\n  ports", "    app.kubernetes.io/name: apo\n  ports", nameof(StructureChecks.Services), "matches 2 workloads" },
        { "base/trainer-service.yaml", "targetPort: gateway", "targetPort: gw", nameof(StructureChecks.Services), "targetPort gw is not a port" },
        { "base/kustomization.yaml", "  - generator.yaml\n", "", nameof(StructureChecks.KustomizationFiles), "generator.yaml is in its folder but not listed" },
        { "base/kustomization.yaml", "  - generator.yaml\n", "  - generator.yaml\n  - gone.yaml\n", nameof(StructureChecks.KustomizationFiles), "names \"gone.yaml\", which does not exist" },
        { "base/kustomization.yaml", "      - silo-config/cluster-trainer.json\n", "      - silo-config/cluster-trainr.json\n", nameof(StructureChecks.KustomizationFiles), "cluster-trainr.json\", which does not exist" },
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
        { "overlays/dev/kustomization.yaml", "  - ../../base\n", "", nameof(OverlayChecks.BuildsOnBase), "bases (or resources) must include ../../base" },
        { "overlays/dev/kustomization.yaml", "namespace: apo\n", "namespace: apo-dev\n", nameof(OverlayChecks.BuildsOnBase), "namespace apo-dev differs from the base's apo" },
        { "overlays/dev/cpu-generator.yaml", "  name: apo-generator", "  name: apo-generators", nameof(OverlayChecks.PatchesTargetBase), "which the base does not have" },
        { "overlays/dev/cpu-trainer.yaml", "        - name: silo", "        - name: trainer", nameof(OverlayChecks.PatchesTargetBase), "container trainer is not in" },
        { "base/generator.yaml", "              value: \"true\"", "              value: \"false\"", nameof(SiloPodChecks.KubernetesHostingAndBlobWeights), "APO_Silo__Kubernetes must be \"true\"" },
        { "base/trainer.yaml", "/etc/apo/cluster-trainer.json\"]", "/etc/apo/cluster-trainer.json\", \"--weights\", \"/runs/weights\"]", nameof(SiloPodChecks.KubernetesHostingAndBlobWeights), "weight versions go through Azure Blob" },
        { "base/runs-volume.yaml", "[\"ReadWriteMany\"]", "[\"ReadWriteOnce\"]", nameof(SiloPodChecks.SharedRunVolume), "must be ReadWriteMany" },
        { "base/generator.yaml", "            - name: runs\n              mountPath: /runs\n", "", nameof(SiloPodChecks.SharedRunVolume), "/runs must be mounted" },
        { "overlays/dev/kustomization.yaml", "patchesStrategicMerge:\n", "replicas:\n  - name: generator\n    count: 1\npatchesStrategicMerge:\n", nameof(OverlayChecks.PatchesTargetBase), "replicas names generator" },
        { "overlays/gpu/gpu-generator.yaml", "        - name: weight-cache\n", "        - name: weight-cach\n", nameof(OverlayChecks.PatchesTargetBase), "volume weight-cach is not in" },
        { "overlays/dev/kustomization.yaml", "namespace: apo\n", "", nameof(OverlayChecks.BuildsOnBase), "adds objects but sets no namespace" },
        { "overlays/gpu/kustomization.yaml", "    digest: sha256:", "    digest: sha256:12", nameof(OverlayChecks.GpuImageByDigest), "must set digest: sha256:<64 hex digits>" },
        { "overlays/gpu/kustomization.yaml", "  - name: apo\n", "  - name: apo-x\n", nameof(OverlayChecks.GpuImageByDigest), "images has no entry for apo" },
        { "overlays/gpu/kustomization.yaml", "    newName: registry.example.com/apo\n", "    newName: registry.example.com/apo\n    newTag: cuda\n", nameof(OverlayChecks.GpuImageByDigest), "sets newTag" },
        // kustomize's own rules, as kubectl apply -k and both kustomize versions apply them
        { "base/kustomization.yaml", "      - silo-config/cluster-trainer.json\n", "      - ../../silo-config/cluster-trainer.json\n", nameof(StructureChecks.LoadRestrictor), "is not in or below k8s/base: kustomize's default load restrictor refuses it" },
        { "overlays/gpu/kustomization.yaml", "  - runs-volume.yaml\n", "  - ../../base/runs-volume.yaml\n", nameof(StructureChecks.LoadRestrictor), "\"../../base/runs-volume.yaml\", which is not in or below k8s/overlays/gpu" },
        { "overlays/dev/kustomization.yaml", "patchesStrategicMerge:\n", "replicas:\n  - name: apo-generator\n    count: 1\npatchesStrategicMerge:\n", nameof(StructureChecks.PortableKustomization), "field `replicas` is unknown to kustomize v2.0" },
        { "overlays/gpu/kustomization.yaml", "patchesStrategicMerge:\n  - gpu-trainer.yaml\n", "patches:\n  - path: gpu-trainer.yaml\npatchesStrategicMerge:\n", nameof(StructureChecks.PortableKustomization), "field `patches` is unknown to kustomize v2.0 (kubectl 1.20), which refuses the build; use patchesStrategicMerge" },
        { "overlays/dev/kustomization.yaml", "bases:\n  - ../../base\n\nresources:\n", "resources:\n  - ../../base\n", nameof(StructureChecks.PortableKustomization), "resources names the folder \"../../base\"" },
        { "overlays/dev/kustomization.yaml", "bases:\n  - ../../base\n", "bases:\n  - ../../bases\n", nameof(StructureChecks.KustomizationFiles), "bases names \"../../bases\", which does not exist" },
        // health checks
        { "base/trainer.yaml", "              path: /health/ready\n", "              path: /health/live\n", nameof(LifecycleChecks.HealthProbes), "readinessProbe.httpGet must be path /health/ready on port health (found path /health/live" },
        { "base/generator.yaml", "          livenessProbe:\n            httpGet:\n              path: /health/live\n              port: health\n", "          livenessProbe:\n            httpGet:\n              path: /health/live\n              port: 8080\n", nameof(LifecycleChecks.HealthProbes), "livenessProbe.httpGet must be path /health/live on port health (found path /health/live on port 8080)" },
        { "base/trainer.yaml", "          readinessProbe:\n            httpGet:\n              path: /health/ready\n              port: health\n", "          readinessProbe:\n            tcpSocket:\n              port: health\n", nameof(LifecycleChecks.HealthProbes), "readinessProbe must be an httpGet on port health, path /health/ready (found another kind of probe)" },
        { "base/generator.yaml", "          startupProbe:\n", "          startupProbeOff:\n", nameof(LifecycleChecks.HealthProbes), "startupProbe must be an httpGet on port health, path /health/live (found none)" },
        { "base/trainer.yaml", "            failureThreshold: 60\n", "            failureThreshold: 6\n", nameof(LifecycleChecks.HealthProbes), "startupProbe allows 60 s" },
        { "base/generator.yaml", "            - name: health\n", "            - name: http\n", nameof(LifecycleChecks.HealthProbes), "declares no port named \"health\"" },
        { "base/trainer.yaml", "              containerPort: 8080\n", "              containerPort: 8081\n", nameof(LifecycleChecks.HealthProbes), "k8s/base/silo-config/cluster-trainer.json: field \"Silo:Health:Port\" = 8080 but k8s/base/trainer.yaml document 1 (StatefulSet apo-trainer) declares port \"health\" 8081" },
        // graceful shutdown and rollouts
        { "base/generator.yaml", "      terminationGracePeriodSeconds: 180\n", "      terminationGracePeriodSeconds: 60\n", nameof(LifecycleChecks.GracefulShutdown), "terminationGracePeriodSeconds is 60, but the silo may take ShutdownTimeoutSeconds = 170 s to leave the cluster: use at least 180" },
        { "base/trainer.yaml", "      terminationGracePeriodSeconds: 180\n", "", nameof(LifecycleChecks.GracefulShutdown), "terminationGracePeriodSeconds is unset (default 30)" },
        { "base/generator.yaml", "      maxUnavailable: 0\n", "      maxUnavailable: 1\n", nameof(LifecycleChecks.Rollout), "spec.strategy must be RollingUpdate with maxUnavailable 0 and maxSurge 1" },
        { "base/generator.yaml", "    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0\n", "    type: Recreate\n", nameof(LifecycleChecks.Rollout), "(found Recreate, maxUnavailable default 25%, maxSurge default 25%)" },
        { "base/generator.yaml", "  progressDeadlineSeconds: 1200\n", "", nameof(LifecycleChecks.Rollout), "spec.progressDeadlineSeconds 600 is not longer than the startupProbe's 600 s" },
        { "base/trainer.yaml", "    type: RollingUpdate\n", "    type: OnDelete\n", nameof(LifecycleChecks.Rollout), "spec.updateStrategy.type must be RollingUpdate (found OnDelete)" },
        // disruption budgets
        { "base/disruption-budgets.yaml", "  maxUnavailable: 1\n", "  minAvailable: 1\n", nameof(LifecycleChecks.DisruptionBudgets), "generators need maxUnavailable: 1 and no minAvailable" },
        { "base/disruption-budgets.yaml", "      app.kubernetes.io/component: generator\n", "      app.kubernetes.io/component: trainer\n", nameof(LifecycleChecks.DisruptionBudgets), "expected one PodDisruptionBudget selecting the generator pods, found 0" },
        { "base/disruption-budgets.yaml", "      app.kubernetes.io/component: generator\n", "", nameof(LifecycleChecks.DisruptionBudgets), "selector {app.kubernetes.io/name=apo} differs from k8s/base/generator.yaml document 1 (Deployment apo-generator)'s selector" },
        { "base/disruption-budgets.yaml", "apiVersion: policy/v1\n", "apiVersion: policy/v1beta1\n", nameof(LifecycleChecks.DisruptionBudgets), "apiVersion policy/v1beta1; use policy/v1" },
        { "base/disruption-budgets.yaml", "apiVersion: policy/v1\n", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: apo-trainer\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/component: trainer\n---\napiVersion: policy/v1\n", nameof(LifecycleChecks.DisruptionBudgets), "selects the trainer's 1 pod(s) with maxUnavailable unset / minAvailable 1: every eviction is refused and a node drain waits forever" },
        // the restricted Pod Security Standard, Azurite included
        { "overlays/dev/azurite.yaml", "        runAsNonRoot: true\n", "", nameof(PodSecurityChecks.Restricted), "k8s/overlays/dev/azurite.yaml document 1 (Deployment azurite): spec.template.spec.securityContext.runAsNonRoot must be true" },
        { "overlays/dev/azurite.yaml", "            readOnlyRootFilesystem: true\n", "            readOnlyRootFilesystem: false\n", nameof(PodSecurityChecks.Restricted), "container azurite: securityContext.readOnlyRootFilesystem must be true (found false)" },
        { "overlays/dev/azurite.yaml", "            - name: tmp\n              mountPath: /tmp\n", "", nameof(PodSecurityChecks.Restricted), "container azurite: /tmp must be an emptyDir mount" },
        { "base/trainer.yaml", "              drop: [\"ALL\"]\n", "              drop: [\"NET_RAW\"]\n", nameof(PodSecurityChecks.Restricted), "(StatefulSet apo-trainer) container silo: securityContext.capabilities.drop must contain ALL" },
        { "base/generator.yaml", "            allowPrivilegeEscalation: false\n", "            allowPrivilegeEscalation: true\n", nameof(PodSecurityChecks.Restricted), "container silo: securityContext.allowPrivilegeEscalation must be false (found true)" },
        { "base/generator.yaml", "            capabilities:\n", "            capabilities:\n              add: [\"SYS_ADMIN\"]\n", nameof(PodSecurityChecks.Restricted), "capabilities.add SYS_ADMIN is not allowed" },
        { "base/trainer.yaml", "          type: RuntimeDefault\n", "          type: Unconfined\n", nameof(PodSecurityChecks.Restricted), "seccompProfile.type must be RuntimeDefault (found Unconfined)" },
        { "base/generator.yaml", "        runAsUser: 10001\n", "        runAsUser: 10002\n", nameof(PodSecurityChecks.Restricted), "securityContext.runAsUser 10002 is not the image's user 10001 (k8s/Dockerfile USER)" },
        { "base/trainer.yaml", "        fsGroup: 10001\n", "", nameof(PodSecurityChecks.Restricted), "securityContext.fsGroup must be a non-zero id (found unset)" },
        { "base/generator.yaml", "      serviceAccountName: apo-silo\n", "      serviceAccountName: apo-silo\n      hostNetwork: true\n", nameof(PodSecurityChecks.Restricted), "hostNetwork is not allowed" },
        { "base/namespace.yaml", "    pod-security.kubernetes.io/enforce: restricted\n", "    pod-security.kubernetes.io/enforce: baseline\n", nameof(PodSecurityChecks.NamespaceLabels), "label pod-security.kubernetes.io/enforce must be \"restricted\" (found baseline)" },
        { "base/namespace.yaml", "    pod-security.kubernetes.io/audit: restricted\n", "", nameof(PodSecurityChecks.NamespaceLabels), "label pod-security.kubernetes.io/audit must be \"restricted\" (found none)" },
        // the weight cache
        { "base/trainer.yaml", "              value: /cache/weights\n", "              value: /cache\n", nameof(SiloPodChecks.WeightCache), "it is the root of mount weight-cache: use a folder inside it" },
        { "base/generator.yaml", "            - name: APO_Silo__Weights__CacheDirectory\n", "            - name: APO_Silo__Weights__Cache\n", nameof(SiloPodChecks.WeightCache), "env APO_Silo__Weights__CacheDirectory is unset" },
        { "base/generator.yaml", "              mountPath: /cache\n", "              mountPath: /var/cache\n", nameof(SiloPodChecks.WeightCache), "env APO_Silo__Weights__CacheDirectory=/cache/weights is not inside an emptyDir mount" },
        { "base/generator.yaml", "          emptyDir:\n            sizeLimit: 8Gi\n", "          emptyDir: {}\n", nameof(SiloPodChecks.WeightCache), "emptyDir volume weight-cache has no sizeLimit" },
        { "base/trainer.yaml", "              ephemeral-storage: 10Gi\n            limits:\n              memory: 32Gi\n              nvidia.com/gpu: 1\n              ephemeral-storage: 12Gi\n", "              ephemeral-storage: 8Gi\n            limits:\n              memory: 32Gi\n              nvidia.com/gpu: 1\n              ephemeral-storage: 9Gi\n", nameof(SiloPodChecks.WeightCache), "ephemeral-storage limit 9Gi is not above the emptyDirs' sizeLimits (9Gi)" },
        { "base/generator.yaml", "              ephemeral-storage: 10Gi\n", "", nameof(SiloPodChecks.WeightCache), "resources.requests and resources.limits need ephemeral-storage (found request none, limit 12Gi)" },
        { "base/trainer.yaml", "              ephemeral-storage: 10Gi\n", "              ephemeral-storage: 20Gi\n", nameof(SiloPodChecks.WeightCache), "ephemeral-storage request 20Gi is above its limit 12Gi" },
        // TLS
        { "base/trainer.yaml", "            secretName: apo-tls\n", "            secretName: apo-cert\n", nameof(SiloPodChecks.TlsMounted), "/etc/apo-tls (Tls:Directory) must be a mount of the Secret apo-tls (found Secret apo-cert)" },
        { "base/generator.yaml", "              mountPath: /etc/apo-tls\n", "              mountPath: /etc/tls\n", nameof(SiloPodChecks.TlsMounted), "(Deployment apo-generator): /etc/apo-tls (Tls:Directory) must be a mount of the Secret apo-tls (found no mount there)" },
        { "base/generator.yaml", "              mountPath: /etc/apo-tls\n              readOnly: true\n", "              mountPath: /etc/apo-tls\n", nameof(SiloPodChecks.TlsMounted), "the mount of apo-tls at /etc/apo-tls must be readOnly: true" },
        { "base/trainer.yaml", "              mountPath: /etc/apo-tls\n", "              mountPath: /etc/apo-tls\n              subPath: tls.crt\n", nameof(SiloPodChecks.TlsMounted), "uses subPath, which never sees a renewed certificate" },
        { "base/trainer.yaml", "            secretName: apo-tls\n", "            secretName: apo-tls\n            optional: true\n", nameof(SiloPodChecks.TlsMounted), "Secret apo-tls is optional" },
        { "base/trainer.yaml", "            secretName: apo-tls\n", "            secretName: apo-tls\n            items:\n              - key: tls.crt\n                path: tls.crt\n              - key: tls.key\n                path: tls.key\n", nameof(SiloPodChecks.TlsMounted), "lists items but not ca.crt at path ca.crt" },
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
