namespace OssBackup.Engine.Util;

internal static class AsyncSequence
{
    public static async IAsyncEnumerable<T> Empty<T>()
    {
        await Task.CompletedTask;
        yield break;
    }
}
