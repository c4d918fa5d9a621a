using Apo.Hosting.Configuration;

namespace Apo.Hosting.Tests;

[Collection(EnvironmentCollection.Name)]
public sealed class ApoSiloConfigurationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string json)
    {
        var path = Path.Combine(_dir.Path, "silo.json");
        File.WriteAllText(path, json);
        return path;
    }

    // embedded.json with one field replaced, as the user would edit it.
    private string WriteEmbeddedWith(string original, string replacement)
    {
        var text = File.ReadAllText(RepoFiles.SiloConfig("embedded.json"));
        Assert.Contains(original, text);
        return Write(text.Replace(original, replacement));
    }

    private static void WithEnvironment(string name, string value, Action action)
    {
        Environment.SetEnvironmentVariable(name, value);
        try { action(); }
        finally { Environment.SetEnvironmentVariable(name, null); }
    }

    [Fact]
    public void Embedded_json_is_the_one_process_default()
    {
        var options = ApoSiloConfiguration.Load(RepoFiles.SiloConfig("embedded.json"), runDirectory: _dir.Path);

        Assert.Equal("trainer,generator", options.Role);
        Assert.Equal(ApoKinds.Localhost, options.Clustering.Kind);
        Assert.Equal(ApoKinds.File, options.Storage.Kind);
        Assert.Equal(Path.Combine(_dir.Path, "state"), options.Storage.Directory);
        Assert.Equal(ApoKinds.Memory, options.Streams.Kind);
        Assert.Equal("cpu", options.Device);
        Assert.Equal(0, options.TorchThreads);
        Assert.NotEqual(options.SiloPort, options.GatewayPort);
        Assert.EndsWith("embedded.json", options.Source);
    }

    [Fact]
    public void Environment_variables_override_the_file() =>
        WithEnvironment("APO_Silo__Device", "cuda:0", () =>
        {
            var options = ApoSiloConfiguration.Load(RepoFiles.SiloConfig("embedded.json"));
            Assert.Equal("cuda:0", options.Device);
            Assert.Equal("trainer,generator", options.Role);  // untouched fields keep the file's values
        });

    [Fact]
    public void Nested_fields_can_be_overridden_too() =>
        WithEnvironment("APO_Silo__Storage__Kind", "memory", () =>
            Assert.Equal(ApoKinds.Memory, ApoSiloConfiguration.Load(RepoFiles.SiloConfig("embedded.json")).Storage.Kind));

    [Fact]
    public void A_bad_override_names_the_environment_variable() =>
        WithEnvironment("APO_Silo__Device", "gpu", () =>
        {
            var error = Assert.Throws<InvalidDataException>(() => ApoSiloConfiguration.Load(RepoFiles.SiloConfig("embedded.json")));
            Assert.Contains("Silo:Device", error.Message);
            Assert.Contains("APO_Silo__Device", error.Message);
        });

    [Theory]
    [InlineData("\"Kind\": \"file\"", "\"Kind\": \"s3\"", "Silo:Storage:Kind", "unknown")]
    [InlineData("\"Kind\": \"localhost\"", "\"Kind\": \"consul\"", "Silo:Clustering:Kind", "unknown")]
    [InlineData("\"Kind\": \"memory\"", "\"Kind\": \"azure\"", "Silo:Streams:Kind", "azurequeue")]
    [InlineData("\"SiloPort\": 11111", "\"AdvertisedIP\": \"10.0.0.5\", \"SiloPort\": 11111", "Silo:AdvertisedIP", "only when Clustering:Kind is \"azure\"")]
    [InlineData("\"Kind\": \"memory\"", "\"Kind\": \"kafka\"", "Silo:Streams:Kind", "unknown")]
    [InlineData("\"Role\": \"trainer,generator\"", "\"Role\": \"trainer,cook\"", "Silo:Role", "comma-separated")]
    [InlineData("\"Role\": \"trainer,generator\"", "\"Role\": \"\"", "Silo:Role", "comma-separated")]
    [InlineData("\"Device\": \"cpu\"", "\"Device\": \"gpu0\"", "Silo:Device", "cuda:N")]
    [InlineData("\"TorchThreads\": 0", "\"TorchThreads\": -2", "Silo:TorchThreads", "0 (all cores)")]
    [InlineData("\"TorchThreads\": 0", "\"TorchThreads\": \"many\"", "Silo:TorchThreads", "Int32")]
    [InlineData("\"GenerationKvTokens\": 65536", "\"GenerationKvTokens\": -1", "Silo:GenerationKvTokens", "0 = no budget")]
    [InlineData("\"SiloPort\": 11111", "\"SiloPort\": 70000", "Silo:SiloPort", "1..65535")]
    [InlineData("\"GatewayPort\": 30000", "\"GatewayPort\": 11111", "Silo:GatewayPort", "differ")]
    [InlineData("\"Directory\": \"state\"", "\"Directory\": \"\"", "Silo:Storage:Directory", "folder")]
    [InlineData("\"Device\": \"cpu\"", "\"Devise\": \"cpu\"", "Devise", "")]
    public void Bad_values_name_the_file_and_the_field(string original, string replacement, string field, string why)
    {
        var path = WriteEmbeddedWith(original, replacement);
        var error = Assert.Throws<InvalidDataException>(() => ApoSiloConfiguration.Load(path));
        Assert.StartsWith(path, error.Message);
        Assert.Contains(field, error.Message);
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void Missing_file_and_broken_json_are_reported_with_the_path()
    {
        var missing = Path.Combine(_dir.Path, "nope.json");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => ApoSiloConfiguration.Load(missing)).Message);

        var broken = Write("{ \"Silo\": { ");
        Assert.StartsWith(broken, Assert.Throws<InvalidDataException>(() => ApoSiloConfiguration.Load(broken)).Message);

        var noSection = Write("{ \"Other\": {} }");
        Assert.Contains("\"Silo\"", Assert.Throws<InvalidDataException>(() => ApoSiloConfiguration.Load(noSection)).Message);
    }

    [Fact]
    public void Options_built_in_code_are_validated_with_their_source()
    {
        var options = new ApoSiloOptions { Source = "test options", Storage = { Kind = "s3" } };
        var error = Assert.Throws<InvalidDataException>(() => ApoSiloConfiguration.Validate(options));
        Assert.StartsWith("test options: field \"Silo:Storage:Kind\"", error.Message);
    }
}
