namespace MnistClaims.Snapshots;

/// <summary>What <see cref="SnapshotStore.Verify"/> may accept automatically.</summary>
public enum AcceptMode
{
    /// <summary>Never auto-accept (default; forced when CI is set).</summary>
    None,
    /// <summary>Auto-accept only when no verified snapshot exists yet.</summary>
    New,
    /// <summary>Auto-accept every mismatch.</summary>
    All,
}

public static class AcceptModes
{
    public const string EnvironmentVariable = "MNIST_CLAIMS_ACCEPT";
    public const string CiVariable = "CI";

    /// <summary>
    /// Pure resolution of the accept mode from the values of MNIST_CLAIMS_ACCEPT and CI. A non-empty CI forces
    /// <see cref="AcceptMode.None"/>. Empty/unset means None; unknown values throw (a typo must not silently accept).
    /// </summary>
    public static AcceptMode Resolve(string? acceptValue, string? ciValue)
    {
        var requested = (acceptValue ?? "").Trim().ToLowerInvariant() switch
        {
            "" or "none" or "0" or "false" => AcceptMode.None,
            "new" => AcceptMode.New,
            "all" => AcceptMode.All,
            var other => throw new ArgumentException($"{EnvironmentVariable}='{acceptValue}' is not valid; use none, new or all", nameof(acceptValue)),
        };
        return string.IsNullOrEmpty(ciValue) ? requested : AcceptMode.None;
    }

    public static AcceptMode FromEnvironment() =>
        Resolve(Environment.GetEnvironmentVariable(EnvironmentVariable), Environment.GetEnvironmentVariable(CiVariable));
}
