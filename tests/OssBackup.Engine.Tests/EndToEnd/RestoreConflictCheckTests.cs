using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using OssBackup.Engine.Operations;
using OssBackup.Engine.Source;

namespace OssBackup.Engine.Tests.EndToEnd;

/// <summary>
/// How a restore checks for conflicts: one listing when the target region is empty, a probe per object otherwise.
/// The point comes from a real backup; the target is an in-memory bucket that counts the probes.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class RestoreConflictCheckTests(IncrementalBackupScenario scenario) : IClassFixture<IncrementalBackupScenario>
{
    [S3Fact]
    public async Task Restoring_into_an_empty_bucket_writes_every_object_without_probing_each_key()
    {
        var target = new InMemoryBucket();

        var job = await Restore(target, new RestoreSelection(), ConflictAction.Fail);

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(scenario.Current.Count, job.RestoredObjects);
        Assert.Equal(0, target.Probes);
        Assert.Equal(scenario.Current.Keys.Order(StringComparer.Ordinal), target.Keys.Order(StringComparer.Ordinal));
    }

    [S3Fact]
    public async Task Restoring_under_a_target_prefix_that_is_empty_ignores_objects_elsewhere_in_the_bucket()
    {
        var target = new InMemoryBucket("elsewhere/keep.txt");

        var job = await Restore(target, RestoreSelection.UnderPrefix("docs/"), ConflictAction.Fail, targetPrefix: "copy/");

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(scenario.Current.Keys.Count(k => k.StartsWith("docs/", StringComparison.Ordinal)), job.RestoredObjects);
        Assert.Equal(0, target.Probes);
    }

    [S3Fact]
    public async Task Restoring_where_the_target_region_holds_objects_probes_each_key_and_fails_only_the_existing_one()
    {
        var existing = scenario.Current.Keys.First(k => k.StartsWith("docs/", StringComparison.Ordinal));
        var target = new InMemoryBucket(existing);
        var restored = scenario.Current.Keys.Count(k => k.StartsWith("docs/", StringComparison.Ordinal));

        var job = await Restore(target, RestoreSelection.UnderPrefix("docs/"), ConflictAction.Fail);

        Assert.Equal(JobStatus.PartiallyCompleted, job.Status);
        Assert.Equal((restored - 1, 1), (job.RestoredObjects, job.FailedObjects));
        Assert.Equal(restored, target.Probes);
    }

    private Task<RestoreJob> Restore(InMemoryBucket target, RestoreSelection selection, ConflictAction conflict, string? targetPrefix = null) =>
        new RestoreRunner(scenario.Catalog, NullObserver.Instance).RunAsync(scenario.SecondPoint, scenario.Vault, selection,
            new RestoreTarget(target, targetPrefix, conflict), CancellationToken.None);

    /// <summary>A bucket in memory that can be listed, written and probed (HEAD), counting the probes.</summary>
    private sealed class InMemoryBucket : IObjectTarget
    {
        private readonly ConcurrentDictionary<string, byte[]> _objects = new(StringComparer.Ordinal);
        private int _probes;

        public InMemoryBucket(params string[] existingKeys)
        {
            foreach (var key in existingKeys)
            {
                _objects[key] = "already here"u8.ToArray();
            }
        }

        public string Description => "memory";

        public int Probes => _probes;

        public IEnumerable<string> Keys => _objects.Keys;

        public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _probes);
            return Task.FromResult(_objects.ContainsKey(key));
        }

        public Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectWrite write, CancellationToken cancellationToken)
        {
            _objects[key] = content.ToArray();
            return Task.CompletedTask;
        }

        public Task<IMultipartWrite> StartMultipartAsync(string key, ObjectWrite write, CancellationToken cancellationToken) =>
            Task.FromResult<IMultipartWrite>(new Upload(this, key));

        public async IAsyncEnumerable<string> ListKeysAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            foreach (var key in _objects.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                yield return key;
            }
        }

        private sealed class Upload(InMemoryBucket bucket, string key) : IMultipartWrite
        {
            private readonly SortedDictionary<int, byte[]> _parts = [];

            public Task UploadPartAsync(int partNumber, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
            {
                _parts[partNumber] = content.ToArray();
                return Task.CompletedTask;
            }

            public Task CompleteAsync(CancellationToken cancellationToken)
            {
                bucket._objects[key] = [.. _parts.Values.SelectMany(p => p)];
                return Task.CompletedTask;
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
