using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Parley.Server.Accounts;

namespace Parley.Server.Devices;

/// <summary>Linked devices (issue 4): registration of the feature's services, limits and endpoints.</summary>
public static class DeviceLinkingFeature
{
    public static IServiceCollection AddDeviceLinking(this IServiceCollection services)
    {
        services.AddOptions<DeviceLinkingOptions>().BindConfiguration(DeviceLinkingOptions.Section);
        services.AddSingleton<DeviceLinkSchema>();
        services.AddSingleton<LinkStore>();
        services.AddSingleton<DeviceListStore>();
        // AddRateLimiter composes: these policies join the ones the host configures.
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<DeviceLinkingOptions>>((limiter, options) =>
        {
            var limits = options.Value;
            limiter.AddPolicy(DeviceLinkEndpoints.CreateCodePolicy, context => Window(
                context.User.Identity?.IsAuthenticated == true ? context.User.Device().AccountId : ClientIp(context),
                limits.LinkCodesPerAccountPerHour, TimeSpan.FromHours(1)));
            limiter.AddPolicy(DeviceLinkEndpoints.PresentPolicy, context => Window(ClientIp(context), limits.LinkAttemptsPerIpPerMinute, TimeSpan.FromMinutes(1)));
            limiter.AddPolicy(DeviceLinkEndpoints.PollPolicy, context => Window(ClientIp(context), limits.LinkPollsPerIpPerMinute, TimeSpan.FromMinutes(1)));
        });
        return services;
    }

    public static IEndpointRouteBuilder MapDeviceLinkingEndpoints(this IEndpointRouteBuilder app)
    {
        DeviceLinkEndpoints.Map(app);
        DeviceEndpoints.Map(app);
        return app;
    }

    private static string ClientIp(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static RateLimitPartition<string> Window(string key, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, permits),
            Window = window,
            QueueLimit = 0,
        });
}
