using Microsoft.AspNetCore.Components;
using Parley.Web.Session;

namespace Parley.Web.Components;

/// <summary>A component that re-reads what it shows whenever the session changes (a message, a tick, presence).</summary>
public abstract class LiveComponent : ComponentBase, IDisposable
{
    [Inject]
    protected ChatSession Session { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        Session.Changed += OnSessionChanged;
        await RefreshAsync();
    }

    /// <summary>Loads what the component shows from the session.</summary>
    protected virtual Task RefreshAsync() => Task.CompletedTask;

    private void OnSessionChanged() => _ = InvokeAsync(async () =>
    {
        await RefreshAsync();
        StateHasChanged();
    });

    public virtual void Dispose()
    {
        Session.Changed -= OnSessionChanged;
        GC.SuppressFinalize(this);
    }
}
