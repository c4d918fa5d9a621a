namespace Apo.Cli.Tests;

/// <summary>`apo status` refuses bad input before it connects anywhere (the cluster case is in ClusterRunTests).</summary>
public sealed class StatusCommandTests
{
    [Fact]
    public void A_missing_client_configuration_is_named_with_exit_code_2()
    {
        using var dir = new TempDirectory();
        string missing = dir.File("nowhere.json");
        var result = ApoProcess.Run("status", "--cluster", missing, "--run-id", "r1");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"apo: error: {missing}: cluster client configuration not found", result.StdErr.Trim());
    }

    [Fact]
    public void Exactly_one_of_run_id_and_out_is_required()
    {
        using var dir = new TempDirectory();
        string config = Path.Combine(AppContext.BaseDirectory, "silo-config", "cluster-client.json");
        foreach (var args in new[] { new[] { "status", "--cluster", config }, ["status", "--cluster", config, "--run-id", "r1", "--out", dir.Path] })
        {
            var result = ApoProcess.Run(args);
            Assert.Equal(2, result.ExitCode);
            Assert.Equal("apo: error: give exactly one of --run-id and --out", result.StdErr.Trim());
        }
    }
}
