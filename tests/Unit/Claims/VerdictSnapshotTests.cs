using MnistClaims.Claims;
using MnistClaims.Claims.Baselines;
using MnistClaims.Snapshots;

namespace MnistClaims.Tests.Unit.Claims;

/// <summary>Received verdicts follow the same stale rule as received tables: what an earlier run left is never accepted.</summary>
public sealed class VerdictSnapshotTests
{
    string _root = "";
    [SetUp] public void Make() { _root = Path.Combine(Path.GetTempPath(), $"verdicts-{Guid.NewGuid():N}"); Directory.CreateDirectory(Path.Combine(_root, "p")); }
    [TearDown] public void Clean() => MnistClaims.Common.AtomicFile.TryDelete(_root);

    static VerdictRow Row(string id, string verdict) =>
        new(id, "000", "Value", "q", "m", "1", "1", verdict, "e", "r", [], [], null, null, null, null, null);

    [Test]
    public void Received_verdicts_of_an_earlier_run_are_dropped_by_the_next_run_and_refused_by_accept()
    {
        Environment.SetEnvironmentVariable(AcceptModes.EnvironmentVariable, null);
        var snap = VerdictSnapshot.For(_root, "p", "static");
        File.WriteAllText(snap.ReceivedPath, """{ "stale-claim": "REPRODUCED" }""");
        File.SetLastWriteTimeUtc(snap.ReceivedPath, DateTime.UtcNow.AddHours(-1));
        // This run checks one claim whose verdict has no verified entry: it is received, the earlier run's entry is not kept.
        Assert.That(snap.Check(Row("new-claim", "NOT REPRODUCED")), Does.Contain("new-claim"));
        var received = File.ReadAllText(snap.ReceivedPath);
        Assert.That(received, Does.Contain("new-claim").And.Not.Contain("stale-claim"));
        // A received file older than the last verification run is refused, naming it.
        File.SetLastWriteTimeUtc(snap.ReceivedPath, DateTime.UtcNow.AddHours(-1));
        var e = Assert.Throws<InvalidDataException>(() => snap.Accept())!;
        Assert.That(e.Message, Does.Contain(snap.ReceivedPath).And.Contain("older than the last verification run"));
        Assert.That(File.Exists(snap.VerifiedPath), Is.False, "nothing accepted");
    }
}
