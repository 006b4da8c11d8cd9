namespace OssBackup.Engine.Policy;

/// <summary>A backup point as retention sees it: an id (unique) and when it was created.</summary>
public sealed record RetentionPoint(string Id, DateTimeOffset CreatedAt);
