using System.Text;
using Apo.Model.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Model.Tests;

public class SafeTensorsTests
{
    static byte[] BytesOf(Tensor t) => t.contiguous().bytes.ToArray();

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void RoundTripIsBitExact(ScalarType dtype)
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var gen = new Generator(7);
        var tensors = new Dictionary<string, Tensor>
        {
            ["a.weight"] = randn(new long[] { 3, 5 }, generator: gen).to_type(dtype),
            ["b.bias"] = randn(new long[] { 7 }, generator: gen).to_type(dtype),
            ["scalar"] = tensor(3.25f).to_type(dtype),
            ["ids"] = arange(10, dtype: ScalarType.Int64),
        };
        string path = dir.File("x.safetensors");
        SafeTensorsWriter.Write(path, tensors, metadata: new Dictionary<string, string> { ["format"] = "pt" });

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(tensors.Keys.OrderBy(k => k), file.Entries.Keys.OrderBy(k => k));
        foreach (var (name, expected) in tensors)
        {
            using var actual = file.Read(name);
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.Equal(BytesOf(expected), BytesOf(actual));
        }
    }

    [Fact]
    public void ReadsAFileBuiltByHandFromTheFormatSpecification()
    {
        // Built without our writer: 8-byte little-endian header length, JSON header, raw data.
        using var dir = new TempDirectory();
        string header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                      + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[16,20]}}";
        var data = new List<byte>();
        foreach (float f in new[] { 1f, -2f, 0.5f, 1e-3f }) data.AddRange(BitConverter.GetBytes(f));
        data.AddRange(BitConverter.GetBytes((Half)1.5));
        data.AddRange(BitConverter.GetBytes((Half)(-0.25)));
        var bytes = new List<byte>();
        bytes.AddRange(BitConverter.GetBytes((long)Encoding.UTF8.GetByteCount(header)));
        bytes.AddRange(Encoding.UTF8.GetBytes(header));
        bytes.AddRange(data);
        File.WriteAllBytes(dir.File("hand.safetensors"), bytes.ToArray());

        using var file = SafeTensorsFile.Open(dir.File("hand.safetensors"));
        using var w = file.Read("w");
        Assert.Equal(new float[] { 1f, -2f, 0.5f, 1e-3f }, w.data<float>().ToArray());
        using var h = file.Read("h", asType: ScalarType.Float32);
        Assert.Equal(new float[] { 1.5f, -0.25f }, h.data<float>().ToArray());
    }

    [Fact]
    public void StoringAsBFloat16MatchesTorchConversion()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var w = randn(new long[] { 4, 4 }, generator: new Generator(1));
        SafeTensorsWriter.Write(dir.File("m.safetensors"), new Dictionary<string, Tensor> { ["w"] = w }, storeAs: ScalarType.BFloat16);
        using var file = SafeTensorsFile.Open(dir.File("m.safetensors"));
        Assert.Equal(ScalarType.BFloat16, file.Entries["w"].DType);
        Assert.Equal(BytesOf(w.to_type(ScalarType.BFloat16)), BytesOf(file.Read("w")));
    }

    [Fact]
    public void ShardedRoundTripIsBitExactAndSwitchingLayoutsLeavesNoStaleFiles()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var gen = new Generator(3);
        var tensors = Enumerable.Range(0, 6)
            .Select(i => KeyValuePair.Create($"layers.{i}.weight", randn(new long[] { 16, 16 }, generator: gen)))
            .ToList();
        CheckpointWriter.Write(dir.Path, tensors, maxShardBytes: 2 * 16 * 16 * 4);

        Assert.True(File.Exists(dir.File(CheckpointReader.IndexFileName)));
        Assert.False(File.Exists(dir.File(CheckpointReader.SingleFileName)));
        Assert.Equal(3, Directory.GetFiles(dir.Path, "model-*-of-00003.safetensors").Length);
        using (var reader = CheckpointReader.Open(dir.Path))
        {
            foreach (var (name, expected) in tensors)
                Assert.Equal(BytesOf(expected), BytesOf(reader.Read(name)));
        }

        CheckpointWriter.Write(dir.Path, tensors);
        Assert.True(File.Exists(dir.File(CheckpointReader.SingleFileName)));
        Assert.False(File.Exists(dir.File(CheckpointReader.IndexFileName)));
        Assert.Empty(Directory.GetFiles(dir.Path, "model-*-of-*.safetensors"));
        using (var reader = CheckpointReader.Open(dir.Path))
            Assert.Equal(BytesOf(tensors[5].Value), BytesOf(reader.Read("layers.5.weight")));
    }

    [Fact]
    public void ReadIntoCopiesIntoAnExistingTensorAndRejectsAShapeMismatchByName()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var w = randn(new long[] { 2, 3 }, generator: new Generator(5));
        SafeTensorsWriter.Write(dir.File("m.safetensors"), new Dictionary<string, Tensor> { ["w"] = w }, storeAs: ScalarType.BFloat16);
        using var file = SafeTensorsFile.Open(dir.File("m.safetensors"));

        var target = zeros(2, 3);
        file.ReadInto("w", target);
        Assert.True(target.allclose(w.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32)));

        var wrong = zeros(3, 2);
        var error = Assert.Throws<InvalidDataException>(() => file.ReadInto("w", wrong));
        Assert.Contains("\"w\"", error.Message);
        Assert.Contains("[2, 3]", error.Message);
        Assert.Contains("m.safetensors", error.Message);
    }

    [Fact]
    public void TruncatedAndMalformedFilesNameTheFileAndTensor()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        string path = dir.File("t.safetensors");
        SafeTensorsWriter.Write(path, new Dictionary<string, Tensor> { ["big"] = ones(64) });
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var truncated = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path));
        Assert.Contains("t.safetensors", truncated.Message);
        Assert.Contains("\"big\"", truncated.Message);

        File.WriteAllBytes(dir.File("junk.safetensors"), Encoding.ASCII.GetBytes("\u0004\0\0\0\0\0\0\0{no"));
        Assert.Contains("junk.safetensors", Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(dir.File("junk.safetensors"))).Message);

        string header = "{\"q\":{\"dtype\":\"F8_E9\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        var odd = BitConverter.GetBytes((long)header.Length).Concat(Encoding.ASCII.GetBytes(header)).Concat(new byte[1]).ToArray();
        File.WriteAllBytes(dir.File("odd.safetensors"), odd);
        var dtypeError = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(dir.File("odd.safetensors")));
        Assert.Contains("\"q\"", dtypeError.Message);
        Assert.Contains("F8_E9", dtypeError.Message);

        Assert.Throws<DirectoryNotFoundException>(() => CheckpointReader.Open(dir.File("missing")));
        Assert.Throws<FileNotFoundException>(() => CheckpointReader.Open(dir.Path + "/../" + Path.GetFileName(dir.Path)));
    }

    [Theory]
    [InlineData("{\"huge\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,8],\"data_offsets\":[0,1]}}", "too large")]
    [InlineData("{\"huge\":{\"dtype\":\"F32\",\"shape\":[2305843009213693952],\"data_offsets\":[0,1]}}", "too large")]
    [InlineData("{\"huge\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[\"0\",1]}}", "integers")]
    [InlineData("{\"huge\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1.5]}}", "integers")]
    public void HeaderSizesThatOverflowOrAreNotIntegersNameTheFileAndTensor(string header, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir.File("h.safetensors");
        File.WriteAllBytes(path, BitConverter.GetBytes((long)header.Length).Concat(Encoding.ASCII.GetBytes(header)).Concat(new byte[1]).ToArray());
        var error = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path));
        Assert.Contains("h.safetensors", error.Message);
        Assert.Contains("\"huge\"", error.Message);
        Assert.Contains(expected, error.Message);
    }

    static List<KeyValuePair<string, Tensor>> MixedTensors()
    {
        var gen = new Generator(11);
        return new List<KeyValuePair<string, Tensor>>
        {
            new("a", randn(new long[] { 33, 17 }, generator: gen)),
            new("b", randn(new long[] { 5 }, generator: gen).to_type(ScalarType.BFloat16)),
            new("transposed", randn(new long[] { 6, 4 }, generator: gen).t()),
            new("scalar", tensor(2.5)),
            new("empty", zeros(0, 3)),
            new("ids", arange(1000, dtype: ScalarType.Int64)),
            new("mask", randn(new long[] { 9 }, generator: gen) > 0),
        };
    }

    [Fact]
    public void PiecesCoverTheTensorInOrderInWholeElements()
    {
        using var scope = NewDisposeScope();
        var t = arange(10, dtype: ScalarType.Float32);
        var lengths = new List<int>();
        var seen = new List<byte>();
        TensorBytes.ForEachPiece(t, 13, piece => { lengths.Add(piece.Length); seen.AddRange(piece.ToArray()); });
        Assert.Equal(new[] { 12, 12, 12, 4 }, lengths);
        Assert.Equal(BytesOf(t), seen.ToArray());
        Assert.Throws<ArgumentException>(() => TensorBytes.ForEachPiece(t.view(2, 5).t(), 13, _ => { }));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void TinyPiecesWriteTheSameFileAndReadBackBitExact(int pieceBytes)
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var tensors = MixedTensors();
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        foreach (ScalarType? storeAs in new ScalarType?[] { null, ScalarType.BFloat16 })
        {
            string whole = dir.File($"whole-{storeAs}.safetensors"), pieces = dir.File($"pieces-{storeAs}.safetensors");
            SafeTensorsWriter.Write(whole, tensors, storeAs, metadata);
            SafeTensorsWriter.Write(pieces, tensors, storeAs, metadata, pieceBytes);
            var bytes = File.ReadAllBytes(pieces);
            Assert.Equal(File.ReadAllBytes(whole), bytes);

            // The data section is what the single-span writer produced: each stored tensor's bytes, in order.
            var stored = tensors.Select(t => storeAs is { } s && t.Value.is_floating_point() ? t.Value.to_type(s) : t.Value).ToList();
            long dataStart = 8 + BitConverter.ToInt64(bytes, 0);
            Assert.Equal(stored.SelectMany(BytesOf).ToArray(), bytes[(int)dataStart..]);

            using var file = SafeTensorsFile.Open(pieces);
            file.PieceBytes = pieceBytes;
            for (int i = 0; i < tensors.Count; i++)
            {
                var (name, expected) = (tensors[i].Key, stored[i]);
                Assert.Equal(BytesOf(expected), BytesOf(file.Read(name)));
                var direct = empty(expected.shape, expected.dtype);
                file.ReadInto(name, direct);
                Assert.Equal(BytesOf(expected), BytesOf(direct));
                if (expected.dim() == 2 && expected.numel() > 0)
                {
                    // A non-contiguous destination of another dtype takes the staging-tensor path.
                    var strided = empty(expected.shape[1], expected.shape[0], dtype: ScalarType.Float64).t();
                    file.ReadInto(name, strided);
                    Assert.Equal(BytesOf(expected.to_type(ScalarType.Float64)), BytesOf(strided));
                }
            }
        }
    }

    /// <summary>
    /// A tensor just over int.MaxValue bytes (a Span's limit), as a Qwen2.5-7B float32 embedding
    /// is (2.18 GB). Values are i mod 251, a period prime to every piece size, so a misplaced,
    /// skipped or repeated piece shows up.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void TensorOverTwoGibibytesRoundTripsThroughWriterReadAndReadInto()
    {
        const long count = (1L << 31) + 1024;
        using var dir = new TempDirectory();
        string path = dir.File("big.safetensors");
        // Start, across int.MaxValue, across the first 256 MiB piece boundary, end.
        var slices = new (long Start, long Length)[] { (0, 4096), ((1L << 31) - 1024, 2048), ((1L << 28) - 150, 300), (count - 4096, 4096) };

        using (var scope = NewDisposeScope())
        {
            var period = arange(251, dtype: ScalarType.Byte);
            var big = period.repeat((count + 250) / 251).narrow(0, 0, count);
            SafeTensorsWriter.Write(path, new Dictionary<string, Tensor> { ["big"] = big });
        }
        var lengthBytes = new byte[8];
        using (var raw = File.OpenRead(path)) raw.ReadExactly(lengthBytes);
        Assert.Equal(8 + BitConverter.ToInt64(lengthBytes) + count, new FileInfo(path).Length);

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(count, file.Entries["big"].ByteCount);
        Assert.Equal(count, file.Entries["big"].ElementCount);
        using (var scope = NewDisposeScope())
        {
            var read = file.Read("big");
            Assert.Equal(new[] { count }, read.shape);
            AssertPattern(read, slices);
        }
        using (var scope = NewDisposeScope())
        {
            var into = zeros(count, dtype: ScalarType.Byte);
            file.ReadInto("big", into);
            AssertPattern(into, slices);
        }
    }

    static void AssertPattern(Tensor t, (long Start, long Length)[] slices)
    {
        foreach (var (start, length) in slices)
        {
            using var expected = arange(start, start + length, dtype: ScalarType.Int64).remainder(251).to_type(ScalarType.Byte);
            using var actual = t.narrow(0, start, length);
            Assert.Equal(BytesOf(expected), BytesOf(actual));
        }
    }
}
