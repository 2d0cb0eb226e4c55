using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace CardGame.SystemTests;

/// <summary>
/// Sits on one page's hub WebSocket (a Playwright route between the page and its edge) so a test can cut the connection
/// the way a network does: now, or right when the page sends its next move, with that move delivered to the server
/// (its answer is lost) or lost too. Attach before the page connects.
/// </summary>
public sealed partial class HubSocketCutter
{
    private readonly Lock _lock = new();
    private Link? _current;
    private bool? _armed; // cut at the next move; true: deliver it first

    private HubSocketCutter()
    {
    }

    /// <summary>Moves the page sent that were cut off, delivered or not.</summary>
    public int MovesCut { get; private set; }

    public static async Task<HubSocketCutter> AttachAsync(IPage page)
    {
        var cutter = new HubSocketCutter();
        await page.RouteWebSocketAsync(HubPath(), cutter.Route);
        return cutter;
    }

    /// <summary>The next <c>TakeCard</c> or <c>PutCard</c> the page sends cuts the connection; <paramref name="deliver"/>: the server gets it first.</summary>
    public void CutAtNextMove(bool deliver)
    {
        lock (_lock)
        {
            _armed = deliver;
        }
    }

    public Task CutNowAsync()
    {
        Link? link;
        lock (_lock)
        {
            link = _current;
        }

        return link is null ? Task.CompletedTask : link.CutAsync();
    }

    private void Route(IWebSocketRoute page)
    {
        var link = new Link(page, page.ConnectToServer());
        lock (_lock)
        {
            _current = link;
        }

        page.OnMessage(frame =>
        {
            if (link.IsCut)
            {
                return;
            }

            if (frame.Text is { } text && MoveInvocation().IsMatch(text) && TakeArmed() is { } deliver)
            {
                if (deliver)
                {
                    link.Server.Send(text);
                }

                MovesCut++;
                _ = link.CutAsync();
                return;
            }

            Forward(frame, link.Server);
        });
        link.Server.OnMessage(frame =>
        {
            if (!link.IsCut)
            {
                Forward(frame, page);
            }
        });
    }

    private bool? TakeArmed()
    {
        lock (_lock)
        {
            var armed = _armed;
            _armed = null;
            return armed;
        }
    }

    private static void Forward(IWebSocketFrame frame, IWebSocketRoute to)
    {
        if (frame.Text is { } text)
        {
            to.Send(text);
        }
        else if (frame.Binary is { } binary)
        {
            to.Send(binary);
        }
    }

    [GeneratedRegex("/hubs/game")]
    private static partial Regex HubPath();

    [GeneratedRegex("\"target\":\"(TakeCard|PutCard)\"")]
    private static partial Regex MoveInvocation();

    private sealed class Link(IWebSocketRoute page, IWebSocketRoute server)
    {
        private int _cut;

        public IWebSocketRoute Server { get; } = server;

        public bool IsCut => Volatile.Read(ref _cut) == 1;

        /// <summary>Closes both sides, as a dropped network would: nothing more passes either way.</summary>
        public async Task CutAsync()
        {
            if (Interlocked.Exchange(ref _cut, 1) == 1)
            {
                return;
            }

            var options = new WebSocketRouteCloseOptions { Code = 4000, Reason = "cut by the test" };
            await Server.CloseAsync(options);
            await page.CloseAsync(options);
        }
    }
}
