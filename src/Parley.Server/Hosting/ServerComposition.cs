using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Calls;
using Parley.Server.Connections;
using Parley.Server.Contacts;
using Parley.Server.Devices;
using Parley.Server.Groups;
using Parley.Server.Keys;
using Parley.Server.Media;
using Parley.Server.Messages;
using Parley.Server.Privacy;
using Parley.Server.Profiles;
using Parley.Server.Registration;
using Parley.Server.Storage;
using Parley.Server.TwoStep;

namespace Parley.Server.Hosting;

/// <summary>Wires the features together. Each feature's own endpoints live in its folder.</summary>
public static class ServerComposition
{
    public static WebApplicationBuilder AddParley(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ParleyOptions.Section).Get<ParleyOptions>() ?? new ParleyOptions();
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        if (options.BatchScheduling)
        {
            // Before the host starts its threads, so that they inherit the policy.
            BatchScheduling.Apply();
        }
        ThreadPoolSizing.Apply(options.MaxWorkerThreads);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(options.Limits);
        services.AddSingleton(options.KeepAlive);
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton<Database>(_ => string.IsNullOrWhiteSpace(options.PostgresConnectionString)
            ? SqliteDatabase.InDirectory(dataDirectory)
            : new PostgresDatabase(options.PostgresConnectionString));
        services.AddSingleton<RegistrationSessionStore>();
        services.AddSingleton<AccountStore>();
        services.AddSingleton<DeviceDirectory>();
        services.AddSingleton<DeviceCredentialCheck>();
        services.AddSingleton<KeyStore>();
        services.AddSingleton<EnvelopeStore>();
        services.AddSingleton<EnvelopeWriter>();
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<EnvelopeNotifier>();
        services.AddSingleton<DeviceDisconnector>();
        services.AddSingleton<MessageSender>();
        services.AddSingleton<ReceiptSender>();
        services.AddSingleton<GroupStore>();
        services.AddSingleton<GroupMessageSender>();
        services.AddSingleton<Presence.TypingRelay>();
        services.AddSingleton<PrivacyStore>();
        services.AddSingleton<PrivacyPolicy>();
        services.AddSingleton<ContactStore>();
        services.AddSingleton<ProfileStore>();
        services.AddSingleton<Media.PhotoBlobs>();
        services.AddSingleton<RegistrationLockStore>();
        services.AddSingleton<RegistrationLockGuard>();
        services.AddSingleton<ConnectionServices>();
        services.AddSingleton<DeviceSockets>();
        services.AddSingleton<DeviceSocketHandshake>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
        {
            var handshake = new Lazy<DeviceSocketHandshake>(listen.ApplicationServices.GetRequiredService<DeviceSocketHandshake>);
            listen.Use(next => connection => handshake.Value.OnConnectedAsync(connection, next));
        }));
        services.AddHostedService<KeepAliveSweep>();
        services.AddHostedService<EnvelopeExpiryService>();
        services.AddDeviceLinking();
        services.AddMedia();

        if (string.IsNullOrWhiteSpace(options.SmsWebhookUrl))
        {
            services.AddSingleton<ISmsSender>(new OutboxSmsSender(Path.Combine(dataDirectory, "sms-outbox.log")));
        }
        else
        {
            services.AddHttpClient<WebhookSmsSender>();
            services.AddSingleton<ISmsSender>(sp => new WebhookSmsSender(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(WebhookSmsSender)), new Uri(options.SmsWebhookUrl)));
        }

        services.AddAuthentication(DeviceAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, DeviceAuthenticationHandler>(DeviceAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddRateLimiter(limiter => ConfigureRateLimits(limiter, options.Limits));
        services.AddProblemDetails();
        services.AddOpenApi();

        builder.UseOrleans(silo => silo.UseLocalhostClustering(options.Orleans.SiloPort, options.Orleans.GatewayPort));
        builder.AddWebClient();
        return builder;
    }

    public static async Task<WebApplication> UseParleyAsync(this WebApplication app)
    {
        await app.Services.GetRequiredService<Database>().MigrateAsync();
        app.UseDeviceWebSockets();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapOpenApi();
        app.MapHealthEndpoint();
        app.MapRegistrationEndpoints();
        app.MapAccountEndpoints();
        app.MapKeysEndpoints();
        app.MapGroupEndpoints();
        app.MapDeviceLinkingEndpoints();
        app.MapProfileEndpoints();
        app.MapPrivacyEndpoints();
        app.MapContactEndpoints();
        app.MapTwoStepEndpoints();
        app.MapCallEndpoints();
        app.MapMediaEndpoints();
        app.MapWebClient();
        return app;
    }

    private static void ConfigureRateLimits(RateLimiterOptions limiter, LimitOptions limits)
    {
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.OnRejected = async (context, cancellationToken) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await ApiProblem.TooManyRequests("Too many requests; try again later.", retryAfter).ExecuteAsync(context.HttpContext);
        };
        limiter.AddPolicy(RegistrationEndpoints.RequestCodePolicy, context => PerMinute(ClientIp(context), limits.RegistrationRequestsPerIpPerMinute));
        limiter.AddPolicy(RegistrationEndpoints.VerifyPolicy, context => PerMinute(ClientIp(context), limits.VerificationAttemptsPerIpPerMinute));
        limiter.AddPolicy(KeysEndpoints.FetchPolicy, context =>
            PerMinute(context.User.Identity?.IsAuthenticated == true ? context.User.Device().AccountId : ClientIp(context), limits.KeyFetchesPerAccountPerMinute));
    }

    private static string ClientIp(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static RateLimitPartition<string> PerMinute(string key, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, permits),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
}
