using MnistClaims.Common;
using MnistClaims.Claims;
using MnistClaims.Core.Runs;
using MnistClaims.Claims.Baselines;
using MnistClaims.Torch;

namespace MnistClaims.Tests.Regression;

/// <summary>
/// What decides the libtorch engine's bits, shown on this machine whatever its CPU: each test trains the fast slice of
/// 002-base (GEMMs through OpenBLAS, softmax and Adam through ATen's vectorised kernels) in a fresh harness process,
/// because libtorch and OpenBLAS read their kernel choice once, when they load.
/// <list type="bullet">
/// <item>With the harness's pins (ATEN_CPU_CAPABILITY=avx2, OPENBLAS_CORETYPE=Haswell) the run equals the committed
///   baseline bit for bit, whichever kernels this CPU would pick by itself.</item>
/// <item>Forcing another kernel set (OpenBLAS's generic Prescott GEMM, ATen's default kernels) changes the bits, is
///   recorded in the manifest and the profile name, and still passes against the pinned baseline under the
///   cross-hardware tolerances, with a notice.</item>
/// <item>The fused engine's bits do not depend on either choice.</item>
/// </list>
/// </summary>
[Category("Fast"), Category("Integration"), NonParallelizable]
public sealed class KernelPinTests
{
    const string Id = "002-base";
    static readonly string Pinned = $"cpu-x86-64-avx2-libtorch1.13-openblas-haswell";

    static string Scratch => Path.Combine(Fixture.Scratch, "kernel-pins");

    /// <summary>Trains the fast slice in a child harness process with <paramref name="env"/> (null removes a variable).</summary>
    static RunRecord TrainInChild(string name, string engine, params (string Variable, string? Value)[] env)
    {
        var e = Registry.Experiment(Id);
        var dir = Path.Combine(Scratch, name);
        var cfgPath = Path.Combine(Scratch, name + ".json");
        Directory.CreateDirectory(Scratch);
        File.WriteAllText(cfgPath, (e.FastSlice(seed: 1) with { Engine = engine }).ToCanonicalJson());
        var (exe, prefix) = Scheduler.SelfCommand();
        // The child decides its own pins: start it from a clean slate, not from this process's pinned environment.
        var environment = new Dictionary<string, string?>
        {
            [KernelPins.AtenCapabilityVariable] = null, [KernelPins.OpenBlasCoreTypeVariable] = null,
            [KernelPins.DisableVariable] = null, [HardwareProfile.EnvVar] = null,
        };
        foreach (var (variable, value) in env) environment[variable] = value;
        var r = ProcessRunner.Run(new ProcessSpec(exe, [.. prefix, "train", "--config", cfgPath, "--out", dir, "--overwrite", "--experiment", Id, "--data-dir", Fixture.Data.Directory])
            { Environment = environment }, TimeSpan.FromMinutes(5));
        Assert.That(r.ExitCode, Is.Zero, $"harness train failed: {r.StdErr}");
        return RunStore.Read(dir);
    }

    static float[] Losses(RunRecord r) => r.Steps.Losses.ToArray();

    /// <summary>A copy of the committed baselines of <see cref="Id"/>, so verification writes its received files outside the repository.</summary>
    static string BaselinesCopy(params string[] profiles)
    {
        var root = Path.Combine(Scratch, "baselines-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var profile in profiles)
        {
            var src = Path.Combine(RepoPaths.Baselines, profile, Id);
            var dst = Directory.CreateDirectory(Path.Combine(root, profile, Id)).FullName;
            foreach (var f in Directory.GetFiles(src)) File.Copy(f, Path.Combine(dst, Path.GetFileName(f)));
        }
        return root;
    }

    static RunRecord? _pinned;
    static RunRecord PinnedRun => _pinned ??= TrainInChild("pinned", "libtorch");

    [Test]
    public void Pinned_kernels_give_the_committed_bits_and_name_the_profile()
    {
        var run = PinnedRun;
        var k = run.Manifest.Kernels!;
        Assert.That((k.AtenCapability, k.BlasCore, k.BlasThreads), Is.EqualTo(("avx2", "Haswell", "1")), "kernel choice read back from libtorch and OpenBLAS");
        Assert.That(k.Pinned, Is.True, string.Join(", ", k.Sources.Select(s => $"{s.Key}={s.Value}")));
        Assert.That(run.Manifest.Profile, Is.EqualTo(Pinned));
        var check = ExperimentBaselines.Check(run, Id, Tier.Fast, BaselinesCopy(Pinned));
        Assert.That(check.Notice, Is.Null, "compared with its own profile's baseline");
        Assert.That(check.Passed, Is.True, () => string.Join("\n", check.Failures.Select(f => f.Message)));
    }

    [Test]
    public void The_cpus_own_choice_is_recorded_and_named_after_the_cpu()
    {
        var run = TrainInChild("unpinned", "libtorch", (KernelPins.DisableVariable, "0"));
        var k = run.Manifest.Kernels!;
        TestContext.Out.WriteLine($"left to themselves on {run.Manifest.Hardware.CpuModel}: ATen {k.AtenCapability}, OpenBLAS {k.BlasCore}; " +
                                  $"{(Losses(run).SequenceEqual(Losses(PinnedRun)) ? "the same" : "other")} bits than the pinned run");
        Assert.That(k.Pinned, Is.False);
        Assert.That(k.Sources[KernelPins.OpenBlasCoreTypeVariable], Is.EqualTo("unpinned"));
        Assert.That(run.Manifest.Profile, Does.StartWith($"cpu-{HardwareProfile.Slug(run.Manifest.Hardware.CpuModel)}-{k.AtenCapability}-"),
            "an unpinned kernel choice keeps the CPU's name in the profile");
    }

    [TestCase(KernelPins.OpenBlasCoreTypeVariable, "Prescott", "cpu-x86-64-avx2-libtorch1.13-openblas-prescott")]
    [TestCase(KernelPins.AtenCapabilityVariable, "default", "cpu-x86-64-default-libtorch1.13-openblas-haswell")]
    public void Another_kernel_choice_changes_the_bits_and_passes_against_the_pinned_baseline(string variable, string value, string profile)
    {
        var run = TrainInChild($"{variable}-{value}", "libtorch", (variable, value));
        Assert.That(run.Manifest.Kernels!.Sources[variable], Is.EqualTo($"user: {value}"), "the user's choice is recorded as theirs");
        Assert.That(run.Manifest.Profile, Is.EqualTo(profile));
        Assert.That(Losses(run), Is.Not.EqualTo(Losses(PinnedRun)), $"{variable}={value} should change the per-step losses");

        var check = ExperimentBaselines.Check(run, Id, Tier.Fast, BaselinesCopy(Pinned));
        Assert.That(check.Passed, Is.True, () => string.Join("\n", check.Failures.Select(f => f.Message)));
        Assert.That(check.Notice, Does.Contain($"compared with {Pinned}").And.Contain($"accept {Id} --profile {profile}"));
        TestContext.Out.WriteLine(check.Notice);
    }

    [Test]
    public void Strict_profile_mode_fails_without_an_own_baseline()
    {
        var run = TrainInChild("strict-prescott", "libtorch", (KernelPins.OpenBlasCoreTypeVariable, "Prescott"));
        Environment.SetEnvironmentVariable(ExperimentBaselines.StrictProfileVariable, "1");
        try
        {
            var check = ExperimentBaselines.Check(run, Id, Tier.Fast, BaselinesCopy(Pinned));
            Assert.That(check.Passed, Is.False);
            Assert.That(check.Failures[0].Status, Is.EqualTo(MnistClaims.Snapshots.VerifyStatus.MissingBaseline));
        }
        finally { Environment.SetEnvironmentVariable(ExperimentBaselines.StrictProfileVariable, null); }
    }

    const string Fused = "cpu-x86-64-avx2-libtorch1.13-fused";

    [Test]
    public void Fused_engine_bits_do_not_depend_on_openblas()
    {
        var run = TrainInChild("fused-prescott", "fused", (KernelPins.OpenBlasCoreTypeVariable, "Prescott"));
        Assert.That(run.Manifest.Profile, Is.EqualTo(Fused), "the fused profile names no BLAS");
        var check = ExperimentBaselines.Check(run, Id, Tier.Fast, BaselinesCopy(Fused));
        Assert.That(check.Notice, Is.Null);
        Assert.That(check.Passed, Is.True, () => string.Join("\n", check.Failures.Select(f => f.Message)));
    }

    /// <summary>ATen's default (non-FMA) build of uniform_ rounds the initial weights differently: the fused engine's one
    /// dependency on libtorch's kernel choice, named in its profile.</summary>
    [Test]
    public void Fused_engine_bits_follow_atens_capability_and_its_profile_says_so()
    {
        var run = TrainInChild("fused-aten-default", "fused", (KernelPins.AtenCapabilityVariable, "default"));
        Assert.That(run.Manifest.Profile, Is.EqualTo("cpu-x86-64-default-libtorch1.13-fused"));
        var pinned = TrainInChild("fused-pinned", "fused");
        Assert.That(pinned.Manifest.Profile, Is.EqualTo(Fused));
        Assert.That(Losses(run), Is.Not.EqualTo(Losses(pinned)));
        var check = ExperimentBaselines.Check(run, Id, Tier.Fast, BaselinesCopy(Fused));
        Assert.That(check.Passed, Is.True, () => string.Join("\n", check.Failures.Select(f => f.Message)));
        Assert.That(check.Notice, Does.Contain($"compared with {Fused}"));
    }
}
