using System.CommandLine;
using Apo.Abstractions.Training;
using Apo.Algorithm;
using Apo.Cli.Runs;

namespace Apo.Cli.Commands;

/// <summary>`apo train`: stage 1 (or its import) then A*-PO stage 2 — or a baseline's stage 2 — on any dataset and model directory.</summary>
static class TrainCommand
{
    public static Command Create()
    {
        var options = new PipelineOptions();
        var beta2 = new Option<double>("--beta2") { Description = "β2 of the least-squares loss (paper 1e-3).", DefaultValueFactory = _ => 1e-3 };
        var learningRate = new Option<double>("--lr") { Description = "Constant AdamW learning rate (paper 1e-6).", DefaultValueFactory = _ => 1e-6 };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW weight decay.", DefaultValueFactory = _ => 0.01 };
        var clip = new Option<double>("--clip-grad-norm") { Description = "Total gradient-norm clip.", DefaultValueFactory = _ => 1.0 };
        var batch = new Option<int>("--batch") { Description = "Prompts per iteration (paper 256).", DefaultValueFactory = _ => 256 };
        var miniBatches = new Option<int>("--mini-batches") { Description = "Optimizer steps per iteration (paper 2).", DefaultValueFactory = _ => 2 };
        var iterations = new Option<int>("--iterations") { Description = "Stage-2 iterations.", DefaultValueFactory = _ => 100 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Checkpoint every K iterations.", DefaultValueFactory = _ => 10 };
        var entropy = new Option<double?>("--entropy-coef") { Description = "Token-mean entropy bonus (A*-PO default 0, the authors' code used 0.001; baselines default 1e-4)." };
        var algorithm = new Option<string>("--algo") { Description = "Stage-2 learner: apo (A*-PO), grpo, rebel or ppo. The baselines skip stage 1.", DefaultValueFactory = _ => "apo" };
        var klCoef = new Option<double>("--kl-coef") { Description = "GRPO's k3 KL-loss weight / PPO's KL-in-reward weight (paper 1e-3).", DefaultValueFactory = _ => 1e-3 };
        var clipEpsilon = new Option<double>("--clip-eps") { Description = "GRPO/PPO ratio clip ε (paper 0.2).", DefaultValueFactory = _ => 0.2 };
        var eta = new Option<double>("--eta") { Description = "REBEL's η (paper 1e3).", DefaultValueFactory = _ => 1e3 };
        var criticLr = new Option<double>("--critic-lr-mult") { Description = "PPO critic lr = this × --lr (paper 10).", DefaultValueFactory = _ => 10 };
        var maxTokens = new Option<int>("--max-tokens-per-micro-batch")
        {
            Description = "Most padded tokens in one forward/backward or scoring pass; larger mini-batches accumulate gradients (verl's per-GPU budget). 0 = unlimited.",
            DefaultValueFactory = _ => 16384,
        };
        var checkpointing = new Option<bool>("--activation-checkpointing")
        {
            Description = "Recompute each decoder layer in backward instead of keeping its activations (on by default: long responses).",
            DefaultValueFactory = _ => true,
        };
        var maxStaleness = StalenessOption.Create();
        var command = new Command("train", "Stage 1 (sampled, or imported from a stage-1 export) then stage 2 (A*-PO, or --algo grpo|rebel|ppo); the trained policy goes to <out>/policy.")
        {
            beta2, learningRate, weightDecay, clip, batch, miniBatches, iterations, checkpointEvery, entropy, algorithm, klCoef, clipEpsilon, eta, criticLr,
            maxTokens, checkpointing, maxStaleness,
        };
        options.AddTo(command);
        command.SetAction(async (parse, _) =>
        {
            var examples = options.ReadData(parse);
            var stageOne = options.StageOne(parse);
            var algo = AlgorithmOption.Parse(parse.GetValue(algorithm), "--algo");
            int staleness = parse.GetValue(maxStaleness) ?? 0;
            StalenessOption.Check(staleness, algo.Name());
            double entropyCoefficient = parse.GetValue(entropy) ?? (algo == StageTwoAlgorithm.AStarPo ? 0 : 1e-4);
            var stageTwo = new StageTwoSettings(algo.Name(), parse.GetValue(beta2), parse.GetValue(learningRate), parse.GetValue(weightDecay),
                parse.GetValue(clip), parse.GetValue(batch), parse.GetValue(miniBatches), parse.GetValue(iterations), stageOne.Sampling,
                parse.GetValue(checkpointEvery), entropyCoefficient, stageOne.Seed)
            {
                KlCoefficient = parse.GetValue(klCoef),
                ClipEpsilon = parse.GetValue(clipEpsilon),
                RebelEta = parse.GetValue(eta),
                CriticLearningRateMultiplier = parse.GetValue(criticLr),
                MaxTokensPerMicroBatch = parse.GetValue(maxTokens),
                ActivationCheckpointing = parse.GetValue(checkpointing),
                MaxStaleness = staleness,
            };
            if (Apo.Grains.Training.PlanChecks.SettingsProblem(stageTwo) is { } problem) throw new UsageException(problem);
            if (stageTwo.Iterations <= 0) throw new UsageException("--iterations must be positive (use `apo stage1` for stage 1 alone)");
            if (stageTwo.PromptsPerBatch > examples.Count)
                throw new UsageException($"--batch {stageTwo.PromptsPerBatch} is larger than the {examples.Count} prompts of {parse.GetValue(options.Data)!.Name}");
            var layout = new RunLayout(parse.GetValue(options.Out)!.FullName);
            var result = await DatasetRun.ExecuteAsync(new DatasetRun.Request(parse.GetValue(options.Model)!.FullName, parse.GetValue(options.Data)!.FullName,
                examples, layout, stageOne, stageTwo, parse.GetValue(options.SiloConfig)!.FullName,
                parse.GetValue(options.ChatTemplate), parse.GetValue(options.MaxPromptTokens)));
            string stageOneLine = algo.UsesOptimalValues()
                ? $"stage 1: {result.StageOne.PromptsWithVStar} of {result.StageOne.Prompts} prompts have V̂*; "
                : "stage 1: not needed by this baseline; ";
            Console.WriteLine($"{stageOneLine}stage 2 ({algo.Name()}): {result.Status.TrainerIteration} iterations; policy in {layout.Policy}, metrics in {layout.Metrics}");
            return 0;
        });
        return command;
    }
}
