using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Parley.Server.Accounts;
using Parley.Server.Hosting;

namespace Parley.Server.Media;

/// <summary>Media (issue 8): the encrypted blob store's services, limits and endpoints.</summary>
public static class MediaFeature
{
    public static IServiceCollection AddMedia(this IServiceCollection services)
    {
        services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.Section);
        services.AddSingleton<MediaIndex>();
        services.AddSingleton<IMediaStore>(sp => new FileMediaStore(
            sp.GetRequiredService<IOptions<MediaOptions>>().Value.Directory is { Length: > 0 } directory
                ? directory
                : Path.Combine(Path.GetFullPath(sp.GetRequiredService<ParleyOptions>().DataDirectory), "media")));
        services.AddHostedService<MediaCollector>();
        // AddRateLimiter composes: this policy joins the ones the host configures.
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<MediaOptions>>((limiter, options) =>
            limiter.AddPolicy(MediaEndpoints.UploadPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.User.Identity?.IsAuthenticated == true ? context.User.Device().AccountId : "anonymous",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = Math.Max(1, options.Value.UploadsPerAccountPerHour),
                    Window = TimeSpan.FromHours(1),
                    QueueLimit = 0,
                })));
        return services;
    }

    public static IEndpointRouteBuilder MapMediaEndpoints(this IEndpointRouteBuilder app)
    {
        MediaEndpoints.Map(app);
        return app;
    }
}
