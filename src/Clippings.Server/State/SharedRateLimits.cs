using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RedisRateLimiting;

namespace Clippings.Server.State;

/// <summary>
/// Per-minute fixed windows for the server's rate limits: counted in Redis when state is shared (so two instances
/// together allow what one would), in this process otherwise, and in this process while Redis is away (limits
/// still apply, per instance, rather than every request failing).
/// </summary>
public static class SharedRateLimits
{
    public static RateLimitPartition<string> PerMinute(HttpContext http, string key, int permits)
    {
        var redis = http.RequestServices.GetService<RedisState>();
        if (redis is { IsConnected: true })
        {
            return RedisRateLimitPartition.GetFixedWindowRateLimiter(redis.Prefix + "rate:" + key, _ => new RedisFixedWindowRateLimiterOptions
            {
                ConnectionMultiplexerFactory = () => redis.Connection,
                PermitLimit = permits,
                Window = TimeSpan.FromMinutes(1),
            });
        }

        return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
    }
}
