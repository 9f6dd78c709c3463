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
        if (redis is null)
        {
            return RateLimitPartition.GetFixedWindowLimiter(key, _ => Local(permits));
        }

        return RateLimitPartition.Get(key, _ => new RedisOrLocalLimiter(
            redis,
            new RedisFixedWindowRateLimiter<string>(redis.Prefix + "rate:" + key, new RedisFixedWindowRateLimiterOptions
            {
                ConnectionMultiplexerFactory = () => redis.Connection,
                PermitLimit = permits,
                Window = TimeSpan.FromMinutes(1),
            }),
            new FixedWindowRateLimiter(Local(permits))));
    }

    private static FixedWindowRateLimiterOptions Local(int permits) =>
        new() { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 };

    /// <summary>
    /// The Redis window while Redis answers; this process's window when it does not (also in the moments before the
    /// connection notices Redis has gone, when a count fails rather than the request).
    /// </summary>
    private sealed class RedisOrLocalLimiter(RedisState redis, RateLimiter shared, RateLimiter local) : RateLimiter
    {
        public override TimeSpan? IdleDuration => shared.IdleDuration is { } idle && local.IdleDuration is { } localIdle ? (idle < localIdle ? idle : localIdle) : null;

        public override RateLimiterStatistics? GetStatistics() => redis.IsConnected ? shared.GetStatistics() : local.GetStatistics();

        protected override RateLimitLease AttemptAcquireCore(int permitCount) =>
            redis.IsConnected ? shared.AttemptAcquire(permitCount) : local.AttemptAcquire(permitCount);

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            if (redis.IsConnected)
            {
                try
                {
                    return await shared.AcquireAsync(permitCount, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (RedisState.IsUnavailable(ex))
                {
                    // Counted here until Redis answers again.
                }
            }

            return await local.AcquireAsync(permitCount, cancellationToken).ConfigureAwait(false);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                shared.Dispose();
                local.Dispose();
            }

            base.Dispose(disposing);
        }

        protected override async ValueTask DisposeAsyncCore()
        {
            await shared.DisposeAsync().ConfigureAwait(false);
            await local.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsyncCore().ConfigureAwait(false);
        }
    }
}
