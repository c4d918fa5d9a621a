using Apo.Hosting.Storage;
using Orleans.Runtime;

namespace Apo.Hosting.Tests;

public sealed class GrainStatePathTests
{
    private const string Root = "/r";

    [Theory]
    [InlineData("plain-key_1", "plain-key_1")]
    [InlineData("Ab", "^ab")]                     // upper case escaped: safe on case-insensitive file systems
    [InlineData("a/b", "a%2fb")]
    [InlineData("..", "%2e%2e")]
    [InlineData("a.b", "a.b")]
    [InlineData("é", "%c3%a9")]                   // UTF-8 bytes of U+00E9
    [InlineData("", "%")]
    public void Escape_maps_to_the_portable_alphabet(string name, string expected) =>
        Assert.Equal(expected, GrainStatePath.Escape(name));

    [Fact]
    public void Odd_keys_stay_inside_the_type_folder_and_do_not_collide()
    {
        string[] keys = ["a/b\\c:..", "a", "A", "a%2fb", "a/b", "../../etc/passwd", "ключ", "🙂", "a~b", "%", "^a", "con", "x.", ".x"];
        var paths = keys.Select(k => GrainStatePath.For(Root, GrainId.Create("t", k), "s")).ToArray();

        Assert.Equal(keys.Length, paths.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        foreach (var path in paths)
        {
            Assert.Equal(Path.Combine(Root, "t"), Path.GetDirectoryName(path));
            Assert.EndsWith(GrainStatePath.Extension, path);
        }
    }

    [Fact]
    public void Long_keys_are_shortened_with_a_hash_and_stay_distinct()
    {
        var a = new string('k', 1000) + "a";
        var b = new string('k', 1000) + "b";
        var pa = Path.GetFileName(GrainStatePath.For(Root, GrainId.Create("t", a), "s"));
        var pb = Path.GetFileName(GrainStatePath.For(Root, GrainId.Create("t", b), "s"));

        Assert.NotEqual(pa, pb);
        Assert.True(pa.Length < 200, $"{pa.Length} chars");
    }
}
