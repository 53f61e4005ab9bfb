using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Microsoft.JSInterop;
using Parley.Web;
using Parley.Web.Session;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("browser")] // [JSImport] interop: the app only runs in a browser

// The web client: one ChatSession holds the account and its live state; components render it.
var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");
builder.Services.AddSingleton(sp => new ChatSession(sp.GetRequiredService<IJSRuntime>(), new Uri(builder.HostEnvironment.BaseAddress)));
await builder.Build().RunAsync();
