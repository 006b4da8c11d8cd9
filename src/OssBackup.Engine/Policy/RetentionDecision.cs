namespace OssBackup.Engine.Policy;

/// <summary>
/// Whether a point is kept and why: every rule that keeps it (e.g. "last 3", "within 30.00:00:00",
/// "daily 2026-11-25", "weekly 2026-W48", "monthly 2026-11", "yearly 2026", "newest"), or
/// "no rule keeps it" for a point to remove.
/// </summary>
public sealed record RetentionDecision(RetentionPoint Point, bool Keep, IReadOnlyList<string> Reasons);
