namespace Apo.Tasks.Data;

/// <summary>Row layouts <see cref="DatasetReader"/> understands. The container (JSONL or Parquet) is detected separately.</summary>
public enum DatasetFormat
{
    /// <summary>Detect from the columns present.</summary>
    Auto,

    /// <summary>Raw GSM8K: <c>question</c>, <c>answer</c> ending in <c>#### N</c>.</summary>
    Gsm8k,

    /// <summary>Raw MATH: <c>problem</c> plus <c>answer</c> or a <c>solution</c> with <c>\boxed{}</c>.</summary>
    Math,

    /// <summary>verl RL data: <c>prompt</c> (chat messages), <c>reward_model.ground_truth</c>, <c>data_source</c>, <c>extra_info</c>.</summary>
    Verl,

    /// <summary>A*-PO stage-1 export: verl columns plus <c>response_0..N-1</c> and <c>eval_0..N-1</c> (required).</summary>
    StageOneExport,
}
