using Apo.Engine.Presets;
using Apo.Model.Qwen2;

namespace Apo.Cli.Bench;

/// <summary>
/// The model shapes the benchmark commands accept: the embedded presets' (tiny, default), the
/// built-in real shapes of <c>BenchShapes/</c> (qwen2.5-0.5b, vocab-2x64), or a config.json path.
/// </summary>
static class BenchShape
{
    public const string Help = "tiny or default (the embedded presets' models), qwen2.5-0.5b (the real shape and vocabulary), vocab-2x64 (2 layers, 64 wide, the real vocabulary) or a config.json path";

    public static Qwen2Config Resolve(string name, string option)
    {
        if (name is "tiny" or "default") return EmbeddedPreset.Named(name).Model.ToConfig(eosTokenId: 0);
        string builtIn = BuiltIn(name);
        if (File.Exists(builtIn)) return Qwen2Config.Load(builtIn);
        if (File.Exists(name) || Directory.Exists(name)) return Qwen2Config.Load(name);
        throw new UsageException($"{option}: \"{name}\" is not a known shape ({Help})");
    }

    /// <summary>A file-name-safe label of the shape.</summary>
    public static string Label(string name) =>
        name is "tiny" or "default" || File.Exists(BuiltIn(name)) ? name : Path.GetFileNameWithoutExtension(Path.GetFullPath(name));

    static string BuiltIn(string name) => Path.Combine(AppContext.BaseDirectory, "BenchShapes", name + ".json");
}
