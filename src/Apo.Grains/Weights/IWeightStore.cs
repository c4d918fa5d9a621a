using Apo.Abstractions.Weights;
using Apo.Model.Qwen2;
using Apo.Model.Text;

namespace Apo.Grains.Weights;

/// <summary>
/// Where the trainer publishes policy versions and generators fetch them. Messages carry only the
/// returned <see cref="WeightVersion"/> (number + location), never tensors. Both methods do tensor
/// work: call them on the device executor's thread.
/// </summary>
public interface IWeightStore
{
    /// <summary>Versions a store keeps loadable by default: the new one and the one before it (synchronous stage 2).</summary>
    const int DefaultRetain = 2;

    /// <summary>
    /// Publishes the policy's current weights as <paramref name="version"/> of run <paramref name="runId"/>. The newest
    /// <paramref name="retain"/> versions (this one included) stay loadable; a store may drop older ones. Asynchronous
    /// stage 2 with staleness k samples with versions as old as k behind the newest, so it retains k + 1.
    /// </summary>
    WeightVersion Publish(string runId, long version, Qwen2ForCausalLM policy, TextTokenizer tokenizer, int retain = DefaultRetain);

    /// <summary>Copies a published version's weights into a replica of the same architecture.</summary>
    void LoadInto(WeightVersion version, Qwen2ForCausalLM replica);
}
