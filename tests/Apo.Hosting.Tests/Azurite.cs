using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Apo.Hosting.Azure;

namespace Apo.Hosting.Tests;

/// <summary>
/// The Azure Storage emulator, started for the test run on 127.0.0.1 with free ports and a temp folder,
/// from the project-local install that ./test.sh performs (.tools/azurite). Sets APO_STORAGE_CONNECTION.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    // Azurite's well-known development account key: public, and valid only against the emulator.
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly TempDirectory _location = new();
    private Process? _process;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var executable = FindExecutable();
        int blob = FreePort(), queue = FreePort(), table = FreePort();
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--silent", "--location", _location.Path, "--skipApiVersionCheck", "--disableTelemetry",
                     "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(),
                     "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(),
                     "--tableHost", "127.0.0.1", "--tablePort", table.ToString(),
                 })
            start.ArgumentList.Add(arg);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var port in new[] { blob, queue, table })
            while (!await Accepts(port))
            {
                if (_process.HasExited)
                    throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode} before listening");
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"Azurite did not listen on 127.0.0.1:{port} within 30 s");
                await Task.Delay(100);
            }

        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
        Environment.SetEnvironmentVariable(ApoStorageConnection.EnvironmentVariable, ConnectionString);
    }

    public Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(ApoStorageConnection.EnvironmentVariable, null);
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        _location.Dispose();
        return Task.CompletedTask;
    }

    private static string FindExecutable()
    {
        var relative = Path.Combine(".tools", "azurite", "node_modules", ".bin", "azurite");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException(
            $"{relative} not found above {AppContext.BaseDirectory}: run ./test.sh once (it installs the Azurite " +
            "emulator the Azure tests need with npm), or run its npm install line yourself");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> Accepts(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>
/// Tests that run against Azurite. Not parallel: they share the process-wide APO_STORAGE_CONNECTION.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AzureCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azure";
}
