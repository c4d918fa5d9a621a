using Apo.Cli;

return ApoCommandLine.Run(args);
