using System.Management.Automation;

namespace OssBackup.Commands;

/// <summary>Turns "a name or an object" parameters into the name or id the engine wants.</summary>
internal static class ArgumentResolver
{
    public static string PlanName(object value) => Unwrap(value) switch
    {
        BackupPlan plan => plan.Name,
        BackupJob job => job.Plan,
        BackupPoint point => point.Plan,
        BackupTestResult drill => drill.Plan,
        string name when !string.IsNullOrWhiteSpace(name) => name,
        var other => throw new ArgumentException($"-Plan takes a plan name or a BackupPlan, not '{other}'."),
    };

    public static string BackupPointId(object value) => Unwrap(value) switch
    {
        BackupPoint point => point.Id,
        BackupJob { BackupPointId: { } id } => id,
        BackupObject obj => obj.BackupPointId,
        BackupRetentionDecision decision => decision.BackupPointId,
        BackupTestResult { BackupPointId.Length: > 0 } drill => drill.BackupPointId,
        // An id of 16 hex digits that happen to be all decimal reaches us as a number.
        long number when number >= 0 => number.ToString("D16", System.Globalization.CultureInfo.InvariantCulture),
        int number when number >= 0 => number.ToString("D16", System.Globalization.CultureInfo.InvariantCulture),
        decimal number when number >= 0 && number == decimal.Truncate(number) => number.ToString("0000000000000000", System.Globalization.CultureInfo.InvariantCulture),
        string id when !string.IsNullOrWhiteSpace(id) => id,
        var other => throw new ArgumentException($"-BackupPoint takes a backup point id or a BackupPoint, not '{other}'."),
    };

    private static object Unwrap(object value) => value is PSObject ps ? ps.BaseObject : value;
}
