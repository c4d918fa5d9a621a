using Apo.Cli;
using Apo.Common.Memory;

// Before any tensor exists: large blocks mapped on their own and returned when freed (see NativeHeap).
NativeHeap.ReturnLargeBlocksToTheSystem();
return ApoCommandLine.Run(args);
