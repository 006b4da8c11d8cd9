using System.Net.Http.Json;
using System.Text.Json;
using OssBackup.Engine.Operations;

namespace OssBackup.Engine.Alerts;

/// <summary>The JSON body POSTed to a policy's webhook.</summary>
public sealed record AlertEvent(
    string Event,
    string Plan,
    long? JobId,
    string? Status,
    string Message,
    DateTimeOffset Time,
    AlertCounts? Counts,
    long? DrillId = null,
    string? BackupPointId = null,
    AlertDrillCounts? DrillCounts = null);

public sealed record AlertCounts(long Scanned, long BackedUp, long Unchanged, long Skipped, long Failed, long WrittenBytes);

public sealed record AlertDrillCounts(long ObjectsInPoint, int Sampled, int Passed, int Failed);

/// <summary>
/// POSTs alert events with a few quick retries. An alert that cannot be delivered is a warning, never a
/// reason to fail the job it reports on.
/// </summary>
public sealed class AlertSender(HttpClient http, IOperationObserver observer)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)];

    public static AlertEvent ForJob(BackupJob job) => new(
        job.Status == JobStatus.Failed ? "JobFailed" : "JobPartiallyCompleted",
        job.Plan,
        job.Id,
        job.Status.ToString(),
        job.Message ?? $"{job.FailedObjects} object(s) failed; see Get-BackupJobItem -Job {job.Id} -Status Failed.",
        job.EndTime ?? DateTimeOffset.UtcNow,
        new AlertCounts(job.ScannedObjects, job.BackedUpObjects, job.UnchangedObjects, job.SkippedObjects, job.FailedObjects, job.WrittenBytes));

    /// <summary>A drill that did not pass: JobId is null (a drill is not a job); DrillId is what Get-BackupDrill -Id takes.</summary>
    public static AlertEvent ForDrill(BackupTestResult drill) => new(
        "DrillFailed",
        drill.Plan,
        null,
        drill.Status.ToString(),
        drill.Message ?? $"The restore drill {drill.Id} did not pass.",
        drill.EndTime ?? DateTimeOffset.UtcNow,
        null,
        drill.Id,
        drill.BackupPointId.Length > 0 ? drill.BackupPointId : null,
        new AlertDrillCounts(drill.ObjectsInPoint, drill.SampledObjects, drill.PassedObjects, drill.FailedObjects));

    public async Task<bool> SendAsync(Uri webhook, AlertEvent alert, CancellationToken cancellationToken)
    {
        Exception? last = null;
        for (var attempt = 0; attempt <= Backoff.Length; attempt++)
        {
            try
            {
                using var response = await http.PostAsJsonAsync(webhook, alert, Json, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
                last = new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                if ((int)response.StatusCode is >= 400 and < 500 and not 408 and not 429)
                {
                    break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                last = e;
            }
            if (attempt < Backoff.Length)
            {
                await Task.Delay(Backoff[attempt], cancellationToken);
            }
        }
        observer.Warning($"Could not deliver the {alert.Event} alert for plan '{alert.Plan}' to {webhook.GetLeftPart(UriPartial.Path)}: {last?.Message}");
        return false;
    }
}
