using System.CommandLine;
using TorchSharp;

namespace Apo.Cli.Commands;

/// <summary>`apo doctor`: proves the tensor runtime loads here and says what it can use.</summary>
static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check that TorchSharp loads and list the devices it sees.");
        command.SetAction(_ =>
        {
            using var probe = torch.ones(2, 2).matmul(torch.ones(2, 2));
            Console.WriteLine($"torchsharp: loaded, probe sum = {probe.sum().item<float>()}");
            Console.WriteLine($"cuda: {(torch.cuda.is_available() ? $"{torch.cuda.device_count()} device(s)" : "not available")}");
            Console.WriteLine($"threads: {torch.get_num_threads()}");
            return 0;
        });
        return command;
    }
}
