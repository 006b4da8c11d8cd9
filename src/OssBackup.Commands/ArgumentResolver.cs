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
        string name when !string.IsNullOrWhiteSpace(name) => name,
        var other => throw new ArgumentException($"-Plan takes a plan name or a BackupPlan, not '{other}'."),
    };

    public static string BackupPointId(object value) => Unwrap(value) switch
    {
        BackupPoint point => point.Id,
        BackupJob { BackupPointId: { } id } => id,
        BackupObject obj => obj.BackupPointId,
        string id when !string.IsNullOrWhiteSpace(id) => id,
        var other => throw new ArgumentException($"-BackupPoint takes a backup point id or a BackupPoint, not '{other}'."),
    };

    private static object Unwrap(object value) => value is PSObject ps ? ps.BaseObject : value;
}
