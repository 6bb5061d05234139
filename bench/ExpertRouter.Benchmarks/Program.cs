using BenchmarkDotNet.Running;

namespace ExpertRouter.Benchmarks;

/// <summary>Pick benchmarks with --filter, e.g. <c>--filter '*Gateway*'</c>; <c>--list flat</c> shows them all.</summary>
public static class BenchmarkProgram
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
}
