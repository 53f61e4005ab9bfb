using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Microsoft.JSInterop;
using Parley.Web;
using Parley.Web.Session;

// The web client: one ChatSession holds the account and its live state; components render it.
var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");
builder.RootComponents.Add<HeadOutlet>("head::after");
builder.Services.AddSingleton(sp => new ChatSession(sp.GetRequiredService<IJSRuntime>(), new Uri(builder.HostEnvironment.BaseAddress)));
await builder.Build().RunAsync();
