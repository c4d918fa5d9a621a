using System.Text.Json;
using static TorchSharp.torch;

namespace Apo.Model.Checkpoints;

/// <summary>
/// The weights of a Hugging Face model directory: a single <c>model.safetensors</c>, or shards listed
/// by <c>model.safetensors.index.json</c>. Looks tensors up by name across shards.
/// </summary>
public sealed class CheckpointReader : IDisposable
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    readonly Dictionary<string, SafeTensorsFile> fileOf;
    readonly List<SafeTensorsFile> files;

    CheckpointReader(List<SafeTensorsFile> files, Dictionary<string, SafeTensorsFile> fileOf)
    {
        this.files = files;
        this.fileOf = fileOf;
    }

    public IReadOnlyCollection<string> Names => fileOf.Keys;

    public TensorEntry Entry(string name) => FileOf(name).Entries[name];

    public bool Contains(string name) => fileOf.ContainsKey(name);

    public Tensor Read(string name, ScalarType? asType = null, Device? device = null) => FileOf(name).Read(name, asType, device);

    public void ReadInto(string name, Tensor destination) => FileOf(name).ReadInto(name, destination);

    SafeTensorsFile FileOf(string name) =>
        fileOf.TryGetValue(name, out var file) ? file : throw new InvalidDataException($"checkpoint has no tensor named \"{name}\"");

    public static CheckpointReader Open(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: model directory not found");
        string index = Path.Combine(directory, IndexFileName);
        string single = Path.Combine(directory, SingleFileName);
        if (File.Exists(index)) return OpenSharded(directory, index);
        if (File.Exists(single)) return FromFiles(new[] { SafeTensorsFile.Open(single) });
        throw new FileNotFoundException($"{directory}: no {SingleFileName} or {IndexFileName} found", single);
    }

    static CheckpointReader OpenSharded(string directory, string indexPath)
    {
        Dictionary<string, string> weightMap;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(indexPath));
            if (!document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{indexPath}: missing \"weight_map\" object");
            weightMap = map.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()
                ?? throw new InvalidDataException($"{indexPath}: weight_map entry \"{p.Name}\" is not a file name"));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{indexPath}: not valid JSON: {e.Message}");
        }
        var shards = new Dictionary<string, SafeTensorsFile>();
        try
        {
            foreach (string shard in weightMap.Values.Distinct())
            {
                if (shard.Contains('/') || shard.Contains('\\'))
                    throw new InvalidDataException($"{indexPath}: shard name \"{shard}\" must be a plain file name");
                shards[shard] = SafeTensorsFile.Open(Path.Combine(directory, shard));
            }
            var fileOf = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            foreach (var (name, shard) in weightMap)
            {
                if (!shards[shard].Entries.ContainsKey(name))
                    throw new InvalidDataException($"{indexPath}: weight_map puts \"{name}\" in {shard}, which does not contain it");
                fileOf[name] = shards[shard];
            }
            return new CheckpointReader(shards.Values.ToList(), fileOf);
        }
        catch
        {
            foreach (var s in shards.Values) s.Dispose();
            throw;
        }
    }

    static CheckpointReader FromFiles(IReadOnlyList<SafeTensorsFile> files)
    {
        var fileOf = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        foreach (var file in files)
            foreach (string name in file.Entries.Keys)
                fileOf[name] = file;
        return new CheckpointReader(files.ToList(), fileOf);
    }

    public void Dispose()
    {
        foreach (var file in files) file.Dispose();
    }
}
