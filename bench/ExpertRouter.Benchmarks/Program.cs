using BenchmarkDotNet.Running;

// The executing assembly, not typeof(Program): the gateway's internals (and its Program) are visible here.
BenchmarkSwitcher.FromAssembly(System.Reflection.Assembly.GetExecutingAssembly()).Run(args);
