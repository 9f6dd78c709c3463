using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Clippings.Server.Hosting;

/// <summary>
/// Bound from <c>Clippings:Network</c>: which reverse proxies may say who the client is (<c>X-Forwarded-For</c>,
/// <c>X-Forwarded-Proto</c>). None by default, so a forwarded header is never believed unless configured.
/// </summary>
public sealed class NetworkOptions
{
    public const string SectionName = "Clippings:Network";

    /// <summary>Addresses of trusted proxies, e.g. <c>127.0.0.1</c> for a same-host nginx.</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>Networks of trusted proxies in CIDR form, e.g. <c>10.0.0.0/8</c>.</summary>
    public IList<string> KnownNetworks { get; } = [];

    /// <summary>How many proxy hops are unwrapped from <c>X-Forwarded-For</c>.</summary>
    public int ForwardLimit { get; set; } = 1;
}

/// <summary>
/// The one rule for "who is the client": the address after <see cref="ForwardedHeadersMiddleware"/> applied the trusted
/// proxies. Every loopback check and every rate-limit partition goes through here.
/// </summary>
public static class ClientAddress
{
    /// <summary>The client's address as a partition key ("local" for an in-process or Unix-socket caller).</summary>
    public static string Key(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "local";

    /// <summary>
    /// A caller on this machine: a loopback (or no) address with no forwarding header left over. A header the trusted
    /// proxies did not consume means the request came through an untrusted hop, so the real client is unknown: not local.
    /// </summary>
    public static bool IsLoopback(HttpContext context) =>
        (context.Connection.RemoteIpAddress is not { } address || IPAddress.IsLoopback(address))
        && !context.Request.Headers.ContainsKey("X-Forwarded-For")
        && !context.Request.Headers.ContainsKey("Forwarded");

    internal static IServiceCollection AddClientAddressPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NetworkOptions>().Bind(configuration.GetSection(NetworkOptions.SectionName))
            .Validate(o => o.KnownProxies.All(p => IPAddress.TryParse(p, out _)), "Clippings:Network:KnownProxies holds an entry that is not an IP address; allowed: addresses like 127.0.0.1 or ::1.")
            .Validate(o => o.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)), "Clippings:Network:KnownNetworks holds an entry that is not a CIDR network; allowed: networks like 10.0.0.0/8.")
            .Validate(o => o.ForwardLimit is >= 1 and <= 10, "Clippings:Network:ForwardLimit must be 1–10.")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<NetworkOptions>>((forwarded, network) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // ASP.NET Core trusts loopback proxies by default; trust exactly what is configured instead.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            forwarded.ForwardLimit = network.Value.ForwardLimit;
            foreach (var proxy in network.Value.KnownProxies)
            {
                if (IPAddress.TryParse(proxy, out var address))
                {
                    forwarded.KnownProxies.Add(address);
                }
            }

            foreach (var cidr in network.Value.KnownNetworks)
            {
                if (System.Net.IPNetwork.TryParse(cidr, out var network1))
                {
                    forwarded.KnownIPNetworks.Add(network1);
                }
            }
        });
        return services;
    }
}
