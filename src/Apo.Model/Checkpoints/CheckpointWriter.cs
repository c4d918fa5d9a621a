using Apo.Common.IO;
using System.Text.Json;
using static TorchSharp.torch;

namespace Apo.Model.Checkpoints;

/// <summary>
/// Writes weights in the Hugging Face layout: one <c>model.safetensors</c>, or, above
/// <c>maxShardBytes</c>, <c>model-0000i-of-0000n.safetensors</c> shards and their index.
/// Every file is written atomically; the index is written last and stale files of the other
/// layout are removed only after the new set is complete, so a crash never leaves a directory
/// whose index points at missing data.
/// </summary>
public static class CheckpointWriter
{
    public static void Write(string directory, IReadOnlyList<KeyValuePair<string, Tensor>> tensors,
        ScalarType? storeAs = null, long maxShardBytes = 0)
    {
        Directory.CreateDirectory(directory);
        var shards = Split(tensors, storeAs, maxShardBytes);
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        if (shards.Count == 1)
        {
            SafeTensorsWriter.Write(Path.Combine(directory, CheckpointReader.SingleFileName), shards[0], storeAs, metadata);
            DeleteShardFiles(directory, keep: Array.Empty<string>());
            return;
        }

        var names = Enumerable.Range(1, shards.Count).Select(i => $"model-{i:D5}-of-{shards.Count:D5}.safetensors").ToArray();
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long totalSize = 0;
        for (int i = 0; i < shards.Count; i++)
        {
            SafeTensorsWriter.Write(Path.Combine(directory, names[i]), shards[i], storeAs, metadata);
            foreach (var (name, tensor) in shards[i])
            {
                weightMap[name] = names[i];
                totalSize = checked(totalSize + StoredBytes(tensor, storeAs));
            }
        }
        var index = new { metadata = new { total_size = totalSize }, weight_map = weightMap };
        AtomicFile.WriteAllText(Path.Combine(directory, CheckpointReader.IndexFileName),
            JsonSerializer.Serialize(index, new JsonSerializerOptions { WriteIndented = true }));
        File.Delete(Path.Combine(directory, CheckpointReader.SingleFileName));
        DeleteShardFiles(directory, keep: names);
    }

    static List<List<KeyValuePair<string, Tensor>>> Split(IReadOnlyList<KeyValuePair<string, Tensor>> tensors, ScalarType? storeAs, long maxShardBytes)
    {
        var shards = new List<List<KeyValuePair<string, Tensor>>> { new() };
        long current = 0;
        foreach (var item in tensors)
        {
            long bytes = StoredBytes(item.Value, storeAs);
            if (maxShardBytes > 0 && current > 0 && checked(current + bytes) > maxShardBytes)
            {
                shards.Add(new());
                current = 0;
            }
            shards[^1].Add(item);
            current = checked(current + bytes);
        }
        return shards;
    }

    static long StoredBytes(Tensor tensor, ScalarType? storeAs)
    {
        var type = storeAs is { } s && tensor.is_floating_point() ? s : tensor.dtype;
        SafeTensorsDType.TryParse(SafeTensorsDType.NameOf(type), out _, out int size);
        return checked(tensor.numel() * size);
    }

    static void DeleteShardFiles(string directory, IReadOnlyCollection<string> keep)
    {
        if (keep.Count == 0) File.Delete(Path.Combine(directory, CheckpointReader.IndexFileName));
        foreach (string file in Directory.EnumerateFiles(directory, "model-*-of-*.safetensors"))
            if (!keep.Contains(Path.GetFileName(file))) File.Delete(file);
    }
}
