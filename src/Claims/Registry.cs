using MnistClaims.Claims.Documents;

namespace MnistClaims.Claims;

/// <summary>Every experiment and claim of the five documents in ../shared/seeds, in document order.</summary>
public static class Registry
{
    public static IReadOnlyList<Experiment> Experiments { get; } =
        [.. Doc000.Experiments, .. Doc001.Experiments, .. Doc002.Experiments, .. Doc003.Experiments, .. Doc004.Experiments];

    public static IReadOnlyList<Claim> Claims { get; } =
        [.. Doc000.Claims(), .. Doc001.Claims(), .. Doc002.Claims(), .. Doc003.Claims(), .. Doc004.Claims()];

    public static Experiment Experiment(string id) => Experiments.FirstOrDefault(e => e.Id == id)
        ?? throw new KeyNotFoundException($"unknown experiment '{id}'; see `harness claims --experiments`");

    public static Claim Claim(string id) => Claims.FirstOrDefault(c => c.Id == id)
        ?? throw new KeyNotFoundException($"unknown claim '{id}'; see `harness claims`");

    /// <summary>The documents whose logs calibrate the verdict rule (reports/calibration.md): 002 tunes the margin, 004 checks it.</summary>
    public static IReadOnlyList<Calibration.CalibrationSet> CalibrationSets => [Doc002.CalibrationSet, Doc004.CalibrationSet];

    /// <summary>The document file names, in order.</summary>
    public static IReadOnlyList<string> Documents { get; } = [Doc000.File, Doc001.File, Doc002.File, Doc003.File, Doc004.File];
}
