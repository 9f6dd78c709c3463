using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Clippings.Testing;

/// <summary>
/// A real <c>redis-server</c> (Debian's package; <c>.ci/run</c> installs it) on a random 127.0.0.1 port with its own
/// data folder (append-only file, so a restart keeps the data), stopped by its PID. Shared by both test projects.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private Process? _process;

    private RedisServerProcess(string executable, int port, string folder)
    {
        Executable = executable;
        Port = port;
        Folder = folder;
    }

    public string Executable { get; }

    public int Port { get; }

    public string Folder { get; }

    /// <summary>The StackExchange.Redis connection string for <c>Clippings:State:Redis</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public int? ProcessId => _process is { HasExited: false } ? _process.Id : null;

    /// <summary>redis-server on PATH (or the Debian location), or null.</summary>
    public static string? Find()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/sbin")
            .Select(folder => Path.Combine(folder, "redis-server"))
            .FirstOrDefault(File.Exists);
    }

    public const string MissingReason = "redis-server is not installed (apt-get install redis-server; .ci/run installs it)";

    public static async Task<RedisServerProcess> StartAsync()
    {
        var executable = Find() ?? throw new InvalidOperationException(MissingReason);
        var folder = Directory.CreateTempSubdirectory("clippings-redis-").FullName;
        var server = new RedisServerProcess(executable, FreePort(), folder);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>(Re)starts the server on the same port and data folder.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", Folder,
            "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "yes", "--daemonize", "no", "--logfile", "",
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _ = _process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        _ = _process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (await PingAsync())
            {
                return;
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode} on port {Port}.");
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"redis-server did not answer on port {Port} within 20 s.");
    }

    /// <summary>Stops the server by its PID (SIGTERM: it writes its append-only file and exits) and waits.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
        }

        process.Dispose();
        _process = null;
    }

    /// <summary>Sends one command (RESP inline) and returns the raw reply.</summary>
    public async Task<string> CommandAsync(string command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"));
        var buffer = new byte[64 * 1024];
        var read = await stream.ReadAsync(buffer);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            return (await CommandAsync("PING")).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A fact that needs redis-server: skipped, saying so, where it is not installed.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisServerProcess.Find() is null)
        {
            Skip = RedisServerProcess.MissingReason;
        }
    }
}
