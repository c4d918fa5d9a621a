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
    /// <summary>Publishes the policy's current weights as <paramref name="version"/> of run <paramref name="runId"/>.</summary>
    WeightVersion Publish(string runId, long version, Qwen2ForCausalLM policy, TextTokenizer tokenizer);

    /// <summary>Copies a published version's weights into a replica of the same architecture.</summary>
    void LoadInto(WeightVersion version, Qwen2ForCausalLM replica);
}
