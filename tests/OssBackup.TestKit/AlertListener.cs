using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OssBackup.TestKit;

/// <summary>A webhook receiver on loopback that records every request body; answers with a chosen status.</summary>
public sealed class AlertListener : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<string> _bodies = new();
    private readonly Task _loop;

    public AlertListener(int status = 200)
    {
        Status = status;
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/alerts/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Url { get; }

    /// <summary>The status answered from now on (e.g. 500 to see retries, then the alert given up as a warning).</summary>
    public int Status { get; set; }

    public string[] Bodies => [.. _bodies];

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                _bodies.Enqueue(await reader.ReadToEndAsync());
            }
            context.Response.StatusCode = Status;
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
