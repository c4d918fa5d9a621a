using Apo.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting.Kubernetes;

namespace Apo.Hosting.Tests;

/// <summary>
/// Orleans' Kubernetes hosting is wired only when the silo config asks for it. It cannot run here (no API
/// server), so the tests look at what the silo builder registers.
/// </summary>
public sealed class KubernetesHostingTests
{
    /// <summary>The services of package Microsoft.Orleans.Hosting.Kubernetes a silo with these options registers.</summary>
    static string[] KubernetesServices(bool kubernetes)
    {
        var options = new ApoSiloOptions { Storage = { Kind = ApoKinds.Memory }, Kubernetes = kubernetes };
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleans(silo => silo.ConfigureApoSilo(options));
        var package = typeof(KubernetesHostingOptions).Assembly;
        return builder.Services
            // Orleans registers every referenced assembly's generated type manifest (Metadata_*), asked or not.
            .Where(d => d.ImplementationType?.Name.StartsWith("Metadata_", StringComparison.Ordinal) != true)
            .Where(d => new[] { d.ServiceType, d.ImplementationType, d.ImplementationInstance?.GetType() }
                .OfType<Type>()
                .SelectMany(t => t.GetGenericArguments().Prepend(t))
                .Any(t => t.Assembly == package))
            .Select(d => d.ServiceType.Name + " → " + (d.ImplementationType?.Name ?? "factory or instance"))
            .ToArray();
    }

    [Fact]
    public void The_silo_builder_registers_kubernetes_hosting_only_when_the_config_asks()
    {
        Assert.Empty(KubernetesServices(kubernetes: false));
        var registered = KubernetesServices(kubernetes: true);
        Assert.NotEmpty(registered);
        // The agent that watches pods and deletes those of silos declared dead.
        Assert.Contains(registered, s => s.Contains(nameof(KubernetesClusterAgent), StringComparison.Ordinal));
    }

    [Fact]
    public void The_kubernetes_switch_is_read_from_the_silo_config_and_its_environment_override()
    {
        var before = Environment.GetEnvironmentVariable("APO_Silo__Kubernetes");
        Environment.SetEnvironmentVariable("APO_Silo__Kubernetes", "true");
        try
        {
            Assert.True(ApoSiloConfiguration.Load(RepoFiles.SiloConfig("cluster-generator.json")).Kubernetes);
        }
        finally { Environment.SetEnvironmentVariable("APO_Silo__Kubernetes", before); }
        Assert.False(ApoSiloConfiguration.Load(RepoFiles.SiloConfig("cluster-generator.json")).Kubernetes);
    }
}
