using MnistClaims.Core.Runs;
using MnistClaims.Torch;

namespace MnistClaims.Harness.Cli;

/// <summary><c>harness info</c>: the version handshake with the native shim and the hardware profile.</summary>
public static class InfoCommand
{
    static readonly Flag[] Flags = [new("device", "DEV", "device the profile is derived for", "cpu")];

    public static int Run(string[] argv)
    {
        var a = new Args("info", Flags, argv);
        if (a.HelpRequested) { Console.Out.Write(Args.Help("harness info", "Shows the engine and hardware this harness runs on.", Flags)); return 0; }
        a.NoPositionals();
        var device = a.String("device")!;
        var hw = HardwareInfo.Detect(device);
        Console.Out.WriteLine($"harness     {Manifest.HarnessVersionString}");
        Console.Out.WriteLine($"libtorch    {torch.version}");
        var k = KernelChoice.Detect();
        Console.Out.WriteLine($"blas        {hw.Blas}{(k.BlasCore.Length > 0 ? $", core type {k.BlasCore}, {k.BlasThreads} thread(s)" : "")}");
        Console.Out.WriteLine($"aten        cpu capability {k.AtenCapability}");
        foreach (var (variable, source) in k.Sources) Console.Out.WriteLine($"  {variable,-22} {source}");
        Console.Out.WriteLine($"threads     {torch.get_num_threads()}");
        Console.Out.WriteLine($"cuda        {(torch.cuda.is_available() ? $"{torch.cuda.device_count()} device(s): {torch.cuda.device_name(0)}" : "not available")}");
        Console.Out.WriteLine($"cpu         {hw.CpuModel} ({hw.LogicalCores} logical cores)");
        Console.Out.WriteLine($"runtime     {hw.DotnetVersion} on {hw.Os} {hw.Arch}");
        Console.Out.WriteLine($"profile     {HardwareProfile.Current(device)} (libtorch engine), {HardwareProfile.Current(device, "fused")} (fused engine)");
        Console.Out.WriteLine();
        Console.Out.WriteLine(torch.show_config());
        Console.Out.WriteLine(torch.parallel_info());
        return 0;
    }
}
