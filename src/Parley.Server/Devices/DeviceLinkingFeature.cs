namespace Parley.Server.Devices;

/// <summary>Linked devices (issue 4): registration of the feature's services and endpoints.</summary>
public static class DeviceLinkingFeature
{
    public static IServiceCollection AddDeviceLinking(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapDeviceLinkingEndpoints(this IEndpointRouteBuilder app) => app;
}
