using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.EndToEnd;

/// <summary>Which keys a backup takes and how they come back: source prefixes, target prefixes, hostile keys.</summary>
[Collection(S3Collection.Name)]
public sealed class BackupKeyTests(SmallBucketEngine engine) : IClassFixture<SmallBucketEngine>
{
    private static readonly string[] HostileKeys =
        ["../escape.txt", "a/../../b.txt", "./dot.txt", "double//slash", "ctrl\u0001char", "tab\tand\nnewline", "back\\slash", "\uFF0E\uFF0E/fullwidth", "trailing/"];

    [S3Fact]
    public async Task A_plan_with_a_source_prefix_backs_up_only_the_keys_under_it()
    {
        await engine.NewPlanAsync("prefix-a", prefix: "a/");

        var job = await engine.BackupAsync("prefix-a");

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(engine.Objects.Keys.Where(k => k.StartsWith("a/", StringComparison.Ordinal)).Order(KeyOrder.Instance),
            await engine.KeysOfAsync(job.BackupPointId!));
        Assert.Equal("a/", engine.Catalog.GetBackupPoint(job.BackupPointId!).SourcePrefix);
    }

    [S3Fact]
    public async Task Restoring_a_prefix_plan_under_a_target_prefix_replaces_the_source_prefix()
    {
        await engine.NewPlanAsync("prefix-b", prefix: "b/");
        var job = await engine.BackupAsync("prefix-b");
        var target = await engine.Server.CreateBucketAsync("prefixtarget");

        var restore = await engine.RestoreAsync(job.BackupPointId!, target, targetPrefix: "restored/");

        var expected = engine.Objects.Where(o => o.Key.StartsWith("b/", StringComparison.Ordinal))
            .ToDictionary(o => "restored/" + o.Key["b/".Length..], o => TestData.Sha256(o.Value));
        Assert.Equal(JobStatus.Completed, restore.Status);
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), (await engine.Server.ReadObjectHashesAsync(target)).OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [S3Fact]
    public async Task Hostile_keys_are_backed_up_and_restored_verbatim()
    {
        var source = await engine.Server.CreateBucketAsync("hostile");
        var target = await engine.Server.CreateBucketAsync("hostiletarget");
        var objects = HostileKeys.ToDictionary(k => k, k => System.Text.Encoding.UTF8.GetBytes("content of " + k), StringComparer.Ordinal);
        await engine.Server.PutObjectsAsync(source, objects);
        await engine.NewPlanAsync("hostile", source);

        var job = await engine.BackupAsync("hostile");
        var restore = await engine.RestoreAsync(job.BackupPointId!, target);

        Assert.Equal((JobStatus.Completed, objects.Count), (job.Status, (int)job.BackedUpObjects));
        Assert.Equal(JobStatus.Completed, restore.Status);
        Assert.Equal(await engine.Server.ReadObjectHashesAsync(source), await engine.Server.ReadObjectHashesAsync(target));
        Assert.Equal(objects.Count, (await engine.Server.ReadObjectHashesAsync(target)).Count);
    }
}
