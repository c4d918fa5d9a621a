using System.Diagnostics;
using System.Text;
using Apo.Model.Text;
using Xunit.Abstractions;

namespace Apo.Model.Tests;

public class TokenizerTrainerTests(ITestOutputHelper output)
{
    [Fact]
    public void Learns_hand_derived_merges()
    {
        // "ab ab ab" -> pieces "ab", " ab", " ab" -> words ab ×1, Ġab ×2.
        // Pair counts: (a,b) 3, (Ġ,a) 2 -> merge a+b. Then (Ġ,ab) 2 -> merge Ġ+ab. Nothing left.
        var tokenizer = BpeTrainer.Train(["ab ab ab"], 300);
        Assert.Equal([("a", "b"), ("Ġ", "ab")], tokenizer.Merges);
        Assert.Equal(256, tokenizer.Vocabulary["ab"]);
        Assert.Equal(257, tokenizer.Vocabulary["Ġab"]);
        Assert.Equal((258, 259, 260, 261), (tokenizer.EndOfTextId, tokenizer.ImStartId, tokenizer.ImEndId, tokenizer.VocabSize));
        Assert.Equal([256, 257, 257], tokenizer.Encode("ab ab ab"));
    }

    [Fact]
    public void Ties_go_to_the_ordinally_smaller_pair_and_single_pairs_are_not_merged()
    {
        // Pieces "xy", " xy", " ba", " ba" -> words xy ×1, Ġxy ×1, Ġba ×2.
        // Counts: (x,y) 2, (b,a) 2, (Ġ,b) 2, (Ġ,x) 1. Ordinally "b" (U+62) < "x" (U+78) < "Ġ" (U+120),
        // so b+a first; then (x,y) 2 ties (Ġ,ba) 2 and x+y wins; then Ġ+ba (2).
        // (Ġ,xy) occurs once, below the minimum of two, so training stops there.
        Assert.Equal([("b", "a"), ("x", "y"), ("Ġ", "ba")], BpeTrainer.Train(["xy xy ba ba"], 300).Merges);
    }

    [Fact]
    public void Stops_at_the_requested_size_and_ignores_special_token_text()
    {
        var tokenizer = BpeTrainer.Train(TokenizerFixtures.WordProblems(500, seed: 3), 300);
        Assert.Equal(300, tokenizer.VocabSize);
        Assert.Equal(300 - 259, tokenizer.Merges.Count);

        var withSpecials = BpeTrainer.Train(Enumerable.Repeat("<|im_start|><|im_start|>", 50), 300);
        Assert.Empty(withSpecials.Merges); // nothing but special tokens: no pair to learn
        Assert.Throws<ArgumentOutOfRangeException>(() => BpeTrainer.Train(["x"], 258));
    }

    [Fact]
    public void Is_deterministic_and_independent_of_corpus_order()
    {
        var corpus = TokenizerFixtures.WordProblems(1000, seed: 5);
        var first = BpeTrainer.Train(corpus, 400);
        var again = BpeTrainer.Train(corpus, 400);
        var shuffled = BpeTrainer.Train(corpus.OrderBy(_ => Random.Shared.Next()).ToList(), 400);
        Assert.Equal(first.Merges, again.Merges);
        Assert.Equal(first.Merges, shuffled.Merges);
        Assert.Equal(first.Vocabulary.OrderBy(kv => kv.Value), shuffled.Vocabulary.OrderBy(kv => kv.Value));
    }

    [Fact]
    public void Compresses_word_problems_two_to_four_times_and_trains_fast()
    {
        var corpus = TokenizerFixtures.WordProblems(10_000, seed: 11);
        var clock = Stopwatch.StartNew();
        var tokenizer = BpeTrainer.Train(corpus, 400);
        clock.Stop();

        var heldOut = TokenizerFixtures.WordProblems(500, seed: 99);
        long bytes = heldOut.Sum(t => (long)Encoding.UTF8.GetByteCount(t));
        long tokens = heldOut.Sum(t => (long)tokenizer.Encode(t).Count);
        double ratio = (double)bytes / tokens;
        output.WriteLine($"trained on 10,000 texts in {clock.Elapsed.TotalSeconds:F2} s; held-out bytes/token = {ratio:F2}");
        Assert.InRange(ratio, 2.0, 6.0);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"training took {clock.Elapsed.TotalSeconds:F1} s");
        foreach (string text in heldOut.Take(50)) Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void Encoding_from_many_threads_matches_sequential_encoding()
    {
        var tokenizer = BpeTrainer.Train(TokenizerFixtures.WordProblems(500, seed: 21), 350);
        var texts = TokenizerFixtures.WordProblems(2000, seed: 22);
        var sequential = texts.Select(t => tokenizer.Encode(t).ToArray()).ToArray();
        var parallel = new int[texts.Count][];
        var clock = Stopwatch.StartNew();
        Parallel.For(0, texts.Count, i => parallel[i] = tokenizer.Encode(texts[i]).ToArray());
        output.WriteLine($"encoded {texts.Count} texts on {Environment.ProcessorCount} cores in {clock.Elapsed.TotalMilliseconds:F0} ms");
        for (int i = 0; i < texts.Count; i++) Assert.Equal(sequential[i], parallel[i]);
    }
}
