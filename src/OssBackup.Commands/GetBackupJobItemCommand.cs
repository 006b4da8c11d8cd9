using System.Management.Automation;

namespace OssBackup.Commands;

/// <summary>What happened to each failed or skipped object of a job (or of a restore drill's restore); pipe to Export-Csv for a report.</summary>
[Cmdlet(VerbsCommon.Get, "BackupJobItem")]
[OutputType(typeof(JobItem))]
public sealed class GetBackupJobItemCommand : OssBackupCmdlet
{
    /// <summary>A job id, or a BackupJob or RestoreJob (also from the pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object Job { get; set; } = 0L;

    [Parameter]
    [ValidateSet("Failed", "Skipped", "Deleted")]
    public string? Status { get; set; }

    protected override void ProcessRecord()
    {
        var value = Job is PSObject ps ? ps.BaseObject : Job;
        if (value is BackupTestResult { RestoreJobId: null })
        {
            return; // The drill never got to restoring: there are no items, its Message says why.
        }
        long id = value switch
        {
            BackupJob b => b.Id,
            RestoreJob r => r.Id,
            BackupTestResult drill => drill.RestoreJobId!.Value,
            _ => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        };
        WriteObject(Service.Catalog.GetJobItems(id, Status), enumerateCollection: true);
    }
}
