using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace OssBackup.Engine.Util;

/// <summary>
/// Runs the enumeration of a sequence on a background task, a few batches ahead of its consumer, so
/// that producing the elements (decoding, merging, reading files) overlaps with consuming them on
/// another core. Memory stays bounded: at most <c>batchesAhead</c> full batches wait, besides the one
/// being filled and the one being consumed.
/// </summary>
internal static class ReadAhead
{
    /// <summary>
    /// The elements of <paramref name="source"/>, in order. A failure of the source surfaces where its
    /// element would have been; leaving the loop early cancels the source and waits for it to stop.
    /// </summary>
    public static async IAsyncEnumerable<T> InBackground<T>(IAsyncEnumerable<T> source, int batchSize, int batchesAhead,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchesAhead, 1);
        var filled = Channel.CreateBounded<List<T>>(new BoundedChannelOptions(batchesAhead) { SingleReader = true, SingleWriter = true });
        // Batches go back and forth instead of being allocated anew.
        var emptied = Channel.CreateBounded<List<T>>(new BoundedChannelOptions(batchesAhead + 2) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => ProduceAsync(source, batchSize, filled.Writer, emptied.Reader, stop.Token), CancellationToken.None);
        try
        {
            while (await filled.Reader.WaitToReadAsync(cancellationToken))
            {
                while (filled.Reader.TryRead(out var batch))
                {
                    foreach (var item in batch)
                    {
                        yield return item;
                    }
                    batch.Clear();
                    emptied.Writer.TryWrite(batch);
                }
            }
        }
        finally
        {
            // A failure of the producer reached the consumer through the channel; here it only has to stop.
            await stop.CancelAsync();
            await producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task ProduceAsync<T>(IAsyncEnumerable<T> source, int batchSize, ChannelWriter<List<T>> filled, ChannelReader<List<T>> emptied,
        CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            var batch = new List<T>(batchSize);
            await foreach (var item in source.WithCancellation(cancellationToken))
            {
                batch.Add(item);
                if (batch.Count == batchSize)
                {
                    await filled.WriteAsync(batch, cancellationToken);
                    batch = emptied.TryRead(out var reused) ? reused : new List<T>(batchSize);
                }
            }
            if (batch.Count > 0)
            {
                await filled.WriteAsync(batch, cancellationToken);
            }
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            filled.TryComplete(failure);
        }
    }
}
