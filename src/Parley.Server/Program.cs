using Parley.Server.Hosting;

// Parley server: REST + WebSocket (Kestrel) with a co-hosted Orleans silo. See README.md.
var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddCommandLine(args, new Dictionary<string, string> { ["--data"] = "Parley:DataDirectory" });
if (builder.Configuration["urls"] is null && Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is null)
{
    builder.WebHost.UseUrls("http://127.0.0.1:8080");
}
builder.AddParley();

var app = builder.Build();
await app.UseParleyAsync();
await app.RunAsync();

/// <summary>Entry point; public so that tests can refer to the assembly.</summary>
public partial class Program;
