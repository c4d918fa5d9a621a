using System.CommandLine;
using Apo.Model;
using Apo.Model.Devices;

namespace Apo.Cli.Commands;

/// <summary>Options shared by the commands that load a model directory.</summary>
sealed class ModelOptions
{
    public Option<DirectoryInfo> Model { get; } = new("--model") { Description = "Hugging Face model directory (config.json, weights, tokenizer).", Required = true };
    public Option<string> Device { get; } = new("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };

    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Device);
    }

    public LoadedModel Load(ParseResult parse) =>
        ModelDirectory.Load(parse.GetValue(Model)!.FullName, DeviceExecutor.ParseDevice(parse.GetValue(Device)!), forInference: true);
}
